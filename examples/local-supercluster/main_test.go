package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/internal/testutil"
	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
	"github.com/harmony-go/harmony/topology/local"
)

// TestMain makes this test binary the harmony server binary.
func TestMain(m *testing.M) {
	local.RunServerIfRequested()
	os.Exit(m.Run())
}

// testMaxFile is the HARMONY account's file limit in tests: small, so a
// test can reach it quickly.
const testMaxFile = 8 * nats.MiB

// env is one supercluster deployment of the example's scores, on free
// ports, with its state and secrets in temporary directories.
type env struct {
	topo     topo
	store    *secrets.Store
	sc       supercluster
	scores   []score.Score[topo]
	stateDir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	plain, err := secrets.PlainFile(filepath.Join(dir, "secrets"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := secrets.New(secrets.WithBackends(secrets.Env(), plain))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: store, stateDir: filepath.Join(dir, "state")}
	e.topo, err = local.New("local-supercluster", local.WithStateDir(e.stateDir))
	if err != nil {
		t.Fatal(err)
	}
	e.sc, e.scores = deployment(e.topo, store, testutil.PortBase(t, 30, 0, 1000, 2000, 3000))
	e.sc.Accounts[1].JetStream.MaxFile = testMaxFile
	e.scores[0] = e.sc
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		if code, rep := e.runCtx(t, context.Background(), "--destroy"); code != 0 {
			t.Errorf("destroy: exit %d: %s", code, rep.Error)
		}
	})
	return e
}

// run runs the example's CLI with the env's scores and returns the exit
// code and the JSON report.
func (e *env) run(t *testing.T, args ...string) (int, testutil.Report) {
	t.Helper()
	return e.runCtx(t, t.Context(), args...)
}

func (e *env) runCtx(t *testing.T, ctx context.Context, args ...string) (int, testutil.Report) {
	t.Helper()
	p := cli.Program[topo]{Topology: e.topo, Scores: e.scores, Summary: func(context.Context) (string, any, error) {
		c := connection(e.topo, e.sc)
		return "", c, writeConnection(e.topo, c)
	}}
	code, rep, _ := testutil.RunJSON(t, ctx, p, append(args, "--state-dir", e.stateDir)...)
	return code, rep
}

func (e *env) apply(t *testing.T) testutil.Report {
	t.Helper()
	code, rep := e.run(t)
	if code != 0 {
		t.Fatalf("apply: exit %d: %s", code, rep.Error)
	}
	return rep
}

func (e *env) plan(t *testing.T) (int, testutil.Report) {
	t.Helper()
	return e.run(t, "--plan")
}

func (e *env) allURLs() []string {
	var out []string
	for _, urls := range e.sc.ClientURLs(e.topo) {
		out = append(out, urls...)
	}
	slices.Sort(out)
	return out
}

// conn is a client connection that records the asynchronous errors the
// server sends (permission violations arrive there, not as a request's
// error).
type conn struct {
	*natsgo.Conn
	mu     sync.Mutex
	errors []string
}

func (c *conn) violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errors...)
}

