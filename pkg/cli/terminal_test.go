package cli_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/score"
)

// chatty reports progress while it runs.
type chatty struct{ want }

func (c chatty) Interpret() score.Interpret[*memTopo] { return c }
func (c chatty) Execute(ctx context.Context, inv *inventory.Inventory, m *memTopo) (score.Outcome, error) {
	score.Progress(ctx, "waiting for the meta leader")
	return c.want.Execute(ctx, inv, m)
}

// TestLiveProgressOnATerminal runs the CLI with a real pseudo-terminal as
// stdout: progress rewrites one status line in place; the outcome and the
// report are plain lines.
func TestLiveProgressOnATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	defer ptmx.Close()
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&screen, ptmx); close(done) }()
	var stderr bytes.Buffer
	m := &memTopo{applied: map[string]bool{}}
	code := cli.RunProgram(t.Context(), cli.Program[*memTopo]{Topology: m, Scores: []score.Score[*memTopo]{chatty{want{key: "a"}}}}, nil, tty, &stderr)
	tty.Close()
	<-done
	out := screen.String()
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(out, "\r\x1b[K… mem.key/a: waiting for the meta leader") {
		t.Errorf("no live status line on the terminal:\n%q", out)
	}
	if !strings.Contains(out, "created  mem.key/a") || !strings.Contains(out, "STATUS") {
		t.Errorf("no outcome or report:\n%q", out)
	}
	var plain bytes.Buffer
	if code := cli.RunProgram(t.Context(), cli.Program[*memTopo]{Topology: &memTopo{applied: map[string]bool{}}, Scores: []score.Score[*memTopo]{chatty{want{key: "a"}}}}, nil, &plain, &stderr); code != cli.ExitOK {
		t.Fatal(code)
	}
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(plain.String(), "mem.key/a: waiting for the meta leader\n") {
		t.Errorf("without a terminal, progress must be plain lines:\n%q", plain.String())
	}
}
