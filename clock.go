package lane

import (
	"sync"
	"sync/atomic"
	"time"
)

// clock is a coarse wall clock for what tolerates a lag: the Date header
// and the age of new connections during a drain. Reading the system clock
// costs 20 to 100 ns depending on the machine; a ticker that runs while at
// least one server serves costs nothing per request. Deadlines do not use
// it: a ticker that lags, as after the process was stopped for a while,
// would put them in the past.
var clock coarseClock

// clockTick is the coarse clock's resolution: deadlines and Date may lag
// the true time by up to this much.
const clockTick = 20 * time.Millisecond

type coarseClock struct {
	mu    sync.Mutex
	users int
	stop  chan struct{}
	unix  atomic.Int64 // Unix nanoseconds; 0 while stopped
}

// acquire starts the ticker for one more server.
func (c *coarseClock) acquire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users++
	if c.users > 1 {
		return
	}
	c.unix.Store(time.Now().UnixNano())
	c.stop = make(chan struct{})
	go c.run(c.stop)
}

// release stops the ticker when its last server has stopped.
func (c *coarseClock) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users--
	if c.users == 0 {
		c.unix.Store(0)
		close(c.stop)
	}
}

func (c *coarseClock) run(stop chan struct{}) {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			c.unix.Store(now.UnixNano())
		case <-stop:
			return
		}
	}
}

// nanos returns the coarse time in Unix nanoseconds, or the exact time
// while no server runs.
func (c *coarseClock) nanos() int64 {
	if n := c.unix.Load(); n != 0 {
		return n
	}
	return time.Now().UnixNano()
}

// now returns the coarse time as a time.Time.
func (c *coarseClock) now() time.Time { return time.Unix(0, c.nanos()) }
