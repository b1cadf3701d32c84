package secrets_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/harmony-go/harmony/secrets"
)

// natsAdmin is the struct secret of these tests.
type natsAdmin struct {
	User     string        `json:"user" jsonschema:"description=Admin user name,pattern=^[a-z]+$"`
	Password secrets.Value `json:"password" jsonschema:"description=Admin password,minLength=12"`
	Port     int           `json:"port,omitempty" jsonschema:"description=Monitoring port,minimum=1,maximum=65535"`
}

func fixedPassphrase(p string) func() (string, error) {
	return func() (string, error) { return p, nil }
}

func newStore(t *testing.T, b ...secrets.Backend) *secrets.Store {
	t.Helper()
	s, err := secrets.New(secrets.WithBackends(b...))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func plainBackend(t *testing.T, dir string) secrets.Backend {
	t.Helper()
	b, err := secrets.PlainFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encryptedBackend(t *testing.T, dir, passphrase string) secrets.Backend {
	t.Helper()
	b, err := secrets.EncryptedFile(dir, fixedPassphrase(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkAdmin(t *testing.T, got natsAdmin, want natsAdmin) {
	t.Helper()
	if got.User != want.User || got.Port != want.Port || got.Password.Reveal() != want.Password.Reveal() {
		t.Fatalf("got user %q port %d password equal %v, want user %q port %d",
			got.User, got.Port, got.Password.Equal(want.Password), want.User, want.Port)
	}
}

// Point 1: a struct secret survives each backend.
func TestRoundTrip(t *testing.T) {
	want := natsAdmin{User: "admin", Password: secrets.NewValue(canary), Port: 8222}
	name := secrets.NameFor[natsAdmin]("rt")

	t.Run("env", func(t *testing.T) {
		t.Setenv(name.EnvVar(), `{"user":"admin","password":"`+canary+`","port":8222}`)
		s := newStore(t, secrets.Env())
		got, err := secrets.Get[natsAdmin](t.Context(), s, name)
		if err != nil {
			t.Fatal(err)
		}
		checkAdmin(t, got, want)
		if err := secrets.Set(t.Context(), s, name, want); !errors.Is(err, secrets.ErrReadOnly) {
			t.Fatalf("Set on env = %v, want ErrReadOnly", err)
		}
	})

	files := []struct {
		name    string
		backend func(t *testing.T, dir string) secrets.Backend
		file    string
		private bool // plaintext on disk, so check its mode
	}{
		{"encrypted file", func(t *testing.T, dir string) secrets.Backend { return encryptedBackend(t, dir, "correct horse") }, string(name), false},
		{"plain file", plainBackend, string(name) + ".json", true},
	}
	for _, tt := range files {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "secrets")
			if err := secrets.Set(t.Context(), newStore(t, tt.backend(t, dir)), name, want); err != nil {
				t.Fatal(err)
			}
			// A second store over the same directory, as a later run would open.
			got, err := secrets.Get[natsAdmin](t.Context(), newStore(t, tt.backend(t, dir)), name)
			if err != nil {
				t.Fatal(err)
			}
			checkAdmin(t, got, want)

			path := filepath.Join(dir, tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "REDACTED") {
				t.Fatalf("%s holds the placeholder, not the secret", path)
			}
			if !tt.private && strings.Contains(string(data), canary) {
				t.Fatalf("%s holds the plaintext", path)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Fatalf("%s has mode %04o, want 0600", path, perm)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	name := secrets.NameFor[natsAdmin]("missing")
	s := newStore(t, secrets.Env(), plainBackend(t, t.TempDir()))
	_, err := secrets.Get[natsAdmin](t.Context(), s, name)
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), name.EnvVar()) {
		t.Fatalf("error %q does not name %s", err, name.EnvVar())
	}
}

// Errors about a bad value never quote it.
func TestInvalidValueErrors(t *testing.T) {
	name := secrets.NameFor[natsAdmin]("bad")
	tests := []struct {
		name string
		env  string
		want []string // substrings of the error
	}{
		{"truncated JSON", `{"user":"admin","password":"` + canary, []string{"not valid JSON"}},
		{"syntax error inside a value", `{"user":"admin","password":` + canary + `}`, []string{"not valid JSON"}},
		{"too short", `{"user":"admin","password":"canary-ab"}`, []string{"password: shorter than 12"}},
		{"pattern", `{"user":"` + canary + `","password":"` + canary + `"}`, []string{"user: does not match pattern"}},
		{"wrong type", `{"user":"admin","password":"` + canary + `","port":"` + canary + `"}`, []string{"port: want a JSON integer"}},
		{"missing and unknown", `{"usr":"` + canary + `"}`, []string{"user: required", "password: required", "usr: unknown field"}},
		{"placeholder", `{"user":"admin","password":"REDACTED"}`, []string{"password: shorter than 12"}},
		{"placeholder long enough", `{"user":"admin","password":"REDACTEDREDACTED"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(name.EnvVar(), tt.env)
			got, err := secrets.Get[natsAdmin](t.Context(), newStore(t, secrets.Env()), name)
			if tt.want == nil {
				if err != nil || got.Password.Reveal() != "REDACTEDREDACTED" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, secrets.ErrInvalidValue) {
				t.Fatalf("err = %v, want ErrInvalidValue", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "canary") {
				t.Fatalf("error %q quotes the value", msg)
			}
			for _, w := range append(tt.want, name.EnvVar()) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestSetValidates(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, plainBackend(t, dir))
	err := secrets.Set(t.Context(), s, "nats-admin-x", natsAdmin{User: "Admin", Password: secrets.NewValue("canary")})
	if !errors.Is(err, secrets.ErrInvalidValue) {
		t.Fatalf("err = %v, want ErrInvalidValue", err)
	}
	if strings.Contains(err.Error(), "canary") {
		t.Fatalf("error %q quotes the value", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Set stored an invalid value: %v", entries)
	}
	if err := secrets.Set(t.Context(), s, "Not A Name", natsAdmin{}); !errors.Is(err, secrets.ErrInvalidName) {
		t.Fatalf("err = %v, want ErrInvalidName", err)
	}
}

// The environment overrides stored values; writes go to the first writable
// backend.
func TestStoreOrder(t *testing.T) {
	name := secrets.NameFor[natsAdmin]("order")
	first, second := t.TempDir(), t.TempDir()
	stored := natsAdmin{User: "stored", Password: secrets.NewValue("stored-password")}
	if err := secrets.Set(t.Context(), newStore(t, plainBackend(t, second)), name, stored); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, secrets.Env(), plainBackend(t, first), plainBackend(t, second))

	got, err := secrets.Get[natsAdmin](t.Context(), s, name)
	if err != nil {
		t.Fatal(err)
	}
	checkAdmin(t, got, stored)

	t.Setenv(name.EnvVar(), `{"user":"fromenv","password":"env-password-123"}`)
	got, err = secrets.Get[natsAdmin](t.Context(), s, name)
	if err != nil {
		t.Fatal(err)
	}
	checkAdmin(t, got, natsAdmin{User: "fromenv", Password: secrets.NewValue("env-password-123")})

	if err := secrets.Set(t.Context(), s, "other", natsAdmin{User: "o", Password: secrets.NewValue("other-password")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(first, "other.json")); err != nil {
		t.Fatalf("Set did not write to the first writable backend: %v", err)
	}
}

// failing is a backend whose Load fails as a locked keyring would.
type failing struct{}

func (failing) String() string { return "failing" }
func (failing) Load(context.Context, secrets.Name) ([]byte, error) {
	return nil, errors.New("keyring locked")
}
func (failing) Save(context.Context, secrets.Name, []byte) error { return errors.New("keyring locked") }

// A failing backend stops the lookup: nothing behind it answers, and nothing
// is generated in its place.
func TestBackendErrorStops(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, failing{}, plainBackend(t, dir))
	_, err := secrets.UserSeed(t.Context(), s, "A", "u")
	if err == nil || errors.Is(err, secrets.ErrNotFound) || !strings.Contains(err.Error(), "keyring locked") {
		t.Fatalf("err = %v, want the backend's error", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a seed was generated behind a failing backend: %v", entries)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []secrets.Option
	}{
		{"no backends", nil},
		{"empty WithBackends", []secrets.Option{secrets.WithBackends()}},
		{"nil backend", []secrets.Option{secrets.WithBackends(secrets.Env(), nil)}},
		{"nil terminal", []secrets.Option{secrets.WithBackends(secrets.Env()), secrets.WithTerminal(nil)}},
		{"nil notices", []secrets.Option{secrets.WithBackends(secrets.Env()), secrets.WithNotices(nil)}},
		{"nil logger", []secrets.Option{secrets.WithBackends(secrets.Env()), secrets.WithLogger(nil)}},
		{"nil option", []secrets.Option{secrets.WithBackends(secrets.Env()), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := secrets.New(tt.opts...)
			if !errors.Is(err, secrets.ErrInvalidOption) {
				t.Fatalf("err = %v, want ErrInvalidOption", err)
			}
		})
	}
}

func TestPlainFileRefusesOpenPermissions(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, plainBackend(t, dir))
	name := secrets.Name("perm")
	if err := secrets.Set(t.Context(), s, name, natsAdmin{User: "a", Password: secrets.NewValue("long-enough-pw")}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "perm.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := secrets.Get[natsAdmin](t.Context(), s, name)
	if !errors.Is(err, secrets.ErrInsecurePermissions) {
		t.Fatalf("err = %v, want ErrInsecurePermissions", err)
	}
}
