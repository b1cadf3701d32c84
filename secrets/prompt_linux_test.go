//go:build linux

package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/harmony-go/harmony/secrets"
	"golang.org/x/sys/unix"
)

// screen collects what the program writes to a pseudo-terminal.
type screen struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until the screen shows want n times.
func (s *screen) waitFor(t *testing.T, want string, n int) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for strings.Count(s.String(), want) < n {
		select {
		case <-s.changed:
		case <-deadline.C:
			t.Fatalf("terminal never showed %q %d times; screen:\n%s", want, n, s.String())
		}
	}
}

// waitEchoOff waits until the program has turned echo off, as a person
// would see the cursor stop echoing before typing a password.
func waitEchoOff(t *testing.T, tty *os.File) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("echo never turned off")
		}
		time.Sleep(time.Millisecond) // poll interval, bounded by the deadline
	}
}

// Point 2: a person answers the prompt on a real pseudo-terminal.
func TestGetOrPromptTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	scr := &screen{changed: make(chan struct{}, 1)}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		buf := make([]byte, 1024)
		for {
			n, err := ptmx.Read(buf)
			scr.mu.Lock()
			scr.buf.Write(buf[:n])
			scr.mu.Unlock()
			select {
			case scr.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = tty.Close()
		_ = ptmx.Close()
		<-readerDone
	})
	typeLine := func(s string) {
		t.Helper()
		if _, err := ptmx.Write([]byte(s + "\n")); err != nil {
			t.Fatal(err)
		}
	}

	dir := t.TempDir()
	name := secrets.NameFor[natsAdmin]("prompted")
	s, err := secrets.New(secrets.WithBackends(secrets.Env(), plainBackend(t, dir)), secrets.WithTerminal(tty))
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		v   natsAdmin
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := secrets.GetOrPrompt[natsAdmin](t.Context(), s, name)
		done <- result{v, err}
	}()

	const (
		userQ  = "user — Admin user name: "
		passQ  = "password — Admin password [hidden]: "
		portQ  = "port — Monitoring port [optional]: "
		tooShy = "tiny7"
		secret = "s3cret-canary-pw-42"
	)
	scr.waitFor(t, name.EnvVar(), 1)
	scr.waitFor(t, userQ, 1)
	typeLine("Bad User")
	scr.waitFor(t, "invalid: user: does not match pattern ^[a-z]+$; try again", 1)
	scr.waitFor(t, userQ, 2)
	typeLine("admin")

	scr.waitFor(t, passQ, 1)
	waitEchoOff(t, tty)
	typeLine(tooShy)
	scr.waitFor(t, "invalid: password: shorter than 12 characters; try again", 1)
	scr.waitFor(t, passQ, 2)
	waitEchoOff(t, tty)
	typeLine(secret)

	scr.waitFor(t, portQ, 1)
	typeLine("70000")
	scr.waitFor(t, "invalid: port: more than the maximum 65535; try again", 1)
	scr.waitFor(t, portQ, 2)
	typeLine("8222")

	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("GetOrPrompt did not return; screen:\n%s", scr.String())
	}
	if r.err != nil {
		t.Fatalf("GetOrPrompt: %v; screen:\n%s", r.err, scr.String())
	}
	want := natsAdmin{User: "admin", Password: secrets.NewValue(secret), Port: 8222}
	checkAdmin(t, r.v, want)

	screenText := scr.String()
	for _, hidden := range []string{secret, tooShy} {
		if strings.Contains(screenText, hidden) {
			t.Fatalf("the terminal echoed the secret %q:\n%s", hidden, screenText)
		}
	}
	for _, echoed := range []string{"Bad User", "admin", "8222"} {
		if !strings.Contains(screenText, echoed) {
			t.Fatalf("the terminal did not echo %q:\n%s", echoed, screenText)
		}
	}

	// The answer was stored: a later run reads it without a terminal.
	got, err := secrets.Get[natsAdmin](t.Context(), newStore(t, plainBackend(t, dir)), name)
	if err != nil {
		t.Fatal(err)
	}
	checkAdmin(t, got, want)
}

// Point 3 through a pseudo-terminal's absence: EOF on the terminal ends the
// prompt with an error instead of looping.
func TestGetOrPromptTerminalClosed(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { _ = tty.Close() })
	go func() { // drain output until the master closes
		buf := make([]byte, 1024)
		for {
			if _, err := ptmx.Read(buf); err != nil {
				return
			}
		}
	}()
	s, err := secrets.New(secrets.WithBackends(plainBackend(t, t.TempDir())), secrets.WithTerminal(tty))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ptmx.Write([]byte{4}); err != nil { // Ctrl-D: end of input
		t.Fatal(err)
	}
	_, err = secrets.GetOrPrompt[natsAdmin](t.Context(), s, "closed")
	_ = ptmx.Close()
	if err == nil || errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("err = %v, want a terminal error", err)
	}
}
