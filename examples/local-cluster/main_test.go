package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/internal/testutil"
	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/topology/local"
)

// TestMain makes this test binary the harmony server binary: the local
// topology copies it and starts servers as "<binary> __nats-server".
func TestMain(m *testing.M) {
	local.RunServerIfRequested()
	os.Exit(m.Run())
}

// runExample runs the example's program with args plus --output json and
// returns the exit code and the report.
func runExample(t *testing.T, p cli.Program[*local.Local], args ...string) (int, testutil.Report) {
	t.Helper()
	code, rep, _ := testutil.RunJSON(t, t.Context(), p, args...)
	return code, rep
}

func TestLocalClusterLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real nats-server processes")
	}
	stateDir := filepath.Join(t.TempDir(), "state")
	base := testutil.PortBase(t, 3)
	p, err := program(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		var out bytes.Buffer
		if code := cli.RunProgram(context.Background(), p, []string{"--destroy", "--state-dir", stateDir}, &out, &out); code != cli.ExitOK {
			t.Errorf("destroy: exit %d: %s", code, out.String())
		}
	})

	t.Run("plan on a fresh state dir writes nothing and exits 2", func(t *testing.T) {
		code, rep := runExample(t, p, "--plan", "--state-dir", stateDir)
		if code != cli.ExitChanges {
			t.Fatalf("exit %d, want %d: %+v", code, cli.ExitChanges, rep)
		}
		if _, err := os.Stat(stateDir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("plan created %s", stateDir)
		}
	})

	var urls []string
	t.Run("bring-up gives a JetStream cluster a standard client can use", func(t *testing.T) {
		code, rep := runExample(t, p, "--state-dir", stateDir)
		if code != cli.ExitOK || !slices.Equal(rep.Statuses(), []string{"nats.cluster/core=created"}) {
			t.Fatalf("exit %d, outcomes %v, error %s", code, rep.Statuses(), rep.Error)
		}
		var summary struct {
			ClientURLs []string `json:"clientURLs"`
		}
		if err := json.Unmarshal(rep.Summary, &summary); err != nil {
			t.Fatal(err)
		}
		urls = summary.ClientURLs
		if len(urls) != 3 {
			t.Fatalf("want 3 client URLs, got %v", urls)
		}
		nc, err := natsgo.Connect(strings.Join(urls, ","))
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		var stream jetstream.Stream
		testutil.Eventually(t, 30*time.Second, func() error {
			stream, err = js.CreateOrUpdateStream(t.Context(), jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Replicas: 3})
			return err
		})
		if _, err := js.Publish(t.Context(), "orders.1", []byte("one")); err != nil {
			t.Fatal(err)
		}
		info, err := stream.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2 || info.State.Msgs != 1 {
			t.Fatalf("want an R3 stream with a leader, 2 replicas and 1 message, got %+v %+v", info.Cluster, info.State)
		}
	})

	t.Run("every rendered config parses with the real server", func(t *testing.T) {
		confs, _ := filepath.Glob(filepath.Join(stateDir, "servers", "*", "nats.conf"))
		if len(confs) != 3 {
			t.Fatalf("want 3 configs, found %v", confs)
		}
		for _, c := range confs {
			if _, err := server.ProcessConfigFile(c); err != nil {
				t.Errorf("%s: %v", c, err)
			}
		}
	})

	t.Run("re-run is unchanged, restarts nothing and rewrites no file", func(t *testing.T) {
		pids := testutil.PIDs(t, stateDir)
		times := testutil.ModTimes(t, stateDir)
		if len(pids) != 3 || len(times) < 10 {
			t.Fatalf("state dir incomplete: pids %v, %d files", pids, len(times))
		}
		code, rep := runExample(t, p, "--state-dir", stateDir)
		if code != cli.ExitOK || !slices.Equal(rep.Statuses(), []string{"nats.cluster/core=unchanged"}) {
			t.Fatalf("exit %d, outcomes %v", code, rep.Statuses())
		}
		if after := testutil.PIDs(t, stateDir); fmt.Sprint(after) != fmt.Sprint(pids) {
			t.Errorf("PIDs changed: %v -> %v", pids, after)
		}
		after := testutil.ModTimes(t, stateDir)
		for path, mt := range times {
			if !after[path].Equal(mt) {
				t.Errorf("%s rewritten", path)
			}
		}
		if len(after) != len(times) {
			t.Errorf("files added or removed: %d -> %d", len(times), len(after))
		}
		if code, _ := runExample(t, p, "--plan", "--state-dir", stateDir); code != cli.ExitOK {
			t.Errorf("--plan on an up-to-date deployment: exit %d, want 0", code)
		}
	})

	t.Run("a killed server is started again on the next run", func(t *testing.T) {
		pids := testutil.PIDs(t, stateDir)
		if err := syscallKill(pids["core-1"]); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 10*time.Second, func() error {
			// A killed process's threads may hold its sockets for a moment
			// after it shows as a zombie: wait for its port too.
			if testutil.Alive(pids["core-1"]) || !testutil.Free(base+1) {
				return errors.New("core-1 still alive")
			}
			return nil
		})
		code, rep := runExample(t, p, "--state-dir", stateDir)
		if code != cli.ExitOK || !slices.Equal(rep.Statuses(), []string{"nats.cluster/core=updated"}) {
			t.Fatalf("exit %d, outcomes %v, error %s", code, rep.Statuses(), rep.Error)
		}
		after := testutil.PIDs(t, stateDir)
		if after["core-0"] != pids["core-0"] || after["core-1"] == pids["core-1"] || !testutil.Alive(after["core-1"]) {
			t.Errorf("only core-1 should be restarted: %v -> %v", pids, after)
		}
	})

	t.Run("a config changed and reloaded by hand is found and healed", func(t *testing.T) {
		path := filepath.Join(stateDir, "servers", "core-2", "nats.conf")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(orig), "max_memory_store: 268435456", "max_memory_store: 368435456", 1)
		if edited == string(orig) {
			t.Fatal("the config does not hold the expected limit")
		}
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		varz := fmt.Sprintf("http://127.0.0.1:%d/varz", base+4000+2)
		before := digest(t, varz)
		if err := syscall.Kill(testutil.PIDs(t, stateDir)["core-2"], syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 10*time.Second, func() error {
			if digest(t, varz) == before {
				return errors.New("core-2 has not reloaded the edit yet")
			}
			return nil
		})
		// Restore the file: only the running server differs now.
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _ := runExample(t, p, "--plan", "--state-dir", stateDir); code != cli.ExitChanges {
			t.Fatalf("plan exit %d: the live drift is not seen", code)
		}
		code, rep := runExample(t, p, "--state-dir", stateDir)
		if code != cli.ExitOK || !slices.Equal(rep.Statuses(), []string{"nats.cluster/core=updated"}) {
			t.Fatalf("heal: exit %d, outcomes %v, error %s", code, rep.Statuses(), rep.Error)
		}
		if code, _ := runExample(t, p, "--plan", "--state-dir", stateDir); code != cli.ExitOK {
			t.Errorf("plan after heal: exit %d", code)
		}
	})

	t.Run("destroy leaves no process and no state dir; twice is fine", func(t *testing.T) {
		pids := testutil.PIDs(t, stateDir)
		code, _ := runExample(t, p, "--destroy", "--state-dir", stateDir)
		if code != cli.ExitOK {
			t.Fatalf("destroy exit %d", code)
		}
		for name, pid := range pids {
			if testutil.Alive(pid) {
				t.Errorf("server %s (pid %d) still running", name, pid)
			}
		}
		if _, err := os.Stat(stateDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("state dir still there: %v", err)
		}
		if code, _ := runExample(t, p, "--destroy", "--state-dir", stateDir); code != cli.ExitOK {
			t.Errorf("second destroy exit %d", code)
		}
	})
}

