package maestro

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/score"
)

// ErrInvalid is wrapped by the error Validate returns when any score, or
// the dependency graph, is invalid.
var ErrInvalid = errors.New("invalid scores")

// ErrFailed is wrapped by the error Apply returns when any score failed.
var ErrFailed = errors.New("run failed")

// Maestro runs scores on one topology of type T. It is safe for concurrent
// use; each call is one independent run.
type Maestro[T any] struct {
	topo T
	opts options
	mu   sync.Mutex // serialises observer calls
}

// New returns a Maestro for topology t. Options: WithParallel,
// WithContinueOnError, WithObserver, WithInventory.
func New[T any](t T, opts ...Option) (*Maestro[T], error) {
	o := defaults()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Maestro[T]{topo: t, opts: o}, nil
}

func (m *Maestro[T]) emit(e Event) {
	e.Time = time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.observer(e)
}

// Validate checks every score and the dependency graph, then runs each
// Interpret's Preflight, and returns every problem found as one error
// wrapping ErrInvalid (its FieldErrors reachable with score.FieldErrors).
// It starts and writes nothing.
func (m *Maestro[T]) Validate(ctx context.Context, scores []score.Score[T]) error {
	_, err := m.validate(ctx, scores)
	return err
}

func (m *Maestro[T]) validate(ctx context.Context, scores []score.Score[T]) (*graph, error) {
	g, errs := buildGraph(scores)
	for _, s := range scores {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: validate: %w", s.Name(), err))
		}
	}
	for _, s := range scores {
		if pf, ok := s.Interpret().(score.Preflighter[T]); ok {
			if err := pf.Preflight(ctx, m.opts.inventory, m.topo); err != nil {
				errs = append(errs, fmt.Errorf("%s: preflight: %w", s.Name(), err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return g, nil
}

// Plan validates every score, then asks each for its Plan, in parallel up to
// the bound. It writes nothing. Plans come back in the order of scores; the
// error joins every score's planning error.
func (m *Maestro[T]) Plan(ctx context.Context, scores []score.Score[T]) ([]score.Plan, error) {
	if _, err := m.validate(ctx, scores); err != nil {
		return nil, err
	}
	plans := make([]score.Plan, len(scores))
	errs := make([]error, len(scores))
	var g errgroup.Group
	g.SetLimit(m.opts.parallel)
	for i, s := range scores {
		g.Go(func() error {
			p, err := safePlan(ctx, m.opts.inventory, m.topo, s)
			if err != nil {
				errs[i] = fmt.Errorf("%s: plan: %w", s.Name(), err)
			}
			if p.Score == "" {
				p.Score = s.Name()
			}
			plans[i] = p
			return nil
		})
	}
	_ = g.Wait()
	return plans, errors.Join(errs...)
}

// Apply validates every score and, if all are valid, executes them in
// dependency order, independent ones in parallel up to the bound. A score
// whose dependency failed or was skipped is Skipped. Without
// WithContinueOnError the first failure cancels the run: running scores see
// their context cancelled and scores not yet started are Skipped. A panic in
// an Interpret becomes a Failed outcome naming the score.
//
// The Report always lists every score (empty when validation failed). The
// error wraps ErrInvalid, ErrFailed (joined with each failure) or the
// context's error.
func (m *Maestro[T]) Apply(ctx context.Context, scores []score.Score[T]) (Report, error) {
	g, err := m.validate(ctx, scores)
	if err != nil {
		return Report{}, err
	}
	r := &run[T]{m: m, scores: scores, g: g, outcomes: make([]score.Outcome, len(scores)), settled: make([]bool, len(scores))}
	return r.execute(ctx)
}

type result struct {
	i   int
	out score.Outcome
	err error
}

type run[T any] struct {
	m        *Maestro[T]
	scores   []score.Score[T]
	g        *graph
	outcomes []score.Outcome
	settled  []bool
	errs     []error
}

func (r *run[T]) execute(parent context.Context) (Report, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	n := len(r.scores)
	results := make(chan result, n)
	// The loop below owns the slots: a score starts only here, after every
	// result received so far has been handled. So a failure stops the run
	// before any later score starts, whatever the goroutines' timing.
	var workers sync.WaitGroup
	indegree := r.g.indegree // consumed by this run only; graph is per run
	pending := n
	running := 0
	stopped := "" // why no new score starts, once set
	var queue []int
	for i := range r.scores {
		if indegree[i] == 0 {
			queue = append(queue, i)
		}
	}
	for pending > 0 {
		if stopped == "" && parent.Err() != nil {
			stopped = "run cancelled"
		}
		if stopped != "" {
			for _, i := range queue {
				r.skip(i, stopped)
				pending--
			}
			queue = queue[:0]
		}
		for running < r.m.opts.parallel && len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			running++
			workers.Add(1)
			go func(s score.Score[T]) {
				defer workers.Done()
				out, err := r.runOne(ctx, s)
				results <- result{i: i, out: out, err: err}
			}(r.scores[i])
		}
		if running == 0 {
			break // nothing left that can start; the rest is settled below
		}
		var res result
		select {
		case res = <-results:
		case <-parent.Done():
			if stopped == "" {
				stopped = "run cancelled"
			}
			res = <-results // running Interprets see ctx cancelled and return
		}
		running--
		pending--
		r.settled[res.i] = true
		r.outcomes[res.i] = res.out
		if res.err != nil {
			r.errs = append(r.errs, res.err)
		}
		if res.out.Succeeded() {
			for _, d := range r.g.dependents[res.i] {
				indegree[d]--
				if indegree[d] == 0 && !r.settled[d] {
					queue = append(queue, d)
				}
			}
			continue
		}
		if res.out.Status == score.Failed && !r.m.opts.continueOnError && stopped == "" {
			stopped = "run stopped after " + r.scores[res.i].Name() + " failed"
			cancel()
		}
		pending -= r.skipDependents(res.i)
	}
	workers.Wait()
	// Anything never reached (its dependencies were skipped by a stop) is
	// already settled; make sure every outcome carries its score name.
	for i := range r.outcomes {
		if !r.settled[i] {
			r.skip(i, "not started: "+stopped)
		}
	}
	rep := Report{Outcomes: r.outcomes}
	if err := parent.Err(); err != nil {
		return rep, fmt.Errorf("%w: %w", err, errors.Join(r.errs...))
	}
	if len(r.errs) > 0 || rep.Failed() {
		return rep, fmt.Errorf("%w: %w", ErrFailed, errors.Join(r.errs...))
	}
	return rep, nil
}

// skip marks i Skipped and reports it as finished.
func (r *run[T]) skip(i int, why string) {
	name := r.scores[i].Name()
	r.settled[i] = true
	r.outcomes[i] = score.Outcome{Score: name, Status: score.Skipped, Message: why}
	o := r.outcomes[i]
	r.m.emit(Event{Type: EventFinished, Score: name, Outcome: &o, Message: why})
}

// skipDependents marks every not-yet-settled score reachable from i as
// Skipped and returns how many it marked.
func (r *run[T]) skipDependents(i int) int {
	type item struct {
		node int
		why  string
	}
	n := 0
	why := "dependency " + r.scores[i].Name() + " " + string(r.outcomes[i].Status)
	var stack []item
	for _, d := range r.g.dependents[i] {
		stack = append(stack, item{d, why})
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r.settled[it.node] {
			continue
		}
		r.skip(it.node, it.why)
		n++
		next := "dependency " + r.scores[it.node].Name() + " skipped (" + it.why + ")"
		for _, d := range r.g.dependents[it.node] {
			stack = append(stack, item{d, next})
		}
	}
	return n
}

// runOne executes one score, turning a panic into a Failed outcome.
func (r *run[T]) runOne(ctx context.Context, s score.Score[T]) (out score.Outcome, err error) {
	name := s.Name()
	r.m.emit(Event{Type: EventStarted, Score: name})
	defer func() {
		if p := recover(); p != nil {
			err = score.Permanent(fmt.Errorf("%s: apply: panic: %v", name, p))
			out = score.Outcome{Score: name, Status: score.Failed, Message: err.Error(),
				Details: map[string]string{"stack": string(debug.Stack())}}
		}
		o := out
		r.m.emit(Event{Type: EventFinished, Score: name, Outcome: &o, Message: o.Message})
	}()
	pctx := score.WithProgress(ctx, func(msg string) {
		r.m.emit(Event{Type: EventProgress, Score: name, Message: msg})
	})
	out, err = s.Interpret().Execute(pctx, r.m.opts.inventory, r.m.topo)
	out.Score = name
	if err != nil {
		err = fmt.Errorf("%s: apply: %w", name, err)
		out.Status = score.Failed
		out.Message = err.Error()
		return out, err
	}
	if out.Status == "" {
		out.Status = score.Unchanged
	}
	if out.Status == score.Failed {
		err = fmt.Errorf("%s: apply: %s", name, out.Message)
	}
	return out, err
}

func safePlan[T any](ctx context.Context, inv *inventory.Inventory, t T, s score.Score[T]) (p score.Plan, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = score.Permanent(fmt.Errorf("panic: %v", v))
		}
	}()
	return s.Interpret().Plan(ctx, inv, t)
}
