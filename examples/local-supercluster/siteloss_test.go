package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/internal/testutil"
	"github.com/harmony-go/harmony/modules/nats"
)

// TestSiteLossRefusedBeforeAnythingStarts runs the example with deployments
// that could not survive a site loss; each is refused naming the field, and
// nothing is started or written.
func TestSiteLossRefusedBeforeAnythingStarts(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(sc *supercluster, kv *nats.KV[topo])
		field string
	}{
		{"two sites", func(sc *supercluster, kv *nats.KV[topo]) { sc.Sites = sc.Sites[:2]; kv.Layout = sc.Layout() }, "layout.sites"},
		{"replicas below 3", func(_ *supercluster, kv *nats.KV[topo]) { kv.Replicas = 2 }, "replicas"},
		{"a site with most of the meta group", func(sc *supercluster, kv *nats.KV[topo]) {
			sc.Sites[2].Servers = 3
			sc.Sites[2].JetStream = &nats.JetStream{MaxMemory: 64 * nats.MiB, MaxFile: nats.GiB}
			kv.Layout = sc.Layout()
		}, "layout.servers"},
		{"placement that cannot be satisfied", func(_ *supercluster, kv *nats.KV[topo]) {
			kv.Placement = &nats.Placement{Cluster: "harmony", Tags: []string{"site:a"}}
		}, "placement.cluster"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			kv := e.scores[1].(nats.KV[topo])
			tc.edit(&e.sc, &kv)
			e.scores[0], e.scores[1] = e.sc, kv
			code, rep := e.run(t)
			if code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, rep.Error)
			}
			found := false
			for _, p := range rep.Problems {
				found = found || (p.Score == "nats.kv/"+DesiredStateBucket && p.Path == tc.field)
			}
			if !found {
				t.Errorf("want %s refused on the desired-state bucket, got %+v", tc.field, rep.Problems)
			}
			if _, err := os.Stat(e.stateDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("an invalid deployment wrote %s", e.stateDir)
			}
		})
	}
}

