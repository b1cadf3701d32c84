package main

import (
	"syscall"
	"testing"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/cli"
	"github.com/harmony-go/harmony/topology/local"
)

func syscallKill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// clusterOf returns a copy of the program's cluster score to modify.
func clusterOf(t *testing.T, p cli.Program[*local.Local]) nats.Cluster[*local.Local] {
	t.Helper()
	c, ok := p.Scores[0].(nats.Cluster[*local.Local])
	if !ok {
		t.Fatalf("first score is %T", p.Scores[0])
	}
	c.Servers = append([]nats.Server(nil), c.Servers...)
	js := *c.JetStream
	c.JetStream = &js
	return c
}
