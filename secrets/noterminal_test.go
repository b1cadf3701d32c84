package secrets_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/harmony-go/harmony/secrets"
)

// Point 3: without a terminal, GetOrPrompt fails at once, naming the
// variable to set and the JSON it expects. The "terminals" here would block
// forever if read: a pipe nobody writes to.
func TestGetOrPromptNoTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(); _ = w.Close() })
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = devNull.Close() })

	tests := []struct {
		name   string
		tty    *os.File
		prompt func(s *secrets.Store) error
		want   string
	}{
		{
			name: "nkey seed on a pipe",
			tty:  r,
			prompt: func(s *secrets.Store) error {
				_, err := secrets.GetOrPrompt[secrets.NKeySeed](t.Context(), s, secrets.UserSeedName("HARMONY", "agent"))
				return err
			},
			want: `secrets: nats-user-harmony-agent: no terminal to prompt on; set HARMONY_SECRET_NATS_USER_HARMONY_AGENT to JSON like {"seed":"<string>"}`,
		},
		{
			name: "struct on /dev/null",
			tty:  devNull,
			prompt: func(s *secrets.Store) error {
				_, err := secrets.GetOrPrompt[natsAdmin](t.Context(), s, "nats-admin-ci")
				return err
			},
			want: `secrets: nats-admin-ci: no terminal to prompt on; set HARMONY_SECRET_NATS_ADMIN_CI to JSON like {"user":"<string>","password":"<string>","port":<integer>}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := secrets.New(secrets.WithBackends(secrets.Env(), plainBackend(t, t.TempDir())), secrets.WithTerminal(tt.tty))
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- tt.prompt(s) }()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("GetOrPrompt blocked without a terminal")
			}
			if !errors.Is(err, secrets.ErrNoTerminal) {
				t.Fatalf("err = %v, want ErrNoTerminal", err)
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}
