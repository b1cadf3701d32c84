package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/harmony-go/harmony/internal/atomicfile"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
)

// meta is what server.json records about a server.
type meta struct {
	Group       string               `json:"group"`
	ClientPort  int                  `json:"clientPort"`
	MonitorPort int                  `json:"monitorPort"`
	Ports       []topology.NamedPort `json:"ports"`
	JetStream   bool                 `json:"jetstream"`
}

// proc is what the state dir and the process table say about one server.
type proc struct {
	name    string
	dir     string
	conf    []byte // nil when no config was written yet
	meta    *meta
	pid     int
	running bool // pid is alive and really is our server for this config
}

func (p *proc) confPath() string { return filepath.Join(p.dir, "nats.conf") }

// inspect reads a server's state; it writes nothing.
func (l *Local) inspect(name string) *proc {
	p := &proc{name: name, dir: l.serverDir(name)}
	if b, err := os.ReadFile(p.confPath()); err == nil {
		p.conf = b
	}
	if b, err := os.ReadFile(filepath.Join(p.dir, "server.json")); err == nil {
		var m meta
		if json.Unmarshal(b, &m) == nil {
			p.meta = &m
		}
	}
	if b, err := os.ReadFile(filepath.Join(p.dir, "pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
			p.pid = pid
			p.running = isOurServer(pid, p.confPath())
		}
	}
	return p
}

// members lists the names of servers recorded in the state dir, of one
// group or (group "") of all groups.
func (l *Local) members(group string) []string {
	entries, err := os.ReadDir(l.serversDir())
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(l.serversDir(), e.Name(), "server.json"))
		if err != nil {
			if group == "" {
				out = append(out, e.Name())
			}
			continue
		}
		var m meta
		if json.Unmarshal(b, &m) == nil && (group == "" || m.Group == group) {
			out = append(out, e.Name())
		}
	}
	return out
}

