// Command localcluster times the local-cluster example as a user meets it:
// the cold bring-up (fresh state dir to a healthy JetStream cluster) and the
// no-op re-run, each as a whole process, and prints a table.
//
//	go run ./bench/localcluster [-runs 5]
//
// Targets (issue 3): the no-op re-run under 150 ms. Cold bring-up is
// dominated by JetStream's first meta-leader election.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "cold bring-ups (each followed by no-op re-runs) to time")
	flag.Parse()
	if err := run(*runs); err != nil {
		fmt.Fprintln(os.Stderr, "localcluster:", err)
		os.Exit(1)
	}
}

func run(runs int) error {
	dir, err := os.MkdirTemp("", "harmony-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "local-cluster")
	if out, err := exec.Command("go", "build", "-o", exe, "./examples/local-cluster").CombinedOutput(); err != nil {
		return fmt.Errorf("build example: %v\n%s", err, out)
	}
	state := filepath.Join(dir, "state")
	timed := func(args ...string) (time.Duration, error) {
		start := time.Now()
		out, err := exec.Command(exe, append(args, "--state-dir", state)...).CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%v: %v\n%s", args, err, out)
		}
		return time.Since(start), nil
	}
	var cold, noop []time.Duration
	for range runs {
		d, err := timed()
		if err != nil {
			return err
		}
		cold = append(cold, d)
		for range 5 {
			d, err := timed()
			if err != nil {
				return err
			}
			noop = append(noop, d)
		}
		if _, err := timed("--destroy"); err != nil {
			return err
		}
	}
	fmt.Printf("%-28s %6s %10s %10s %10s\n", "local-cluster (3 servers)", "runs", "median", "best", "worst")
	for _, row := range []struct {
		name string
		ds   []time.Duration
	}{{"cold bring-up", cold}, {"no-op re-run", noop}} {
		slices.Sort(row.ds)
		fmt.Printf("%-28s %6d %10s %10s %10s\n", row.name, len(row.ds), round(row.ds[len(row.ds)/2]), round(row.ds[0]), round(row.ds[len(row.ds)-1]))
	}
	return nil
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
