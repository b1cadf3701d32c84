package nats

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nkeys"

	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
	"github.com/harmony-go/harmony/topology"
)

// KindSupercluster is the kind of the Supercluster score.
const KindSupercluster = "nats.supercluster"

// Defaults of a Supercluster.
const (
	DefaultSuperclusterPortBase = 24222
	DefaultStretchedName        = "harmony"
	DefaultUniqueTag            = "site:"
	DefaultSystemAccount        = "SYS"
	// maxSiteServers is how many servers a site may have: each site owns a
	// block of 10 ports, the last for its stretched-cluster server.
	maxSiteServers = 9
)

// Port offsets from a server's client port in a supercluster.
const (
	scClusterOffset = 1000
	scMonitorOffset = 2000
	scGatewayOffset = 3000
)

// Supercluster is a multi-site NATS deployment (ADR-0003): one cluster per
// site, plus one cluster stretched across the sites (one JetStream server
// per site, tagged with the unique tag and the site's name, "site:<name>" by
// default) that holds the
// HARMONY data, all joined by gateways. Accounts and NKey users are rendered
// identically on every server; user seeds come from Secrets, and configs
// hold public keys only.
type Supercluster[T interface {
	topology.Topology
	topology.NatsServers
}] struct {
	SuperclusterName string `json:"name"`
	// PortBase sets every port (DefaultSuperclusterPortBase when zero):
	// site i's server j listens for clients on base+10*i+j, its
	// stretched-cluster server on base+10*i+9; routes, monitoring and
	// gateways are at +1000, +2000 and +3000.
	PortBase  int        `json:"portBase,omitempty"`
	Sites     []Site     `json:"sites"`
	Stretched *Stretched `json:"stretched,omitempty"`
	// SystemAccount names the system account (DefaultSystemAccount when
	// empty). It must not have JetStream. Declare it in Accounts to give it
	// users; otherwise it is rendered with none.
	SystemAccount string    `json:"systemAccount,omitempty"`
	Accounts      []Account `json:"accounts"`
	// Secrets holds the users' NKey seeds (secrets.UserSeedName); seeds
	// missing there are generated on apply and stored.
	Secrets *secrets.Store `json:"-"`
}

// Site is one location: its own cluster of client-facing servers.
type Site struct {
	Name string `json:"name"`
	// Servers is how many servers the site's cluster has (1 when zero).
	Servers int `json:"servers,omitempty"`
	// JetStream enables JetStream on the site's servers. They then join the
	// supercluster's JetStream meta group.
	JetStream *JetStream `json:"jetstream,omitempty"`
	Tags      []string   `json:"tags,omitempty"`
}

// Stretched is the cluster spread over the sites, one JetStream server per
// site; streams placed in it put each replica on a different site.
type Stretched struct {
	// Name of the cluster (DefaultStretchedName when empty).
	Name      string    `json:"name,omitempty"`
	JetStream JetStream `json:"jetstream"`
	// UniqueTag is the tag prefix replicas must differ in
	// (DefaultUniqueTag). Keep the colon: the server matches a prefix.
	UniqueTag string `json:"uniqueTag,omitempty"`
}

// Account is an account declared in every server's config.
type Account struct {
	Name      string            `json:"name"`
	JetStream *AccountJetStream `json:"jetstream,omitempty"`
	Users     []User            `json:"users,omitempty"`
}

// AccountJetStream enables JetStream for an account with these limits.
type AccountJetStream struct {
	MaxMemory    int64 `json:"maxMemory"`
	MaxFile      int64 `json:"maxFile"`
	MaxStreams   int   `json:"maxStreams,omitempty"`
	MaxConsumers int   `json:"maxConsumers,omitempty"`
}

// User is an NKey user. Its seed lives in the secret store under
// secrets.UserSeedName(account, name); Permissions nil allows everything
// within the account.
type User struct {
	Name        string       `json:"name"`
	Permissions *Permissions `json:"permissions,omitempty"`
}

