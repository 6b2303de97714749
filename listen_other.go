//go:build !linux

package lane

import (
	"errors"
	"syscall"
)

// setupListener refuses ReusePort and TTL, which lane sets only on Linux.
func (s *Server) setupListener(network string, rc syscall.RawConn) error {
	if s.cfg.ReusePort {
		return errors.New("lane: reuse_port is supported on Linux only")
	}
	if s.cfg.TTL > 0 {
		return errors.New("lane: ttl is supported on Linux only")
	}
	return nil
}
