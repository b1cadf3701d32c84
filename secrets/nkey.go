package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nkeys"
)

// NKeySeed is the seed of a NATS NKey, stored as {"seed":"SU…"} (a user) or
// {"seed":"SA…"} (an account). The public key is derived from it; only the
// seed is secret.
type NKeySeed struct {
	Seed Value `json:"seed" jsonschema:"description=NKey seed: SU… for a user or SA… for an account (nsc or nk -gen prints one),pattern=^S[UA][A-Z2-7]{56}$"`
}

// KeyPair returns the key pair of the seed. Wipe it when done
// (kp.Wipe()). The error never contains the seed.
func (s NKeySeed) KeyPair() (nkeys.KeyPair, error) {
	kp, err := nkeys.FromSeed([]byte(s.Seed.Reveal()))
	if err != nil {
		return nil, errors.New("secrets: not a valid NKey seed")
	}
	return kp, nil
}

// PublicKey returns the public key of the seed ("U…" or "A…").
func (s NKeySeed) PublicKey() (string, error) {
	kp, err := s.KeyPair()
	if err != nil {
		return "", err
	}
	defer kp.Wipe()
	return kp.PublicKey()
}

// UserSeedName names the seed of NATS user in account:
// "nats-user-<account>-<user>", parts slugged as in [NameFor]. The seed of
// user agent in account HARMONY is "nats-user-harmony-agent", supplied in CI
// by HARMONY_SECRET_NATS_USER_HARMONY_AGENT={"seed":"SU…"}.
func UserSeedName(account, user string) Name { return joinName("nats-user", account, user) }

// AccountSeedName names the seed of a NATS account:
// "nats-account-<account>".
func AccountSeedName(account string) Name { return joinName("nats-account", account) }

// UserSeed returns the NKey seed of NATS user in account, generating it with
// nkeys.CreateUser on first use and storing it under [UserSeedName]; every
// later call, in this process or another, returns the same seed (see
// [GenerateOnce]). A stored seed that is not a user seed is an error wrapping
// [ErrInvalidValue].
func UserSeed(ctx context.Context, s *Store, account, user string) (NKeySeed, error) {
	return seedOnce(ctx, s, UserSeedName(account, user), nkeys.PrefixByteUser, nkeys.CreateUser)
}

// AccountSeed returns the NKey seed of a NATS account, generating it with
// nkeys.CreateAccount on first use and storing it under [AccountSeedName],
// like [UserSeed].
func AccountSeed(ctx context.Context, s *Store, account string) (NKeySeed, error) {
	return seedOnce(ctx, s, AccountSeedName(account), nkeys.PrefixByteAccount, nkeys.CreateAccount)
}

func seedOnce(ctx context.Context, s *Store, name Name, want nkeys.PrefixByte, create func() (nkeys.KeyPair, error)) (NKeySeed, error) {
	seed, err := GenerateOnce(ctx, s, name, func() (NKeySeed, error) {
		kp, err := create()
		if err != nil {
			return NKeySeed{}, err
		}
		defer kp.Wipe()
		raw, err := kp.Seed()
		if err != nil {
			return NKeySeed{}, err
		}
		return NKeySeed{Seed: NewValue(string(raw))}, nil
	})
	if err != nil {
		return NKeySeed{}, err
	}
	prefix, _, err := nkeys.DecodeSeed([]byte(seed.Seed.Reveal()))
	if err != nil {
		return NKeySeed{}, fmt.Errorf("secrets: %s: %w: not a valid NKey seed", name, ErrInvalidValue)
	}
	if prefix != want {
		return NKeySeed{}, fmt.Errorf("secrets: %s: %w: want a seed of type %s, got %s", name, ErrInvalidValue, want, prefix)
	}
	return seed, nil
}