// Name returns "nats.supercluster/<name>".
func (s Supercluster[T]) Name() string { return KindSupercluster + "/" + s.SuperclusterName }

func (s Supercluster[T]) portBase() int {
	if s.PortBase == 0 {
		return DefaultSuperclusterPortBase
	}
	return s.PortBase
}

func (s Supercluster[T]) systemAccount() string {
	if s.SystemAccount == "" {
		return DefaultSystemAccount
	}
	return s.SystemAccount
}

func (s Supercluster[T]) stretchedName() string {
	if s.Stretched == nil || s.Stretched.Name == "" {
		return DefaultStretchedName
	}
	return s.Stretched.Name
}

func (s Supercluster[T]) uniqueTag() string {
	if s.Stretched == nil || s.Stretched.UniqueTag == "" {
		return DefaultUniqueTag
	}
	return s.Stretched.UniqueTag
}

// StretchedCluster is the name of the cluster to place site-loss-tolerant
// streams and buckets in.
func (s Supercluster[T]) StretchedCluster() string { return s.stretchedName() }

// Validate returns every problem at once.
func (s Supercluster[T]) Validate() error {
	var errs score.ErrorList
	if fe := checkName("name", s.SuperclusterName, "a supercluster"); fe != nil {
		errs = append(errs, fe)
	}
	if len(s.Sites) < 3 {
		errs = append(errs, score.Invalid("sites", fmt.Sprintf("%d site(s): a supercluster needs at least 3 sites so that losing one keeps a JetStream majority", len(s.Sites))))
	}
	if top := s.portBase() + scGatewayOffset + 10*len(s.Sites); s.PortBase < 0 || top > 65535 {
		errs = append(errs, score.Invalid("portBase", fmt.Sprintf("ports would run to %d; use a base of at most %d", top, 65535-scGatewayOffset-10*len(s.Sites))))
	}
	// Sites and the stretched cluster name the gateways: all must differ.
	clusters := map[string]string{s.stretchedName(): "the stretched cluster's name"}
	for i, site := range s.Sites {
		p := "sites[" + strconv.Itoa(i) + "]"
		if fe := checkUnique(p+".name", site.Name, "every site", clusters, p+".name"); fe != nil {
			errs = append(errs, fe)
		}
		if site.Servers < 0 || site.Servers > maxSiteServers {
			errs = append(errs, score.Invalid(p+".servers", fmt.Sprintf("must be between 1 and %d", maxSiteServers)))
		}
		if js := site.JetStream; js != nil {
			errs = append(errs, limits(p+".jetstream", js.MaxMemory, js.MaxFile)...)
			if site.servers() < 3 {
				errs = append(errs, score.Invalid(p+".jetstream", "a site cluster with JetStream needs at least 3 servers (a lone clustered JetStream server cannot start)"))
			}
		}
	}
	if st := s.Stretched; st == nil {
		errs = append(errs, score.Required("stretched", "the stretched cluster holds the data that must survive a site loss"))
	} else {
		if fe := checkName("stretched.name", st.Name, "the stretched cluster"); st.Name != "" && fe != nil {
			errs = append(errs, fe)
		}
		errs = append(errs, limits("stretched.jetstream", st.JetStream.MaxMemory, st.JetStream.MaxFile)...)
	}
	errs = append(errs, s.validateAccounts()...)
	if s.Secrets == nil {
		errs = append(errs, score.Required("secrets", "a secret store for the users' NKey seeds (secrets.Default)"))
	}
	return errs.Err()
}

