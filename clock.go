package lane

import (
	"sync"
	"sync/atomic"
	"time"
)

// clock is a coarse wall clock, read once per request by the engine for
// deadlines and the Date header. Reading the system clock costs 20 to 100 ns
// depending on the machine, several times per request; a ticker that runs
// while at least one server serves costs nothing per request.
var clock coarseClock

// clockTick is the coarse clock's resolution: deadlines and Date may lag
// the true time by up to this much.
const clockTick = 20 * time.Millisecond

type coarseClock struct {
	mu    sync.Mutex
	users int
	stop  chan struct{}
	nanos atomic.Int64 // Unix nanoseconds; 0 while stopped
}

// acquire starts the ticker for one more server.
func (c *coarseClock) acquire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users++
	if c.users > 1 {
		return
	}
	c.nanos.Store(time.Now().UnixNano())
	c.stop = make(chan struct{})
	go c.run(c.stop)
}

// release stops the ticker when its last server has stopped.
func (c *coarseClock) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users--
	if c.users == 0 {
		c.nanos.Store(0)
		close(c.stop)
	}
}

func (c *coarseClock) run(stop chan struct{}) {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			c.nanos.Store(now.UnixNano())
		case <-stop:
			return
		}
	}
}

// now returns the coarse time, or the exact time while no server runs.
func (c *coarseClock) now() time.Time {
	if n := c.nanos.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Now()
}
