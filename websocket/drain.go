package websocket

import (
	"context"
	"sync"

	"github.com/lanehttp/lane"
)

// drain closes the open connections of one server when it shuts down. One
// drain, with one goroutine, serves every connection of its server, so an
// idle connection costs no goroutine of its own for shutdown.
type drain struct {
	mu    sync.Mutex
	conns map[*Conn]struct{}
	done  bool // shutdown began; new connections are closed at once
}

var (
	drainsMu sync.Mutex
	drains   = map[*lane.Server]*drain{}
)

// track registers wc with the drain of c's server, starting it if needed.
func track(c *lane.Context, wc *Conn) *drain {
	drainsMu.Lock()
	d := drains[c.Server()]
	if d == nil {
		d = &drain{conns: make(map[*Conn]struct{})}
		drains[c.Server()] = d
		go d.run(c.Server(), c.ShuttingDown(), c.Context())
	}
	drainsMu.Unlock()

	d.mu.Lock()
	closing := d.done
	if !closing {
		d.conns[wc] = struct{}{}
	}
	d.mu.Unlock()
	if closing {
		go wc.ws.Close(StatusGoingAway, "server shutting down")
	}
	return d
}

func (d *drain) remove(wc *Conn) {
	d.mu.Lock()
	delete(d.conns, wc)
	d.mu.Unlock()
}

// run waits for the shutdown, then closes every connection with 1001 in
// parallel, so one slow peer does not hold up the close frames of others.
// When the server's context ends (Close, or the shutdown's deadline) the
// remaining connections are closed without a handshake.
func (d *drain) run(srv *lane.Server, shutting <-chan struct{}, ctx context.Context) {
	select {
	case <-shutting:
	case <-ctx.Done():
	}
	drainsMu.Lock()
	delete(drains, srv)
	drainsMu.Unlock()

	d.mu.Lock()
	d.done = true
	conns := make([]*Conn, 0, len(d.conns))
	for wc := range d.conns {
		conns = append(conns, wc)
	}
	d.mu.Unlock()

	for _, wc := range conns {
		go func() {
			stop := context.AfterFunc(ctx, func() { wc.ws.CloseNow() })
			defer stop()
			wc.ws.Close(StatusGoingAway, "server shutting down")
		}()
	}
}
