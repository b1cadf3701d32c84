//go:build linux

package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/harmony-go/harmony/secrets"
)

// childEnv switches the test binary into defaultStoreProgram (see TestMain).
const childEnv = "SECRETS_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "default-store" {
		os.Exit(defaultStoreProgram())
	}
	os.Exit(m.Run())
}

// defaultStoreProgram is what a harmony command does with secrets on a fresh
// host: open the default store, get or generate an NKey seed, and ask for a
// secret nobody supplied. It prints the seed's public key.
func defaultStoreProgram() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := secrets.Default(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Default:", err)
		return 1
	}
	seed, err := secrets.UserSeed(ctx, s, "HARMONY", "agent")
	if err != nil {
		fmt.Fprintln(os.Stderr, "UserSeed:", err)
		return 1
	}
	pk, err := seed.PublicKey()
	if err != nil {
		fmt.Fprintln(os.Stderr, "PublicKey:", err)
		return 1
	}
	type apiToken struct {
		Token secrets.Value `json:"token"`
	}
	if _, err := secrets.GetOrPrompt[apiToken](ctx, s, "api-token"); !errors.Is(err, secrets.ErrNoTerminal) {
		fmt.Fprintln(os.Stderr, "GetOrPrompt: want ErrNoTerminal, got", err)
		return 1
	}
	fmt.Println(pk)
	return 0
}

// Point 7: with no keyring daemon, no terminal and no variable set, a
// program using the default store runs to the end, twice, and the second
// run reuses the first run's seed. The child has a scrubbed environment
// (PATH, HOME, and a D-Bus address where no bus listens), its own session
// (so no controlling terminal and /dev/tty cannot be opened) and /dev/null
// as standard input.
func TestDefaultStoreHeadless(t *testing.T) {
	home := t.TempDir()
	run := func() (stdout, stderr string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + home,
			"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-bus"),
			childEnv + "=default-store",
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("child: %v (context: %v)\nstderr:\n%s", err, ctx.Err(), errOut.String())
		}
		return strings.TrimSpace(out.String()), errOut.String()
	}

	pk1, stderr1 := run()
	plainDir := filepath.Join(home, ".config", "harmony", "secrets", "plain")
	if n := strings.Count(stderr1, "secrets are kept unencrypted in "+plainDir); n != 1 {
		t.Fatalf("the plain file fallback was announced %d times, want once; stderr:\n%s", n, stderr1)
	}
	if !strings.Contains(stderr1, "set "+secrets.PassphraseEnv) {
		t.Fatalf("the announcement does not say how to switch; stderr:\n%s", stderr1)
	}
	if !strings.HasPrefix(pk1, "U") {
		t.Fatalf("child printed %q, want a user public key", pk1)
	}
	fi, err := os.Stat(filepath.Join(plainDir, "nats-user-harmony-agent.json"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("seed file mode %04o, want 0600", perm)
	}

	pk2, stderr2 := run()
	if pk2 != pk1 {
		t.Fatalf("second run used public key %s, first %s", pk2, pk1)
	}
	if strings.Contains(stderr2, "unencrypted") {
		t.Fatalf("the fallback is announced when a secret is first written there, not on every read; second run's stderr:\n%s", stderr2)
	}
}

// Default switches to the encrypted file when the passphrase is set, and
// keeps reading what the plain fallback stored before the switch.
func TestDefaultStoreEncrypted(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(secrets.DirEnv, dir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))
	t.Setenv(secrets.PassphraseEnv, "")
	var notices strings.Builder
	plain, err := secrets.Default(t.Context(), secrets.WithNotices(&notices))
	if err != nil {
		t.Fatal(err)
	}
	if names := backendNames(plain); !strings.Contains(names, "file(") || strings.Contains(names, "keyring") {
		t.Skipf("an OS keyring answered (%s); this test wants none", names)
	}
	before, err := secrets.UserSeed(t.Context(), plain, "HARMONY", "agent")
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv(secrets.PassphraseEnv, "a passphrase")
	enc, err := secrets.Default(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := backendNames(enc), "env, encrypted-file("+filepath.Join(dir, "keyring")+"), file("+filepath.Join(dir, "plain")+")"; got != want {
		t.Fatalf("backends %s, want %s", got, want)
	}
	after, err := secrets.UserSeed(t.Context(), enc, "HARMONY", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if !after.Seed.Equal(before.Seed) {
		t.Fatal("switching to the encrypted file lost the seed")
	}
	if _, err := secrets.AccountSeed(t.Context(), enc, "HARMONY"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keyring", "nats-account-harmony")); err != nil {
		t.Fatalf("new secret not in the encrypted file: %v", err)
	}
}

func backendNames(s *secrets.Store) string {
	var names []string
	for _, b := range s.Backends() {
		names = append(names, b.String())
	}
	return strings.Join(names, ", ")
}
