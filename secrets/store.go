package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
)

// Store reads and writes secrets through an ordered list of backends. Get
// asks each backend in order and returns the first answer; a backend error
// other than [ErrNotFound] stops the search (a damaged or locked store is
// reported, never skipped, so a stored seed is not silently replaced). Set
// writes to the first backend that is not read-only. A Store is safe for
// concurrent use; prompts are asked one at a time.
type Store struct {
	options
	promptMu sync.Mutex
}

type options struct {
	backends []Backend
	tty      *os.File
	notices  io.Writer
	logger   *slog.Logger
}

// Option configures a [Store]. A bad option makes [New] or [Default] fail
// with an error wrapping [ErrInvalidOption].
type Option func(*options) error

// WithBackends sets the backends, asked in the order given. It replaces the
// chain [Default] would build.
func WithBackends(b ...Backend) Option {
	return func(o *options) error {
		if len(b) == 0 {
			return fmt.Errorf("%w: WithBackends: no backend", ErrInvalidOption)
		}
		for i, x := range b {
			if x == nil {
				return fmt.Errorf("%w: WithBackends: backend %d is nil", ErrInvalidOption, i)
			}
		}
		o.backends = b
		return nil
	}
}

// WithTerminal sets the terminal prompts read from and write to. Without it,
// prompts use /dev/tty, else standard input (writing to standard error) when
// it is a terminal. A file that is not a terminal means prompts fail with
// [ErrNoTerminal].
func WithTerminal(tty *os.File) Option {
	return func(o *options) error {
		if tty == nil {
			return fmt.Errorf("%w: WithTerminal: nil file", ErrInvalidOption)
		}
		o.tty = tty
		return nil
	}
}

// WithNotices sets where one-time notices go, such as [Default]'s
// announcement of the plain file fallback. The default is os.Stderr.
func WithNotices(w io.Writer) Option {
	return func(o *options) error {
		if w == nil {
			return fmt.Errorf("%w: WithNotices: nil writer", ErrInvalidOption)
		}
		o.notices = w
		return nil
	}
}

// WithLogger sets the logger for debug records of which backend served a
// secret (names only, never values). The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("%w: WithLogger: nil logger", ErrInvalidOption)
		}
		o.logger = l
		return nil
	}
}

func buildOptions(opts []Option) (options, error) {
	o := options{notices: os.Stderr, logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// New returns a store over the backends given with [WithBackends], which is
// required. Use [Default] for the usual chain.
func New(opts ...Option) (*Store, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	if len(o.backends) == 0 {
		return nil, fmt.Errorf("secrets: %w: New needs WithBackends", ErrInvalidOption)
	}
	return &Store{options: o}, nil
}

// Backends returns the store's backends in the order they are asked.
func (s *Store) Backends() []Backend { return append([]Backend(nil), s.backends...) }

// load returns the first stored JSON for name and the backend holding it.
func (s *Store) load(ctx context.Context, name Name) ([]byte, Backend, error) {
	if err := name.Validate(); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("secrets: %s: %w", name, err)
	}
	for _, b := range s.backends {
		data, err := b.Load(ctx, name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, b, fmt.Errorf("secrets: %s: %s: %w", name, b, err)
		}
		s.logger.DebugContext(ctx, "secret found", "secret", string(name), "backend", b.String())
		return data, b, nil
	}
	looked := make([]string, len(s.backends))
	for i, b := range s.backends {
		looked[i] = b.String()
	}
	return nil, nil, fmt.Errorf("secrets: %s: %w in %s (set %s)", name, ErrNotFound, strings.Join(looked, ", "), name.EnvVar())
}

// Get returns the secret name, decoded into a T and checked against T's
// JSON Schema. It asks the store's backends in order (see [Store]); when
// none holds it the error wraps [ErrNotFound] and names the environment
// variable that would supply it. Get does not prompt and does not write.
func Get[T any](ctx context.Context, s *Store, name Name) (T, error) {
	var zero T
	data, b, err := s.load(ctx, name)
	if err != nil {
		return zero, err
	}
	v, err := decodeChecked[T](data)
	if err != nil {
		return zero, fmt.Errorf("secrets: %s: value from %s: %w", name, source(b, name), err)
	}
	return v, nil
}

func source(b Backend, name Name) string {
	if _, ok := b.(envBackend); ok {
		return name.EnvVar()
	}
	return b.String()
}

// decodeChecked validates data against T's schema, then decodes it.
func decodeChecked[T any](data []byte) (T, error) {
	var zero T
	schema, err := schemaOf(reflect.TypeFor[T]())
	if err != nil {
		return zero, err
	}
	if err := validateJSON(schema, data); err != nil {
		return zero, err
	}
	v, err := decodeStrict[T](data)
	if err != nil {
		return zero, fmt.Errorf("%w: %w", ErrInvalidValue, err)
	}
	return v, nil
}

// Set stores v as the secret name in the first backend that is not
// read-only, replacing any value there, after checking v against T's JSON
// Schema (the error wraps [ErrInvalidValue] and quotes no value). Set is
// idempotent. A value in an earlier read-only backend (the environment)
// still wins on later Gets.
func Set[T any](ctx context.Context, s *Store, name Name, v T) error {
	if err := name.Validate(); err != nil {
		return err
	}
	data, err := encodeRevealed(v)
	if err != nil {
		return fmt.Errorf("secrets: %s: %w", name, err)
	}
	schema, err := schemaOf(reflect.TypeFor[T]())
	if err != nil {
		return fmt.Errorf("secrets: %s: %w", name, err)
	}
	if err := validateJSON(schema, data); err != nil {
		return fmt.Errorf("secrets: %s: %w", name, err)
	}
	return s.save(ctx, name, data)
}

func (s *Store) save(ctx context.Context, name Name, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secrets: %s: %w", name, err)
	}
	for _, b := range s.backends {
		err := b.Save(ctx, name, data)
		if errors.Is(err, ErrReadOnly) {
			continue
		}
		if err != nil {
			return fmt.Errorf("secrets: %s: %s: %w", name, b, err)
		}
		s.logger.DebugContext(ctx, "secret stored", "secret", string(name), "backend", b.String())
		return nil
	}
	return fmt.Errorf("secrets: %s: %w: every backend of the store is read-only", name, ErrReadOnly)
}

