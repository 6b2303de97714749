package lane

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// Control is the handle of a running server: its address, and the two ways
// to stop it. Its methods are safe for concurrent use and repeat calls are
// harmless.
type Control struct {
	s    *Server
	l    net.Listener
	addr net.Addr

	stopOnce sync.Once // stops accepting
	done     chan struct{}
	err      error // why serving ended; set before done closes
	acceptWG sync.WaitGroup
}

// Start binds the configured address and serves in the background. It
// returns an error, and serves nothing, when the configuration is invalid or
// the address cannot be bound.
func (s *Server) Start() (*Control, error) {
	if err := s.cfg.Validate(); err != nil {
		return nil, err
	}
	l, err := s.listen()
	if err != nil {
		return nil, err
	}
	ctl, err := s.StartOn(l)
	if err != nil {
		l.Close()
	}
	return ctl, err
}

// StartOn serves connections from l in the background; the server closes l
// when it stops. The listener's own settings are used as they are: TTL and
// ReusePort from the Config apply only to listeners Start creates.
func (s *Server) StartOn(l net.Listener) (*Control, error) {
	if err := s.cfg.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return nil, ErrAlreadyStarted
	}
	s.started = true
	s.build.seal(s.cfg.Request)
	s.mux.Store(s.build)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.shutdownCh = make(chan struct{})
	s.conns = make(map[*conn]struct{})
	if n := s.cfg.MaxConnections; n > 0 {
		s.sem = make(chan struct{}, n)
	}
	ctl := &Control{s: s, l: l, addr: l.Addr(), done: make(chan struct{})}
	s.ctl = ctl
	s.mu.Unlock()

	clock.acquire()
	ctl.acceptWG.Add(1)
	go ctl.acceptLoop()
	return ctl, nil
}

// control returns the server's handle, nil before Start.
func (s *Server) control() *Control {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctl
}

// Listen binds the configured address with the configured socket options
// (ReusePort, TTL), for callers that hand the listener to StartOn later, such
// as a process manager passing sockets between processes.
func (s *Server) Listen() (net.Listener, error) {
	if err := s.cfg.Validate(); err != nil {
		return nil, err
	}
	return s.listen()
}

func (s *Server) listen() (net.Listener, error) {
	lc := net.ListenConfig{Control: func(network, address string, rc syscall.RawConn) error {
		return s.setupListener(network, rc)
	}}
	return lc.Listen(context.Background(), "tcp", s.cfg.Address)
}

// Addr returns the address the server listens on; useful with port 0.
func (ctl *Control) Addr() net.Addr { return ctl.addr }

// Server returns the server this handle controls.
func (ctl *Control) Server() *Server { return ctl.s }

// Done returns a channel closed when the server has stopped: it accepts no
// more connections and every connection has ended.
func (ctl *Control) Done() <-chan struct{} { return ctl.done }

// Wait blocks until the server has stopped. It returns [ErrServerClosed]
// after Shutdown or Close, or the error that made accepting fail.
func (ctl *Control) Wait() error {
	<-ctl.done
	return ctl.err
}

