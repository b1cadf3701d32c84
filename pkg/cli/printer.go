package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/harmony-go/harmony/pkg/maestro"
	"github.com/harmony-go/harmony/pkg/score"
)

// printer writes a run's events and results as text or JSON lines.
type printer struct {
	json     bool
	live     bool // stdout is a terminal: progress rewrites one status line
	stdout   io.Writer
	stderr   io.Writer
	liveLine bool
}

func newPrinter(format string, stdout, stderr io.Writer) *printer {
	p := &printer{json: format == "json", stdout: stdout, stderr: stderr}
	if f, ok := stdout.(*os.File); ok && !p.json {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.live = true
		}
	}
	return p
}

// event is the maestro observer; maestro serialises calls.
func (p *printer) event(e maestro.Event) {
	if p.json {
		encodeLine(p.stdout, e)
		return
	}
	switch {
	case p.live && e.Type != maestro.EventFinished:
		p.clearLive()
		msg := e.Message
		if msg == "" {
			msg = string(e.Type)
		}
		fmt.Fprintf(p.stdout, "\r\x1b[K… %s: %s", e.Score, msg)
		p.liveLine = true
	case e.Type == maestro.EventFinished:
		p.clearLive()
		fmt.Fprintf(p.stdout, "%-9s %s", e.Outcome.Status, e.Score)
		if e.Outcome.Message != "" {
			fmt.Fprintf(p.stdout, ": %s", e.Outcome.Message)
		}
		fmt.Fprintln(p.stdout)
	default:
		msg := e.Message
		if msg == "" {
			msg = string(e.Type)
		}
		fmt.Fprintf(p.stdout, "%-9s %s: %s\n", "...", e.Score, msg)
	}
}

func (p *printer) clearLive() {
	if p.liveLine {
		fmt.Fprint(p.stdout, "\r\x1b[K")
		p.liveLine = false
	}
}

func (p *printer) flush() { p.clearLive() }

// fail reports an error that stopped the run before any outcome, listing
// every field problem.
func (p *printer) fail(err error) {
	p.clearLive()
	if p.json {
		encodeLine(p.stdout, reportLine{Outcomes: []score.Outcome{}, Error: err.Error(), Problems: problems(err)})
		return
	}
	fmt.Fprintf(p.stderr, "error: %s\n", indentErr(err))
}

// indentErr prints a joined error one problem per line.
func indentErr(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "\n  ")
}

// problems lists the field errors inside err with the score each belongs
// to: maestro wraps every score's error as "<kind/name>: <phase>: ...".
func problems(err error) []jsonProblem {
	var out []jsonProblem
	add := func(name string, e error) {
		for _, fe := range score.FieldErrors(e) {
			out = append(out, jsonProblem{Score: name, Path: fe.Path, Type: string(fe.Type), Detail: fe.Detail})
		}
	}
	var walk func(e error) bool
	walk = func(e error) (found bool) {
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			// A joined error's message starts with its first child's:
			// each child names its own score.
			for _, c := range u.Unwrap() {
				found = walk(c) || found
			}
		case interface{ Unwrap() error }:
			if i := strings.Index(e.Error(), ": "); i > 0 && strings.Contains(e.Error()[:i], "/") {
				add(e.Error()[:i], e)
				return true
			}
			return walk(u.Unwrap())
		}
		return found
	}
	if err != nil && !walk(err) {
		add("", err)
	}
	return out
}

// plans prints every plan and returns the number of changes.
func (p *printer) plans(plans []score.Plan) int {
	n := 0
	for _, pl := range plans {
		n += len(pl.Changes)
	}
	if p.json {
		encodeLine(p.stdout, reportLine{Outcomes: []score.Outcome{}, Plans: plans})
		return n
	}
	p.clearLive()
	for _, pl := range plans {
		if pl.Empty() {
			fmt.Fprintf(p.stdout, "%-9s %s\n", "unchanged", pl.Score)
			continue
		}
		fmt.Fprintf(p.stdout, "%-9s %s\n", "changes", pl.Score)
		for _, c := range pl.Changes {
			line := fmt.Sprintf("  %-8s %s", c.Action, c.Target)
			if c.Field != "" {
				line += " " + c.Field
				if c.From != "" || c.To != "" {
					line += fmt.Sprintf(": %s -> %s", c.From, c.To)
				}
			}
			if c.Detail != "" {
				line += " (" + c.Detail + ")"
			}
			fmt.Fprintln(p.stdout, line)
		}
	}
	fmt.Fprintf(p.stdout, "plan: %d change(s) in %d score(s)\n", n, len(plans))
	return n
}

func (p *printer) summaryText(text string) {
	if p.json || text == "" {
		return
	}
	p.clearLive()
	fmt.Fprintln(p.stdout, strings.TrimRight(text, "\n"))
}

// report prints the final report: in JSON, the last line.
func (p *printer) report(rep maestro.Report, summary any, err error) {
	if p.json {
		line := reportLine{Outcomes: rep.Outcomes, Summary: summary}
		if line.Outcomes == nil {
			line.Outcomes = []score.Outcome{}
		}
		if err != nil {
			line.Error = err.Error()
		}
		encodeLine(p.stdout, line)
		return
	}
	p.clearLive()
	tw := tabwriter.NewWriter(p.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tSCORE\tMESSAGE")
	for _, o := range rep.Outcomes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Status, o.Score, firstLine(o.Message))
	}
	tw.Flush()
	if err != nil {
		fmt.Fprintf(p.stderr, "error: %s\n", indentErr(err))
	}
}

func (p *printer) destroyed(name string) {
	if p.json {
		encodeLine(p.stdout, reportLine{Outcomes: []score.Outcome{{Score: "deployment/" + name, Status: score.Deleted}}})
		return
	}
	fmt.Fprintf(p.stdout, "destroyed deployment %s\n", name)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
