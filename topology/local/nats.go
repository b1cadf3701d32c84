package local

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
)

// stopGrace is how long a server gets to shut down before it is killed.
const stopGrace = 30 * time.Second

type groupState struct {
	procs   map[string]*proc // desired servers
	removed []*proc          // servers of the group no longer desired
}

func (l *Local) readGroup(group string, servers []topology.NatsServer) groupState {
	gs := groupState{procs: map[string]*proc{}}
	for _, s := range servers {
		gs.procs[s.Name] = l.inspect(s.Name)
	}
	for _, name := range l.members(group) {
		if _, wanted := gs.procs[name]; !wanted {
			gs.removed = append(gs.removed, l.inspect(name))
		}
	}
	return gs
}

// change is what a desired server needs: nothing, a start, a reload or a
// restart, with the differences behind it.
type change struct {
	server topology.NatsServer
	proc   *proc
	action score.Action // "" when nothing differs
	diff   topology.ConfigDiff
}

func (l *Local) classify(ctx context.Context, servers []topology.NatsServer, gs groupState) ([]change, error) {
	out := make([]change, 0, len(servers))
	for _, s := range servers {
		c := change{server: s, proc: gs.procs[s.Name]}
		switch {
		case !c.proc.running:
			c.action = score.ActionCreate
		case bytes.Equal(c.proc.conf, s.Config):
			// The file is right; is it what the server runs? A config
			// reloaded by hand and then restored differs from the file.
			// What it runs is unknown, so only a restart surely heals it.
			if d := l.liveDrift(ctx, s); d != "" {
				c.action = score.ActionRestart
				c.diff = topology.ConfigDiff{Restart: true, Changes: []score.Change{{Field: "config", Detail: d}}}
			}
		case !bytes.Equal(c.proc.conf, s.Config):
			c.diff = topology.ConfigDiff{Restart: true}
			if s.Diff != nil {
				d, err := s.Diff(c.proc.conf)
				if err != nil {
					return nil, fmt.Errorf("server %s: compare config: %w", s.Name, err)
				}
				c.diff = d
			}
			c.action = score.ActionReload
			if c.diff.Restart {
				c.action = score.ActionRestart
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// readChecked reads the group's state and refuses it when another process
// holds a port the group needs.
func (l *Local) readChecked(group string, servers []topology.NatsServer) (groupState, error) {
	gs := l.readGroup(group, servers)
	if c := l.conflicts(servers, gs.procs); len(c) > 0 {
		return gs, &topology.PortsInUseError{Conflicts: c}
	}
	return gs, nil
}

// CheckNatsPorts reports the ports of the group held by other processes.
func (l *Local) CheckNatsPorts(ctx context.Context, group string, servers []topology.NatsServer) error {
	if _, err := l.readChecked(group, servers); err != nil {
		return err
	}
	return ctx.Err()
}

// PlanNatsServers reports, reading only, what ApplyNatsServers would do:
// create (start) a server that is not running, reload or restart one whose
// config differs (each difference named), delete one of the group no longer
// listed.
func (l *Local) PlanNatsServers(ctx context.Context, group string, servers []topology.NatsServer) ([]score.Change, error) {
	gs, err := l.readChecked(group, servers)
	if err != nil {
		return nil, err
	}
	cs, err := l.classify(ctx, servers, gs)
	if err != nil {
		return nil, err
	}
	var changes []score.Change
	for _, c := range cs {
		target := "server/" + c.server.Name
		where := ""
		if c.server.Site != "" {
			where = "site " + c.server.Site + ": "
		}
		switch c.action {
		case score.ActionCreate:
			changes = append(changes, score.Change{Action: score.ActionCreate, Target: target,
				Detail: fmt.Sprintf("%sstart nats-server on %s:%d", where, l.host, c.server.ClientPort)})
		case score.ActionReload, score.ActionRestart:
			if len(c.diff.Changes) == 0 {
				changes = append(changes, score.Change{Action: c.action, Target: target, Detail: where + "config changed"})
			}
			for _, d := range c.diff.Changes {
				d.Action, d.Target = c.action, target
				d.Detail = where + d.Detail
				changes = append(changes, d)
			}
		}
	}
	for _, p := range gs.removed {
		changes = append(changes, score.Change{Action: score.ActionDelete, Target: "server/" + p.name,
			Detail: "no longer part of " + group})
	}
	return changes, ctx.Err()
}

// ApplyNatsServers starts missing servers (all at once: a JetStream cluster
// is healthy only once a majority runs), reloads servers whose change allows
// it (SIGHUP, confirmed by the config digest the server reports), restarts
// the others one at a time in lame-duck mode (each back and healthy before
// the next), stops servers dropped from the group, and returns when all are
// healthy. A re-run with nothing changed writes no file and signals no
// process.
func (l *Local) ApplyNatsServers(ctx context.Context, group string, servers []topology.NatsServer) (topology.NatsResult, error) {
	var res topology.NatsResult
	gs, err := l.readChecked(group, servers)
	if err != nil {
		return res, score.Permanent(err)
	}
	cs, err := l.classify(ctx, servers, gs)
	if err != nil {
		return res, err
	}
	var toStart, toReload, toRestart []change
	for _, c := range cs {
		switch c.action {
		case score.ActionCreate:
			toStart = append(toStart, c)
		case score.ActionReload:
			toReload = append(toReload, c)
		case score.ActionRestart:
			toRestart = append(toRestart, c)
		}
	}
	if len(toStart)+len(toReload)+len(toRestart)+len(gs.removed) > 0 {
		if err := l.lock(); err != nil {
			return res, err
		}
	}
	for _, c := range toStart {
		if err := l.writeServerFiles(group, c.server); err != nil {
			return res, fmt.Errorf("server %s: %w", c.server.Name, err)
		}
		score.Progress(ctx, "starting server %s", c.server.Name)
		if _, err := l.start(c.server.Name); err != nil {
			return res, err
		}
		res.Started = append(res.Started, c.server.Name)
	}
	if err := l.waitReady(ctx, servers); err != nil {
		return res, err
	}
	if len(toReload) > 0 {
		score.Progress(ctx, "reloading %d server(s)", len(toReload))
		if err := l.reload(ctx, group, toReload); err != nil {
			return res, err
		}
		for _, c := range toReload {
			res.Reloaded = append(res.Reloaded, c.server.Name)
		}
	}
	for i, c := range toRestart {
		score.Progress(ctx, "rolling restart %d/%d: server %s (lame duck)", i+1, len(toRestart), c.server.Name)
		if err := l.lameDuckStop(ctx, c.proc); err != nil {
			return res, err
		}
		if err := l.writeServerFiles(group, c.server); err != nil {
			return res, fmt.Errorf("server %s: %w", c.server.Name, err)
		}
		if _, err := l.start(c.server.Name); err != nil {
			return res, err
		}
		if err := l.waitReady(ctx, servers); err != nil {
			return res, err
		}
		res.Restarted = append(res.Restarted, c.server.Name)
	}
	for _, p := range gs.removed {
		score.Progress(ctx, "stopping server %s (no longer in %s)", p.name, group)
		if err := l.stop(ctx, p, stopGrace); err != nil {
			return res, err
		}
		if err := os.RemoveAll(p.dir); err != nil {
			return res, fmt.Errorf("remove server %s: %w", p.name, err)
		}
		res.Stopped = append(res.Stopped, p.name)
	}
	slices.Sort(res.Started)
	return res, nil
}

// NatsClientURLs returns the recorded client URLs of the named servers.
func (l *Local) NatsClientURLs(servers []string) []string {
	var out []string
	for _, name := range servers {
		if p := l.inspect(name); p.meta != nil {
			out = append(out, fmt.Sprintf("nats://%s:%d", l.host, p.meta.ClientPort))
		}
	}
	return out
}
