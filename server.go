package lane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lanehttp/lane/internal/http1"
)

// Server is one HTTP server: an address, a configuration, routes,
// middleware and hooks. Register everything before [Server.Start]; a
// registration after it panics. A Server is started at most once; its
// methods are safe for concurrent use once it runs.
type Server struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	build   *mux // routes and hooks being registered
	root    RouteGroup
	started bool
	ctl     *Control

	mux        atomic.Pointer[mux]
	ctx        context.Context
	cancel     context.CancelFunc
	shutdownCh chan struct{}
	draining   atomic.Bool

	connMu sync.Mutex
	conns  map[*conn]struct{}
	sem    chan struct{} // one slot per allowed connection; nil for no limit

	requests atomic.Uint64
	panics   atomic.Uint64
	accepted atomic.Uint64
}

// New returns a server for cfg. The zero Config is valid; cfg is copied,
// with its zero fields set to their defaults. An invalid cfg is reported by
// [Server.Start].
func New(cfg Config) *Server {
	s := &Server{cfg: cfg.Resolved()}
	s.log = s.cfg.Logger
	s.build = &mux{router: newRouter(), notFound: defaultNotFound}
	s.root = RouteGroup{s: s}
	return s
}

// Config returns the server's configuration, defaults filled in.
func (s *Server) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Name returns the server's name (its address unless configured).
func (s *Server) Name() string { return s.cfg.Name }

// Use appends request middleware, run in order before routing's handler for
// every request, including those answered 404 or 405.
func (s *Server) Use(mw ...Handler) {
	s.register(func(m *mux) { m.use = append(m.use, checkHandlers("Use", mw)...) })
}

// After appends response middleware, run in order after the route for every
// request, even when a request middleware or the route rejected it.
func (s *Server) After(mw ...Handler) {
	s.register(func(m *mux) { m.after = append(m.after, checkHandlers("After", mw)...) })
}

// NotFound sets the handler for requests no route matches (default: 404
// with a plain text body).
func (s *Server) NotFound(h Handler) {
	checkHandlers("NotFound", []Handler{h})
	s.register(func(m *mux) { m.notFound = h })
}

// OnError sets the hook called for requests lane refuses: malformed heads,
// exceeded limits, timeouts, broken bodies. The hook may build a response
// with the Context; if it sets nothing, lane answers err.Status with a short
// plain text body. The connection is closed after the response either way.
// For a head that could not be parsed, request accessors of the Context
// return what was parsed before the error, possibly nothing.
func (s *Server) OnError(hook func(c *Context, err *RequestError) Status) {
	s.register(func(m *mux) { m.onError = hook })
}

// OnPanic sets the hook called with a panic recovered from a handler or
// middleware. Whatever the handler had built is discarded first. The hook
// may build a response; if it sets nothing, lane answers 500. The panic is
// logged with its stack and the connection is closed after the response.
func (s *Server) OnPanic(hook func(c *Context, p *Panic) Status) {
	s.register(func(m *mux) { m.onPanic = hook })
}

// register applies a change to the routes and hooks being built.
func (s *Server) register(f func(*mux)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		panic("lane: route, middleware or hook registered after Start on server " + s.cfg.Name)
	}
	f(s.build)
}

func checkHandlers(what string, hs []Handler) []Handler {
	for _, h := range hs {
		if h == nil {
			panic("lane: nil handler passed to " + what)
		}
	}
	return hs
}

// Reload replaces the routes, middleware, hooks and request config of the
// running server s with those of next, a server built the same way but not
// started, without closing s's listener or connections. Requests in flight
// finish with the old set; every request read after Reload returns uses the
// new one. next's address and other listener settings are ignored, and next
// can be used for nothing else afterwards. Reload fails when s is not
// running or next is invalid or already used.
func (s *Server) Reload(next *Server) error {
	if next == s {
		return errors.New("lane: a server cannot reload itself")
	}
	if err := next.cfg.Request.Validate(); err != nil {
		return err
	}
	next.mu.Lock()
	if next.started {
		next.mu.Unlock()
		return errors.New("lane: Reload needs a server that was never started")
	}
	next.started = true // no more registrations, no Start
	m := next.build
	next.mu.Unlock()
	m.seal(next.cfg.Request)

	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return errors.New("lane: Reload of a server that is not running")
	}
	s.build = m
	s.cfg.Request = next.cfg.Request
	s.mux.Store(m)
	return nil
}

// Routes lists the registered routes, sorted by pattern and method.
func (s *Server) Routes() []RouteInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.build.router.routes()
}

// Group returns a route group whose patterns start with prefix and whose
// routes run mw before their handler (after the server's own middleware).
func (s *Server) Group(prefix string, mw ...Handler) *RouteGroup {
	return s.root.Group(prefix, mw...)
}

// Handle registers h for method and pattern. See [RouteGroup.Handle].
func (s *Server) Handle(method, pattern string, h Handler) { s.root.Handle(method, pattern, h) }

// Route registers h for pattern and every method, like Hyperlane's route.
func (s *Server) Route(pattern string, h Handler) { s.root.Route(pattern, h) }

// GET registers h for GET requests to pattern (and HEAD, unless a HEAD route
// exists).
func (s *Server) GET(pattern string, h Handler) { s.root.GET(pattern, h) }

// HEAD registers h for HEAD requests to pattern.
func (s *Server) HEAD(pattern string, h Handler) { s.root.HEAD(pattern, h) }

