package nats_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology/local"
)

type cluster = nats.Cluster[*local.Local]

func js() *nats.JetStream { return &nats.JetStream{MaxMemory: 64 * nats.MiB, MaxFile: nats.GiB} }

func TestValidate(t *testing.T) {
	three := []nats.Server{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	tests := []struct {
		name string
		c    cluster
		want []string // "path type", in order
	}{
		{"valid", cluster{ClusterName: "c1", Servers: three, JetStream: js()}, nil},
		{"valid without jetstream", cluster{ClusterName: "c1", Servers: three[:1]}, nil},
		{"every problem at once", cluster{
			ClusterName: "",
			Servers:     []nats.Server{{Name: "a"}, {Name: "a"}, {Name: ""}},
			JetStream:   &nats.JetStream{MaxMemory: -1, MaxFile: 0},
		}, []string{"name required", "servers[1].name duplicate", "servers[2].name required", "jetstream.maxMemory invalid", "jetstream.maxFile required"}},
		{"bad names", cluster{ClusterName: "has space", Servers: []nats.Server{{Name: "x/y"}}}, []string{"name invalid", "servers[0].name invalid"}},
		{"no servers", cluster{ClusterName: "c"}, []string{"servers required"}},
		{"port clash", cluster{ClusterName: "c", PortBase: 5000, Servers: []nats.Server{{Name: "a"}, {Name: "b", ClientPort: 5000}}},
			[]string{"servers[1].clientPort duplicate"}},
		{"port range", cluster{ClusterName: "c", Servers: []nats.Server{{Name: "a", ClientPort: 70000}}}, []string{"servers[0].clientPort invalid"}},
		{"port base", cluster{ClusterName: "c", PortBase: 65000, Servers: three}, []string{"portBase invalid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			var got []string
			for _, fe := range score.FieldErrors(err) {
				got = append(got, fe.Path+" "+string(fe.Type))
			}
			if tc.want == nil && err != nil {
				t.Fatalf("want valid, got %v", err)
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q in %v", w, got)
				}
			}
		})
	}
}

// TestCapabilityCheckIsCompileTime builds testdata/nocompile, which applies
// the cluster score to a topology without NATS servers, and expects the
// compiler to refuse it naming a method of topology.NatsServers.
func TestCapabilityCheckIsCompileTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", os.DevNull, "./testdata/nocompile")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("testdata/nocompile compiled; the capability constraint is not enforced")
	}
	msg := string(out)
	if !strings.Contains(msg, "does not satisfy") {
		t.Fatalf("compiler error does not say 'does not satisfy':\n%s", msg)
	}
	m := regexp.MustCompile(`missing method (\w+)`).FindStringSubmatch(msg)
	if m == nil || !slices.Contains([]string{"ApplyNatsServers", "CheckNatsPorts", "NatsPlacement", "PlanNatsServers"}, m[1]) {
		t.Fatalf("compiler error does not name a NatsServers method:\n%s", msg)
	}
}

func TestRenderIsDeterministicAndGolden(t *testing.T) {
	cfg := nats.ServerConfig{
		Name: "core-0", Host: "127.0.0.1", ClientPort: 4222, MonitorPort: 8222,
		Tags:      []string{"site:b", "site:a"},
		JetStream: &nats.JetStreamConfig{StoreDir: "/data/js", MaxMemory: nats.MiB, MaxFile: nats.GiB, UniqueTag: "site:"},
		Cluster:   &nats.ClusterConfig{Name: "core", Host: "127.0.0.1", Port: 6222, Routes: []string{"nats-route://127.0.0.1:6222", "nats-route://127.0.0.1:6223"}},
	}
	a, b := nats.Render(cfg), nats.Render(cfg)
	if string(a) != string(b) {
		t.Fatal("Render is not deterministic")
	}
	golden(t, "core-0.conf", a)
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from golden file (run with -update if intended):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
