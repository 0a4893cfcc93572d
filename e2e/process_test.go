package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// process is a server the suite runs: the distro, Alertmanager or redis-server.
// Its output goes to a log file that is shown when the test fails.
type process struct {
	t    *testing.T
	name string
	path string
	args []string
	dir  string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	runs int
}

func newProcess(t *testing.T, name, path, dir string, args ...string) *process {
	p := &process{t: t, name: name, path: path, args: args, dir: dir}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.dumpLog()
		}
	})
	return p
}

// start launches the process; it may be called again after stop or kill
// (the restart test), each run logging to its own file.
func (p *process) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runs++
	p.log = filepath.Join(p.dir, p.name+"-"+strconv.Itoa(p.runs)+".log")
	f, err := os.Create(p.log)
	if err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = f, f
	// Own process group: a kill reaches nothing else.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		p.t.Fatalf("%s: start: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
	p.cmd, p.done = cmd, done
}

// exited reports whether the current run has ended.
func (p *process) exited() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return true
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// kill ends the current run with SIGKILL, as a crash would.
func (p *process) kill() { p.signal(syscall.SIGKILL, 10*time.Second) }

// stop ends the current run with SIGTERM (graceful shutdown), then SIGKILL.
func (p *process) stop() {
	if !p.signal(syscall.SIGTERM, 20*time.Second) {
		p.kill()
	}
}

func (p *process) signal(sig syscall.Signal, wait time.Duration) bool {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return true
	}
	select {
	case <-done:
		return true
	default:
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
		return true
	case <-time.After(wait):
		return false
	}
}

// logText returns the current run's output so far.
func (p *process) logText() string {
	p.mu.Lock()
	path := p.log
	p.mu.Unlock()
	b, _ := os.ReadFile(path)
	return string(b)
}

func (p *process) dumpLog() {
	for i := 1; i <= p.runs; i++ {
		b, err := os.ReadFile(filepath.Join(p.dir, p.name+"-"+strconv.Itoa(i)+".log"))
		if err != nil {
			continue
		}
		const tail = 8000
		if len(b) > tail {
			b = append([]byte("…"), b[len(b)-tail:]...)
		}
		p.t.Logf("---- %s run %d output ----\n%s", p.name, i, bytes.TrimSpace(b))
	}
}
