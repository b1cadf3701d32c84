package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Destroy stops every server this deployment started (only processes whose
// PID file names a server of ours running our config) and removes the state
// directory: the files harmony wrote, then the directory itself, and the
// default ".harmony" parent when that leaves it empty. It is idempotent.
func (l *Local) Destroy(ctx context.Context) error {
	if _, err := os.Stat(l.stateDir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := l.lock(); err != nil {
		return err
	}
	var errs []error
	for _, name := range l.members("") {
		p := l.inspect(name)
		if err := l.stop(ctx, p, stopGrace); err != nil {
			errs = append(errs, fmt.Errorf("stop server %s: %w", name, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, name := range l.writtenFiles() {
		if err := os.Remove(filepath.Join(l.stateDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, sub := range []string{"servers", "bin", manifest} {
		if err := os.RemoveAll(filepath.Join(l.stateDir, sub)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := l.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := os.Remove(filepath.Join(l.stateDir, "lock")); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if err := os.Remove(l.stateDir); err != nil {
		errs = append(errs, fmt.Errorf("state dir %s holds files harmony did not write; left in place: %w", l.stateDir, err))
	}
	if l.defaulted {
		_ = os.Remove(filepath.Dir(l.stateDir)) // only succeeds when empty
	}
	return errors.Join(errs...)
}