func (s Supercluster[T]) validateAccounts() score.ErrorList {
	var errs score.ErrorList
	seen := map[string]string{}
	for i, a := range s.Accounts {
		p := "accounts[" + strconv.Itoa(i) + "]"
		if fe := checkUnique(p+".name", a.Name, "every account", seen, p); fe != nil {
			errs = append(errs, fe)
		}
		if js := a.JetStream; js != nil {
			if a.Name == s.systemAccount() {
				errs = append(errs, score.Forbidden(p+".jetstream", "the system account must not have JetStream"))
			}
			errs = append(errs, limits(p+".jetstream", js.MaxMemory, js.MaxFile)...)
			if js.MaxStreams < 0 {
				errs = append(errs, score.Invalid(p+".jetstream.maxStreams", "must not be negative"))
			}
			if js.MaxConsumers < 0 {
				errs = append(errs, score.Invalid(p+".jetstream.maxConsumers", "must not be negative"))
			}
		}
		users := map[string]string{}
		for j, u := range a.Users {
			up := p + ".users[" + strconv.Itoa(j) + "]"
			if fe := checkUnique(up+".name", u.Name, "every user", users, up); fe != nil {
				errs = append(errs, fe)
			}
		}
	}
	return errs
}

func (site Site) servers() int {
	if site.Servers == 0 {
		return 1
	}
	return site.Servers
}

// member is one server of the supercluster and where it sits.
type member struct {
	name, site, cluster string
	index               int // port slot: base+index is its client port
	jetStream           *JetStream
	tags                []string
}

func (m member) port(offset, base int) int { return base + offset + m.index }

// members lists every server: each site's servers, then the stretched
// cluster's server at each site.
func (s Supercluster[T]) members() []member {
	var out []member
	for i, site := range s.Sites {
		for j := range site.servers() {
			out = append(out, member{
				name: site.Name + "-" + strconv.Itoa(j), site: site.Name, cluster: site.Name,
				index: 10*i + j, jetStream: site.JetStream,
				tags: append([]string{s.uniqueTag() + site.Name}, site.Tags...),
			})
		}
	}
	if s.Stretched != nil {
		js := s.Stretched.JetStream
		for i, site := range s.Sites {
			out = append(out, member{
				name: s.stretchedName() + "-" + site.Name, site: site.Name, cluster: s.stretchedName(),
				index: 10*i + maxSiteServers, jetStream: &js,
				tags: []string{s.uniqueTag() + site.Name},
			})
		}
	}
	return out
}

// ServerNames lists every server of the supercluster.
func (s Supercluster[T]) ServerNames() []string {
	var out []string
	for _, m := range s.members() {
		out = append(out, m.name)
	}
	return out
}

// SiteServerNames lists the servers of one site (its own cluster and its
// stretched-cluster server).
func (s Supercluster[T]) SiteServerNames(site string) []string {
	var out []string
	for _, m := range s.members() {
		if m.site == site {
			out = append(out, m.name)
		}
	}
	return out
}

// ClientURLs returns each site's client URLs: the site cluster's servers
// first, then its stretched-cluster server.
func (s Supercluster[T]) ClientURLs(t T) map[string][]string {
	out := map[string][]string{}
	base := s.portBase()
	for _, m := range s.members() {
		out[m.site] = append(out[m.site], "nats://"+hostPort(t.NatsPlacement(m.name).Host, m.port(0, base)))
	}
	return out
}

// userKeys maps account -> user -> NKey public key.
type userKeys map[string]map[string]string

// keys reads every user's public key from the secret store. With generate
// set, missing seeds are generated and stored (once; later runs reuse
// them). Without it (plan), a missing seed gets a throwaway key so the plan
// can still show the config change, and a "create secret" change.
func (s Supercluster[T]) keys(ctx context.Context, generate bool) (userKeys, []score.Change, error) {
	keys := userKeys{}
	var changes []score.Change
	for _, a := range s.Accounts {
		keys[a.Name] = map[string]string{}
		for _, u := range a.Users {
			var seed secrets.NKeySeed
			var err error
			name := secrets.UserSeedName(a.Name, u.Name)
			if generate {
				seed, err = secrets.UserSeed(ctx, s.Secrets, a.Name, u.Name)
			} else {
				seed, err = secrets.Get[secrets.NKeySeed](ctx, s.Secrets, name)
				if errors.Is(err, secrets.ErrNotFound) {
					changes = append(changes, score.Change{Action: score.ActionCreate, Target: "secret/" + string(name),
						Detail: "NKey seed of user " + u.Name + " in account " + a.Name + ", generated on apply"})
					kp, kerr := nkeys.CreateUser()
					if kerr != nil {
						return nil, nil, kerr
					}
					pub, _ := kp.PublicKey()
					keys[a.Name][u.Name] = pub
					continue
				}
			}
			if err != nil {
				return nil, nil, fmt.Errorf("user %s of account %s: %w", u.Name, a.Name, err)
			}
			pub, err := seed.PublicKey()
			if err != nil {
				return nil, nil, fmt.Errorf("user %s of account %s: %w", u.Name, a.Name, err)
			}
			keys[a.Name][u.Name] = pub
		}
	}
	return keys, changes, nil
}

