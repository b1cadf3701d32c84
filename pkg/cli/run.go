package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/harmony-go/harmony/pkg/maestro"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
	"github.com/harmony-go/harmony/topology/local"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitChanges = 2 // --plan: something would change
)

// Program is a deployment: a topology, its scores and, optionally, what to
// print once it is up.
type Program[T topology.Deployable] struct {
	Topology T
	Scores   []score.Score[T]
	// Summary, when set, is called after a successful apply. Its text is
	// printed in text mode; its value goes into the JSON report as
	// "summary". Neither may hold a secret value.
	Summary func(ctx context.Context) (text string, value any, err error)
}

// Run is RunProgram for a program without a summary, reading os.Args and
// writing to os.Stdout and os.Stderr. Call it from main:
//
//	os.Exit(cli.Run(ctx, topo, scores...))
func Run[T topology.Deployable](ctx context.Context, t T, scores ...score.Score[T]) int {
	return RunProgram(ctx, Program[T]{Topology: t, Scores: scores}, os.Args[1:], os.Stdout, os.Stderr)
}

// RunProgram parses args, carries out the program and returns the exit code.
// If the process was started as the local topology's hidden nats-server
// subcommand it runs the server instead and never returns.
func RunProgram[T topology.Deployable](ctx context.Context, p Program[T], args []string, stdout, stderr io.Writer) int {
	local.RunServerIfRequested()
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitFailed
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
	}
	out := newPrinter(cfg.output, stdout, stderr)
	code := run(ctx, p, cfg, out)
	out.flush()
	return code
}

type config struct {
	plan, destroy, continueOnError bool
	output                         string
	parallel                       int
	timeout                        time.Duration
	stateDir                       string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(progName(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.plan, "plan", false, "show what would change and write nothing; exit 2 when something would change")
	fs.BoolVar(&c.destroy, "destroy", false, "stop and remove everything this deployment started")
	fs.BoolVar(&c.continueOnError, "continue-on-error", false, "keep applying scores that do not depend on a failed one")
	fs.StringVar(&c.output, "output", "text", "output format: text or json")
	fs.IntVar(&c.parallel, "parallel", 0, "scores applied at once (default GOMAXPROCS)")
	fs.DurationVar(&c.timeout, "timeout", 0, "give up after this long, e.g. 5m (default: no limit)")
	fs.StringVar(&c.stateDir, "state-dir", "", "state directory (default .harmony/<deployment>)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, "unexpected arguments: "+strings.Join(fs.Args(), " "))
	}
	if c.output != "text" && c.output != "json" {
		problems = append(problems, fmt.Sprintf("--output must be text or json, not %q", c.output))
	}
	if c.parallel < 0 {
		problems = append(problems, "--parallel must be at least 1")
	}
	if c.timeout < 0 {
		problems = append(problems, "--timeout must not be negative")
	}
	if c.plan && c.destroy {
		problems = append(problems, "--plan and --destroy exclude each other")
	}
	if len(problems) > 0 {
		err := errors.New(strings.Join(problems, "; "))
		fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
		return c, err
	}
	return c, nil
}

func progName() string {
	if len(os.Args) == 0 {
		return "harmony"
	}
	name := os.Args[0]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

func run[T topology.Deployable](ctx context.Context, p Program[T], cfg config, out *printer) int {
	if err := p.Topology.SetStateDir(cfg.stateDir); err != nil {
		out.fail(err)
		return ExitFailed
	}
	if cfg.destroy {
		if err := p.Topology.Destroy(ctx); err != nil {
			out.fail(fmt.Errorf("destroy %s: %w", p.Topology.Name(), err))
			return ExitFailed
		}
		out.destroyed(p.Topology.Name())
		return ExitOK
	}
	opts := []maestro.Option{maestro.WithObserver(out.event)}
	if cfg.parallel > 0 {
		opts = append(opts, maestro.WithParallel(cfg.parallel))
	}
	if cfg.continueOnError {
		opts = append(opts, maestro.WithContinueOnError())
	}
	m, err := maestro.New(p.Topology, opts...)
	if err != nil {
		out.fail(err)
		return ExitFailed
	}
	if cfg.plan {
		plans, err := m.Plan(ctx, p.Scores)
		if err != nil {
			out.fail(err)
			return ExitFailed
		}
		if out.plans(plans) > 0 {
			return ExitChanges
		}
		return ExitOK
	}
	if err := p.Topology.EnsureReady(ctx); err != nil {
		out.fail(fmt.Errorf("topology %s: %w", p.Topology.Name(), err))
		return ExitFailed
	}
	rep, err := m.Apply(ctx, p.Scores)
	if err != nil && len(rep.Outcomes) == 0 {
		out.fail(err) // invalid input: nothing ran
		return ExitFailed
	}
	var summary any
	if err == nil && p.Summary != nil {
		text, value, serr := p.Summary(ctx)
		if serr != nil {
			err = fmt.Errorf("summary: %w", serr)
		} else {
			out.summaryText(text)
			summary = value
		}
	}
	out.report(rep, summary, err)
	if err != nil {
		return ExitFailed
	}
	return ExitOK
}

// jsonProblem is one field error in JSON output.
type jsonProblem struct {
	Score  string `json:"score,omitempty"`
	Path   string `json:"path"`
	Type   string `json:"type"`
	Detail string `json:"detail"`
}

// reportLine is the last line of JSON output.
type reportLine struct {
	Outcomes []score.Outcome `json:"outcomes"`
	Plans    []score.Plan    `json:"plans,omitempty"`
	Summary  any             `json:"summary,omitempty"`
	Error    string          `json:"error,omitempty"`
	Problems []jsonProblem   `json:"problems,omitempty"`
}

func encodeLine(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": "encode output: " + err.Error()})
	}
	b = append(b, '\n')
	_, _ = w.Write(b)
}
