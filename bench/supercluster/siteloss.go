package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/modules/nats"
)

// siteServers are the example's servers by site.
var siteServers = map[string][]string{"a": {"a-0", "harmony-a"}, "b": {"b-0", "harmony-b"}, "c": {"c-0", "harmony-c"}}

type lossResult struct {
	site            string
	toFirstAck      time.Duration
	acked, lost, un int
}

// siteLoss brings the example up and, kills times, SIGKILLs every process
// of the site holding the desired-state bucket's stream leader while a
// client puts without pause; it measures the time from the kill to the
// first acknowledged put sent after it, checks every acknowledged put, and
// re-runs the example to bring the site back.
func (b *bench) siteLoss(kills int) ([]lossResult, error) {
	if err := b.example(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	admin, err := nats.Connect(ctx, urls, b.store, "HARMONY", "admin")
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	ajs, err := jetstream.New(admin)
	if err != nil {
		return nil, err
	}
	var out []lossResult
	for i := range kills {
		r, err := b.killOnce(ctx, ajs, i)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		if err := b.example(); err != nil { // brings the site back
			return nil, err
		}
		if err := waitReplicasCurrent(ctx, ajs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (b *bench) killOnce(ctx context.Context, ajs jetstream.JetStream, run int) (lossResult, error) {
	var r lossResult
	nc, err := nats.Connect(ctx, urls, b.store, "HARMONY", "agent")
	if err != nil {
		return r, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return r, err
	}
	kv, err := js.KeyValue(ctx, "desired-state")
	if err != nil {
		return r, err
	}
	var mu sync.Mutex
	acked := map[string]uint64{}
	var firstAfter time.Time
	var killedAt time.Time
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("site.a.bench.%d.%d", run, i)
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			sent := time.Now()
			rev, err := kv.Put(pctx, key, []byte(key))
			cancel()
			mu.Lock()
			if err == nil {
				acked[key] = rev
				if !killedAt.IsZero() && sent.After(killedAt) && firstAfter.IsZero() {
					firstAfter = time.Now()
				}
			} else {
				r.un++
			}
			mu.Unlock()
		}
	}()
	time.Sleep(time.Second) // writes flowing before the kill
	leader, err := streamLeader(ctx, ajs)
	if err != nil {
		return r, err
	}
	site := strings.TrimPrefix(leader, "harmony-")
	r.site = site
	mu.Lock()
	killedAt = time.Now()
	mu.Unlock()
	for _, name := range siteServers[site] {
		b, err := os.ReadFile(filepath.Join(b.state, "servers", name, "pid"))
		if err != nil {
			return r, err
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return r, fmt.Errorf("kill %s: %w", name, err)
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		mu.Lock()
		f := firstAfter
		mu.Unlock()
		if !f.IsZero() && time.Since(f) > 2*time.Second {
			break
		}
		if time.Now().After(deadline) {
			close(stop)
			<-done
			return r, fmt.Errorf("no acknowledged put within 90s of killing site %s", site)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	<-done
	r.toFirstAck = firstAfter.Sub(killedAt)
	r.acked = len(acked)
	for key, rev := range acked {
		e, err := kv.Get(ctx, key)
		if err != nil || e.Revision() != rev {
			r.lost++
		}
	}
	return r, nil
}

func streamLeader(ctx context.Context, js jetstream.JetStream) (string, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		s, err := js.Stream(ctx, "KV_desired-state")
		if err == nil && s.CachedInfo().Cluster != nil && s.CachedInfo().Cluster.Leader != "" {
			return s.CachedInfo().Cluster.Leader, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no stream leader: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitReplicasCurrent(ctx context.Context, js jetstream.JetStream) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		s, err := js.Stream(ctx, "KV_desired-state")
		if err == nil {
			c := s.CachedInfo().Cluster
			ok := c != nil && c.Leader != "" && len(c.Replicas) == 2
			for _, r := range c.Replicas {
				ok = ok && r.Current && r.Lag == 0
			}
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("restored replica not current: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func printLoss(rs []lossResult) {
	if len(rs) == 0 {
		return
	}
	ds := make([]time.Duration, len(rs))
	acked, lost, un := 0, 0, 0
	var sites []string
	for i, r := range rs {
		ds[i] = r.toFirstAck
		acked += r.acked
		lost += r.lost
		un += r.un
		sites = append(sites, r.site)
	}
	slices.Sort(ds)
	fmt.Printf("\nsite loss: SIGKILL of every process of the stream leader's site (%d kills, sites %s)\n", len(rs), strings.Join(sites, ","))
	for i, r := range rs {
		fmt.Printf("  kill %d: site %s (stream leader's), first acknowledged put after %s, %d acknowledged, %d lost\n", i+1, r.site, rnd(r.toFirstAck), r.acked, r.lost)
	}
	fmt.Printf("%-34s %10s %10s %10s\n", "", "median", "best", "worst")
	fmt.Printf("%-34s %10s %10s %10s\n", "kill -> first acknowledged put", rnd(ds[len(ds)/2]), rnd(ds[0]), rnd(ds[len(ds)-1]))
	fmt.Printf("acknowledged writes %d, lost %d, not acknowledged (client retries) %d\n", acked, lost, un)
}
