package maestro

import (
	"fmt"
	"strings"

	"github.com/harmony-go/harmony/pkg/score"
)

// graph is the dependency graph of a run, by index into the score slice.
type graph struct {
	indegree   []int
	dependents [][]int
}

// buildGraph checks names and dependencies and returns the graph, or one
// error per problem: empty or duplicate names, unknown dependencies, and
// every cycle found (named score by score).
func buildGraph[T any](scores []score.Score[T]) (*graph, []error) {
	var errs []error
	index := make(map[string]int, len(scores))
	for i, s := range scores {
		name := s.Name()
		if name == "" {
			errs = append(errs, fmt.Errorf("score #%d: validate: empty name", i))
			continue
		}
		if j, dup := index[name]; dup {
			errs = append(errs, fmt.Errorf("%s: validate: duplicate score name (scores #%d and #%d)", name, j, i))
			continue
		}
		index[name] = i
	}
	g := &graph{indegree: make([]int, len(scores)), dependents: make([][]int, len(scores))}
	deps := make([][]int, len(scores))
	for i, s := range scores {
		d, ok := s.(score.Dependent)
		if !ok {
			continue
		}
		for _, dep := range d.DependsOn() {
			j, known := index[dep]
			if !known {
				errs = append(errs, fmt.Errorf("%s: validate: depends on unknown score %q", s.Name(), dep))
				continue
			}
			if j == i {
				errs = append(errs, fmt.Errorf("%s: validate: depends on itself", s.Name()))
				continue
			}
			deps[i] = append(deps[i], j)
			g.dependents[j] = append(g.dependents[j], i)
			g.indegree[i]++
		}
	}
	if cyc := findCycles(scores, deps); len(cyc) > 0 {
		errs = append(errs, cyc...)
	}
	return g, errs
}

// findCycles runs a depth-first search and reports each cycle it meets as
// "a -> b -> a".
func findCycles[T any](scores []score.Score[T], deps [][]int) []error {
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(scores))
	var errs []error
	var stack []int
	// Iterative DFS: a deep chain of 100k scores must not blow the stack.
	type frame struct{ node, next int }
	for start := range scores {
		if state[start] != unvisited {
			continue
		}
		frames := []frame{{start, 0}}
		state[start] = onStack
		stack = append(stack[:0], start)
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			if f.next == len(deps[f.node]) {
				state[f.node] = done
				frames = frames[:len(frames)-1]
				stack = stack[:len(stack)-1]
				continue
			}
			n := deps[f.node][f.next]
			f.next++
			switch state[n] {
			case unvisited:
				state[n] = onStack
				stack = append(stack, n)
				frames = append(frames, frame{n, 0})
			case onStack:
				// stack[k] depends on stack[k+1]; the loop runs from n's
				// place on the stack to the top and back to n.
				m := len(stack) - 1
				for stack[m] != n {
					m--
				}
				path := make([]string, 0, len(stack)-m+1)
				for _, k := range stack[m:] {
					path = append(path, scores[k].Name())
				}
				path = append(path, scores[n].Name())
				errs = append(errs, fmt.Errorf("%s: validate: dependency cycle: %s", scores[n].Name(), strings.Join(path, " -> ")))
			}
		}
	}
	return errs
}
