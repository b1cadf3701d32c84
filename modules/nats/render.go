package nats

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ServerConfig is everything the renderer needs to write one server's
// nats.conf. It holds public keys only, never a secret.
type ServerConfig struct {
	Name        string
	Host        string
	ClientPort  int
	MonitorPort int
	Tags        []string
	JetStream   *JetStreamConfig
	Cluster     *ClusterConfig
	Gateway     *GatewayConfig
	// LameDuckGrace, when set, also sets lame_duck_duration to the
	// server's minimum (30s): rolling restarts use lame-duck mode to hand
	// RAFT leadership over before a server stops.
	LameDuckGrace string
	// SystemAccount names the system account; "" renders no accounts.
	SystemAccount string
	Accounts      []AccountConfig
}

// GatewayConfig is the gateway block: this server's gateway (named after its
// cluster) and every gateway of the supercluster with its URLs.
type GatewayConfig struct {
	Name     string
	Host     string
	Port     int
	Gateways []RemoteGateway
}

// RemoteGateway is one cluster of the supercluster as gateways see it.
type RemoteGateway struct {
	Name string
	URLs []string
}

// AccountConfig is one account: its JetStream limits (nil: no JetStream)
// and its NKey users.
type AccountConfig struct {
	Name      string
	JetStream *AccountJetStreamConfig
	Users     []UserConfig
}

// AccountJetStreamConfig holds an account's JetStream limits.
type AccountJetStreamConfig struct {
	MaxMemory, MaxFile       int64
	MaxStreams, MaxConsumers int
}

// UserConfig is one NKey user: its public key only, never the seed.
type UserConfig struct {
	NKey        string
	Permissions *Permissions
}

// JetStreamConfig is the server-level JetStream block.
type JetStreamConfig struct {
	StoreDir  string
	MaxMemory int64
	MaxFile   int64
	UniqueTag string
}

// ClusterConfig is the cluster block: the cluster name, where this server
// listens for routes and every route (including its own, which the server
// ignores, so every server of a cluster gets the same list).
type ClusterConfig struct {
	Name   string
	Host   string
	Port   int
	Routes []string
}

