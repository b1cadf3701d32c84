package nats

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
)

// KindCluster is the kind of the Cluster score.
const KindCluster = "nats.cluster"

// Byte sizes for JetStream limits.
const (
	MiB int64 = 1 << 20
	GiB int64 = 1 << 30
)

// DefaultPortBase is the client port of a cluster's first server when the
// score sets no PortBase. Ports follow nats-server's conventions: server i
// listens for clients on base+i, for routes on base+2000+i and serves
// monitoring on base+4000+i (4222, 6222 and 8222 for the first server).
const DefaultPortBase = 4222

// Port offsets from the client port; see DefaultPortBase.
const (
	clusterPortOffset = 2000
	monitorPortOffset = 4000
)

// Cluster is a NATS cluster of one or more servers, with JetStream when
// JetStream is set. T is the topology it runs on; it must be able to run
// NATS servers, or the program does not compile.
type Cluster[T interface {
	topology.Topology
	topology.NatsServers
}] struct {
	// ClusterName names the cluster; it is the score's name too.
	ClusterName string `json:"name"`
	// Servers lists the servers; their names are unique in the deployment.
	Servers []Server `json:"servers"`
	// PortBase sets the ports of servers that name none (DefaultPortBase
	// when zero).
	PortBase int `json:"portBase,omitempty"`
	// JetStream enables JetStream on every server with these limits.
	JetStream *JetStream `json:"jetstream,omitempty"`
	// Requires names scores this one runs after.
	Requires []string `json:"dependsOn,omitempty"`
}

