// Command local-supercluster brings up a three-site NATS supercluster on
// this machine (ADR-0003): each site has its own cluster, a "harmony"
// cluster is stretched over the sites with one JetStream server each, all
// joined by gateways. The dedicated HARMONY account holds the agents'
// desired-state and status buckets, three replicas each, one per site, so
// they survive the loss of a whole site. Users authenticate with NKeys whose
// seeds live in the secret store (never in a config file).
//
//	go run ./examples/local-supercluster            # bring it up (again: nothing changes)
//	go run ./examples/local-supercluster --plan     # what would change
//	go run ./examples/local-supercluster --destroy  # stop and remove it (secrets stay in the store)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
	"github.com/harmony-go/harmony/topology/local"
)

// portBase: site a's clients on 24222, b's on 24232, c's on 24242; the
// stretched cluster's servers on 24231, 24241, 24251 (see nats.Supercluster).
const portBase = 24222

// The buckets the agents use.
const (
	DesiredStateBucket = "desired-state"
	StatusBucket       = "status"
)

type (
	topo         = *local.Local
	supercluster = nats.Supercluster[topo]
)

// deployment builds the scores; tests apply exactly these, on other ports.
func deployment(t topo, store *secrets.Store, base int) (supercluster, []score.Score[topo]) {
	sc := supercluster{
		SuperclusterName: "harmony",
		PortBase:         base,
		Sites:            []nats.Site{{Name: "a"}, {Name: "b"}, {Name: "c"}},
		Stretched: &nats.Stretched{
			JetStream: nats.JetStream{MaxMemory: 256 * nats.MiB, MaxFile: 2 * nats.GiB},
		},
		Accounts: []nats.Account{
			{Name: nats.DefaultSystemAccount, Users: []nats.User{{Name: "sys"}}},
			{
				Name:      "HARMONY",
				JetStream: &nats.AccountJetStream{MaxMemory: 64 * nats.MiB, MaxFile: 512 * nats.MiB, MaxStreams: 16, MaxConsumers: 256},
				Users: []nats.User{
					{Name: "admin"},
					{Name: "agent", Permissions: nats.KVUserPermissions(DesiredStateBucket, StatusBucket)},
				},
			},
		},
		Secrets: store,
	}
	desired := nats.StretchedKV(sc, DesiredStateBucket, "HARMONY", "admin")
	desired.History = 5
	status := nats.StretchedKV(sc, StatusBucket, "HARMONY", "admin")
	return sc, []score.Score[topo]{sc, desired, status}
}

// Connection is what connect.json holds: how to reach the deployment. It
// names secrets; it never holds a secret value.
type Connection struct {
	Sites   map[string][]string `json:"sites"`
	Users   map[string]string   `json:"users"` // "account/user" -> secret name holding its NKey seed
	Buckets []string            `json:"buckets"`
	Account string              `json:"account"`
}

func connection(t topo, sc supercluster) Connection {
	c := Connection{Sites: sc.ClientURLs(t), Users: map[string]string{}, Account: "HARMONY",
		Buckets: []string{DesiredStateBucket, StatusBucket}}
	for _, a := range sc.Accounts {
		for _, u := range a.Users {
			c.Users[a.Name+"/"+u.Name] = string(secrets.UserSeedName(a.Name, u.Name))
		}
	}
	return c
}

func (c Connection) text() string {
	var b strings.Builder
	sites := make([]string, 0, len(c.Sites))
	for s := range c.Sites {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	for _, s := range sites {
		fmt.Fprintf(&b, "site %s: %s\n", s, strings.Join(c.Sites[s], ","))
	}
	users := make([]string, 0, len(c.Users))
	for u := range c.Users {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		fmt.Fprintf(&b, "user %s: NKey seed in secret %s (env %s)\n", u, c.Users[u], secrets.Name(c.Users[u]).EnvVar())
	}
	fmt.Fprintf(&b, "KV buckets in account %s: %s", c.Account, strings.Join(c.Buckets, ", "))
	return b.String()
}

// writeConnection writes connect.json into the state dir, only when its
// content changes (a no-op re-run rewrites nothing); --destroy removes it.
func writeConnection(t topo, c Connection) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	_, err = t.WriteFile("connect.json", append(b, '\n'))
	return err
}

func program(ctx context.Context, base int) (cli.Program[topo], error) {
	t, err := local.New("local-supercluster")
	if err != nil {
		return cli.Program[topo]{}, err
	}
	store, err := secrets.Default(ctx)
	if err != nil {
		return cli.Program[topo]{}, err
	}
	sc, scores := deployment(t, store, base)
	return cli.Program[topo]{
		Topology: t,
		Scores:   scores,
		Summary: func(context.Context) (string, any, error) {
			c := connection(t, sc)
			if err := writeConnection(t, c); err != nil {
				return "", nil, err
			}
			return c.text() + "\nwritten to " + filepath.Join(t.StateDir(), "connect.json"), c, nil
		},
	}, nil
}

func main() {
	ctx := context.Background()
	p, err := program(ctx, portBase)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(cli.ExitFailed)
	}
	os.Exit(cli.RunProgram(ctx, p, os.Args[1:], os.Stdout, os.Stderr))
}
