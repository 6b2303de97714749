//go:build unix

package process

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// settleTime is how long a connection handed to a server just before a
// drain gets to deliver its first request. lane's Shutdown closes every
// connection waiting for a request, and a connection accepted a moment
// before has not had the chance to send one yet; without the pause its
// client would see the connection close unanswered.
const settleTime = 250 * time.Millisecond

// gateListener is the listener a server accepts from. Closing the gate
// stops it taking connections from the socket, which stays open for
// another process to accept from, without stopping the server.
type gateListener struct {
	net.Listener
	gated  atomic.Bool
	last   atomic.Int64 // when the latest connection was handed out, UnixNano
	closed chan struct{}
	once   sync.Once
}

func newGate(l net.Listener) *gateListener {
	return &gateListener{Listener: l, closed: make(chan struct{})}
}

// Accept returns the socket's next connection until the gate closes, and
// then blocks until Close.
func (g *gateListener) Accept() (net.Conn, error) {
	for {
		if g.gated.Load() {
			<-g.closed
			return nil, net.ErrClosed
		}
		c, err := g.Listener.Accept()
		if err != nil {
			var ne net.Error
			if g.gated.Load() && errors.As(err, &ne) && ne.Timeout() {
				continue // the deadline that shut the gate
			}
			return nil, err
		}
		g.last.Store(time.Now().UnixNano())
		return c, nil
	}
}

// shut closes the gate: a pending Accept is woken by a deadline in the
// past, which also leaves the socket itself open.
func (g *gateListener) shut() {
	g.gated.Store(true)
	if dl, ok := g.Listener.(interface{ SetDeadline(time.Time) error }); ok {
		dl.SetDeadline(time.Unix(1, 0))
	}
}

// settled returns when the connections handed out before the gate closed
// have had settleTime to deliver their first request.
func (g *gateListener) settled() time.Time {
	return time.Unix(0, g.last.Load()).Add(settleTime)
}

func (g *gateListener) Close() error {
	g.once.Do(func() { close(g.closed) })
	return g.Listener.Close()
}

// settle shuts every gate and waits until the connections already accepted
// have settled.
func settle(gates []*gateListener) {
	var until time.Time
	for _, g := range gates {
		g.shut()
		if s := g.settled(); s.After(until) {
			until = s
		}
	}
	time.Sleep(time.Until(until))
}
