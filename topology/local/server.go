package local

import (
	"flag"
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerCommand is the hidden first argument that makes a harmony binary
// run as a nats-server: "<binary> __nats-server -c nats.conf".
const ServerCommand = "__nats-server"

// RunServerIfRequested runs the embedded nats-server and exits when the
// process was started as one (os.Args[1] == ServerCommand); otherwise it
// returns at once. Call it first in main (pkg/cli.Run does) and in TestMain
// of tests whose binary the local topology starts servers from.
func RunServerIfRequested() {
	if len(os.Args) < 2 || os.Args[1] != ServerCommand {
		return
	}
	os.Exit(runServer(os.Args[2:]))
}

// runServer repeats nats-server's own main: parse flags and config, start,
// block until shutdown. The server handles its own signals: SIGHUP reloads
// the config file, SIGUSR2 enters lame-duck mode, SIGTERM/SIGINT stop it.
func runServer(args []string) int {
	server.SetProcessName("harmony-nats-server")
	fs := flag.NewFlagSet(ServerCommand, flag.ContinueOnError)
	opts, err := server.ConfigureOptions(fs, args, server.PrintServerAndExit, fs.Usage, server.PrintTLSHelpAndDie)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", ServerCommand, err)
		return 1
	}
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", ServerCommand, err)
		return 1
	}
	s.ConfigureLogger()
	if err := server.Run(s); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", ServerCommand, err)
		return 1
	}
	s.WaitForShutdown()
	return 0
}
