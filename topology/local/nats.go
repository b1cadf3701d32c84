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

// PlanNatsServers reports, reading only, what ApplyNatsServers would do:
// create (start) a server that is not running, restart one whose config
// differs, delete one of the group no longer listed.
func (l *Local) PlanNatsServers(ctx context.Context, group string, servers []topology.NatsServer) ([]score.Change, error) {
	gs := l.readGroup(group, servers)
	if c := l.conflicts(servers, gs.procs); len(c) > 0 {
		return nil, &topology.PortsInUseError{Conflicts: c}
	}
	var changes []score.Change
	for _, s := range servers {
		p := gs.procs[s.Name]
		switch {
		case !p.running:
			changes = append(changes, score.Change{Action: score.ActionCreate, Target: "server/" + s.Name,
				Detail: fmt.Sprintf("start nats-server on %s:%d", l.host, s.ClientPort)})
		case !bytes.Equal(p.conf, s.Config):
			changes = append(changes, score.Change{Action: score.ActionRestart, Target: "server/" + s.Name,
				Detail: "config changed"})
		}
	}
	for _, p := range gs.removed {
		changes = append(changes, score.Change{Action: score.ActionDelete, Target: "server/" + p.name,
			Detail: "no longer part of " + group})
	}
	return changes, ctx.Err()
}

// ApplyNatsServers starts missing servers, restarts changed ones one at a
// time (each back and healthy before the next), stops servers dropped from
// the group, and returns when all are healthy. A re-run with nothing changed
// writes no file and signals no process.
func (l *Local) ApplyNatsServers(ctx context.Context, group string, servers []topology.NatsServer) (topology.NatsResult, error) {
	var res topology.NatsResult
	gs := l.readGroup(group, servers)
	if c := l.conflicts(servers, gs.procs); len(c) > 0 {
		return res, score.Permanent(&topology.PortsInUseError{Conflicts: c})
	}
	var toStart, toRestart []topology.NatsServer
	for _, s := range servers {
		p := gs.procs[s.Name]
		switch {
		case !p.running:
			toStart = append(toStart, s)
		case !bytes.Equal(p.conf, s.Config):
			toRestart = append(toRestart, s)
		}
	}
	if len(toStart)+len(toRestart)+len(gs.removed) > 0 {
		if err := l.lock(); err != nil {
			return res, err
		}
	}
	// Start every missing server before waiting on any: a JetStream
	// cluster is healthy only once a majority is up.
	for _, s := range toStart {
		if err := l.writeServerFiles(group, s); err != nil {
			return res, fmt.Errorf("server %s: %w", s.Name, err)
		}
		score.Progress(ctx, "starting server %s", s.Name)
		if _, err := l.start(s.Name); err != nil {
			return res, err
		}
		res.Started = append(res.Started, s.Name)
	}
	if err := l.waitReady(ctx, servers); err != nil {
		return res, err
	}
	for _, s := range toRestart {
		p := gs.procs[s.Name]
		score.Progress(ctx, "restarting server %s (config changed)", s.Name)
		if err := l.stop(ctx, p, stopGrace); err != nil {
			return res, err
		}
		if err := l.writeServerFiles(group, s); err != nil {
			return res, fmt.Errorf("server %s: %w", s.Name, err)
		}
		if _, err := l.start(s.Name); err != nil {
			return res, err
		}
		if err := l.waitReady(ctx, servers); err != nil {
			return res, err
		}
		res.Restarted = append(res.Restarted, s.Name)
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
