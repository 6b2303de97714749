package sse

import (
	"context"
	"sync"

	"github.com/lanehttp/lane"
)

// drain ends the open streams of one server when it shuts down. One drain,
// with one goroutine, serves every stream of its server.
type drain struct {
	mu      sync.Mutex
	streams map[*Stream]struct{}
	done    bool // shutdown began; new streams end at once
}

var (
	drainsMu sync.Mutex
	drains   = map[*lane.Server]*drain{}
)

// track registers s with the drain of c's server, starting it if needed.
func track(c *lane.Context, s *Stream) *drain {
	drainsMu.Lock()
	d := drains[c.Server()]
	if d == nil {
		d = &drain{streams: make(map[*Stream]struct{})}
		drains[c.Server()] = d
		go d.run(c.Server(), c.ShuttingDown(), c.Context())
	}
	drainsMu.Unlock()

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		s.end(ErrShuttingDown)
		return d
	}
	d.streams[s] = struct{}{}
	return d
}

func (d *drain) remove(s *Stream) {
	d.mu.Lock()
	delete(d.streams, s)
	d.mu.Unlock()
}

// run waits for the shutdown and ends every stream, whose handlers then
// return. When the server's context ends too (Close, or the shutdown's
// deadline), the connections are closed under the handlers.
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
	streams := make([]*Stream, 0, len(d.streams))
	for s := range d.streams {
		streams = append(streams, s)
	}
	d.mu.Unlock()
	for _, s := range streams {
		s.end(ErrShuttingDown)
	}

	<-ctx.Done()
	d.mu.Lock()
	for s := range d.streams {
		s.nc.Close()
	}
	d.mu.Unlock()
}
