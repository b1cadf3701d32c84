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

// Cluster is the deployment: exported through a function so tests can
// apply exactly what the example applies.
func Cluster() nats.Cluster[*local.Local] {
	return nats.Cluster[*local.Local]{
		ClusterName: "core",
		PortBase:    14222, // clients 14222-14224, routes 16222-16224, monitoring 18222-18224
		Servers:     []nats.Server{{Name: "core-0"}, {Name: "core-1"}, {Name: "core-2"}},
		JetStream:   &nats.JetStream{MaxMemory: 256 * nats.MiB, MaxFile: 2 * nats.GiB},
	}
}

func main() {
	topo, err := local.New("local-cluster")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(cli.ExitFailed)
	}
	cluster := Cluster()
	os.Exit(cli.RunProgram(context.Background(), cli.Program[*local.Local]{
		Topology: topo,
		Scores:   []score.Score[*local.Local]{cluster},
		Summary: func(context.Context) (string, any, error) {
			urls := cluster.ClientURLs(topo)
			return "client URLs: " + strings.Join(urls, ","), map[string]any{"clientURLs": urls}, nil
		},
	}, os.Args[1:], os.Stdout, os.Stderr))
}