// Server is one server of a cluster. Zero ports are derived from the
// cluster's PortBase.
type Server struct {
	Name        string   `json:"name"`
	ClientPort  int      `json:"clientPort,omitempty"`
	ClusterPort int      `json:"clusterPort,omitempty"`
	MonitorPort int      `json:"monitorPort,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

// JetStream holds a server's JetStream limits. Both are required: without
// them a server claims 75% of memory and all free disk.
type JetStream struct {
	MaxMemory int64 `json:"maxMemory"`
	MaxFile   int64 `json:"maxFile"`
}

// Name returns "nats.cluster/<name>".
func (c Cluster[T]) Name() string { return KindCluster + "/" + c.ClusterName }

// DependsOn returns Requires.
func (c Cluster[T]) DependsOn() []string { return c.Requires }

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// checkName reports a missing or malformed name at path (what: "a
// cluster", "every server", ...); nil when the name is valid.
func checkName(path, value, what string) *score.FieldError {
	switch {
	case value == "":
		return score.Required(path, what+" needs a name")
	case !namePattern.MatchString(value):
		return score.Invalid(path, "use letters, digits, '-' and '_' only, starting with a letter or digit")
	}
	return nil
}

// checkUnique is checkName plus uniqueness: seen maps the names met so far
// to where they stand ("servers[0]"); a new valid name is recorded at at.
func checkUnique(path, value, what string, seen map[string]string, at string) *score.FieldError {
	if fe := checkName(path, value, what); fe != nil {
		return fe
	}
	if other, dup := seen[value]; dup {
		return score.Duplicate(path, fmt.Sprintf("%q is also %s", value, other))
	}
	seen[value] = at
	return nil
}

// Validate returns every problem of the score at once.
func (c Cluster[T]) Validate() error {
	var errs score.ErrorList
	if fe := checkName("name", c.ClusterName, "a cluster"); fe != nil {
		errs = append(errs, fe)
	}
	if c.PortBase < 0 || c.PortBase > 65535-monitorPortOffset-len(c.Servers) {
		errs = append(errs, score.Invalid("portBase", fmt.Sprintf("must be between 1 and %d", 65535-monitorPortOffset-len(c.Servers))))
	}
	if len(c.Servers) == 0 {
		errs = append(errs, score.Required("servers", "a cluster needs at least one server"))
	}
	names := map[string]string{}
	ports := map[int]string{}
	for i, s := range c.Servers {
		p := "servers[" + strconv.Itoa(i) + "]"
		if fe := checkUnique(p+".name", s.Name, "every server", names, "the name of "+p); fe != nil {
			errs = append(errs, fe)
		}
		for _, np := range c.ports(i) {
			fp := p + "." + np.Name
			if np.Port < 1 || np.Port > 65535 {
				errs = append(errs, score.Invalid(fp, fmt.Sprintf("port %d is outside 1-65535", np.Port)))
				continue
			}
			if other, dup := ports[np.Port]; dup {
				errs = append(errs, score.Duplicate(fp, fmt.Sprintf("port %d is also %s", np.Port, other)))
				continue
			}
			ports[np.Port] = fp
		}
	}
	if js := c.JetStream; js != nil {
		errs = append(errs, limits("jetstream", js.MaxMemory, js.MaxFile)...)
	}
	return errs.Err()
}

// limits checks the JetStream memory and file limits of the block at path:
// both must be set explicitly (without them a server claims most of the
// machine) and not negative.
func limits(path string, maxMemory, maxFile int64) score.ErrorList {
	var errs score.ErrorList
	for _, l := range []struct {
		field string
		v     int64
	}{{"maxMemory", maxMemory}, {"maxFile", maxFile}} {
		switch {
		case l.v < 0:
			errs = append(errs, score.Invalid(path+"."+l.field, "must not be negative"))
		case l.v == 0:
			errs = append(errs, score.Required(path+"."+l.field, "set an explicit limit in bytes (without one a server claims most of the machine)"))
		}
	}
	return errs
}

// ports returns server i's ports, named by their JSON field.
func (c Cluster[T]) ports(i int) []topology.NamedPort {
	s := c.Servers[i]
	base := c.PortBase
	if base == 0 {
		base = DefaultPortBase
	}
	pick := func(explicit, offset int) int {
		if explicit != 0 {
			return explicit
		}
		return base + offset + i
	}
	out := []topology.NamedPort{
		{Name: "clientPort", Port: pick(s.ClientPort, 0)},
		{Name: "monitorPort", Port: pick(s.MonitorPort, monitorPortOffset)},
	}
	if len(c.Servers) > 1 {
		out = append(out, topology.NamedPort{Name: "clusterPort", Port: pick(s.ClusterPort, clusterPortOffset)})
	}
	return out
}

func portOf(ports []topology.NamedPort, name string) int {
	for _, p := range ports {
		if p.Name == name {
			return p.Port
		}
	}
	return 0
}

// ClientURLs returns the URL clients use for each server, in server order.
func (c Cluster[T]) ClientURLs(t T) []string {
	urls := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		urls[i] = "nats://" + hostPort(t.NatsPlacement(s.Name).Host, portOf(c.ports(i), "clientPort"))
	}
	return urls
}

// servers renders every server's config for topology t.
func (c Cluster[T]) servers(t T) []topology.NatsServer {
	n := len(c.Servers)
	routes := make([]string, 0, n)
	if n > 1 {
		for i, s := range c.Servers {
			routes = append(routes, "nats-route://"+hostPort(t.NatsPlacement(s.Name).Host, portOf(c.ports(i), "clusterPort")))
		}
	}
	out := make([]topology.NatsServer, n)
	for i, s := range c.Servers {
		pl := t.NatsPlacement(s.Name)
		ports := c.ports(i)
		cfg := ServerConfig{
			Name:        s.Name,
			Host:        pl.Host,
			ClientPort:  portOf(ports, "clientPort"),
			MonitorPort: portOf(ports, "monitorPort"),
			Tags:        s.Tags,
		}
		if js := c.JetStream; js != nil {
			cfg.JetStream = &JetStreamConfig{StoreDir: pl.StoreDir, MaxMemory: js.MaxMemory, MaxFile: js.MaxFile}
		}
		if n > 1 {
			cfg.Cluster = &ClusterConfig{Name: c.ClusterName, Host: pl.Host, Port: portOf(ports, "clusterPort"), Routes: routes}
		}
		conf := Render(cfg)
		out[i] = topology.NatsServer{
			Name:        s.Name,
			Config:      conf,
			Diff:        func(live []byte) (topology.ConfigDiff, error) { return diffConfig(live, conf, nil) },
			Ports:       ports,
			MonitorPort: cfg.MonitorPort,
			ClientPort:  cfg.ClientPort,
			JetStream:   c.JetStream != nil,
		}
	}
	return out
}

// Interpret returns the cluster's Interpret.
func (c Cluster[T]) Interpret() score.Interpret[T] { return clusterInterpret[T]{c: c} }

type clusterInterpret[T interface {
	topology.Topology
	topology.NatsServers
}] struct {
	c Cluster[T]
}

func (ci clusterInterpret[T]) group() string { return ci.c.Name() }

// Preflight reports ports of the cluster held by another process, each
// naming the server's port field.
func (ci clusterInterpret[T]) Preflight(ctx context.Context, _ *inventory.Inventory, t T) error {
	return ci.fieldErrors(t.CheckNatsPorts(ctx, ci.group(), ci.c.servers(t)))
}

// fieldErrors turns a *topology.PortsInUseError into field errors.
func (ci clusterInterpret[T]) fieldErrors(err error) error {
	inUse, ok := asPortsInUse(err)
	if !ok {
		return err
	}
	var errs score.ErrorList
	for _, conflict := range inUse.Conflicts {
		for i, s := range ci.c.Servers {
			if s.Name == conflict.Server {
				errs = append(errs, score.Conflict(fmt.Sprintf("servers[%d].%s", i, conflict.Name),
					fmt.Sprintf("port %d is in use by another process", conflict.Port)))
			}
		}
	}
	return errs.Err()
}

func (ci clusterInterpret[T]) Plan(ctx context.Context, _ *inventory.Inventory, t T) (score.Plan, error) {
	changes, err := t.PlanNatsServers(ctx, ci.group(), ci.c.servers(t))
	if err != nil {
		return score.Plan{}, ci.fieldErrors(err)
	}
	return score.Plan{Score: ci.c.Name(), Changes: changes}, nil
}

func (ci clusterInterpret[T]) Execute(ctx context.Context, _ *inventory.Inventory, t T) (score.Outcome, error) {
	res, err := t.ApplyNatsServers(ctx, ci.group(), ci.c.servers(t))
	if err != nil {
		return score.Outcome{}, ci.fieldErrors(err)
	}
	return serversOutcome(res, len(ci.c.Servers), fmt.Sprintf("%d servers ready", len(ci.c.Servers))), nil
}

// serversOutcome says what ApplyNatsServers did to a score's total servers:
// created when it started all of them and stopped none, updated when it
// changed anything, unchanged otherwise.
func serversOutcome(res topology.NatsResult, total int, msg string) score.Outcome {
	out := score.Outcome{Status: score.Unchanged, Message: msg, Details: resultDetails(res)}
	switch {
	case len(res.Started) == total && len(res.Stopped) == 0:
		out.Status = score.Created
	case res.Changed():
		out.Status = score.Updated
	}
	return out
}

func resultDetails(r topology.NatsResult) map[string]string {
	d := map[string]string{}
	add := func(k string, v []string) {
		if len(v) > 0 {
			d[k] = fmt.Sprint(v)
		}
	}
	add("started", r.Started)
	add("reloaded", r.Reloaded)
	add("restarted", r.Restarted)
	add("stopped", r.Stopped)
	if len(d) == 0 {
		return nil
	}
	return d
}

func asPortsInUse(err error) (*topology.PortsInUseError, bool) {
	var inUse *topology.PortsInUseError
	ok := errors.As(err, &inUse)
	return inUse, ok
}
