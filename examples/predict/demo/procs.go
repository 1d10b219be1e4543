package demo

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// CommandFunc makes the command that runs one neuron with the given
// arguments: `taod devnet demo-neuron ARGS…` from the taod binary, the test
// binary itself in the end-to-end test.
type CommandFunc func(args []string) *exec.Cmd

// proc is one child process and its end.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when Wait returned
	err  error         // Wait's result, set before done closes
}

// Procs starts the demo's neurons as child processes, each with its output
// in its own log file, and stops them all on the way out: SIGTERM, then
// SIGKILL after a grace period. On Linux a child also gets SIGKILL if the
// demo process dies without stopping it, so no neuron outlives the demo.
type Procs struct {
	logDir string
	newCmd CommandFunc

	mu struct {
		sync.Mutex
		procs   []*proc
		stopped bool // StopAll ran: Start refuses
	}
}

// NewProcs returns a supervisor writing logs to logDir/NAME.log.
func NewProcs(logDir string, newCmd CommandFunc) *Procs {
	return &Procs{logDir: logDir, newCmd: newCmd}
}

// ErrStopped is returned by Start after StopAll.
var ErrStopped = errors.New("demo: processes are being stopped")

// Start runs a child named name (the log file's name) with args.
func (p *Procs) Start(name string, args []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mu.stopped {
		return ErrStopped
	}
	if err := os.MkdirAll(p.logDir, 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(p.logDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := p.newCmd(args)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so the terminal's Ctrl-C reaches only the demo,
	// which then stops its children in order.
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("demo: start %s: %w", name, err)
	}
	pr := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		pr.err = cmd.Wait()
		logf.Close()
		close(pr.done)
	}()
	p.mu.procs = append(p.mu.procs, pr)
	return nil
}

// Exited returns the names of children that have ended, with their error
// (nil for a clean exit).
func (p *Procs) Exited() map[string]error {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]error{}
	for _, pr := range p.mu.procs {
		select {
		case <-pr.done:
			out[pr.name] = pr.err
		default:
		}
	}
	return out
}

// PIDs returns the process IDs of the children started so far.
func (p *Procs) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]int, 0, len(p.mu.procs))
	for _, pr := range p.mu.procs {
		out = append(out, pr.cmd.Process.Pid)
	}
	return out
}

// StopAll sends SIGTERM to every running child, waits up to grace for them
// to exit, then kills the rest and waits for them. It returns the names of
// children that had to be killed.
func (p *Procs) StopAll(grace time.Duration) []string {
	p.mu.Lock()
	p.mu.stopped = true
	procs := append([]*proc(nil), p.mu.procs...)
	p.mu.Unlock()
	for _, pr := range procs {
		select {
		case <-pr.done:
		default:
			_ = pr.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	expired := false
	var killed []string
	for _, pr := range procs {
		if !expired {
			select {
			case <-pr.done:
				continue
			case <-deadline.C:
				expired = true // the grace is shared: kill every later child at once
			}
		}
		select {
		case <-pr.done:
			continue
		default:
		}
		_ = pr.cmd.Process.Kill()
		<-pr.done
		killed = append(killed, pr.name)
	}
	return killed
}
