// Package local is the embedded default topology: real nats-server
// processes on 127.0.0.1, run by the harmony binary itself (a hidden
// subcommand, see RunServerIfRequested), each with its config, JetStream
// store, log and PID file under a state directory
// (default ".harmony/<deployment>" under the working directory).
//
// Servers run in their own process group and keep running after the
// program that started them exits; a later run adopts them, after checking
// that each PID really is our server for that config. Because `go run`
// deletes its executable when it exits, the binary is copied into the state
// directory and servers start from the copy.
//
// State directory layout:
//
//	bin/harmony-nats-server        copy of the binary servers run from
//	lock                           flock held while applying or destroying
//	servers/<name>/nats.conf       rendered config (public keys only)
//	servers/<name>/server.json     group, ports
//	servers/<name>/pid             PID of the running server
//	servers/<name>/server.log      the server's log
//	servers/<name>/jetstream/      JetStream store
//
// It may import topology, pkg/score, internal/atomicfile and the
// nats-server package (for the hidden subcommand); it imports no module.
package local
