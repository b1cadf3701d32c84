package local

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func newTest(t *testing.T) *Local {
	t.Helper()
	l, err := New("unit", WithStateDir(filepath.Join(t.TempDir(), "state")))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestWriteFileOnlyWhenChangedAndDestroyKeepsForeignFiles(t *testing.T) {
	l := newTest(t)
	for _, bad := range []string{"", "../escape", "a/b", "lock", "servers", manifest} {
		if _, err := l.WriteFile(bad, []byte("x")); err == nil {
			t.Errorf("WriteFile(%q) accepted", bad)
		}
	}
	if wrote, err := l.WriteFile("connect.json", []byte("{}\n")); err != nil || !wrote {
		t.Fatalf("first write: %v %v", wrote, err)
	}
	if wrote, err := l.WriteFile("connect.json", []byte("{}\n")); err != nil || wrote {
		t.Fatalf("same content must not be rewritten: %v %v", wrote, err)
	}
	foreign := filepath.Join(l.StateDir(), "notes.txt")
	if err := os.WriteFile(foreign, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := l.Destroy(t.Context())
	if err == nil || !strings.Contains(err.Error(), "did not write") {
		t.Errorf("Destroy should report the foreign file, got %v", err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("Destroy removed a file harmony did not write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.StateDir(), "connect.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Destroy left connect.json: %v", err)
	}
}

// A PID file naming a process that is not our server (a stale file after
// a reboot, say) must not make harmony adopt or signal that process.
func TestForeignPIDIsNeitherAdoptedNorKilled(t *testing.T) {
	l := newTest(t)
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	dir := l.serverDir("s1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(other.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := l.inspect("s1"); p.running {
		t.Fatal("a foreign process was taken for our server")
	}
	if err := l.Destroy(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(other.Process.Pid, 0); err != nil {
		t.Errorf("Destroy signalled a process it did not start: %v", err)
	}
	if _, err := os.Stat(l.StateDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state dir left: %v", err)
	}
}

func TestNewRefusesBadNames(t *testing.T) {
	for _, name := range []string{"", "a/b", "../x", " spaced"} {
		if _, err := New(name); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("New(%q) = %v, want ErrInvalidOption", name, err)
		}
	}
}
