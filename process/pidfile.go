//go:build unix

package process

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// pidFile is a pid file held under an exclusive flock. The lock belongs to
// the open file, so a new instance that inherits the descriptor on restart
// keeps holding it after the old instance exits.
type pidFile struct {
	path string
	f    *os.File
}

// errRunning reports a pid file locked by a live instance.
type errRunning struct{ pid int }

func (e errRunning) Error() string { return fmt.Sprintf("already running, pid %d", e.pid) }

// lockPIDFile creates or opens the pid file and takes its lock, failing
// with errRunning when another instance holds it.
func lockPIDFile(path string) (*pidFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pid file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			pid, _ := readPID(path)
			return nil, errRunning{pid}
		}
		return nil, fmt.Errorf("pid file %s: lock: %w", path, err)
	}
	return &pidFile{path: path, f: f}, nil
}

// write replaces the file's content with pid.
func (p *pidFile) write(pid int) error {
	if err := p.f.Truncate(0); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	if _, err := p.f.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
}

// remove deletes the file, then drops the lock. Removing first means no
// other instance can lock the old file and see it vanish afterwards.
func (p *pidFile) remove() {
	os.Remove(p.path)
	p.f.Close()
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pid file %s holds no pid", path)
	}
	return pid, nil
}

// pidState is what a pid file says about an instance.
type pidState int

const (
	pidNone    pidState = iota // no pid file
	pidStale                   // a pid file nobody holds; it was removed
	pidRunning                 // an instance holds the lock
)

// probe reads the pid file and tells whether an instance holds it. A file
// whose lock can be taken is stale: probe removes it and returns the pid it
// named.
func probe(path string) (int, pidState, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, pidNone, nil
	}
	if err != nil {
		return 0, pidNone, fmt.Errorf("pid file: %w", err)
	}
	defer f.Close()
	pid, _ := readPID(path)
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return pid, pidRunning, nil
		}
		return 0, pidNone, fmt.Errorf("pid file %s: lock: %w", path, err)
	}
	os.Remove(path)
	return pid, pidStale, nil
}
