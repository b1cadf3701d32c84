package maestro_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/maestro"
	"github.com/harmony-go/harmony/pkg/score"
)

// These are unit tests of maestro's own scheduling logic, so the topology
// is a plain recorder; the local topology's integration tests run maestro
// against real servers.
type recorder struct {
	mu      sync.Mutex
	order   []string
	running atomic.Int32
	peak    atomic.Int32
}

func (r *recorder) record(name string) {
	r.mu.Lock()
	r.order = append(r.order, name)
	r.mu.Unlock()
}

// job is a configurable score for *recorder.
type job struct {
	name    string
	deps    []string
	invalid error
	run     func(ctx context.Context, r *recorder) (score.Outcome, error)
}

func (j job) Name() string                          { return j.name }
func (j job) Validate() error                       { return j.invalid }
func (j job) DependsOn() []string                   { return j.deps }
func (j job) Interpret() score.Interpret[*recorder] { return j }
func (j job) Plan(context.Context, *inventory.Inventory, *recorder) (score.Plan, error) {
	return score.Plan{Score: j.name, Changes: []score.Change{{Action: score.ActionCreate, Target: j.name}}}, nil
}
func (j job) Execute(ctx context.Context, _ *inventory.Inventory, r *recorder) (score.Outcome, error) {
	n := r.running.Add(1)
	defer r.running.Add(-1)
	for {
		p := r.peak.Load()
		if n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
	r.record(j.name)
	if j.run != nil {
		return j.run(ctx, r)
	}
	return score.Outcome{Status: score.Created}, nil
}

func ok(name string, deps ...string) job { return job{name: name, deps: deps} }

func failing(name string, deps ...string) job {
	return job{name: name, deps: deps, run: func(context.Context, *recorder) (score.Outcome, error) {
		return score.Outcome{}, errors.New("boom")
	}}
}

func scores(js ...job) []score.Score[*recorder] {
	out := make([]score.Score[*recorder], len(js))
	for i, j := range js {
		out[i] = j
	}
	return out
}

func statuses(rep maestro.Report) map[string]score.Status {
	m := map[string]score.Status{}
	for _, o := range rep.Outcomes {
		m[o.Score] = o.Status
	}
	return m
}

func newMaestro(t *testing.T, r *recorder, opts ...maestro.Option) *maestro.Maestro[*recorder] {
	t.Helper()
	m, err := maestro.New(r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestApplyRespectsDependencies(t *testing.T) {
	r := &recorder{}
	// d depends on b and c, which both depend on a; e is independent.
	in := scores(ok("t/d", "t/b", "t/c"), ok("t/b", "t/a"), ok("t/c", "t/a"), ok("t/a"), ok("t/e"))
	rep, err := newMaestro(t, r, maestro.WithParallel(4)).Apply(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, n := range r.order {
		pos[n] = i
	}
	for _, edge := range [][2]string{{"t/a", "t/b"}, {"t/a", "t/c"}, {"t/b", "t/d"}, {"t/c", "t/d"}} {
		if pos[edge[0]] > pos[edge[1]] {
			t.Errorf("%s ran after its dependent %s: order %v", edge[0], edge[1], r.order)
		}
	}
	if len(rep.Outcomes) != 5 || rep.Outcomes[0].Score != "t/d" || rep.Count(score.Created) != 5 {
		t.Errorf("report should list all 5 created, in input order: %+v", rep.Outcomes)
	}
}

func TestValidateRefusesGraphProblems(t *testing.T) {
	tests := []struct {
		name  string
		in    []job
		wants []string
	}{
		{"cycle", []job{ok("t/a", "t/c"), ok("t/b", "t/a"), ok("t/c", "t/b")}, []string{"dependency cycle", "t/a", "t/b", "t/c"}},
		{"self", []job{ok("t/a", "t/a")}, []string{"t/a: validate: depends on itself"}},
		{"unknown", []job{ok("t/a", "t/missing")}, []string{`t/a: validate: depends on unknown score "t/missing"`}},
		{"duplicate", []job{ok("t/a"), ok("t/a")}, []string{"t/a: validate: duplicate score name"}},
		{"all at once", []job{ok("t/a", "t/x"), {name: "t/b", invalid: score.ErrorList{score.Required("spec.size", "needed")}}},
			[]string{"t/x", "t/b: validate: spec.size: required: needed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			rep, err := newMaestro(t, r).Apply(t.Context(), scores(tc.in...))
			if !errors.Is(err, maestro.ErrInvalid) {
				t.Fatalf("want ErrInvalid, got %v", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(r.order) != 0 || len(rep.Outcomes) != 0 {
				t.Errorf("nothing may run when validation fails; ran %v", r.order)
			}
		})
	}
}

func TestFieldErrorsReachable(t *testing.T) {
	bad := job{name: "t/a", invalid: score.ErrorList{score.Required("name", "x"), score.Invalid("servers[1].port", "y")}}
	_, err := newMaestro(t, &recorder{}).Plan(t.Context(), scores(bad))
	fes := score.FieldErrors(err)
	if len(fes) != 2 || fes[1].Path != "servers[1].port" {
		t.Fatalf("want both field errors through the joined error, got %v", fes)
	}
	var fe *score.FieldError
	if !errors.As(err, &fe) || fe.Path != "name" {
		t.Errorf("errors.As should find the first field error, got %v", fe)
	}
}

func TestParallelismBounded(t *testing.T) {
	for _, bound := range []int{1, 3, 8} {
		t.Run(fmt.Sprint(bound), func(t *testing.T) {
			r := &recorder{}
			release := make(chan struct{})
			var js []job
			for i := range 20 {
				js = append(js, job{name: fmt.Sprintf("t/%d", i), run: func(ctx context.Context, r *recorder) (score.Outcome, error) {
					<-release
					return score.Outcome{Status: score.Created}, nil
				}})
			}
			done := make(chan error)
			go func() {
				_, err := newMaestro(t, r, maestro.WithParallel(bound)).Apply(t.Context(), scores(js...))
				done <- err
			}()
			// Wait until the bound is reached, then give the scheduler a
			// chance to (wrongly) start more before releasing them all.
			deadline := time.Now().Add(10 * time.Second)
			for r.running.Load() < int32(bound) {
				if time.Now().After(deadline) {
					t.Fatalf("only %d of %d scores ran at once", r.running.Load(), bound)
				}
				time.Sleep(time.Millisecond)
			}
			for range 50 {
				runtimeGosched()
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if p := r.peak.Load(); p != int32(bound) {
				t.Errorf("peak concurrency %d, want exactly the bound %d", p, bound)
			}
		})
	}
}

func TestFailureSkipsDependentsAndStops(t *testing.T) {
	r := &recorder{}
	// Parallel 1 makes the order deterministic: a fails first, so b (its
	// dependent) and c (independent, not yet started) are both skipped.
	in := scores(failing("t/a"), ok("t/b", "t/a"), ok("t/c"))
	rep, err := newMaestro(t, r, maestro.WithParallel(1)).Apply(t.Context(), in)
	if !errors.Is(err, maestro.ErrFailed) || !strings.Contains(err.Error(), "t/a: apply: boom") {
		t.Fatalf("want ErrFailed naming t/a, got %v", err)
	}
	st := statuses(rep)
	if st["t/a"] != score.Failed || st["t/b"] != score.Skipped || st["t/c"] != score.Skipped {
		t.Errorf("statuses %v", st)
	}
	if len(r.order) != 1 {
		t.Errorf("only t/a may run, ran %v", r.order)
	}
}

func TestContinueOnErrorRunsIndependent(t *testing.T) {
	r := &recorder{}
	in := scores(failing("t/a"), ok("t/b", "t/a"), ok("t/c", "t/b"), ok("t/d"), ok("t/e", "t/d"))
	rep, err := newMaestro(t, r, maestro.WithParallel(1), maestro.WithContinueOnError()).Apply(t.Context(), in)
	if !errors.Is(err, maestro.ErrFailed) {
		t.Fatalf("want ErrFailed, got %v", err)
	}
	want := map[string]score.Status{"t/a": score.Failed, "t/b": score.Skipped, "t/c": score.Skipped, "t/d": score.Created, "t/e": score.Created}
	if got := statuses(rep); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	for _, o := range rep.Outcomes {
		if o.Score == "t/c" && !strings.Contains(o.Message, "t/b") {
			t.Errorf("skip message should name the skipped dependency: %q", o.Message)
		}
	}
}

func TestPanicBecomesFailedOutcome(t *testing.T) {
	r := &recorder{}
	boom := job{name: "t/panics", run: func(context.Context, *recorder) (score.Outcome, error) { panic("kaboom") }}
	rep, err := newMaestro(t, r, maestro.WithContinueOnError()).Apply(t.Context(), scores(boom, ok("t/fine")))
	if err == nil || !score.IsPermanent(err) {
		t.Fatalf("want a permanent error, got %v", err)
	}
	st := statuses(rep)
	if st["t/panics"] != score.Failed || st["t/fine"] != score.Created {
		t.Errorf("statuses %v", st)
	}
	if !strings.Contains(rep.Outcomes[0].Message, "t/panics: apply: panic: kaboom") {
		t.Errorf("message should name the score and the panic: %q", rep.Outcomes[0].Message)
	}
}

func TestCancellationReturnsPromptly(t *testing.T) {
	r := &recorder{}
	var js []job
	for i := range 100 {
		js = append(js, job{name: fmt.Sprintf("t/%d", i), run: func(ctx context.Context, _ *recorder) (score.Outcome, error) {
			<-ctx.Done() // a well-behaved Interpret: blocks until cancelled
			return score.Outcome{}, ctx.Err()
		}})
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	var rep maestro.Report
	var err error
	go func() {
		rep, err = newMaestro(t, r, maestro.WithParallel(4)).Apply(ctx, scores(js...))
		close(done)
	}()
	for r.running.Load() < 4 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Apply did not return after cancellation")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	if len(rep.Outcomes) != 100 || rep.Count(score.Skipped) < 90 {
		t.Errorf("every score reported, unstarted ones skipped: %d outcomes, %d skipped", len(rep.Outcomes), rep.Count(score.Skipped))
	}
}

func TestEventsAndProgress(t *testing.T) {
	var mu sync.Mutex
	var events []maestro.Event
	obs := func(e maestro.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }
	talk := job{name: "t/talk", run: func(ctx context.Context, _ *recorder) (score.Outcome, error) {
		score.Progress(ctx, "step %d", 1)
		return score.Outcome{Status: score.Unchanged}, nil
	}}
	if _, err := newMaestro(t, &recorder{}, maestro.WithObserver(obs)).Apply(t.Context(), scores(talk)); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Type)+":"+e.Message)
	}
	if got := strings.Join(kinds, ","); got != "started:,progress:step 1,finished:" {
		t.Errorf("events %s", got)
	}
}

func TestPlanWritesNothing(t *testing.T) {
	r := &recorder{}
	plans, err := newMaestro(t, r).Plan(t.Context(), scores(ok("t/a"), ok("t/b", "t/a")))
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2 || plans[1].Score != "t/b" || plans[0].Empty() {
		t.Errorf("plans %+v", plans)
	}
	if len(r.order) != 0 {
		t.Errorf("Plan executed %v", r.order)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opt := range []maestro.Option{maestro.WithParallel(0), maestro.WithObserver(nil), maestro.WithInventory(nil)} {
		if _, err := maestro.New(&recorder{}, opt); !errors.Is(err, maestro.ErrInvalidOption) {
			t.Errorf("want ErrInvalidOption, got %v", err)
		}
	}
}
