package lane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Group runs several servers as one: it starts all or none, and stops all
// together. Its methods are safe for concurrent use.
type Group struct {
	servers []*Server

	mu   sync.Mutex
	ctls []*Control
}

// NewGroup returns a group of the given servers.
func NewGroup(servers ...*Server) *Group {
	for _, s := range servers {
		if s == nil {
			panic("lane: nil server passed to NewGroup")
		}
	}
	return &Group{servers: servers}
}

// Servers returns the group's servers.
func (g *Group) Servers() []*Server { return g.servers }

// Controls returns the handles of the started servers, nil before Start.
func (g *Group) Controls() []*Control {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ctls
}

// Start starts every server. If one cannot start, the ones already started
// are closed and the error names the server that failed.
func (g *Group) Start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctls != nil {
		return ErrAlreadyStarted
	}
	ctls := make([]*Control, 0, len(g.servers))
	for _, s := range g.servers {
		ctl, err := s.Start()
		if err != nil {
			for _, c := range ctls {
				c.Close()
			}
			return fmt.Errorf("lane: starting server %s: %w", s.Name(), err)
		}
		ctls = append(ctls, ctl)
	}
	g.ctls = ctls
	return nil
}

// Shutdown shuts every server down gracefully at once, within ctx's
// deadline. It returns the servers' errors joined.
func (g *Group) Shutdown(ctx context.Context) error {
	return g.each(func(c *Control) error { return c.Shutdown(ctx) })
}

// Close closes every server at once.
func (g *Group) Close() error {
	return g.each(func(c *Control) error { return c.Close() })
}

// Wait blocks until every server has stopped and returns the first error
// that is not [ErrServerClosed].
func (g *Group) Wait() error {
	return g.each(func(c *Control) error {
		if err := c.Wait(); !errors.Is(err, ErrServerClosed) {
			return err
		}
		return nil
	})
}

// each runs f on every control at once and joins the errors.
func (g *Group) each(f func(*Control) error) error {
	ctls := g.Controls()
	errs := make([]error, len(ctls))
	var wg sync.WaitGroup
	for i, c := range ctls {
		wg.Go(func() { errs[i] = f(c) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Run starts the servers and serves until ctx is cancelled, the process
// receives SIGINT or SIGTERM, or a server fails. It then shuts every server
// down within the longest ShutdownGrace of their configs; a second signal
// closes them at once. Run returns nil after a clean shutdown, the failing
// server's error, or the shutdown's error when the grace ran out.
func (g *Group) Run(ctx context.Context) error {
	if err := g.Start(); err != nil {
		return err
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	ctls := g.Controls()
	failed := make(chan error, len(ctls))
	for _, c := range ctls {
		go func() {
			if err := c.Wait(); !errors.Is(err, ErrServerClosed) {
				failed <- err
			}
		}()
	}

	var cause error
	select {
	case <-ctx.Done():
	case <-sigs:
	case cause = <-failed:
	}
	sctx, cancel := context.WithCancel(context.Background())
	if d := g.grace(); d > 0 {
		sctx, cancel = context.WithTimeout(context.Background(), d)
	}
	defer cancel()
	go func() {
		select {
		case <-sigs:
			g.Close()
		case <-sctx.Done():
		}
	}()
	err := g.Shutdown(sctx)
	if cause != nil {
		return cause
	}
	return err
}

// grace returns the longest shutdown grace of the group's servers, or a
// negative duration when one has no limit.
func (g *Group) grace() time.Duration {
	var d time.Duration
	for _, s := range g.servers {
		if s.cfg.ShutdownGrace < 0 {
			return -1
		}
		d = max(d, s.cfg.ShutdownGrace)
	}
	return d
}
