package process

import (
	"syscall"

	"github.com/lanehttp/lane"
	"golang.org/x/sys/unix"
)

// socketOptions applies the Config's ReusePort and TTL to a socket before
// it binds, as lane.Server.Start does.
func socketOptions(cfg lane.Config, network string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if cfg.ReusePort {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}
		if cfg.TTL > 0 && serr == nil {
			if network == "tcp6" {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, cfg.TTL)
			} else {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TTL, cfg.TTL)
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}
