package secrets_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/harmony-go/harmony/secrets"
	"github.com/nats-io/nkeys"
)

func publicKey(t *testing.T, s secrets.NKeySeed) string {
	t.Helper()
	pk, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// Point 6: seeds generated on the first run are reused on the second. Each
// run opens its own store over the same directory, as a new process would.
func TestSeedsReused(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T, dir string) secrets.Backend
	}{
		{"plain file", plainBackend},
		{"encrypted file", func(t *testing.T, dir string) secrets.Backend { return encryptedBackend(t, dir, "pass") }},
	}
	seeds := []struct {
		name   string
		get    func(s *secrets.Store) (secrets.NKeySeed, error)
		prefix string
	}{
		{"user", func(s *secrets.Store) (secrets.NKeySeed, error) {
			return secrets.UserSeed(t.Context(), s, "HARMONY", "agent")
		}, "U"},
		{"account", func(s *secrets.Store) (secrets.NKeySeed, error) {
			return secrets.AccountSeed(t.Context(), s, "HARMONY")
		}, "A"},
	}
	for _, b := range backends {
		for _, sd := range seeds {
			t.Run(b.name+"/"+sd.name, func(t *testing.T) {
				dir := t.TempDir()
				first, err := sd.get(newStore(t, secrets.Env(), b.open(t, dir)))
				if err != nil {
					t.Fatal(err)
				}
				second, err := sd.get(newStore(t, secrets.Env(), b.open(t, dir)))
				if err != nil {
					t.Fatal(err)
				}
				pk1, pk2 := publicKey(t, first), publicKey(t, second)
				if pk1 != pk2 {
					t.Fatalf("public key changed between runs: %s then %s", pk1, pk2)
				}
				if !strings.HasPrefix(pk1, sd.prefix) {
					t.Fatalf("public key %s, want prefix %s", pk1, sd.prefix)
				}
				// A different user gets a different seed.
				other, err := secrets.UserSeed(t.Context(), newStore(t, b.open(t, dir)), "HARMONY", "other")
				if err != nil {
					t.Fatal(err)
				}
				if publicKey(t, other) == pk1 {
					t.Fatal("two users share a seed")
				}
			})
		}
	}
}

func seedOf(t *testing.T, create func() (nkeys.KeyPair, error)) (seed, public string) {
	t.Helper()
	kp, err := create()
	if err != nil {
		t.Fatal(err)
	}
	s, err := kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	pk, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return string(s), pk
}

// HARMONY_SECRET_NATS_USER_HARMONY_AGENT={"seed":"SU…"} supplies the seed
// of user agent in account HARMONY; nothing is generated or written.
func TestUserSeedFromEnv(t *testing.T) {
	seed, pk := seedOf(t, nkeys.CreateUser)
	t.Setenv("HARMONY_SECRET_NATS_USER_HARMONY_AGENT", `{"seed":"`+seed+`"}`)
	dir := t.TempDir()
	got, err := secrets.UserSeed(t.Context(), newStore(t, secrets.Env(), plainBackend(t, dir)), "HARMONY", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if publicKey(t, got) != pk {
		t.Fatal("UserSeed ignored the environment")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("UserSeed wrote %v although the environment had the seed", entries)
	}
}

func TestUserSeedWrongKind(t *testing.T) {
	account, _ := seedOf(t, nkeys.CreateAccount)
	tests := []struct {
		name string
		env  string
	}{
		{"account seed for a user", `{"seed":"` + account + `"}`},
		{"not a seed", `{"seed":"SU` + strings.Repeat("A", 56) + `"}`},
		{"pattern", `{"seed":"hello"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HARMONY_SECRET_NATS_USER_HARMONY_AGENT", tt.env)
			_, err := secrets.UserSeed(t.Context(), newStore(t, secrets.Env(), plainBackend(t, t.TempDir())), "HARMONY", "agent")
			if !errors.Is(err, secrets.ErrInvalidValue) {
				t.Fatalf("err = %v, want ErrInvalidValue", err)
			}
			if strings.Contains(err.Error(), account) || strings.Contains(err.Error(), "hello") {
				t.Fatalf("error %q quotes the value", err)
			}
		})
	}
}
