package lane

import (
	"net/http"
	"runtime/debug"

	"github.com/lanehttp/lane/internal/http1"
)

// mux is what a server runs for each request: its request config, routes,
// middleware and hooks. A running server swaps in a whole new mux at once
// (Server.Reload), so a request always sees one consistent set.
type mux struct {
	cfg      RequestConfig // limits and timeouts, defaults resolved
	lim      http1.Limits  // the head limits of cfg
	router   *router
	use      []Handler // request middleware, before the route
	after    []Handler // response middleware, after the route
	notFound Handler
	onError  func(*Context, *RequestError) Status
	onPanic  func(*Context, *Panic) Status
}

// seal fixes the request config a mux serves with.
func (m *mux) seal(cfg RequestConfig) {
	m.cfg = cfg
	m.lim = http1.Limits{
		MaxTarget:      cfg.MaxPathSize,
		MaxHeaderCount: cfg.MaxHeaderCount,
		MaxHeaderName:  cfg.MaxHeaderKeySize,
		MaxHeaderValue: cfg.MaxHeaderValueSize,
		MaxHeadBytes:   cfg.MaxHeaderBytes,
	}
}

// serve runs the pipeline for one request, recovering panics.
func (m *mux) serve(c *Context) {
	defer func() {
		if v := recover(); v != nil {
			m.recovered(c, v)
		}
	}()
	if runChain(c, m.use) == Continue {
		m.dispatch(c)
	}
	runChain(c, m.after)
}

// runChain runs handlers in order until one rejects.
func runChain(c *Context, hs []Handler) Status {
	for _, h := range hs {
		if h(c) == Reject {
			return Reject
		}
	}
	return Continue
}

// dispatch routes the request and runs the route's chain, or answers 404,
// 405 or an automatic OPTIONS.
func (m *mux) dispatch(c *Context) {
	rt, allow := m.router.find(view(c.req.Method), view(c.req.Path), &c.params)
	if rt != nil {
		c.route = rt
		runChain(c, rt.chain)
		return
	}
	switch {
	case allow == "":
		m.notFound(c)
	case string(c.req.Method) == http.MethodOptions:
		c.SetHeader("Allow", allow)
		c.NoContent(http.StatusNoContent)
	default:
		c.SetHeader("Allow", allow)
		c.Error(http.StatusMethodNotAllowed)
	}
}

// recovered handles a panic from the pipeline: it logs it, lets the panic
// hook answer, and falls back to a 500. The connection is closed after the
// response since the handler left it in an unknown state.
func (m *mux) recovered(c *Context, v any) {
	if v == http.ErrAbortHandler {
		c.resp.abort = true // close without a word, as net/http does
		return
	}
	p := &Panic{Value: v, Stack: debug.Stack()}
	c.srv.log.Error("lane: panic serving request", "panic", v, "method", c.Method(), "path", c.RawPath(), "stack", string(p.Stack))
	c.srv.panics.Add(1)
	if c.resp.wroteHead || c.resp.hijacked {
		c.resp.close = true
		return
	}
	c.resp.reset()
	c.resp.close = true
	if m.onPanic != nil {
		m.callPanicHook(c, p)
	}
	if c.resp.status == 0 && c.bodyLen() == 0 && c.resp.src == nil {
		c.Error(http.StatusInternalServerError)
	}
	c.resp.close = true
}

// callPanicHook runs the panic hook, which may itself panic.
func (m *mux) callPanicHook(c *Context, p *Panic) {
	defer func() {
		if v := recover(); v != nil {
			c.srv.log.Error("lane: panic in panic hook", "panic", v)
			c.resp.reset()
		}
	}()
	m.onPanic(c, p)
}

// requestError answers a refused request through the error hook, falling
// back to the error's status with its reason as a plain text body.
func (m *mux) requestError(c *Context, re *RequestError) {
	if m.onError != nil {
		m.callErrorHook(c, re)
	}
	if c.resp.status == 0 && c.bodyLen() == 0 && c.resp.src == nil {
		c.resp.reset()
		c.String(re.Status, http1.StatusText(re.Status)+": "+re.Reason+"\n")
	}
	c.resp.close = true
}

func (m *mux) callErrorHook(c *Context, re *RequestError) {
	defer func() {
		if v := recover(); v != nil {
			c.srv.log.Error("lane: panic in request error hook", "panic", v)
			c.resp.reset()
		}
	}()
	m.onError(c, re)
}

func defaultNotFound(c *Context) Status { return c.Error(http.StatusNotFound) }