// POST registers h for POST requests to pattern.
func (s *Server) POST(pattern string, h Handler) { s.root.POST(pattern, h) }

// PUT registers h for PUT requests to pattern.
func (s *Server) PUT(pattern string, h Handler) { s.root.PUT(pattern, h) }

// PATCH registers h for PATCH requests to pattern.
func (s *Server) PATCH(pattern string, h Handler) { s.root.PATCH(pattern, h) }

// DELETE registers h for DELETE requests to pattern.
func (s *Server) DELETE(pattern string, h Handler) { s.root.DELETE(pattern, h) }

// OPTIONS registers h for OPTIONS requests to pattern, replacing the
// automatic answer.
func (s *Server) OPTIONS(pattern string, h Handler) { s.root.OPTIONS(pattern, h) }

// RouteGroup registers routes under a common prefix with their own
// middleware. Add a group's middleware with [RouteGroup.Use] before its
// routes and subgroups.
type RouteGroup struct {
	s      *Server
	prefix string
	mw     []Handler
	frozen bool // routes or subgroups exist: Use would not reach them
}

// Use appends middleware run before the handlers of this group's routes. It
// panics once the group has routes or subgroups.
func (g *RouteGroup) Use(mw ...Handler) {
	checkHandlers("Use", mw)
	g.s.register(func(*mux) {
		if g.frozen {
			panic(fmt.Sprintf("lane: Use on group %q after its routes or subgroups were registered", g.prefix))
		}
		g.mw = append(g.mw, mw...)
	})
}

// Group returns a subgroup with prefix appended to this group's prefix and
// mw run after this group's middleware.
func (g *RouteGroup) Group(prefix string, mw ...Handler) *RouteGroup {
	checkHandlers("Group", mw)
	if prefix != "" && (!strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/")) {
		panic(fmt.Sprintf("lane: group prefix %q must start with '/' and not end with it", prefix))
	}
	sub := &RouteGroup{s: g.s, prefix: g.prefix + prefix}
	g.s.register(func(*mux) {
		g.frozen = true
		sub.mw = append(append(sub.mw, g.mw...), mw...)
	})
	return sub
}

// Handle registers h for method and the group's prefix joined with pattern.
// Patterns hold static segments, {name} parameters, {name:regex}
// parameters matched against one whole segment, and a final {name...} that
// captures the rest of the path. Handle panics on an invalid method or
// pattern, or one that conflicts with a registered route, naming both.
func (g *RouteGroup) Handle(method, pattern string, h Handler) {
	if method == "" || !http1.ValidHeaderName(method) {
		panic(fmt.Sprintf("lane: invalid method %q for route %q", method, pattern))
	}
	g.add(method, pattern, h)
}

// Route registers h for the pattern and every method without a route of
// its own.
func (g *RouteGroup) Route(pattern string, h Handler) { g.add("", pattern, h) }

func (g *RouteGroup) add(method, pattern string, h Handler) {
	checkHandlers("route "+pattern, []Handler{h})
	g.s.register(func(m *mux) {
		g.frozen = true
		chain := make([]Handler, 0, len(g.mw)+1)
		chain = append(append(chain, g.mw...), h)
		m.router.add(&route{method: method, pattern: g.prefix + pattern, chain: chain})
	})
}

// GET registers h for GET (and HEAD, unless a HEAD route exists).
func (g *RouteGroup) GET(pattern string, h Handler) { g.Handle(http.MethodGet, pattern, h) }

// HEAD registers h for HEAD.
func (g *RouteGroup) HEAD(pattern string, h Handler) { g.Handle(http.MethodHead, pattern, h) }

// POST registers h for POST.
func (g *RouteGroup) POST(pattern string, h Handler) { g.Handle(http.MethodPost, pattern, h) }

// PUT registers h for PUT.
func (g *RouteGroup) PUT(pattern string, h Handler) { g.Handle(http.MethodPut, pattern, h) }

// PATCH registers h for PATCH.
func (g *RouteGroup) PATCH(pattern string, h Handler) { g.Handle(http.MethodPatch, pattern, h) }

// DELETE registers h for DELETE.
func (g *RouteGroup) DELETE(pattern string, h Handler) { g.Handle(http.MethodDelete, pattern, h) }

// OPTIONS registers h for OPTIONS.
func (g *RouteGroup) OPTIONS(pattern string, h Handler) { g.Handle(http.MethodOptions, pattern, h) }

// Stats are a server's counters.
type Stats struct {
	Name        string `json:"name"`        // the server's name
	Addr        string `json:"addr"`        // the bound address, "" before Start
	Requests    uint64 `json:"requests"`    // requests whose head was read and accepted
	Panics      uint64 `json:"panics"`      // handler panics recovered
	Accepted    uint64 `json:"accepted"`    // connections accepted
	Connections int    `json:"connections"` // connections open now
}

// Stats returns the server's counters. It is safe to call at any time.
func (s *Server) Stats() Stats {
	s.connMu.Lock()
	open := len(s.conns)
	s.connMu.Unlock()
	st := Stats{
		Name:        s.cfg.Name,
		Requests:    s.requests.Load(),
		Panics:      s.panics.Load(),
		Accepted:    s.accepted.Load(),
		Connections: open,
	}
	if ctl := s.control(); ctl != nil {
		st.Addr = ctl.Addr().String()
	}
	return st
}
