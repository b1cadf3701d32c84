package secrets

import (
	"context"
	"fmt"
	"os"
)

// Backend keeps secrets as JSON documents keyed by [Name]. A [Store] asks
// its backends in order. Backends never see Go types; the bytes they hold
// are plaintext JSON, so a Backend must not log or print them.
//
// Implementations in this package: [Env], [OSKeyring], [EncryptedFile],
// [PlainFile].
type Backend interface {
	// String names the backend in messages: "env", "keyring(secret-service)",
	// "encrypted-file(/home/u/.config/harmony/secrets/keyring)".
	String() string
	// Load returns the JSON stored under name, or an error wrapping
	// [ErrNotFound] when there is none.
	Load(ctx context.Context, name Name) ([]byte, error)
	// Save stores data under name, replacing what was there. A read-only
	// backend returns an error wrapping [ErrReadOnly].
	Save(ctx context.Context, name Name, data []byte) error
}

// envBackend is the read-only environment backend.
type envBackend struct{}

// Env returns the read-only backend that reads the secret name from the
// environment variable [Name.EnvVar] (HARMONY_SECRET_<NAME>), holding the
// secret's JSON. An unset or empty variable is [ErrNotFound]. It is the CI
// backend and comes first in [Default], so a variable always overrides what
// is stored on the host.
func Env() Backend { return envBackend{} }

func (envBackend) String() string { return "env" }

func (envBackend) Load(_ context.Context, name Name) ([]byte, error) {
	v := os.Getenv(name.EnvVar())
	if v == "" {
		return nil, fmt.Errorf("%s unset: %w", name.EnvVar(), ErrNotFound)
	}
	return []byte(v), nil
}

func (envBackend) Save(context.Context, Name, []byte) error {
	return fmt.Errorf("environment: %w", ErrReadOnly)
}