// GetOrPrompt returns the secret name like [Get]; when no backend holds it
// (and only then), it asks a person on the terminal, one question per field
// of T's JSON Schema, re-asking an answer the schema rejects, then stores the
// answer with [Set] and returns it. Secret fields are read without echo.
//
// With no terminal (CI, services, pipes) it fails at once with an error
// wrapping [ErrNoTerminal] that names the environment variable to set and
// the JSON shape it expects. While a prompt waits for input, ctx is checked
// between answers only.
func GetOrPrompt[T any](ctx context.Context, s *Store, name Name) (T, error) {
	var zero T
	v, err := Get[T](ctx, s, name)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return v, err
	}
	schema, err := schemaOf(reflect.TypeFor[T]())
	if err != nil {
		return zero, fmt.Errorf("secrets: %s: %w", name, err)
	}
	s.promptMu.Lock()
	defer s.promptMu.Unlock()
	// Another goroutine may have prompted for it while this one waited.
	if v, err := Get[T](ctx, s, name); err == nil || !errors.Is(err, ErrNotFound) {
		return v, err
	}
	t, err := s.terminal()
	if err != nil {
		return zero, fmt.Errorf("secrets: %s: %w; set %s to JSON like %s", name, ErrNoTerminal, name.EnvVar(), shapeOf(schema, schema))
	}
	defer t.close()
	data, err := t.ask(ctx, name, schema)
	if err != nil {
		return zero, fmt.Errorf("secrets: %s: prompt: %w", name, err)
	}
	v, err = decodeChecked[T](data)
	if err != nil {
		return zero, fmt.Errorf("secrets: %s: prompt: %w", name, err)
	}
	if err := s.save(ctx, name, data); err != nil {
		return zero, err
	}
	return v, nil
}

// GenerateOnce returns the secret name, creating it on first use: when no
// backend holds it (and only then) it calls generate, stores the result with
// [Set] and returns what the store then holds, so every later run reuses it.
// Any other error (locked keyring, wrong passphrase, damaged file) is
// returned as is, and nothing is generated or overwritten.
func GenerateOnce[T any](ctx context.Context, s *Store, name Name, generate func() (T, error)) (T, error) {
	var zero T
	v, err := Get[T](ctx, s, name)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return v, err
	}
	v, err = generate()
	if err != nil {
		return zero, fmt.Errorf("secrets: %s: generate: %w", name, err)
	}
	if err := Set(ctx, s, name, v); err != nil {
		return zero, err
	}
	return Get[T](ctx, s, name)
}
