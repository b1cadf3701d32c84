package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/harmony-go/harmony/internal/atomicfile"
)

// plainFile keeps each secret as <dir>/<name>.json, readable only by its
// owner, the way nsc keeps NKey files.
type plainFile struct {
	dir string
}

// PlainFile returns the backend that keeps each secret unencrypted in
// <dir>/<name>.json with mode 0600, in a directory of mode 0700 created on
// the first write; files are replaced atomically. Anyone who can read the
// user's files (root, backups) can read the secrets: it is the fallback of
// [Default] for headless hosts with no keyring and no passphrase. On Unix,
// Load refuses a file that group or others can access, with an
// error wrapping [ErrInsecurePermissions].
func PlainFile(dir string) (Backend, error) {
	if dir == "" {
		return nil, errors.New("secrets: plain file backend: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("secrets: plain file backend: %w", err)
	}
	return &plainFile{dir: abs}, nil
}

func (p *plainFile) String() string { return "file(" + p.dir + ")" }

func (p *plainFile) path(name Name) string { return filepath.Join(p.dir, string(name)+".json") }

func (p *plainFile) Load(_ context.Context, name Name) ([]byte, error) {
	file := p.path(name)
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := checkPrivate(f); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return data, nil
}

func (p *plainFile) Save(_ context.Context, name Name, data []byte) error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(p.path(name), bytes.NewReader(data), 0o600)
}

// checkPrivate refuses a secret file that group or others can access, as
// ssh does for private keys.
func checkPrivate(f *os.File) error {
	if runtime.GOOS == "windows" {
		return nil // modes do not describe Windows ACLs
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o, %w: run chmod go-rwx %s", f.Name(), fi.Mode().Perm(), ErrInsecurePermissions, f.Name())
	}
	return nil
}

// announced wraps the backend [Default] falls back to, printing notice to w
// the first time a secret is written through it: a host that starts keeping
// secrets unencrypted is told once, and later runs that only read them stay
// quiet.
type announced struct {
	Backend
	once   sync.Once
	w      io.Writer
	notice string
}

func (a *announced) announce() {
	a.once.Do(func() { _, _ = io.WriteString(a.w, a.notice) })
}

func (a *announced) Save(ctx context.Context, name Name, data []byte) error {
	a.announce()
	return a.Backend.Save(ctx, name, data)
}
