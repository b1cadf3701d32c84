// Package maestro runs many scores on one topology: it validates all of them
// first (every problem at once; if any score is invalid nothing is planned or
// applied), checks the dependency graph (unknown names and cycles are
// refused, named), plans without writing, and applies in dependency order
// with independent scores in parallel up to a bound. Events (started,
// progress, finished) go to an observer; the Report lists every outcome.
//
// It imports pkg/score and pkg/inventory and nothing of modules or
// topologies: it is generic over the topology type T.
package maestro
