//go:build unix

package process

import (
	"sync/atomic"

	"github.com/lanehttp/lane"
)

// Health answers Kubernetes probes. Mount its handlers on any server and
// set it as Config.Health:
//
//	h := new(process.Health)
//	admin.GET("/readyz", h.Ready)
//	admin.GET("/livez", h.Live)
//	process.Config{Health: h, DrainDelay: 5 * time.Second}.Main(pub, admin)
//
// The zero Health is ready. Its methods are safe for concurrent use.
type Health struct {
	draining atomic.Bool
}

// Ready answers 200 until a shutdown begins, then 503, so that the
// endpoint's Pod leaves the Service before its servers stop accepting.
func (h *Health) Ready(c *lane.Context) lane.Status {
	if h.draining.Load() {
		return c.String(503, "draining\n")
	}
	return c.String(200, "ready\n")
}

// Live answers 200 for as long as the process serves: a draining process
// is alive, and restarting it would cut its requests short.
func (h *Health) Live(c *lane.Context) lane.Status {
	return c.String(200, "alive\n")
}

// Draining reports whether a shutdown has begun.
func (h *Health) Draining() bool { return h.draining.Load() }

func (h *Health) drain() { h.draining.Store(true) }
