package maestro

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/harmony-go/harmony/pkg/inventory"
)

// ErrInvalidOption is wrapped by every error of a bad Option.
var ErrInvalidOption = errors.New("maestro: invalid option")

type options struct {
	parallel        int
	continueOnError bool
	observer        Observer
	inventory       *inventory.Inventory
}

// Option configures a Maestro.
type Option func(*options) error

// WithParallel bounds how many scores run at once. The default is
// GOMAXPROCS; n must be at least 1.
func WithParallel(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("%w: parallel must be at least 1, got %d", ErrInvalidOption, n)
		}
		o.parallel = n
		return nil
	}
}

// WithContinueOnError keeps running scores that do not depend on a failed
// one. Without it, the first failure cancels the run and every score not yet
// finished is reported Skipped.
func WithContinueOnError() Option {
	return func(o *options) error { o.continueOnError = true; return nil }
}

// WithObserver sends every Event to obs. Maestro calls it from one goroutine
// at a time, so obs needs no locking of its own.
func WithObserver(obs Observer) Option {
	return func(o *options) error {
		if obs == nil {
			return fmt.Errorf("%w: nil observer", ErrInvalidOption)
		}
		o.observer = obs
		return nil
	}
}

// WithInventory passes inv to every Interpret. The default is
// inventory.Local().
func WithInventory(inv *inventory.Inventory) Option {
	return func(o *options) error {
		if inv == nil {
			return fmt.Errorf("%w: nil inventory", ErrInvalidOption)
		}
		o.inventory = inv
		return nil
	}
}

func defaults() options {
	return options{parallel: runtime.GOMAXPROCS(0), observer: func(Event) {}, inventory: inventory.Local()}
}
