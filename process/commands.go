//go:build unix

package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// errNotRunning is the reason of status's exit status 3.
var errNotRunning = errors.New("not running")

// start runs the program in the background and returns once it serves.
func (c Config) start() error {
	if pid, st, err := probe(c.PIDFile); err != nil {
		return err
	} else if st == pidRunning {
		return errRunning{pid}
	}
	log, err := os.OpenFile(c.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	defer log.Close()
	sp := spawnSpec{exe: executable(), args: c.childArgs(), out: log, setsid: true}
	cmd, err := spawn(sp, c.ReadyTimeout)
	if err != nil {
		return fmt.Errorf("%w (log: %s)", err, c.LogFile)
	}
	c.printf("started, pid %d\n", cmd.Process.Pid)
	return cmd.Process.Release()
}

// stop sends SIGTERM to the running instance and waits for it to exit.
func (c Config) stop() error {
	pid, st, err := probe(c.PIDFile)
	switch {
	case err != nil:
		return err
	case st == pidNone:
		c.printf("not running\n")
		return nil
	case st == pidStale:
		c.printf("not running (removed a stale pid file of pid %d)\n", pid)
		return nil
	case pid == 0:
		return fmt.Errorf("pid file %s is locked but holds no pid; is a restart under way?", c.PIDFile)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("signalling pid %d: %w", pid, err)
	}
	if !waitExit(pid, c.StopTimeout) {
		return fmt.Errorf("pid %d still running after %v", pid, c.StopTimeout)
	}
	c.printf("stopped, pid %d\n", pid)
	return nil
}

// status prints what the running instance says about itself.
func (c Config) status() error {
	pid, st, err := probe(c.PIDFile)
	if err != nil {
		return err
	}
	if st != pidRunning {
		if st == pidStale {
			c.printf("not running (removed a stale pid file of pid %d)\n", pid)
		} else {
			c.printf("not running\n")
		}
		return &ExitError{Code: 3, Err: errNotRunning}
	}
	res, err := ask(c.socket, "status", 5*time.Second)
	if err == nil && res.Error != "" {
		err = errors.New(res.Error)
	}
	if err != nil {
		return fmt.Errorf("pid %d holds the pid file but does not answer: %w", pid, err)
	}
	if c.jsonStatus {
		b, _ := json.Marshal(res.Status)
		c.printf("%s\n", b)
		return nil
	}
	c.printf("%s", formatStatus(res.Status))
	return nil
}

func formatStatus(st *Status) string {
	var b strings.Builder
	up := time.Since(st.Started).Round(time.Second)
	fmt.Fprintf(&b, "running, pid %d, up %v\n", st.PID, up)
	if len(st.Workers) > 0 {
		fmt.Fprintf(&b, "workers %v\n", st.Workers)
	}
	for _, s := range st.Servers {
		fmt.Fprintf(&b, "  %-12s %-22s requests %d, connections %d open, %d accepted, panics %d\n",
			s.Name, s.Addr, s.Requests, s.Connections, s.Accepted, s.Panics)
	}
	return b.String()
}

// restartCmd asks the running instance to restart and waits until the old
// instance has exited.
func (c Config) restartCmd() error {
	pid, st, err := probe(c.PIDFile)
	if err != nil {
		return err
	}
	if st != pidRunning {
		return errNotRunning
	}
	res, err := ask(c.socket, "restart", c.ReadyTimeout+5*time.Second)
	if err == nil && res.Error != "" {
		err = errors.New(res.Error)
	}
	if err != nil {
		return fmt.Errorf("restart of pid %d: %w", pid, err)
	}
	if !waitExit(pid, c.StopTimeout) {
		return fmt.Errorf("restarted as pid %d, but pid %d still runs after %v", res.PID, pid, c.StopTimeout)
	}
	c.printf("restarted, pid %d (was %d)\n", res.PID, pid)
	return nil
}
