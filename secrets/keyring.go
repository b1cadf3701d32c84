package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"
)

// serviceName groups harmony's items in OS keyrings: the macOS Keychain
// service, the Secret Service collection, the KWallet folder, the Windows
// credential prefix.
const serviceName = "harmony"

// osKeyringKinds are the keyrings [OSKeyring] tries, in order. keyctl is
// left out (its keys die with the session, and a seed must outlive it), so
// is pass (it needs a GPG agent and may prompt).
var osKeyringKinds = []keyring.BackendType{
	keyring.KeychainBackend,
	keyring.WinCredBackend,
	keyring.SecretServiceBackend,
	keyring.KWalletBackend,
}

// probeTimeout bounds how long [OSKeyring] waits for a keyring daemon.
var probeTimeout = 3 * time.Second

type keyringBackend struct {
	kr    keyring.Keyring
	label string
	dir   string // encrypted-file backend only

	mu       sync.Mutex
	verified bool // the passphrase opened at least one file
}

// OSKeyring opens the operating system's keyring: the macOS Keychain,
// Windows Credential Manager, or on Linux the Secret Service (GNOME Keyring,
// KeePassXC…) or KWallet, reached over the D-Bus session bus. It never
// prompts while probing and gives up after a few seconds or when ctx ends,
// returning an error wrapping [ErrUnavailable]; a probe that gave up keeps
// running in the background until the keyring library returns. Reading from
// a locked keyring later may show the desktop's unlock dialog.
func OSKeyring(ctx context.Context) (Backend, error) {
	available := map[keyring.BackendType]bool{}
	for _, k := range keyring.AvailableBackends() {
		available[k] = true
	}
	var errs []error
	for _, kind := range osKeyringKinds {
		if !available[kind] {
			continue
		}
		kr, err := openWithin(ctx, keyring.Config{
			AllowedBackends:                []keyring.BackendType{kind},
			ServiceName:                    serviceName,
			KeychainTrustApplication:       true,
			KeychainAccessibleWhenUnlocked: true,
			LibSecretCollectionName:        serviceName,
			KWalletAppID:                   serviceName,
			KWalletFolder:                  serviceName,
			WinCredPrefix:                  serviceName,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", kind, err))
			continue
		}
		return &keyringBackend{kr: kr, label: "keyring(" + string(kind) + ")"}, nil
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("secrets: no OS keyring on this host (no keyring daemon on the D-Bus session bus): %w", ErrUnavailable)
	}
	return nil, fmt.Errorf("secrets: no OS keyring reachable: %w: %w", ErrUnavailable, errors.Join(errs...))
}

// openWithin runs keyring.Open, which cannot be cancelled, in a goroutine and
// stops waiting at probeTimeout or when ctx ends.
func openWithin(ctx context.Context, cfg keyring.Config) (keyring.Keyring, error) {
	type result struct {
		kr  keyring.Keyring
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned probe can still finish
	go func() {
		kr, err := keyring.Open(cfg)
		ch <- result{kr, err}
	}()
	timer := time.NewTimer(probeTimeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.kr, r.err
	case <-timer.C:
		return nil, fmt.Errorf("no answer within %s", probeTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// passphraseError marks errors of the passphrase function, so they are
// returned as they are and not mistaken for a damaged file.
type passphraseError struct{ err error }

func (e passphraseError) Error() string { return e.err.Error() }
func (e passphraseError) Unwrap() error { return e.err }

// EncryptedFile opens the encrypted-file keyring of 99designs/keyring in dir:
// one file per secret, named after it, encrypted with a key derived from the
// passphrase (JWE, PBES2-HS256+A128KW, A256GCM), mode 0600 in a 0700
// directory. passphrase is called at most once per successful unlock, the
// first time a file is read or written; an empty passphrase is refused.
//
// A file the passphrase does not open gives an error wrapping
// [ErrWrongPassphrase], a damaged one [ErrCorrupt]; both name the file, and
// neither Load nor Save ever changes an existing file in that case. Before
// its first write, Save checks the passphrase against an existing file, so
// one directory never mixes passphrases.
func EncryptedFile(dir string, passphrase func() (string, error)) (Backend, error) {
	if dir == "" {
		return nil, errors.New("secrets: encrypted file backend: empty directory")
	}
	if passphrase == nil {
		return nil, errors.New("secrets: encrypted file backend: nil passphrase function")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("secrets: encrypted file backend: %w", err)
	}
	kr, err := keyring.Open(keyring.Config{
		AllowedBackends: []keyring.BackendType{keyring.FileBackend},
		ServiceName:     serviceName,
		FileDir:         abs,
		FilePasswordFunc: func(string) (string, error) {
			p, err := passphrase()
			if err != nil {
				return "", passphraseError{err}
			}
			if p == "" {
				return "", passphraseError{errors.New("empty passphrase for " + abs)}
			}
			return p, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("secrets: encrypted file backend: %w", err)
	}
	return &keyringBackend{kr: kr, label: "encrypted-file(" + abs + ")", dir: abs}, nil
}

func (b *keyringBackend) String() string { return b.label }

func (b *keyringBackend) Load(_ context.Context, name Name) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	it, err := b.kr.Get(string(name))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, fmt.Errorf("%s: %w", b.label, ErrNotFound)
	}
	if err != nil {
		return nil, b.explain(name, err)
	}
	b.verified = true
	return it.Data, nil
}

func (b *keyringBackend) Save(_ context.Context, name Name, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.verifyPassphrase(); err != nil {
		return err
	}
	err := b.kr.Set(keyring.Item{
		Key:         string(name),
		Data:        data,
		Label:       serviceName + " " + string(name),
		Description: "harmony secret " + string(name),
	})
	if err != nil {
		return b.explain(name, err)
	}
	return nil
}

// verifyPassphrase opens one existing file of an encrypted directory before
// the first write. Damaged files are skipped; a wrong passphrase stops.
func (b *keyringBackend) verifyPassphrase() error {
	if b.dir == "" || b.verified {
		return nil
	}
	keys, err := b.kr.Keys()
	if err != nil {
		return fmt.Errorf("%s: %w", b.label, err)
	}
	for _, k := range keys {
		if Name(k).Validate() != nil {
			continue // not ours
		}
		_, err := b.kr.Get(k)
		if err == nil {
			break
		}
		if err := b.explain(Name(k), err); !errors.Is(err, ErrCorrupt) {
			return err
		}
	}
	b.verified = true
	return nil
}

// explain turns a keyring error into one that says what to do. It never
// includes the library's message for decryption or decoding failures, which
// could quote decrypted bytes.
func (b *keyringBackend) explain(name Name, err error) error {
	var pe passphraseError
	if errors.As(err, &pe) {
		return pe.err
	}
	if b.dir == "" {
		return fmt.Errorf("%s: %w", b.label, err)
	}
	file := filepath.Join(b.dir, string(name))
	if strings.Contains(err.Error(), "integrity check failed") { // AES key unwrap: the passphrase-derived key is wrong
		return fmt.Errorf("cannot decrypt %s: %w (or the file was altered); the file was left unchanged: set %s to the passphrase it was written with, or move the file away to start afresh",
			file, ErrWrongPassphrase, PassphraseEnv)
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) { // reading or writing the file failed: nothing was decrypted
		return fmt.Errorf("%s: %w", b.label, err)
	}
	return fmt.Errorf("cannot read %s: %w: not a valid encrypted secret; the file was left unchanged: restore it from a backup, or move it away so the secret is prompted for or generated again",
		file, ErrCorrupt)
}
