package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
)

// memTopo is a topology for unit tests of the CLI's own logic (flags,
// output, exit codes); the examples' tests drive the CLI against real
// servers.
type memTopo struct {
	stateDir  string
	destroyed int
	mu        sync.Mutex // scores apply in parallel
	applied   map[string]bool
}

// apply marks key applied and reports whether it already was.
func (m *memTopo) apply(key string) (was bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	was = m.applied[key]
	m.applied[key] = true
	return was
}

func (m *memTopo) has(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applied[key]
}

func (m *memTopo) Name() string                      { return "mem" }
func (m *memTopo) EnsureReady(context.Context) error { return nil }
func (m *memTopo) SetStateDir(d string) error        { m.stateDir = d; return nil }
func (m *memTopo) Destroy(context.Context) error     { m.destroyed++; return nil }

// want is a score that creates a key in memTopo, or fails with err.
type want struct {
	key string
	err error
}

func (w want) Name() string                         { return "mem.key/" + w.key }
func (w want) Validate() error                      { return nil }
func (w want) Interpret() score.Interpret[*memTopo] { return w }
func (w want) Plan(_ context.Context, _ *inventory.Inventory, m *memTopo) (score.Plan, error) {
	if m.has(w.key) {
		return score.Plan{}, nil
	}
	return score.Plan{Changes: []score.Change{{Action: score.ActionCreate, Target: "key/" + w.key}}}, nil
}
func (w want) Execute(_ context.Context, _ *inventory.Inventory, m *memTopo) (score.Outcome, error) {
	if w.err != nil {
		return score.Outcome{}, w.err
	}
	if m.apply(w.key) {
		return score.Outcome{Status: score.Unchanged}, nil
	}
	return score.Outcome{Status: score.Created}, nil
}

func runCLI(t *testing.T, m *memTopo, scores []score.Score[*memTopo], args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.RunProgram(t.Context(), cli.Program[*memTopo]{Topology: m, Scores: scores}, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestExitCodesAndModes(t *testing.T) {
	m := &memTopo{applied: map[string]bool{}}
	in := []score.Score[*memTopo]{want{key: "a"}, want{key: "b"}}

	if code, out, _ := runCLI(t, m, in, "--plan"); code != cli.ExitChanges || !strings.Contains(out, "create   key/a") {
		t.Errorf("plan with changes: exit %d\n%s", code, out)
	}
	if len(m.applied) != 0 {
		t.Fatal("--plan applied something")
	}
	code, out, _ := runCLI(t, m, in, "--state-dir", "/tmp/x")
	if code != cli.ExitOK || m.stateDir != "/tmp/x" || !strings.Contains(out, "created  mem.key/a") {
		t.Errorf("apply: exit %d, state dir %q\n%s", code, m.stateDir, out)
	}
	if code, _, _ := runCLI(t, m, in, "--plan"); code != cli.ExitOK {
		t.Errorf("plan with nothing to do: exit %d", code)
	}
	code, out, _ = runCLI(t, m, in, "--output", "json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var rep struct {
		Outcomes []score.Outcome `json:"outcomes"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || code != cli.ExitOK {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	if len(rep.Outcomes) != 2 || rep.Outcomes[0].Status != score.Unchanged || rep.Outcomes[0].Score != "mem.key/a" {
		t.Errorf("report %+v", rep.Outcomes)
	}
	if code, _, _ := runCLI(t, m, in, "--destroy"); code != cli.ExitOK || m.destroyed != 1 {
		t.Errorf("destroy: exit %d, destroyed %d", code, m.destroyed)
	}
	failing := []score.Score[*memTopo]{want{key: "c", err: errors.New("disk full")}}
	if code, _, errOut := runCLI(t, m, failing); code != cli.ExitFailed || !strings.Contains(errOut, "mem.key/c: apply: disk full") {
		t.Errorf("failure: exit %d, stderr %q", code, errOut)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--output", "yaml"}, {"--parallel", "-1"}, {"--plan", "--destroy"}, {"extra"}, {"--nope"}} {
		m := &memTopo{applied: map[string]bool{}}
		code, _, errOut := runCLI(t, m, []score.Score[*memTopo]{want{key: "a"}}, args...)
		if code != cli.ExitFailed || errOut == "" || len(m.applied) != 0 || m.destroyed != 0 {
			t.Errorf("%v: exit %d, stderr %q, applied %v", args, code, errOut, m.applied)
		}
	}
}

// token is a secret type: its value is read from the store.
type token struct {
	Token secrets.Value `json:"token"`
}

// leaky is a score that holds a secret and does its worst to print it: it
// logs it at debug level, puts it in its error and fails.
type leaky struct {
	Token  secrets.Value
	Logger *slog.Logger
}

func (l leaky) Name() string                         { return "leak.test/canary" }
func (l leaky) Validate() error                      { return nil }
func (l leaky) Interpret() score.Interpret[*memTopo] { return l }
func (l leaky) Plan(context.Context, *inventory.Inventory, *memTopo) (score.Plan, error) {
	return score.Plan{Changes: []score.Change{{Action: score.ActionUpdate, Target: "token", To: l.Token.String()}}}, nil
}
func (l leaky) Execute(ctx context.Context, _ *inventory.Inventory, _ *memTopo) (score.Outcome, error) {
	l.Logger.DebugContext(ctx, "applying", "token", l.Token, "score", l)
	score.Progress(ctx, "using token %v", l.Token)
	return score.Outcome{}, fmt.Errorf("auth with %v (%+v, %s, %#v) refused", l.Token, l, l.Token, l)
}

// TestSecretCanary sends a unique secret through the store, a failing
// Interpret, debug logs, errors, both output formats and %#v of the score,
// and expects it in none of them.
func TestSecretCanary(t *testing.T) {
	canary := "canary-" + fmt.Sprint(t.Name(), len(t.Name())*7919) + "-do-not-print"
	t.Setenv("HARMONY_SECRET_CANARY_TOKEN", `{"token":"`+canary+`"}`)
	store, err := secrets.New(secrets.WithBackends(secrets.Env()))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := secrets.Get[token](t.Context(), store, "canary-token")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token.Reveal() != canary {
		t.Fatal("the store did not return the canary; the test would prove nothing")
	}
	var logs bytes.Buffer
	s := leaky{Token: tok.Token, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	in := []score.Score[*memTopo]{s}

	var captured []string
	for _, args := range [][]string{nil, {"--output", "json"}, {"--plan"}, {"--plan", "--output", "json"}} {
		code, out, errOut := runCLI(t, &memTopo{applied: map[string]bool{}}, in, args...)
		if len(args) == 0 || args[0] != "--plan" {
			if code != cli.ExitFailed {
				t.Errorf("%v: the leaky score must fail, exit %d", args, code)
			}
		}
		captured = append(captured, out, errOut)
	}
	captured = append(captured, logs.String(), fmt.Sprintf("%#v", s), fmt.Sprintf("%+v", s), fmt.Sprintf("%v", tok))
	all := strings.Join(captured, "\n")
	if strings.Contains(all, canary) {
		t.Fatalf("the canary leaked into the output")
	}
	if !strings.Contains(logs.String(), secrets.Redacted) || !strings.Contains(all, "auth with "+secrets.Redacted) {
		t.Fatalf("expected the redacted marker where the secret was used; captured:\n%s", all)
	}
}
