//go:build unix

package process

import (
	"errors"
	"syscall"
	"time"
)

// alive reports whether pid names a process that has not exited.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !zombie(pid)
}

// waitExit polls until pid has exited or d has passed, and reports whether
// it exited.
func waitExit(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
