package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a server started by the harness: its output goes to a log file, and it is stopped
// with SIGTERM (SIGKILL if it does not exit in time).
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	log  *os.File
}

const (
	readyTimeout = 2 * time.Minute
	stopTimeout  = 15 * time.Second
)

// startProcess starts cmd, logging its stdout and stderr to logPath, and waits until ready finds
// in one of its output lines the address it serves; it returns that address.
func startProcess(ctx context.Context, name string, cmd *exec.Cmd, logPath string, ready func(line string) (string, bool)) (*process, string, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	found := make(chan string, 1)
	w := &lineWriter{w: log, line: func(l string) {
		if addr, ok := ready(l); ok {
			select {
			case found <- addr:
			default:
			}
		}
	}}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), log: log}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	select {
	case addr := <-found:
		return p, addr, nil
	case <-p.done:
		log.Close()
		return nil, "", fmt.Errorf("%s exited before serving (%v); see %s", name, cmd.ProcessState, logPath)
	case <-time.After(readyTimeout):
	case <-ctx.Done():
	}
	p.stop()
	return nil, "", fmt.Errorf("%s did not start serving within %s; see %s", name, readyTimeout, logPath)
}

func (p *process) pid() int {
	if p == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// stop ends the process (and only it) and closes its log.
func (p *process) stop() error {
	if p == nil {
		return nil
	}
	defer p.log.Close()
	select {
	case <-p.done:
		return nil
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s and was killed", p.name, stopTimeout)
	}
}

// lineWriter passes what it is given to w and every complete line to line.
type lineWriter struct {
	mu   sync.Mutex
	w    *os.File
	buf  []byte
	line func(string)
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.line(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return l.w.Write(b)
}

// sarhadListening reads the address from the server's JSON log line "sarhad listening".
func sarhadListening(line string) (string, bool) {
	var rec struct {
		Msg  string `json:"msg"`
		Addr string `json:"addr"`
	}
	if json.Unmarshal([]byte(line), &rec) != nil || rec.Msg != "sarhad listening" || rec.Addr == "" {
		return "", false
	}
	return "http://" + rec.Addr + "/graphql", true
}

// nodeListening reads the URL from the @neo4j/graphql server's line "listening <url>".
func nodeListening(line string) (string, bool) {
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	return url, ok && strings.HasPrefix(url, "http")
}

// memory reads the resident set size and its peak (VmRSS, VmHWM) of a process from
// /proc/PID/status, in bytes; zeros where /proc is not available.
func memory(pid int) (rss, peak int64) {
	if pid == 0 {
		return 0, 0
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, value, ok := strings.Cut(s.Text(), ":")
		if !ok || key != "VmRSS" && key != "VmHWM" {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			continue
		}
		if key == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak
}

// rssSampler records the highest resident set size of a process while it runs.
type rssSampler struct {
	peak int64 // written by the sampling goroutine only; read after done
	stop chan struct{}
	done chan struct{}
}

// sampleRSS reads the RSS of pid every interval until the sampler is finished; nil for pid 0.
func sampleRSS(pid int, interval time.Duration) *rssSampler {
	if pid == 0 {
		return nil
	}
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			rss, _ := memory(pid)
			s.peak = max(s.peak, rss)
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// finish stops the sampler and returns the peak RSS it saw, in bytes.
func (s *rssSampler) finish() int64 {
	if s == nil {
		return 0
	}
	close(s.stop)
	<-s.done
	return s.peak
}

// buildServer builds Sarhad's server into dir and returns the binary's path.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "sarhad-server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./server")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./server: %w\n%s", err, out)
	}
	return bin, nil
}

// childEnv is the harness's environment without Sarhad's settings and the Neo4j connection, plus
// extra: each server reaches Neo4j and is configured as the harness says only.
func childEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		key, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(key, "SARHAD_"), key == "NEO4J_URI", key == "NEO4J_USERNAME", key == "NEO4J_PASSWORD",
			key == "NEO4J_DATABASE", key == "PORT", key == "JWT_SECRET":
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}
