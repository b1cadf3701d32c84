package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/harmony-go/harmony/secrets"
)

func dirListing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// Point 5: a keyring file the passphrase does not open, or a damaged one,
// gives a clear error, and neither reading, generating nor writing changes
// the directory.
func TestEncryptedFileUnreadable(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(data []byte) []byte
		passphrase string
		want       error
		wantText   []string
	}{
		{
			name:       "wrong passphrase",
			passphrase: "wrong passphrase",
			want:       secrets.ErrWrongPassphrase,
			wantText:   []string{"wrong passphrase", secrets.PassphraseEnv, "left unchanged"},
		},
		{
			name:       "garbage",
			damage:     func([]byte) []byte { return []byte("this is not an encrypted secret") },
			passphrase: "right passphrase",
			want:       secrets.ErrCorrupt,
			wantText:   []string{"not a valid encrypted secret", "left unchanged"},
		},
		{
			name:       "truncated",
			damage:     func(b []byte) []byte { return b[:len(b)/2] },
			passphrase: "right passphrase",
			want:       secrets.ErrCorrupt,
			wantText:   []string{"not a valid encrypted secret"},
		},
		{
			name: "ciphertext altered",
			damage: func(b []byte) []byte {
				parts := bytes.Split(bytes.Clone(b), []byte("."))
				c := parts[3] // header.key.iv.ciphertext.tag
				if c[0] == 'A' {
					c[0] = 'B'
				} else {
					c[0] = 'A'
				}
				return bytes.Join(parts, []byte("."))
			},
			passphrase: "right passphrase",
			want:       secrets.ErrCorrupt,
			wantText:   []string{"not a valid encrypted secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := t.Context()
			first, err := secrets.UserSeed(ctx, newStore(t, encryptedBackend(t, dir, "right passphrase")), "HARMONY", "agent")
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, string(secrets.UserSeedName("HARMONY", "agent")))
			if tt.damage != nil {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, tt.damage(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			listing := dirListing(t, dir)

			s := newStore(t, encryptedBackend(t, dir, tt.passphrase))
			_, getErr := secrets.Get[secrets.NKeySeed](ctx, s, secrets.UserSeedName("HARMONY", "agent"))
			_, genErr := secrets.UserSeed(ctx, s, "HARMONY", "agent")
			for _, err := range []error{getErr, genErr} {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				for _, w := range append(tt.wantText, file) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				if strings.Contains(err.Error(), first.Seed.Reveal()) {
					t.Fatalf("error %q contains the seed", err)
				}
			}
			if tt.want == secrets.ErrWrongPassphrase {
				// A new secret is not written under another passphrase.
				err := secrets.Set(ctx, s, "other", secrets.NKeySeed{Seed: first.Seed})
				if !errors.Is(err, secrets.ErrWrongPassphrase) {
					t.Fatalf("Set with the wrong passphrase: err = %v, want ErrWrongPassphrase", err)
				}
			}

			after, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatal("the keyring file changed")
			}
			if got := dirListing(t, dir); !slices.Equal(got, listing) {
				t.Fatalf("directory changed from %v to %v", listing, got)
			}
		})
	}
}

// An encrypted file never holds the plaintext, and the right passphrase
// reads it back after a wrong one failed.
func TestEncryptedFileRightPassphraseAfterWrong(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	want, err := secrets.AccountSeed(ctx, newStore(t, encryptedBackend(t, dir, "one")), "HARMONY")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.AccountSeed(ctx, newStore(t, encryptedBackend(t, dir, "two")), "HARMONY"); !errors.Is(err, secrets.ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
	got, err := secrets.AccountSeed(ctx, newStore(t, encryptedBackend(t, dir, "one")), "HARMONY")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Seed.Equal(want.Seed) {
		t.Fatal("seed changed")
	}
	data, err := os.ReadFile(filepath.Join(dir, string(secrets.AccountSeedName("HARMONY"))))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(want.Seed.Reveal())) {
		t.Fatal("the encrypted file holds the plaintext seed")
	}
}
