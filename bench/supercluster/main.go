// Command supercluster times the local-supercluster example as a user
// meets it and compares it with the same nats-server processes started by
// hand:
//
//   - cold bring-up: from nothing to the first acknowledged put on an R3
//     bucket in the stretched cluster (harmony: run the example, then put);
//
//   - by hand: the same six servers, same configs, fresh stores, started
//     directly, both buckets created by a client, then the put;
//
//   - no-op re-run of the example.
//
//     go run ./bench/supercluster [-runs 3]
//
// Cold bring-up is dominated by the first JetStream meta-leader election;
// the target is harmony's overhead over the hand-started processes under 10%.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/secrets"
)

// urls are the example's client URLs (portBase 24222): every site server
// and every stretched-cluster server.
var urls = []string{
	"nats://127.0.0.1:24222", "nats://127.0.0.1:24232", "nats://127.0.0.1:24242",
	"nats://127.0.0.1:24231", "nats://127.0.0.1:24241", "nats://127.0.0.1:24251",
}

func main() {
	runs := flag.Int("runs", 3, "cold bring-ups of each kind")
	kills := flag.Int("kills", 5, "site kills to time")
	flag.Parse()
	if err := run(*runs, *kills); err != nil {
		fmt.Fprintln(os.Stderr, "supercluster:", err)
		os.Exit(1)
	}
}

type bench struct {
	dir, exe, state string
	store           *secrets.Store
}

func run(runs, kills int) error {
	dir, err := os.MkdirTemp("", "harmony-bench-sc-")
	if err != nil {
		return err
	}
	if os.Getenv("HARMONY_BENCH_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "keeping", dir)
	}
	b := &bench{dir: dir, exe: filepath.Join(dir, "local-supercluster"), state: filepath.Join(dir, "state")}
	if out, err := exec.Command("go", "build", "-o", b.exe, "./examples/local-supercluster").CombinedOutput(); err != nil {
		return fmt.Errorf("build example: %v\n%s", err, out)
	}
	secretsDir := filepath.Join(dir, "secrets")
	os.Setenv(secrets.DirEnv, secretsDir)
	plain, err := secrets.PlainFile(filepath.Join(secretsDir, "plain"))
	if err != nil {
		return err
	}
	if b.store, err = secrets.New(secrets.WithBackends(plain)); err != nil {
		return err
	}
	defer b.example("--destroy")

	var cold, hand, noop []time.Duration
	for i := range runs {
		start := time.Now()
		if err := b.example(); err != nil {
			return err
		}
		if err := b.firstPut(false); err != nil {
			return err
		}
		cold = append(cold, time.Since(start))
		for range 3 {
			start := time.Now()
			if err := b.example(); err != nil {
				return err
			}
			noop = append(noop, time.Since(start))
		}
		confs, err := b.saveConfigs()
		if err != nil {
			return err
		}
		if err := b.example("--destroy"); err != nil {
			return err
		}
		d, err := b.byHand(confs, i)
		if err != nil {
			return err
		}
		hand = append(hand, d)
	}
	med := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	fmt.Printf("%-44s %5s %10s %10s %10s\n", "local-supercluster (3 sites, 6 servers)", "runs", "median", "best", "worst")
	for _, row := range []struct {
		name string
		ds   []time.Duration
	}{{"cold bring-up to first R3 put (harmony)", cold}, {"same servers started by hand", hand}, {"no-op re-run", noop}} {
		slices.Sort(row.ds)
		fmt.Printf("%-44s %5d %10s %10s %10s\n", row.name, len(row.ds), rnd(med(row.ds)), rnd(row.ds[0]), rnd(row.ds[len(row.ds)-1]))
	}
	fmt.Printf("harmony overhead over hand-started servers (medians): %+.1f%%\n", 100*(float64(med(cold))/float64(med(hand))-1))
	losses, err := b.siteLoss(kills)
	printLoss(losses)
	return err
}

func rnd(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

func (b *bench) example(args ...string) error {
	out, err := exec.Command(b.exe, append(args, "--state-dir", b.state)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("example %v: %v\n%s", args, err, out)
	}
	return nil
}

// firstPut connects as the admin and puts a key into the desired-state
// bucket, creating both buckets first when create is set; it retries until
// JetStream answers.
func (b *bench) firstPut(create bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		err := b.tryPut(ctx, create)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("first put: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *bench) tryPut(ctx context.Context, create bool) error {
	nc, err := nats.Connect(ctx, urls, b.store, "HARMONY", "admin")
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var kv jetstream.KeyValue
	for _, bucket := range []string{"status", "desired-state"} {
		cfg := jetstream.KeyValueConfig{Bucket: bucket, Replicas: 3, Placement: &jetstream.Placement{Cluster: "harmony"}}
		if create {
			kv, err = js.CreateKeyValue(rctx, cfg)
			if errors.Is(err, jetstream.ErrBucketExists) {
				kv, err = js.KeyValue(rctx, bucket)
			}
		} else {
			kv, err = js.KeyValue(rctx, bucket)
		}
		if err != nil {
			return err
		}
	}
	_, err = kv.Put(rctx, "bench.first", []byte("x"))
	return err
}

// saveConfigs keeps the configs harmony rendered, to start the same servers
// by hand.
func (b *bench) saveConfigs() (map[string][]byte, error) {
	paths, err := filepath.Glob(filepath.Join(b.state, "servers", "*", "nats.conf"))
	if err != nil || len(paths) != 6 {
		return nil, fmt.Errorf("want 6 configs, found %d (%v)", len(paths), err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		c, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out[filepath.Base(filepath.Dir(p))] = c
	}
	return out, nil
}

var storeDir = regexp.MustCompile(`store_dir: "[^"]*"`)

// byHand starts the six servers straight from the binary with harmony's
// configs and fresh stores, and times them to the first acknowledged put.
func (b *bench) byHand(confs map[string][]byte, run int) (time.Duration, error) {
	root := filepath.Join(b.dir, fmt.Sprintf("hand-%d", run))
	var cmds []*exec.Cmd
	defer func() {
		for _, c := range cmds {
			_ = c.Process.Signal(syscall.SIGTERM)
			_ = c.Wait()
		}
	}()
	paths := map[string]string{}
	for name, conf := range confs {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		c := storeDir.ReplaceAll(conf, []byte(`store_dir: "`+filepath.Join(dir, "jetstream")+`"`))
		p := filepath.Join(dir, "nats.conf")
		if err := os.WriteFile(p, c, 0o644); err != nil {
			return 0, err
		}
		paths[name] = p
	}
	start := time.Now()
	for name, p := range paths {
		cmd := exec.Command(b.exe, "__nats-server", "-c", p)
		log, err := os.Create(filepath.Join(root, name, "server.log"))
		if err != nil {
			return 0, err
		}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		cmds = append(cmds, cmd)
	}
	if err := b.firstPut(true); err != nil {
		return 0, fmt.Errorf("by hand: %w", err)
	}
	return time.Since(start), nil
}