// isOurServer reports whether pid is alive and is a harmony nats-server
// running confPath. Where /proc is missing it falls back to "the process
// exists".
func isOurServer(pid int, confPath string) bool {
	if runtime.GOOS != "linux" {
		return syscall.Kill(pid, 0) == nil
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	var isServer, isConf bool
	for _, a := range args {
		isServer = isServer || a == ServerCommand
		isConf = isConf || a == confPath
	}
	return isServer && isConf
}

// portFree reports whether nothing listens on 127.0.0.1:port.
func portFree(host string, port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// conflicts lists desired ports held by anything but the server meant to
// hold them.
func (l *Local) conflicts(servers []topology.NatsServer, procs map[string]*proc) []topology.PortConflict {
	var out []topology.PortConflict
	for _, s := range servers {
		p := procs[s.Name]
		for _, np := range s.Ports {
			if p.running && p.meta != nil && hasPort(p.meta.Ports, np.Port) {
				continue
			}
			if !portFree(l.host, np.Port) {
				out = append(out, topology.PortConflict{Server: s.Name, Name: np.Name, Port: np.Port})
			}
		}
	}
	return out
}

func hasPort(ports []topology.NamedPort, port int) bool {
	for _, p := range ports {
		if p.Port == port {
			return true
		}
	}
	return false
}

// ensureBinary copies this program's executable into the state dir (once
// per Local, and only when its content differs) and returns the copy's path.
func (l *Local) ensureBinary() (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.binary != "" {
		return l.binary, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own executable: %w", err)
	}
	dst := filepath.Join(l.stateDir, "bin", "harmony-nats-server")
	same, err := sameFile(exe, dst)
	if err != nil {
		return "", err
	}
	if !same {
		if err := copyExecutable(exe, dst); err != nil {
			return "", fmt.Errorf("copy server binary: %w", err)
		}
	}
	l.binary = dst
	return dst, nil
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil || sa.Size() != sb.Size() {
		return false, nil
	}
	ha, err := fileHash(a)
	if err != nil {
		return false, err
	}
	hb, err := fileHash(b)
	if err != nil {
		return false, nil
	}
	return ha == hb, nil
}

func fileHash(path string) ([32]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// copyExecutable writes src to dst atomically, so a server running the
// old copy is never disturbed.
func copyExecutable(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, in, 0o755)
}

// writeIfChanged writes data to path (atomically) unless it already holds
// exactly data. It reports whether it wrote.
func writeIfChanged(path string, data []byte, perm os.FileMode) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := atomicfile.Write(path, bytes.NewReader(data), perm); err != nil {
		return false, err
	}
	return true, nil
}

// writeServerFiles writes a server's config and server.json, each only when
// it differs.
func (l *Local) writeServerFiles(group string, s topology.NatsServer) error {
	dir := l.serverDir(s.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := writeIfChanged(filepath.Join(dir, "nats.conf"), s.Config, 0o644); err != nil {
		return err
	}
	m, _ := json.MarshalIndent(meta{Group: group, ClientPort: s.ClientPort, MonitorPort: s.MonitorPort, Ports: s.Ports, JetStream: s.JetStream}, "", "  ")
	_, err := writeIfChanged(filepath.Join(dir, "server.json"), append(m, '\n'), 0o644)
	return err
}

// start launches a server from the binary copy, in its own process group,
// its output appended to server.log, and records its PID.
func (l *Local) start(name string) (int, error) {
	bin, err := l.ensureBinary()
	if err != nil {
		return 0, err
	}
	dir := l.serverDir(name)
	logf, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, ServerCommand, "-c", filepath.Join(dir, "nats.conf"))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start server %s: %w", name, err)
	}
	pid := cmd.Process.Pid
	c := &child{done: make(chan struct{})}
	l.mu.Lock()
	l.children[pid] = c
	l.mu.Unlock()
	go func() { c.err = cmd.Wait(); close(c.done) }() // reap, so a dead child is not a zombie
	if _, err := writeIfChanged(filepath.Join(dir, "pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return 0, err
	}
	l.logger.Info("started nats-server", "deployment", l.name, "server", name, "pid", pid)
	return pid, nil
}

// stop asks a server to shut down (SIGTERM), waits for it to go, and kills
// it if it has not gone after grace.
func (l *Local) stop(ctx context.Context, p *proc, grace time.Duration) error {
	if !p.running {
		return nil
	}
	_ = syscall.Kill(p.pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for isOurServer(p.pid, p.confPath()) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
			deadline = time.Now().Add(grace)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	// The leader thread shows as a zombie while other threads may still
	// hold the sockets: wait until the process is gone (reaped) before a
	// restart binds the same ports, for at most a few seconds when it is
	// not our child and its parent is slow to reap.
	gone := time.Now().Add(5 * time.Second)
	for syscall.Kill(p.pid, 0) == nil && time.Now().Before(gone) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	l.logger.Info("stopped nats-server", "deployment", l.name, "server", p.name, "pid", p.pid)
	p.running = false
	return nil
}

// monitorGet fetches a path of a server's monitoring endpoint into v and
// returns the HTTP status.
func monitorGet(ctx context.Context, host string, monitorPort int, path string, v any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, strconv.Itoa(monitorPort))+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// healthy reports whether a server's /healthz says ok (for a JetStream
// server that includes a known meta leader and current streams), and why
// not.
func healthy(ctx context.Context, host string, monitorPort int) (bool, string) {
	var hs struct {
		Error string `json:"error"`
	}
	status, err := monitorGet(ctx, host, monitorPort, "/healthz", &hs)
	switch {
	case status == 0:
		return false, "not listening yet"
	case status == http.StatusOK:
		return true, ""
	case hs.Error == "" && err != nil:
		return false, err.Error()
	}
	return false, hs.Error
}

// waitReady polls every server until healthy, reporting progress. A server
// whose process died fails at once, with the end of its log.
func (l *Local) waitReady(ctx context.Context, servers []topology.NatsServer) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
	}
	pending := map[string]topology.NatsServer{}
	for _, s := range servers {
		pending[s.Name] = s
	}
	lastMsg := ""
	for len(pending) > 0 {
		why := map[string]string{}
		for name, s := range pending {
			if err := l.exitedEarly(name); err != nil {
				return err
			}
			ok, reason := healthy(ctx, l.host, s.MonitorPort)
			if ok {
				delete(pending, name)
				continue
			}
			why[name] = reason
		}
		if len(pending) == 0 {
			break
		}
		msg := fmt.Sprintf("waiting for %d of %d servers to be ready", len(pending), len(servers))
		if len(servers) > 0 && servers[0].JetStream {
			msg += " (JetStream meta leader election)"
		}
		if msg != lastMsg {
			score.Progress(ctx, "%s", msg)
			lastMsg = msg
		}
		select {
		case <-ctx.Done():
			var parts []string
			for name, r := range why {
				parts = append(parts, name+": "+r)
			}
			return fmt.Errorf("servers not ready (%s): %w", strings.Join(parts, "; "), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// logTail returns the last lines of a server's log, for an error message.
func (l *Local) logTail(name string) string {
	b, err := os.ReadFile(filepath.Join(l.serverDir(name), "server.log"))
	if err != nil {
		return "no log"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// child is a server process this Local started; done closes when it exits.
type child struct {
	done chan struct{}
	err  error // set before done closes
}

// exitedEarly returns an error, with the process's exit status and the end
// of its log, when a server that should be starting is gone. A server this
// process started is judged by its reaper (no race with /proc while the
// child execs); an adopted one by its PID.
func (l *Local) exitedEarly(name string) error {
	p := l.inspect(name)
	l.mu.Lock()
	c := l.children[p.pid]
	l.mu.Unlock()
	if c != nil {
		select {
		case <-c.done:
			return fmt.Errorf("server %s exited (%v): %s", name, c.err, l.logTail(name))
		default:
			return nil
		}
	}
	if !p.running {
		return fmt.Errorf("server %s is not running: %s", name, l.logTail(name))
	}
	return nil
}