// monitorURL is a server's monitoring endpoint, from its recorded ports.
func (e *env) monitorURL(t *testing.T, server string) string {
	t.Helper()
	b, err := os.ReadFile(e.stateDir + "/servers/" + server + "/server.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		MonitorPort int `json:"monitorPort"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(m.MonitorPort)
}

// metaLeader asks the surviving stretched servers who leads the meta group.
func (e *env) metaLeader(t *testing.T) string {
	t.Helper()
	var leader string
	testutil.Eventually(t, 30*time.Second, func() error {
		for _, site := range []string{"a", "b", "c"} {
			resp, err := http.Get(e.monitorURL(t, "harmony-"+site) + "/jsz")
			if err != nil {
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var jsz struct {
				Meta struct {
					Leader string `json:"leader"`
				} `json:"meta_cluster"`
			}
			if json.Unmarshal(body, &jsz) == nil && jsz.Meta.Leader != "" {
				leader = jsz.Meta.Leader
				return nil
			}
		}
		return errors.New("no meta leader known")
	})
	return leader
}

func (e *env) streamLeader(t *testing.T, js jetstream.JetStream) string {
	t.Helper()
	var leader string
	testutil.Eventually(t, 30*time.Second, func() error {
		s, err := js.Stream(t.Context(), "KV_"+DesiredStateBucket)
		if err != nil {
			return err
		}
		if c := s.CachedInfo().Cluster; c != nil && c.Leader != "" {
			leader = c.Leader
			return nil
		}
		return errors.New("no stream leader")
	})
	return leader
}

// siteOf names the site a server of the supercluster sits on.
func (e *env) siteOf(server string) string {
	for _, site := range e.sc.Sites {
		if slices.Contains(e.sc.SiteServerNames(site.Name), server) {
			return site.Name
		}
	}
	return ""
}

// killSite SIGKILLs every process of a site.
func (e *env) killSite(t *testing.T, site string) []int {
	t.Helper()
	pids := testutil.PIDs(t, e.stateDir)
	var killed []int
	for _, name := range e.sc.SiteServerNames(site) {
		if err := syscall.Kill(pids[name], syscall.SIGKILL); err != nil {
			t.Fatalf("kill %s: %v", name, err)
		}
		killed = append(killed, pids[name])
	}
	return killed
}

func TestSiteLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("kills sites of a real supercluster")
	}
	e := newEnv(t)
	e.apply(t)
	admin := e.connect(t, "HARMONY", "admin", e.allURLs())
	ajs := jsOf(t, admin.Conn)

	for _, kind := range []string{"stream leader", "meta leader"} {
		t.Run("kill the site of the "+kind, func(t *testing.T) {
			var site string
			if kind == "stream leader" {
				site = e.siteOf(e.streamLeader(t, ajs))
			} else {
				site = e.siteOf(e.metaLeader(t))
			}
			agent := e.connect(t, "HARMONY", "agent", e.allURLs())
			kv, err := jsOf(t, agent.Conn).KeyValue(t.Context(), DesiredStateBucket)
			if err != nil {
				t.Fatal(err)
			}
			prefix := "site.a.loss." + strings.ReplaceAll(kind, " ", "-")
			watch, err := kv.Watch(t.Context(), prefix+".>")
			if err != nil {
				t.Fatal(err)
			}
			defer watch.Stop()
			var seenMu sync.Mutex
			seen := map[string]bool{}
			go func() {
				for u := range watch.Updates() {
					if u != nil {
						seenMu.Lock()
						seen[u.Key()] = true
						seenMu.Unlock()
					}
				}
			}()
			w := startWriter(t, kv, prefix)
			testutil.Eventually(t, 30*time.Second, func() error {
				if w.count() < 200 {
					return errors.New("writer not going yet")
				}
				return nil
			})
			others := testutil.PIDs(t, e.stateDir)
			killedAt := time.Now()
			e.killSite(t, site)
			testutil.Eventually(t, 60*time.Second, func() error {
				if n, _ := w.ackedAfter(killedAt); n < 100 {
					return fmt.Errorf("%d puts acknowledged since the kill of site %s", n, site)
				}
				return nil
			})
			w.halt()
			_, first := w.ackedAfter(killedAt)
			t.Logf("killed site %s (%s): first acknowledged put %v after the kill; %d acknowledged, %d not", site, kind, first.Sub(killedAt).Round(time.Millisecond), len(w.order), w.failures)

			lost := w.lost(t, kv)
			if lost > 0 {
				t.Errorf("%d of %d acknowledged writes lost", lost, len(w.acked))
			}
			last := w.order[len(w.order)-1]
			testutil.Eventually(t, 30*time.Second, func() error {
				seenMu.Lock()
				defer seenMu.Unlock()
				if !seen[last] {
					return fmt.Errorf("the watch opened before the kill has not delivered %s", last)
				}
				return nil
			})

			// Re-running the deployment brings the site back and changes
			// nothing else; the restored replica catches up.
			rep := e.apply(t)
			want := []string{"nats.supercluster/harmony=updated", "nats.kv/desired-state=unchanged", "nats.kv/status=unchanged"}
			if !slices.Equal(rep.Statuses(), want) {
				t.Errorf("re-run after the kill: %v, want %v", rep.Statuses(), want)
			}
			after := testutil.PIDs(t, e.stateDir)
			for name, pid := range others {
				if e.siteOf(name) != site && after[name] != pid {
					t.Errorf("server %s of a surviving site was restarted", name)
				}
			}
			testutil.Eventually(t, 60*time.Second, func() error {
				s, err := ajs.Stream(t.Context(), "KV_"+DesiredStateBucket)
				if err != nil {
					return err
				}
				c := s.CachedInfo().Cluster
				if len(c.Replicas) != 2 {
					return fmt.Errorf("replicas %+v", c.Replicas)
				}
				for _, r := range c.Replicas {
					if !r.Current || r.Lag != 0 {
						return fmt.Errorf("replica %s current=%v lag=%d", r.Name, r.Current, r.Lag)
					}
				}
				return nil
			})
		})
	}
}
