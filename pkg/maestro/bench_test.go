package maestro_test

import (
	"context"
	"fmt"
	"github.com/harmony-go/harmony/pkg/inventory"
	"testing"

	"github.com/harmony-go/harmony/pkg/maestro"
	"github.com/harmony-go/harmony/pkg/score"
)

// trivial is the cheapest possible score: it validates, plans and applies
// nothing, so the benchmark measures maestro alone.
type trivial struct{ name string }

func (s trivial) Name() string                          { return s.name }
func (s trivial) Validate() error                       { return nil }
func (s trivial) Interpret() score.Interpret[*recorder] { return nop{} }

type nop struct{}

func (nop) Plan(_ context.Context, _ *inventory.Inventory, _ *recorder) (score.Plan, error) {
	return score.Plan{}, nil
}
func (nop) Execute(_ context.Context, _ *inventory.Inventory, _ *recorder) (score.Outcome, error) {
	return score.Outcome{Status: score.Unchanged}, nil
}

// TrivialScores returns n independent trivial scores.
func trivialScores(n int) []score.Score[*recorder] {
	out := make([]score.Score[*recorder], n)
	for i := range out {
		out[i] = trivial{name: fmt.Sprintf("bench/%d", i)}
	}
	return out
}

// BenchmarkMaestro measures validate + plan + apply per score; the target
// is under 50µs per score, flat across sizes (see the ns/score metric).
func BenchmarkMaestro(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			in := trivialScores(n)
			m, err := maestro.New(&recorder{})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := m.Plan(b.Context(), in); err != nil {
					b.Fatal(err)
				}
				if _, err := m.Apply(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/score")
		})
	}
}
