package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Environment variables read by [Default].
const (
	// PassphraseEnv holds the passphrase of the encrypted-file backend.
	// Setting it selects that backend (see [Default]).
	PassphraseEnv = "HARMONY_KEYRING_PASSPHRASE"
	// DirEnv overrides the directory of the file backends (see [Dir]).
	DirEnv = "HARMONY_SECRETS_DIR"
)

// Dir returns the directory of the file backends of [Default]:
// $HARMONY_SECRETS_DIR, else <user config dir>/harmony/secrets
// ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on
// macOS, %AppData% on Windows). The encrypted files live in its keyring/
// subdirectory, the plain ones in plain/.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		return filepath.Abs(d)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("secrets: no directory for secret files (set %s): %w", DirEnv, err)
	}
	return filepath.Join(cfg, "harmony", "secrets"), nil
}

// Default returns the store harmony uses unless told otherwise. It needs no
// setup: on a fresh headless host with no keyring daemon, no terminal and no
// variable set it works, keeping secrets in owner-only plain files.
//
// Backends, asked in this order:
//
//  1. [Env]: HARMONY_SECRET_<NAME>, read-only. First so that CI, and anyone
//     overriding a stored value, always wins.
//  2. [EncryptedFile] in [Dir]/keyring, when HARMONY_KEYRING_PASSPHRASE is
//     set: an explicit choice for headless hosts, so the OS keyring is not
//     probed.
//  3. [OSKeyring], when a keyring answers the probe (a few seconds at most,
//     never a prompt).
//  4. [EncryptedFile] in [Dir]/keyring, when 2 did not apply but that
//     directory holds secrets; its passphrase is asked on the terminal, or
//     the error names HARMONY_KEYRING_PASSPHRASE.
//  5. [PlainFile] in [Dir]/plain: the writable backend when none of 2-4
//     applies, announced on the notices writer (standard error), when a
//     secret is first written there, with
//     how to switch to the encrypted file; otherwise only read, when it
//     holds secrets, so values written there before a switch keep being
//     found (they are not moved).
//
// Writes go to the first writable backend of the chain. Options apply as in
// [New]; [WithBackends] replaces the chain.
//
// Note: importing the keyring library connects to the D-Bus session bus at
// start-up to learn whether a Secret Service exists; that is its behaviour,
// not a prompt.
func Default(ctx context.Context, opts ...Option) (*Store, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	s := &Store{options: o}
	if len(o.backends) > 0 {
		return s, nil
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	encDir, plainDir := filepath.Join(dir, "keyring"), filepath.Join(dir, "plain")

	chain := []Backend{Env()}
	encrypted := func() error {
		b, err := EncryptedFile(encDir, s.passphrase(encDir))
		if err != nil {
			return err
		}
		chain = append(chain, b)
		return nil
	}
	if os.Getenv(PassphraseEnv) != "" {
		if err := encrypted(); err != nil {
			return nil, err
		}
	} else {
		kr, err := OSKeyring(ctx)
		switch {
		case err == nil:
			chain = append(chain, kr)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("secrets: %w", ctx.Err())
		default:
			s.logger.DebugContext(ctx, "no OS keyring", "err", err)
		}
		if hasEntries(encDir) {
			if err := encrypted(); err != nil {
				return nil, err
			}
		}
	}
	plain, err := PlainFile(plainDir)
	if err != nil {
		return nil, err
	}
	switch {
	case len(chain) == 1:
		chain = append(chain, &announced{Backend: plain, w: o.notices, notice: fmt.Sprintf(
			"harmony: no OS keyring reachable and %s unset: secrets are kept unencrypted in %s (files of mode 0600).\n"+
				"harmony: to encrypt new secrets instead, set %s to a passphrase (they then go to %s).\n",
			PassphraseEnv, plainDir, PassphraseEnv, encDir)})
	case hasEntries(plainDir):
		chain = append(chain, plain)
	}
	s.backends = chain
	return s, nil
}

func hasEntries(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0
}

// passphrase returns the passphrase function of the encrypted-file backend:
// HARMONY_KEYRING_PASSPHRASE, else a no-echo prompt on the terminal.
func (s *Store) passphrase(dir string) func() (string, error) {
	return func() (string, error) {
		if p := os.Getenv(PassphraseEnv); p != "" {
			return p, nil
		}
		t, err := s.terminal()
		if err != nil {
			return "", fmt.Errorf("%s is encrypted: %w; set %s to its passphrase", dir, ErrNoTerminal, PassphraseEnv)
		}
		defer t.close()
		fmt.Fprintf(t.out, "Passphrase of harmony's encrypted secrets in %s: ", dir)
		p, err := t.readLine(true)
		if err != nil {
			return "", err
		}
		if p == "" {
			return "", errors.New("empty passphrase")
		}
		return p, nil
	}
}
