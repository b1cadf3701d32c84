package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
)

// Report is the last line `--output json` prints.
type Report struct {
	Outcomes []score.Outcome `json:"outcomes"`
	Plans    []score.Plan    `json:"plans"`
	Summary  json.RawMessage `json:"summary"`
	Error    string          `json:"error"`
	Problems []Problem       `json:"problems"`
}

// Problem is one field error of a Report.
type Problem struct {
	Score, Path, Type, Detail string
}

// Statuses lists "score=status" for every outcome, in order.
func (r Report) Statuses() []string {
	var out []string
	for _, o := range r.Outcomes {
		out = append(out, o.Score+"="+string(o.Status))
	}
	return out
}

// Changes lists every change of every plan.
func (r Report) Changes() []score.Change {
	var out []score.Change
	for _, p := range r.Plans {
		out = append(out, p.Changes...)
	}
	return out
}

// RunJSON runs p as its command line would with args and --output json,
// checks that every line of standard output is JSON, and returns the exit
// code, the report (the last line) and standard error.
func RunJSON[T topology.Deployable](t testing.TB, ctx context.Context, p cli.Program[T], args ...string) (int, Report, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.RunProgram(ctx, p, append(args, "--output", "json"), &stdout, &stderr)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var rep Report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not a JSON report: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("stdout line is not JSON: %q", l)
		}
	}
	return code, rep, stderr.String()
}