// accounts renders the accounts block, the system account first.
func (s Supercluster[T]) accounts(keys userKeys) []AccountConfig {
	sys := s.systemAccount()
	out := []AccountConfig{{Name: sys}}
	for _, a := range s.Accounts {
		ac := AccountConfig{Name: a.Name}
		if js := a.JetStream; js != nil {
			ac.JetStream = &AccountJetStreamConfig{MaxMemory: js.MaxMemory, MaxFile: js.MaxFile, MaxStreams: js.MaxStreams, MaxConsumers: js.MaxConsumers}
		}
		for _, u := range a.Users {
			ac.Users = append(ac.Users, UserConfig{NKey: keys[a.Name][u.Name], Permissions: u.Permissions})
		}
		if a.Name == sys {
			out[0] = ac
			continue
		}
		out = append(out, ac)
	}
	return out
}

// userNames maps every public key to its user's name, for naming drift.
func (keys userKeys) userNames() map[string]string {
	out := map[string]string{}
	for _, users := range keys {
		for user, pub := range users {
			out[pub] = user
		}
	}
	return out
}

// servers renders every server's config.
func (s Supercluster[T]) servers(t T, keys userKeys) []topology.NatsServer {
	base := s.portBase()
	members := s.members()
	host := func(m member) string { return t.NatsPlacement(m.name).Host }
	routes := map[string][]string{}
	gwURLs := map[string][]string{}
	var gwOrder []string
	for _, m := range members {
		routes[m.cluster] = append(routes[m.cluster], "nats-route://"+hostPort(host(m), m.port(scClusterOffset, base)))
		if _, ok := gwURLs[m.cluster]; !ok {
			gwOrder = append(gwOrder, m.cluster)
		}
		gwURLs[m.cluster] = append(gwURLs[m.cluster], "nats://"+hostPort(host(m), m.port(scGatewayOffset, base)))
	}
	var gateways []RemoteGateway
	for _, c := range gwOrder {
		gateways = append(gateways, RemoteGateway{Name: c, URLs: gwURLs[c]})
	}
	accounts := s.accounts(keys)
	names := keys.userNames()
	out := make([]topology.NatsServer, 0, len(members))
	for _, m := range members {
		pl := t.NatsPlacement(m.name)
		cfg := ServerConfig{
			Name: m.name, Host: pl.Host,
			ClientPort: m.port(0, base), MonitorPort: m.port(scMonitorOffset, base),
			Tags:          m.tags,
			Gateway:       &GatewayConfig{Name: m.cluster, Host: pl.Host, Port: m.port(scGatewayOffset, base), Gateways: gateways},
			LameDuckGrace: "2s",
			SystemAccount: s.systemAccount(),
			Accounts:      accounts,
		}
		ports := []topology.NamedPort{
			{Name: "client", Port: cfg.ClientPort},
			{Name: "monitor", Port: cfg.MonitorPort},
			{Name: "gateway", Port: cfg.Gateway.Port},
		}
		if len(routes[m.cluster]) > 1 {
			cfg.Cluster = &ClusterConfig{Name: m.cluster, Host: pl.Host, Port: m.port(scClusterOffset, base), Routes: routes[m.cluster]}
			ports = append(ports, topology.NamedPort{Name: "cluster", Port: cfg.Cluster.Port})
		}
		if js := m.jetStream; js != nil {
			cfg.JetStream = &JetStreamConfig{StoreDir: pl.StoreDir, MaxMemory: js.MaxMemory, MaxFile: js.MaxFile, UniqueTag: s.uniqueTag()}
		}
		conf := Render(cfg)
		out = append(out, topology.NatsServer{
			Name: m.name, Site: m.site, Config: conf, Ports: ports,
			MonitorPort: cfg.MonitorPort, ClientPort: cfg.ClientPort, JetStream: cfg.JetStream != nil,
			Diff: func(live []byte) (topology.ConfigDiff, error) { return diffConfig(live, conf, names) },
		})
	}
	return out
}

