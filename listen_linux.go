package lane

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// setupListener applies ReusePort and TTL to a listening socket before it
// binds. Accepted sockets inherit the TTL from it.
func (s *Server) setupListener(network string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if s.cfg.ReusePort {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); serr != nil {
				serr = fmt.Errorf("lane: setting SO_REUSEPORT: %w", serr)
				return
			}
		}
		if ttl := s.cfg.TTL; ttl > 0 {
			if network == "tcp6" {
				serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, ttl)
				// A dual-stack socket also carries IPv4; a v6-only one refuses this.
				syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, ttl)
			} else {
				serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, ttl)
			}
			if serr != nil {
				serr = fmt.Errorf("lane: setting ttl %d: %w", ttl, serr)
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}