// acceptLoop accepts connections until the listener is closed or fails.
// Errors that pass (too many open files, aborted handshakes) are retried
// with a growing pause, so an exhausted process neither spins nor dies.
func (ctl *Control) acceptLoop() {
	defer ctl.acceptWG.Done()
	s := ctl.s
	var pause time.Duration
	for {
		if s.sem != nil {
			select {
			case s.sem <- struct{}{}:
			case <-s.shutdownCh:
				ctl.finish(ErrServerClosed)
				return
			}
		}
		nc, err := ctl.l.Accept()
		if err != nil {
			s.releaseSlot()
			if s.draining.Load() {
				ctl.finish(ErrServerClosed)
				return
			}
			if !retryAccept(err) {
				s.log.Error("lane: accept failed; server stops", "server", s.cfg.Name, "err", err)
				ctl.stopAccepting()
				ctl.finish(err)
				return
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			s.log.Error("lane: accept error; retrying", "server", s.cfg.Name, "err", err, "pause", pause)
			select {
			case <-time.After(pause):
			case <-s.shutdownCh:
			}
			continue
		}
		pause = 0
		s.accepted.Add(1)
		s.serveConn(nc)
	}
}

// retryAccept reports whether an accept error is worth retrying.
func retryAccept(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.EINTR, syscall.EPROTO, syscall.EPERM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (s *Server) serveConn(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		if s.cfg.NoDelay != nil && !*s.cfg.NoDelay {
			tc.SetNoDelay(false)
		}
		// Cap the kernel's send buffer: left to autotuning, clients that
		// read slowly can pin megabytes of kernel memory each.
		tc.SetWriteBuffer(sendBuffer)
	}
	c := newConn(s, nc)
	s.connMu.Lock()
	s.conns[c] = struct{}{}
	s.connMu.Unlock()
	go c.serve()
}

// connDone forgets a connection that has ended.
func (s *Server) connDone(c *conn) {
	s.connMu.Lock()
	delete(s.conns, c)
	s.connMu.Unlock()
	s.releaseSlot()
}

func (s *Server) releaseSlot() {
	if s.sem != nil {
		<-s.sem
	}
}

// finish records why serving ended and, once every connection is gone,
// closes done.
func (ctl *Control) finish(err error) {
	ctl.err = err
	go func() {
		ctl.s.waitConns(context.Background())
		clock.release()
		close(ctl.done)
	}()
}

func (ctl *Control) stopAccepting() {
	ctl.stopOnce.Do(func() {
		s := ctl.s
		s.draining.Store(true)
		close(s.shutdownCh)
		ctl.l.Close()
	})
}

// Shutdown stops the server gracefully: it stops accepting, closes idle
// keep-alive connections at once, lets requests in flight finish (each
// response then closes its connection) and waits for every connection,
// including hijacked ones, to end. Long-lived handlers learn of the shutdown
// from [Context.ShuttingDown]. When ctx ends first, Shutdown closes what
// remains as Close does and returns ctx's error.
func (ctl *Control) Shutdown(ctx context.Context) error {
	ctl.stopAccepting()
	ctl.acceptWG.Wait()
	if err := ctl.s.waitConns(ctx); err != nil {
		ctl.Close()
		return err
	}
	ctl.s.cancel()
	select {
	case <-ctl.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the server now: it stops accepting, cancels the server's
// context and closes every connection, hijacked ones included. Requests in
// flight fail. It does not wait for handlers to return; Wait does.
func (ctl *Control) Close() error {
	ctl.stopAccepting()
	s := ctl.s
	// Connections first: a handler woken by the cancelled context must find
	// its connection closed, not send a response after all.
	s.connMu.Lock()
	for c := range s.conns {
		c.nc.Close()
	}
	s.connMu.Unlock()
	s.cancel()
	return nil
}

// waitConns closes idle connections until none remain or ctx ends.
func (s *Server) waitConns(ctx context.Context) error {
	tick := time.Millisecond
	for {
		if s.closeIdle() == 0 {
			return nil
		}
		t := time.NewTimer(tick)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		tick = min(2*tick, 50*time.Millisecond)
	}
}

// sendBuffer is the kernel send buffer of an accepted connection: enough
// for loopback and LAN throughput, small enough that slow readers cannot
// exhaust the kernel's TCP memory.
const sendBuffer = 256 << 10

// newConnGrace is how long a graceful shutdown waits for the first request
// of a connection accepted before it began.
const newConnGrace = 2 * time.Second

// closeIdle closes the connections waiting for a request and returns how
// many connections remain open.
func (s *Server) closeIdle() int {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if !s.draining.Load() {
		return len(s.conns)
	}
	now := clock.nanos()
	for c := range s.conns {
		if c.state.CompareAndSwap(int32(stateIdle), int32(stateClosing)) {
			c.nc.Close()
			continue
		}
		// A connection that has not sent its first request yet may have
		// been opened just before the shutdown: give it a moment.
		if now-c.born > int64(newConnGrace) && c.state.CompareAndSwap(int32(stateNew), int32(stateClosing)) {
			c.nc.Close()
		}
	}
	return len(s.conns)
}
