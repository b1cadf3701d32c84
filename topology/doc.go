// Package topology declares what a topology is and every capability one may
// offer, as small interfaces. It holds no implementation: topology/local runs
// real nats-server processes on this machine, topology/k8s (later) targets
// Kubernetes.
//
// A module states the capabilities a score needs as a type constraint, e.g.
//
//	type Cluster[T interface {
//		topology.Topology
//		topology.NatsServers
//	}] struct{ ... }
//
// so applying it to a topology without them fails to compile, naming the
// missing method. Nothing here type-asserts a topology at run time.
//
// It imports pkg/score (for plan changes) and the standard library only.
package topology
