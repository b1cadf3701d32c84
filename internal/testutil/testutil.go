package testutil

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// PortBase returns a base b such that b+off+i is free on 127.0.0.1 for
// every offset and i < n. The offsets default to 0, 2000 and 4000 (the
// port layout of nats.Cluster).
func PortBase(t testing.TB, n int, offsets ...int) int {
	t.Helper()
	if len(offsets) == 0 {
		offsets = []int{0, 2000, 4000}
	}
	for range 200 {
		base := 20000 + rand.IntN(20000)
		ok := true
		for i := 0; i < n && ok; i++ {
			for _, off := range offsets {
				if !Free(base + off + i) {
					ok = false
					break
				}
			}
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range found")
	return 0
}

// Free reports whether 127.0.0.1:port can be listened on.
func Free(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// Eventually polls cond every 20ms until it returns nil or d passes, then
// fails the test with cond's last error.
func Eventually(t testing.TB, d time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v: %v", d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PIDs reads the pid file of every server under a local state dir.
func PIDs(t testing.TB, stateDir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	matches, _ := filepath.Glob(filepath.Join(stateDir, "servers", "*", "pid"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(filepath.Dir(m))] = pid
	}
	return out
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// ModTimes records the modification time of every file harmony manages
// under a local state dir: everything but JetStream data and server logs,
// which the servers themselves write.
func ModTimes(t testing.TB, stateDir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(stateDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "jetstream" {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() == "server.log" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = info.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
