// Package score holds harmony's core contracts: a [Score] is a typed value of
// desired state, its [Interpret] plans and applies it against a topology, a
// [Plan] lists what would change and an [Outcome] says what did.
//
// This is the bottom room of the house: it imports only the standard library
// and [github.com/harmony-go/harmony/pkg/inventory]. It knows no module and no
// topology; the type parameter T of [Score] is constrained by each module to
// the capabilities it needs (see package topology), so asking a topology for
// a capability it lacks fails to compile.
//
// Lifecycle of a score, driven by package maestro: Validate (pure, every
// problem at once as an [ErrorList]), optionally Preflight (reads the
// environment, same error shape), Plan (reads only), Execute (idempotent: a
// second Execute with nothing changed reports [Unchanged] and writes nothing).
package score
