package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/internal/testutil"
	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
)

func (e *env) setSupercluster(sc supercluster) {
	e.sc = sc
	e.scores[0] = sc
}

// serverChanges returns the plan's changes to servers.
func serverChanges(rep testutil.Report) []score.Change {
	var out []score.Change
	for _, c := range rep.Changes() {
		if strings.HasPrefix(c.Target, "server/") {
			out = append(out, c)
		}
	}
	return out
}

func testReload(t *testing.T, e *env) {
	admin := e.connect(t, "HARMONY", "admin", e.allURLs())
	if _, err := jsOf(t, admin.Conn).CreateKeyValue(t.Context(), jetstream.KeyValueConfig{Bucket: "extra", Replicas: 3, Placement: &jetstream.Placement{Cluster: "harmony"}}); err != nil {
		t.Fatal(err)
	}
	agent := e.connect(t, "HARMONY", "agent", e.allURLs())
	watchKV, err := jsOf(t, agent.Conn).KeyValue(t.Context(), DesiredStateBucket)
	if err != nil {
		t.Fatal(err)
	}
	before := agent.Stats().Reconnects
	if err := agent.Publish("$KV.extra.k", []byte("x")); err != nil {
		t.Fatal(err)
	}
	waitViolation(t, agent, "$KV.extra.k")

	sc := e.sc
	sc.Accounts = append([]nats.Account(nil), sc.Accounts...)
	h := sc.Accounts[1]
	h.Users = []nats.User{
		{Name: "admin"},
		{Name: "agent", Permissions: nats.KVUserPermissions(DesiredStateBucket, StatusBucket, "extra")},
		{Name: "reader", Permissions: nats.KVUserPermissions("extra")},
	}
	sc.Accounts[1] = h
	e.setSupercluster(sc)

	code, rep := e.plan(t)
	if code != 2 {
		t.Fatalf("plan exit %d, want 2: %s", code, rep.Error)
	}
	changes := serverChanges(rep)
	if len(changes) == 0 {
		t.Fatal("plan shows no server change")
	}
	text := fmt.Sprint(changes)
	for _, c := range changes {
		if c.Action != score.ActionReload {
			t.Errorf("want every server change to be a reload, got %+v", c)
		}
	}
	for _, want := range []string{"agent", "reader"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not name user %s: %s", want, text)
		}
	}

	pids := testutil.PIDs(t, e.stateDir)
	rep = e.apply(t)
	if rep.Outcomes[0].Status != score.Updated {
		t.Errorf("supercluster outcome %v", rep.Statuses())
	}
	if after := testutil.PIDs(t, e.stateDir); fmt.Sprint(after) != fmt.Sprint(pids) {
		t.Errorf("a reload restarted servers: %v -> %v", pids, after)
	}
	if !agent.IsConnected() || agent.Stats().Reconnects != before {
		t.Errorf("the agent's connection dropped during the reload (connected %v, reconnects %d -> %d)", agent.IsConnected(), before, agent.Stats().Reconnects)
	}
	if _, err := watchKV.Put(t.Context(), "site.a.after-reload", []byte("1")); err != nil {
		t.Errorf("agent lost a permission it still has: %v", err)
	}
	extra, err := jsOf(t, agent.Conn).KeyValue(t.Context(), "extra")
	if err != nil {
		t.Fatalf("the widened permission is not in force: %v", err)
	}
	if _, err := extra.Put(t.Context(), "k", []byte("now allowed")); err != nil {
		t.Errorf("agent put to extra after reload: %v", err)
	}
	reader := e.connect(t, "HARMONY", "reader", e.allURLs())
	if _, err := jsOf(t, reader.Conn).KeyValue(t.Context(), "extra"); err != nil {
		t.Errorf("the new user cannot use its bucket: %v", err)
	}
	if code, rep := e.plan(t); code != 0 {
		t.Errorf("plan after apply: exit %d, changes %v", code, rep.Changes())
	}
}

