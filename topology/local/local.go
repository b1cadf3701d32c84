package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"

	"github.com/harmony-go/harmony/topology"
)

// Interface guards: the capabilities Local claims.
var (
	_ topology.Deployable    = (*Local)(nil)
	_ topology.NatsServers   = (*Local)(nil)
	_ topology.NatsConnector = (*Local)(nil)
)

// ErrInvalidOption is wrapped by every error of a bad Option.
var ErrInvalidOption = errors.New("local: invalid option")

// ErrLocked is returned when another process is changing the deployment.
var ErrLocked = errors.New("deployment is locked by another harmony process")

// Local runs a deployment's servers as processes on this machine. It is
// safe for concurrent use by the scores of one run.
type Local struct {
	name      string
	stateDir  string
	defaulted bool // stateDir is the default under .harmony/
	logger    *slog.Logger
	host      string

	mu       sync.Mutex
	lockFile *os.File       // held from the first change until Close
	children map[int]*child // servers started by this process
	binary   string         // the server binary copied into the state dir
}

// Option configures a Local.
type Option func(*Local) error

// WithStateDir keeps the deployment's state in dir instead of
// ".harmony/<deployment>" under the working directory.
func WithStateDir(dir string) Option {
	return func(l *Local) error { return l.SetStateDir(dir) }
}

// WithLogger sends the topology's log (servers started, stopped, reloaded)
// to logger. The default discards it.
func WithLogger(logger *slog.Logger) Option {
	return func(l *Local) error {
		if logger == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		l.logger = logger
		return nil
	}
}

var deploymentPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// New returns the local topology of the named deployment. It touches no
// file: the state directory is created when a score first changes something.
func New(deployment string, opts ...Option) (*Local, error) {
	if !deploymentPattern.MatchString(deployment) {
		return nil, fmt.Errorf("%w: deployment name %q: use letters, digits, '.', '-' and '_'", ErrInvalidOption, deployment)
	}
	l := &Local{
		name:     deployment,
		logger:   slog.New(slog.DiscardHandler),
		host:     "127.0.0.1",
		children: map[int]*child{},
	}
	if err := l.SetStateDir(""); err != nil {
		return nil, err
	}
	for _, opt := range opts {
		if err := opt(l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Name returns the deployment name.
func (l *Local) Name() string { return l.name }

// StateDir returns the absolute state directory.
func (l *Local) StateDir() string { return l.stateDir }

// SetStateDir sets the state directory; "" restores the default
// ".harmony/<deployment>" under the working directory.
func (l *Local) SetStateDir(dir string) error {
	defaulted := dir == ""
	if defaulted {
		dir = filepath.Join(".harmony", l.name)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%w: state dir %q: %w", ErrInvalidOption, dir, err)
	}
	l.stateDir, l.defaulted = abs, defaulted
	return nil
}

// EnsureReady checks that servers can be started: this program's executable
// must be readable. It writes nothing.
func (l *Local) EnsureReady(ctx context.Context) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("local: find own executable: %w", err)
	}
	if _, err := os.Stat(exe); err != nil {
		return fmt.Errorf("local: own executable: %w", err)
	}
	return ctx.Err()
}

// Close releases the deployment lock. Servers keep running.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lockFile == nil {
		return nil
	}
	err := l.lockFile.Close()
	l.lockFile = nil
	return err
}

// lock takes the deployment's lock (once per Local), creating the state dir.
func (l *Local) lock() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lockFile != nil {
		return nil
	}
	if err := os.MkdirAll(l.stateDir, 0o755); err != nil {
		return fmt.Errorf("local: state dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(l.stateDir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("local: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("local: %s: %w", l.stateDir, ErrLocked)
	}
	l.lockFile = f
	return nil
}

func (l *Local) serversDir() string           { return filepath.Join(l.stateDir, "servers") }
func (l *Local) serverDir(name string) string { return filepath.Join(l.serversDir(), name) }

// NatsPlacement puts every server on 127.0.0.1 with its store under the
// state directory.
func (l *Local) NatsPlacement(server string) topology.NatsPlacement {
	return topology.NatsPlacement{Host: l.host, StoreDir: filepath.Join(l.serverDir(server), "jetstream")}
}