func (e *env) connect(t *testing.T, account, user string, urls []string) *conn {
	t.Helper()
	c := &conn{}
	nc, err := nats.Connect(t.Context(), urls, e.store, account, user,
		natsgo.ErrorHandler(func(_ *natsgo.Conn, _ *natsgo.Subscription, err error) {
			c.mu.Lock()
			c.errors = append(c.errors, err.Error())
			c.mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	c.Conn = nc
	t.Cleanup(nc.Close)
	return c
}

func jsOf(t *testing.T, nc *natsgo.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func seeds(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	for _, a := range e.sc.Accounts {
		for _, u := range a.Users {
			s, err := secrets.Get[secrets.NKeySeed](t.Context(), e.store, secrets.UserSeedName(a.Name, u.Name))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s.Seed.Reveal())
		}
	}
	return out
}

func TestSupercluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real six-server supercluster")
	}
	e := newEnv(t)

	t.Run("bring-up", func(t *testing.T) {
		rep := e.apply(t)
		want := []string{"nats.supercluster/harmony=created", "nats.kv/desired-state=created", "nats.kv/status=created"}
		if !slices.Equal(rep.Statuses(), want) {
			t.Fatalf("outcomes %v", rep.Statuses())
		}
	})

	t.Run("agent uses the desired-state bucket from every site", func(t *testing.T) {
		for site, urls := range e.sc.ClientURLs(e.topo) {
			agent := e.connect(t, "HARMONY", "agent", urls[:1]) // the site's own cluster only
			kv, err := jsOf(t, agent.Conn).KeyValue(t.Context(), DesiredStateBucket)
			if err != nil {
				t.Fatalf("site %s: bind: %v", site, err)
			}
			w, err := kv.Watch(t.Context(), "site."+site+".>")
			if err != nil {
				t.Fatalf("site %s: watch: %v", site, err)
			}
			if first := <-w.Updates(); first != nil {
				t.Fatalf("site %s: fresh watch should start empty, got %s", site, first.Key())
			}
			key := "site." + site + ".demo.x"
			rev, err := kv.Put(t.Context(), key, []byte("v-"+site))
			if err != nil {
				t.Fatalf("site %s: put: %v", site, err)
			}
			got, err := kv.Get(t.Context(), key)
			if err != nil || string(got.Value()) != "v-"+site || got.Revision() != rev {
				t.Fatalf("site %s: get: %v %v", site, got, err)
			}
			select {
			case u := <-w.Updates():
				if u == nil || u.Key() != key || u.Revision() != rev {
					t.Fatalf("site %s: watch delivered %v", site, u)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("site %s: watch delivered nothing", site)
			}
			_ = w.Stop()
			if v := agent.violations(); len(v) > 0 {
				t.Errorf("site %s: permission errors for allowed operations: %v", site, v)
			}
		}
	})

	t.Run("each replica on a different site", func(t *testing.T) {
		admin := e.connect(t, "HARMONY", "admin", e.allURLs())
		for _, bucket := range []string{DesiredStateBucket, StatusBucket} {
			s, err := jsOf(t, admin.Conn).Stream(t.Context(), "KV_"+bucket)
			if err != nil {
				t.Fatal(err)
			}
			info := s.CachedInfo()
			servers := []string{info.Cluster.Leader}
			for _, r := range info.Cluster.Replicas {
				servers = append(servers, r.Name)
			}
			sites := map[string]bool{}
			for _, name := range servers {
				sites[strings.TrimPrefix(name, "harmony-")] = true
			}
			if info.Cluster.Name != "harmony" || len(servers) != 3 || len(sites) != 3 {
				t.Errorf("%s: cluster %s, replicas on %v: want 3 servers of the harmony cluster on 3 sites", bucket, info.Cluster.Name, servers)
			}
		}
	})

	t.Run("configs parse with the real server and hold no secret", func(t *testing.T) {
		confs, _ := filepath.Glob(filepath.Join(e.stateDir, "servers", "*", "nats.conf"))
		if len(confs) != 6 {
			t.Fatalf("want 6 configs, found %v", confs)
		}
		for _, c := range confs {
			if _, err := server.ProcessConfigFile(c); err != nil {
				t.Errorf("%s: %v", c, err)
			}
		}
		ss := seeds(t, e)
		err := filepath.WalkDir(e.stateDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == "harmony-nats-server" {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, s := range ss {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s contains a user's NKey seed", path)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("re-run is unchanged, restarts nothing, rewrites no file", func(t *testing.T) {
		pids := testutil.PIDs(t, e.stateDir)
		times := testutil.ModTimes(t, e.stateDir)
		rep := e.apply(t)
		for _, s := range rep.Statuses() {
			if !strings.HasSuffix(s, "=unchanged") {
				t.Errorf("not unchanged: %s", s)
			}
		}
		if after := testutil.PIDs(t, e.stateDir); fmt.Sprint(after) != fmt.Sprint(pids) {
			t.Errorf("PIDs changed: %v -> %v", pids, after)
		}
		for path, mt := range testutil.ModTimes(t, e.stateDir) {
			if !times[path].Equal(mt) {
				t.Errorf("%s rewritten or added", path)
			}
		}
	})

	t.Run("system account has no JetStream; HARMONY limits enforced", func(t *testing.T) {
		sys := e.connect(t, nats.DefaultSystemAccount, "sys", e.allURLs())
		if _, err := jsOf(t, sys.Conn).AccountInfo(t.Context()); err == nil {
			t.Error("the system account answered a JetStream account info: it must not have JetStream")
		}
		admin := e.connect(t, "HARMONY", "admin", e.allURLs())
		js := jsOf(t, admin.Conn)
		info, err := js.AccountInfo(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.Limits.MaxStore != testMaxFile {
			t.Errorf("HARMONY max_file %d, want %d", info.Limits.MaxStore, testMaxFile)
		}
		filler, err := js.CreateKeyValue(t.Context(), jetstream.KeyValueConfig{Bucket: "filler", Replicas: 1, Placement: &jetstream.Placement{Cluster: "harmony"}})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = js.DeleteKeyValue(t.Context(), "filler") }()
		value := bytes.Repeat([]byte("x"), 256*1024)
		var refused error
		for i := range 2 * testMaxFile / int64(len(value)) {
			if _, err := filler.Put(t.Context(), fmt.Sprintf("k%d", i), value); err != nil {
				refused = err
				break
			}
		}
		if refused == nil {
			t.Fatalf("wrote %d bytes into a %d-byte account without refusal", 2*testMaxFile, testMaxFile)
		}
		if !strings.Contains(strings.ToLower(refused.Error()), "resource") && !strings.Contains(strings.ToLower(refused.Error()), "limit") {
			t.Errorf("refusal should name the resource limit: %v", refused)
		}
	})

	t.Run("agent permissions", func(t *testing.T) { testAgentPermissions(t, e) })
	t.Run("bucket replicas and placement change in place", func(t *testing.T) { testBucketChangesInPlace(t, e) })
	t.Run("reload: add a user and widen a permission", func(t *testing.T) { testReload(t, e) })
	t.Run("drift: a hand-edited site config is reported and healed", func(t *testing.T) { testDrift(t, e) })
	t.Run("restart-only change rolls without losing a write", func(t *testing.T) { testRollingRestart(t, e) })
}

func waitViolation(t *testing.T, c *conn, subject string) {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, func() error {
		for _, v := range c.violations() {
			if strings.Contains(strings.ToLower(v), "permissions violation") && strings.Contains(v, `"`+subject+`"`) {
				return nil
			}
		}
		return errors.New("no permissions violation for " + subject + " (got " + strings.Join(c.violations(), "; ") + ")")
	})
}
