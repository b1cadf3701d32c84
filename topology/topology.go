package topology

import "context"

// Topology is where scores land.
type Topology interface {
	// Name identifies the deployment on this topology (e.g. "local-cluster").
	Name() string
	// EnsureReady prepares the topology for applying scores. It is
	// idempotent and writes nothing when the topology is already prepared.
	EnsureReady(ctx context.Context) error
}

// Deployable is a topology that keeps its state in a directory and can
// remove exactly what it started. pkg/cli needs it for --state-dir and
// --destroy.
type Deployable interface {
	Topology
	// SetStateDir sets where the deployment keeps its state; it must be
	// called before EnsureReady. An empty dir keeps the default.
	SetStateDir(dir string) error
	// Destroy stops and removes everything this deployment started, and
	// nothing else. It is idempotent: destroying nothing succeeds.
	Destroy(ctx context.Context) error
}
