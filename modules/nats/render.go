package nats

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
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
		tags := append([]string(nil), cfg.Tags...)
		sort.Strings(tags)
		w.kv("server_tags", list(tags))
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
		routes := make([]string, len(c.Routes))
		copy(routes, c.Routes)
		w.kv("routes", list(routes))
		w.close()
	}
	return w.buf.Bytes()
}

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
