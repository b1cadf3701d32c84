package score

import (
	"context"

	"github.com/harmony-go/harmony/pkg/inventory"
)

// Score is a typed value of desired state that can be carried out on a
// topology of type T. A module constrains T by the capabilities it needs.
type Score[T any] interface {
	// Name is stable and unique within a run: "<kind>/<name>", e.g.
	// "nats.cluster/core".
	Name() string
	// Validate is pure and returns every problem at once, as an ErrorList
	// whose entries name the field by JSON path; nil when the score is valid.
	Validate() error
	// Interpret returns what carries the score out.
	Interpret() Interpret[T]
}

// Interpret plans and applies one score on a topology of type T.
type Interpret[T any] interface {
	// Plan reports what Execute would change. It reads only: it starts,
	// writes and deletes nothing.
	Plan(ctx context.Context, inv *inventory.Inventory, t T) (Plan, error)
	// Execute brings the topology to the desired state. It is idempotent:
	// when nothing differs it writes nothing and returns Unchanged. After a
	// partial failure it cleans up what it can and joins the cleanup error.
	Execute(ctx context.Context, inv *inventory.Inventory, t T) (Outcome, error)
}

// Dependent is implemented by a score that must run after others. Each
// entry is another score's Name. Maestro refuses unknown names and cycles.
type Dependent interface {
	DependsOn() []string
}

// Preflighter is implemented by an Interpret that checks its environment
// before anything is planned (for example that a port is free). It reads
// only. Its errors join the validation errors of the run, so a user sees
// every problem at once and nothing is started.
type Preflighter[T any] interface {
	Preflight(ctx context.Context, inv *inventory.Inventory, t T) error
}

// Kind returns the kind part of a score name ("nats.cluster" of
// "nats.cluster/core").
func Kind(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			return name[:i]
		}
	}
	return name
}