// Render writes cfg as nats-server configuration. The output is
// deterministic: the same input always gives the same bytes, so a topology
// can compare it with what a server runs to decide whether anything changed.
func Render(cfg ServerConfig) []byte {
	w := &confWriter{}
	w.line("# Written by harmony. Edits are reported as drift and overwritten.")
	w.kv("server_name", quote(cfg.Name))
	w.kv("listen", quote(hostPort(cfg.Host, cfg.ClientPort)))
	if cfg.MonitorPort > 0 {
		w.kv("http", quote(hostPort(cfg.Host, cfg.MonitorPort)))
	}
	if len(cfg.Tags) > 0 {
		w.kv("server_tags", list(sorted(cfg.Tags)))
	}
	if js := cfg.JetStream; js != nil {
		w.open("jetstream")
		w.kv("store_dir", quote(js.StoreDir))
		w.kv("max_memory_store", strconv.FormatInt(js.MaxMemory, 10))
		w.kv("max_file_store", strconv.FormatInt(js.MaxFile, 10))
		if js.UniqueTag != "" {
			w.kv("unique_tag", quote(js.UniqueTag))
		}
		w.close()
	}
	if c := cfg.Cluster; c != nil {
		w.open("cluster")
		w.kv("name", quote(c.Name))
		w.kv("listen", quote(hostPort(c.Host, c.Port)))
		w.kv("routes", list(c.Routes))
		w.close()
	}
	if g := cfg.Gateway; g != nil {
		w.open("gateway")
		w.kv("name", quote(g.Name))
		w.kv("listen", quote(hostPort(g.Host, g.Port)))
		w.line("gateways: [")
		w.depth++
		for _, r := range g.Gateways {
			w.line(fmt.Sprintf("{name: %s, urls: %s}", quote(r.Name), list(r.URLs)))
		}
		w.depth--
		w.line("]")
		w.close()
	}
	if cfg.LameDuckGrace != "" {
		w.kv("lame_duck_duration", quote("30s"))
		w.kv("lame_duck_grace_period", quote(cfg.LameDuckGrace))
	}
	if cfg.SystemAccount != "" {
		w.kv("system_account", quote(cfg.SystemAccount))
		// The JetStream API reaches an account through a service import
		// from the system account. The server adds it by itself at start,
		// but a reload of a server without JetStream drops it (nats-server
		// 2.15.2), leaving the account's clients there with no responders.
		// Declared here, it survives reloads (ADR-0004).
		jsAccounts := false
		for _, a := range cfg.Accounts {
			jsAccounts = jsAccounts || a.JetStream != nil
		}
		w.open("accounts")
		for _, a := range cfg.Accounts {
			w.open(a.Name)
			if a.Name == cfg.SystemAccount && jsAccounts {
				w.kv("exports", "[{service: "+quote(jsAPISubjects)+"}]")
			}
			if js := a.JetStream; js != nil {
				w.kv("imports", "[{service: {account: "+quote(cfg.SystemAccount)+", subject: "+quote(jsAPISubjects)+"}, share: true}]")
				w.open("jetstream")
				w.kv("max_memory", strconv.FormatInt(js.MaxMemory, 10))
				w.kv("max_file", strconv.FormatInt(js.MaxFile, 10))
				if js.MaxStreams > 0 {
					w.kv("max_streams", strconv.Itoa(js.MaxStreams))
				}
				if js.MaxConsumers > 0 {
					w.kv("max_consumers", strconv.Itoa(js.MaxConsumers))
				}
				w.close()
			}
			w.line("users: [")
			w.depth++
			for _, u := range a.Users {
				if u.Permissions == nil {
					w.line(fmt.Sprintf("{nkey: %s}", quote(u.NKey)))
					continue
				}
				w.line(fmt.Sprintf("{nkey: %s, permissions: %s}", quote(u.NKey), renderPermissions(u.Permissions)))
			}
			w.depth--
			w.line("]")
			w.close()
		}
		w.close()
	}
	return w.buf.Bytes()
}

// jsAPISubjects are the JetStream API subjects the system account serves.
const jsAPISubjects = "$JS.API.>"

func hostPort(host string, port int) string { return host + ":" + strconv.Itoa(port) }

func quote(s string) string { return strconv.Quote(s) }

func list(items []string) string {
	var b bytes.Buffer
	b.WriteString("[")
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(it))
	}
	b.WriteString("]")
	return b.String()
}

type confWriter struct {
	buf   bytes.Buffer
	depth int
}

func (w *confWriter) indent() {
	for i := 0; i < w.depth; i++ {
		w.buf.WriteString("  ")
	}
}

func (w *confWriter) line(s string) { w.indent(); w.buf.WriteString(s); w.buf.WriteByte('\n') }

func (w *confWriter) kv(k, v string) { w.line(fmt.Sprintf("%s: %s", k, v)) }

func (w *confWriter) open(name string) { w.line(name + " {"); w.depth++ }

func (w *confWriter) close() { w.depth--; w.line("}") }

// renderPermissions writes a permissions map on one line, allow and deny
// lists sorted so the output is deterministic.
func renderPermissions(p *Permissions) string {
	var parts []string
	rule := func(name string, r Rule) {
		var sub []string
		if len(r.Allow) > 0 {
			sub = append(sub, "allow: "+list(sorted(r.Allow)))
		}
		if len(r.Deny) > 0 {
			sub = append(sub, "deny: "+list(sorted(r.Deny)))
		}
		if len(sub) > 0 {
			parts = append(parts, name+": {"+strings.Join(sub, ", ")+"}")
		}
	}
	rule("publish", p.Publish)
	rule("subscribe", p.Subscribe)
	if p.AllowResponses {
		parts = append(parts, "allow_responses: true")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sorted(in []string) []string { return slices.Sorted(slices.Values(in)) }
