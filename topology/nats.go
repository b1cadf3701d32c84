package topology

import (
	"context"
	"fmt"
	"strings"

	"github.com/harmony-go/harmony/pkg/score"
)

// NatsServers is the capability to run NATS servers from rendered configs.
type NatsServers interface {
	// NatsPlacement says where a server of this topology lives: the host
	// its peers and clients reach it on and the directory it stores
	// JetStream data in. The config renderer needs both. It does no I/O.
	NatsPlacement(server string) NatsPlacement
	// CheckNatsPorts reports, as a *PortsInUseError, every port the group's
	// servers need that another process holds (a port its own running
	// server holds is fine). It reads only and compares no config, so a
	// score's Preflight can call it cheaply before anything is planned.
	CheckNatsPorts(ctx context.Context, group string, servers []NatsServer) error
	// PlanNatsServers reports what ApplyNatsServers would change for the
	// server group, reading only. A port the group needs that another
	// process holds comes back as a *PortsInUseError.
	PlanNatsServers(ctx context.Context, group string, servers []NatsServer) ([]score.Change, error)
	// ApplyNatsServers makes exactly these servers of the group run with
	// these configs: it starts missing ones, adopts running ones, applies
	// config changes (reload or rolling restart) and stops servers of the
	// group no longer listed. It returns once every server is ready, which
	// for a JetStream server means JetStream is healthy. It is idempotent.
	ApplyNatsServers(ctx context.Context, group string, servers []NatsServer) (NatsResult, error)
}

// NatsPlacement is where one server lives on a topology.
type NatsPlacement struct {
	Host     string
	StoreDir string
}

// NatsServer is one server to run: its name (unique in the deployment), its
// rendered config and the ports it listens on.
type NatsServer struct {
	Name   string
	Config []byte
	// Ports lists every port the server listens on; Name is the score's
	// field for it ("clientPort"), used to name a conflict.
	Ports []NamedPort
	// MonitorPort serves /healthz, used for readiness.
	MonitorPort int
	// ClientPort is where clients connect.
	ClientPort int
	JetStream  bool
	// Site names the site the server belongs to, for plans and errors.
	Site string
	// Diff explains how the server takes this config in place of live
	// (the config it runs): reload or restart, and what differs. Nil means
	// every config change restarts the server.
	Diff func(live []byte) (ConfigDiff, error)
}

// ConfigDiff is how a running server takes a new config.
type ConfigDiff struct {
	// Restart is true when some difference needs a restart; otherwise a
	// reload (SIGHUP) applies the config in place.
	Restart bool
	// Changes name each difference (field, from, to), never secrets.
	Changes []score.Change
}

// NamedPort is a port with the name of the field it comes from.
type NamedPort struct {
	Name string
	Port int
}

// NatsConnector is the capability to open a client connection to servers
// of the deployment, e.g. to manage JetStream assets.
type NatsConnector interface {
	// NatsClientURLs returns the client URLs of the named servers as
	// recorded by the topology; a server not (yet) deployed is left out.
	// It does no I/O beyond reading the topology's own state.
	NatsClientURLs(servers []string) []string
}

// NatsResult says what ApplyNatsServers did, server by server.
type NatsResult struct {
	Started   []string
	Reloaded  []string
	Restarted []string
	Stopped   []string
}

// Changed reports whether anything was started, reloaded, restarted or
// stopped.
func (r NatsResult) Changed() bool {
	return len(r.Started)+len(r.Reloaded)+len(r.Restarted)+len(r.Stopped) > 0
}

// PortConflict is one port a server needs that another process holds.
type PortConflict struct {
	Server string
	Name   string // the field, e.g. "clientPort"
	Port   int
}

// PortsInUseError lists every port conflict found.
type PortsInUseError struct {
	Conflicts []PortConflict
}

func (e *PortsInUseError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = fmt.Sprintf("server %s %s %d", c.Server, c.Name, c.Port)
	}
	return "ports in use by another process: " + strings.Join(parts, ", ")
}
