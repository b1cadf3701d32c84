// Command local-cluster brings up a 3-server NATS cluster with JetStream on
// this machine, with nothing to install: the servers are this very binary
// running its embedded nats-server. Run it again and nothing changes;
// --plan shows what would change, --destroy removes it all.
//
//	go run ./examples/local-cluster            # bring it up
//	go run ./examples/local-cluster --plan     # what would change (exit 2 if anything)
//	go run ./examples/local-cluster --destroy  # stop and remove it
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology/local"
)

// portBase puts clients on 14222-14224, routes on 16222-16224 and
// monitoring on 18222-18224.
const portBase = 14222

// program is the deployment; tests run it with other ports.
func program(portBase int) (cli.Program[*local.Local], error) {
	topo, err := local.New("local-cluster")
	if err != nil {
		return cli.Program[*local.Local]{}, err
	}
	cluster := nats.Cluster[*local.Local]{
		ClusterName: "core",
		PortBase:    portBase,
		Servers:     []nats.Server{{Name: "core-0"}, {Name: "core-1"}, {Name: "core-2"}},
		JetStream:   &nats.JetStream{MaxMemory: 256 * nats.MiB, MaxFile: 2 * nats.GiB},
	}
	return cli.Program[*local.Local]{
		Topology: topo,
		Scores:   []score.Score[*local.Local]{cluster},
		Summary: func(context.Context) (string, any, error) {
			urls := cluster.ClientURLs(topo)
			return "client URLs: " + strings.Join(urls, ","), map[string]any{"clientURLs": urls}, nil
		},
	}, nil
}

func main() {
	p, err := program(portBase)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(cli.ExitFailed)
	}
	os.Exit(cli.RunProgram(context.Background(), p, os.Args[1:], os.Stdout, os.Stderr))
}