func TestBadInputStartsNothing(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	base := testutil.PortBase(t, 3)
	// Another process holds the second server's client port.
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+1))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, err := program(base)
	if err != nil {
		t.Fatal(err)
	}
	c := clusterOf(t, p)
	c.ClusterName = ""
	c.Servers[2].Name = "core-0"
	c.JetStream.MaxFile = -5
	p.Scores[0] = c

	for _, mode := range [][]string{nil, {"--plan"}} {
		code, rep := runExample(t, p, append(mode, "--state-dir", stateDir)...)
		if code != cli.ExitFailed {
			t.Fatalf("%v: exit %d, want 1", mode, code)
		}
		var got []string
		for _, pr := range rep.Problems {
			got = append(got, pr.Path+" "+pr.Type)
		}
		for _, want := range []string{"name required", "servers[2].name duplicate", "jetstream.maxFile invalid", "servers[1].clientPort conflict"} {
			if !slices.Contains(got, want) {
				t.Errorf("%v: problems %v lack %q", mode, got, want)
			}
		}
		if _, err := os.Stat(stateDir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v: bad input wrote %s", mode, stateDir)
		}
	}
}

// digest reads the config digest a server reports on /varz.
func digest(t *testing.T, varz string) string {
	t.Helper()
	resp, err := http.Get(varz)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		ConfigDigest string `json:"config_digest"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v.ConfigDigest
}