func testDrift(t *testing.T, e *env) {
	seed, err := secrets.Get[secrets.NKeySeed](t.Context(), e.store, secrets.UserSeedName("HARMONY", "agent"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := seed.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.stateDir, "servers", "b-0", "nats.conf")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(orig), "\n") {
		if !strings.Contains(line, pub) {
			kept = append(kept, line)
		}
	}
	if len(kept) == len(strings.Split(string(orig), "\n")) {
		t.Fatal("the agent's key is not in b-0's config")
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	pid := testutil.PIDs(t, e.stateDir)["b-0"]
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil { // the operator reloads the edit
		t.Fatal(err)
	}
	siteB := e.sc.ClientURLs(e.topo)["b"][:1]
	testutil.Eventually(t, 10*time.Second, func() error {
		if _, err := nats.Connect(t.Context(), siteB, e.store, "HARMONY", "agent"); err == nil {
			return fmt.Errorf("agent can still connect to b-0")
		}
		return nil
	})

	code, rep := e.plan(t)
	if code != 2 {
		t.Fatalf("plan exit %d, want 2", code)
	}
	var found bool
	for _, c := range serverChanges(rep) {
		s := fmt.Sprintf("%s %s %s %s %s", c.Target, c.Field, c.From, c.To, c.Detail)
		if c.Target != "server/b-0" {
			t.Errorf("drift reported on a server that did not drift: %+v", c)
		}
		if strings.Contains(s, "site b") && strings.Contains(s, "agent") {
			found = true
		}
	}
	if !found {
		t.Errorf("plan does not name site b and user agent: %+v", serverChanges(rep))
	}
	e.apply(t)
	healed, err := os.ReadFile(path)
	if err != nil || string(healed) != string(orig) {
		t.Errorf("b-0's config not healed")
	}
	nc, err := nats.Connect(t.Context(), siteB, e.store, "HARMONY", "agent")
	if err != nil {
		t.Fatalf("agent cannot connect to b-0 after heal: %v", err)
	}
	nc.Close()
	if pid2 := testutil.PIDs(t, e.stateDir)["b-0"]; pid2 != pid {
		t.Errorf("healing a user restarted b-0")
	}
}

// testRollingRestart lowers the stretched cluster's file limit, a change
// the servers take only with a restart, while a client writes without
// pause; every acknowledged write must be readable afterwards.
func testRollingRestart(t *testing.T, e *env) {
	sc := e.sc
	st := *sc.Stretched
	st.JetStream.MaxFile = st.JetStream.MaxFile / 2
	sc.Stretched = &st
	e.setSupercluster(sc)

	code, rep := e.plan(t)
	if code != 2 {
		t.Fatalf("plan exit %d", code)
	}
	restarted := map[string]bool{}
	for _, c := range serverChanges(rep) {
		if c.Action != score.ActionRestart {
			t.Errorf("want restart, got %+v", c)
		}
		restarted[strings.TrimPrefix(c.Target, "server/")] = true
	}
	if len(restarted) != 3 || !restarted["harmony-a"] || !restarted["harmony-b"] || !restarted["harmony-c"] {
		t.Fatalf("want exactly the three stretched servers restarted, plan says %v", restarted)
	}

	writer := e.connect(t, "HARMONY", "agent", e.allURLs())
	kv, err := jsOf(t, writer.Conn).KeyValue(t.Context(), DesiredStateBucket)
	if err != nil {
		t.Fatal(err)
	}
	w := startWriter(t, kv, "site.a.roll")
	pids := testutil.PIDs(t, e.stateDir)
	rep = e.apply(t)
	w.halt()
	if rep.Outcomes[0].Status != score.Updated {
		t.Errorf("outcomes %v", rep.Statuses())
	}
	after := testutil.PIDs(t, e.stateDir)
	for name, pid := range pids {
		if changed := after[name] != pid; changed != restarted[name] {
			t.Errorf("server %s: restarted=%v, want %v", name, changed, restarted[name])
		}
	}
	if len(w.acked) < 50 {
		t.Fatalf("only %d writes acknowledged during the roll", len(w.acked))
	}
	reader := e.connect(t, "HARMONY", "agent", e.allURLs())
	rkv, err := jsOf(t, reader.Conn).KeyValue(t.Context(), DesiredStateBucket)
	if err != nil {
		t.Fatal(err)
	}
	lost := w.lost(t, rkv)
	t.Logf("rolling restart: %d writes acknowledged, %d not acknowledged (retried), %d lost", len(w.acked), w.failures, lost)
	if lost > 0 {
		t.Errorf("%d acknowledged writes lost", lost)
	}
}
