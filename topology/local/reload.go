package local

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/conf"

	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
)

// reload writes each server's new config, signals SIGHUP, and waits until
// the server reports the new config's digest: a server refuses a config it
// cannot reload and keeps the old one, which this reports with its log.
func (l *Local) reload(ctx context.Context, group string, cs []change) error {
	want := map[string]string{}
	for _, c := range cs {
		if err := l.writeServerFiles(group, c.server); err != nil {
			return fmt.Errorf("server %s: %w", c.server.Name, err)
		}
		_, digest, err := conf.ParseFileWithChecksDigest(filepath.Join(l.serverDir(c.server.Name), "nats.conf"))
		if err != nil {
			return fmt.Errorf("server %s: parse new config: %w", c.server.Name, err)
		}
		want[c.server.Name] = digest
		if err := syscall.Kill(c.proc.pid, syscall.SIGHUP); err != nil {
			return fmt.Errorf("server %s: reload: %w", c.server.Name, err)
		}
		l.logger.Info("reloaded nats-server", "deployment", l.name, "server", c.server.Name, "pid", c.proc.pid)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range cs {
		for {
			got, err := configDigest(ctx, l.host, c.server.MonitorPort)
			if err == nil && got == want[c.server.Name] {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("server %s did not take the new config (reported digest %q): %s", c.server.Name, got, l.logTail(c.server.Name))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// liveDrift compares the digest of the config a running server reports
// with its config file's; it returns why they differ, or "" when the server
// runs its file (or cannot be asked: readiness reports that).
func (l *Local) liveDrift(ctx context.Context, s topology.NatsServer) string {
	live, err := configDigest(ctx, l.host, s.MonitorPort)
	if err != nil || live == "" {
		return ""
	}
	_, file, err := conf.ParseFileWithChecksDigest(filepath.Join(l.serverDir(s.Name), "nats.conf"))
	if err != nil || file == live {
		return ""
	}
	return "the server runs a config other than its file (changed and reloaded by hand?)"
}

// configDigest asks a server's /varz which config it runs.
func configDigest(ctx context.Context, host string, monitorPort int) (string, error) {
	var v struct {
		ConfigDigest string `json:"config_digest"`
	}
	_, err := monitorGet(ctx, host, monitorPort, "/varz", &v)
	return v.ConfigDigest, err
}

// lameDuckStop hands a server's RAFT leadership and clients over before it
// stops: SIGUSR2 puts it in lame-duck mode (leaders transfer within about a
// second, then clients are told to move); after a short wait it is stopped.
func (l *Local) lameDuckStop(ctx context.Context, p *proc) error {
	if !p.running {
		return nil
	}
	_ = syscall.Kill(p.pid, syscall.SIGUSR2)
	wait := time.Now().Add(3 * time.Second)
	for isOurServer(p.pid, p.confPath()) && time.Now().Before(wait) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	score.Progress(ctx, "stopping server %s", p.name)
	return l.stop(ctx, p, stopGrace)
}