// Interpret returns the supercluster's Interpret.
func (s Supercluster[T]) Interpret() score.Interpret[T] { return superclusterInterpret[T]{s: s} }

type superclusterInterpret[T interface {
	topology.Topology
	topology.NatsServers
}] struct {
	s Supercluster[T]
}

// Preflight reports ports of the supercluster held by other processes,
// naming the site and the port ("sites[1].ports.gateway").
func (si superclusterInterpret[T]) Preflight(ctx context.Context, _ *inventory.Inventory, t T) error {
	// Ports do not depend on the users' keys: no secret is read here.
	return si.fieldErrors(t.CheckNatsPorts(ctx, si.s.Name(), si.s.servers(t, userKeys{})))
}

func (si superclusterInterpret[T]) fieldErrors(err error) error {
	inUse, ok := asPortsInUse(err)
	if !ok {
		return err
	}
	siteIndex := map[string]int{}
	for i, site := range si.s.Sites {
		siteIndex[site.Name] = i
	}
	var errs score.ErrorList
	for _, c := range inUse.Conflicts {
		for _, m := range si.s.members() {
			if m.name == c.Server {
				errs = append(errs, score.Conflict(fmt.Sprintf("sites[%d].ports.%s", siteIndex[m.site], c.Name),
					fmt.Sprintf("server %s needs port %d, which another process holds", m.name, c.Port)))
			}
		}
	}
	return errs.Err()
}

func (si superclusterInterpret[T]) Plan(ctx context.Context, _ *inventory.Inventory, t T) (score.Plan, error) {
	keys, secretChanges, err := si.s.keys(ctx, false)
	if err != nil {
		return score.Plan{}, err
	}
	changes, err := t.PlanNatsServers(ctx, si.s.Name(), si.s.servers(t, keys))
	if err != nil {
		return score.Plan{}, si.fieldErrors(err)
	}
	return score.Plan{Score: si.s.Name(), Changes: append(secretChanges, changes...)}, nil
}

func (si superclusterInterpret[T]) Execute(ctx context.Context, _ *inventory.Inventory, t T) (score.Outcome, error) {
	keys, _, err := si.s.keys(ctx, true)
	if err != nil {
		return score.Outcome{}, err
	}
	servers := si.s.servers(t, keys)
	res, err := t.ApplyNatsServers(ctx, si.s.Name(), servers)
	if err != nil {
		return score.Outcome{}, si.fieldErrors(err)
	}
	return serversOutcome(res, len(servers), fmt.Sprintf("%d sites, %d servers ready", len(si.s.Sites), len(servers))), nil
}

// StretchedKV returns a bucket score for account's data in the
// supercluster's stretched cluster: three replicas, one per site, managed as
// user through every server of the supercluster, after the supercluster
// itself, and validated to survive the loss of any one site.
func StretchedKV[T interface {
	topology.Topology
	topology.NatsServers
	topology.NatsConnector
}](s Supercluster[T], bucket, account, user string) KV[T] {
	return KV[T]{
		Bucket: bucket, Replicas: 3, History: 1,
		Placement:       &Placement{Cluster: s.stretchedName()},
		SurviveSiteLoss: true,
		Layout:          s.Layout(),
		Account:         account, User: user,
		Servers:  s.ServerNames(),
		Requires: []string{s.Name()},
		Secrets:  s.Secrets,
	}
}
