//go:build unix && !linux

package process

import (
	"errors"
	"syscall"

	"github.com/lanehttp/lane"
)

// socketOptions refuses ReusePort and TTL, which lane sets on Linux only.
func socketOptions(cfg lane.Config, network string, rc syscall.RawConn) error {
	if cfg.ReusePort || cfg.TTL > 0 {
		return errors.New("reuse_port and ttl are supported on Linux only")
	}
	return nil
}
