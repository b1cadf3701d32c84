// This program must NOT compile: it applies the NATS cluster score to a
// topology that cannot run NATS servers. TestCapabilityCheckIsCompileTime
// builds it and expects the compiler to name the missing method.
package main

import (
	"context"

	"github.com/harmony-go/harmony/modules/nats"
)

// bare is a topology with no capabilities at all.
type bare struct{}

func (bare) Name() string                      { return "bare" }
func (bare) EnsureReady(context.Context) error { return nil }

func main() {
	_ = nats.Cluster[bare]{ClusterName: "c", Servers: []nats.Server{{Name: "s"}}}
}
