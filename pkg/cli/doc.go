// Package cli is the command line every harmony deployment program shares:
// cli.Run(ctx, topology, scores...) parses the flags, validates, plans or
// applies through maestro, shows progress and the report, and returns the
// process exit code.
//
//	--plan                 show what would change, write nothing; exit 0 when
//	                       nothing would change, 2 when something would
//	--output text|json     text: live progress on a terminal, plain lines
//	                       otherwise; json: one object per line, the last
//	                       being the report
//	--parallel N           scores applied at once (default GOMAXPROCS)
//	--continue-on-error    keep applying scores independent of a failure
//	--timeout D            give up after D (e.g. 5m)
//	--state-dir DIR        where the deployment keeps its state
//	--destroy              stop and remove what this deployment started
//
// Exit codes: 0 success, 1 any failure or invalid input, 2 (--plan only)
// changes pending.
//
// It sits at the top of the import graph: it imports pkg/maestro, pkg/score,
// topology, and topology/local only to serve the hidden nats-server
// subcommand that the local topology starts servers with.
package cli
