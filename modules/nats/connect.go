package nats

import (
	"context"
	"errors"
	"fmt"
	"strings"

	natsgo "github.com/nats-io/nats.go"

	"github.com/harmony-go/harmony/secrets"
)

// ErrNotDeployed is returned when no server to connect to is deployed yet.
var ErrNotDeployed = errors.New("no server deployed yet")

// Connect opens a client connection to urls as an NKey user whose seed is
// in store under secrets.UserSeedName(account, user). It does not generate
// a missing seed: it returns an error wrapping secrets.ErrNotFound. The seed
// signs the server's nonce and is never written anywhere.
func Connect(ctx context.Context, urls []string, store *secrets.Store, account, user string, opts ...natsgo.Option) (*natsgo.Conn, error) {
	if len(urls) == 0 {
		return nil, ErrNotDeployed
	}
	seed, err := secrets.Get[secrets.NKeySeed](ctx, store, secrets.UserSeedName(account, user))
	if err != nil {
		return nil, fmt.Errorf("user %s of account %s: %w", user, account, err)
	}
	kp, err := seed.KeyPair()
	if err != nil {
		return nil, fmt.Errorf("user %s of account %s: %w", user, account, err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	all := append([]natsgo.Option{
		natsgo.Name("harmony " + account + "/" + user),
		natsgo.Nkey(pub, kp.Sign),
		natsgo.MaxReconnects(-1),
	}, opts...)
	nc, err := natsgo.Connect(strings.Join(urls, ","), all...)
	if err != nil {
		return nil, fmt.Errorf("connect as %s/%s: %w", account, user, err)
	}
	return nc, nil
}
