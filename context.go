package lane

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unsafe"

	"github.com/lanehttp/lane/internal/http1"
)

// Context is one request and its response. lane reuses a Context for every
// request of a connection, resetting it in between, so no state reaches the
// next request. A Context and anything named a view must not be kept after
// the handler returns; every string it hands out is a copy and safe to keep.
// A Context is not safe for concurrent use.
type Context struct {
	conn *conn
	srv  *Server
	req  http1.Request
	mx   *mux

	route  *route
	params params
	attrs  []attr
	query  url.Values // parsed on first use
	parsed bool       // query is valid for this request

	body    body
	bodyErr *RequestError // first framing or limit error met while reading the body

	resp response
}

// reset clears every per-request field while keeping allocated capacity.
func (c *Context) reset() {
	c.req.Reset()
	c.route = nil
	c.params.list = c.params.list[:0]
	clear(c.attrs)
	c.attrs = c.attrs[:0]
	c.query = nil
	c.parsed = false
	c.body = body{}
	c.bodyErr = nil
	c.resp.reset()
}

// Context returns the server's context. It is cancelled when the server is
// closed, or when the deadline of a graceful shutdown passes, so blocking work
// started by a handler stops with it. It carries no request values.
func (c *Context) Context() context.Context { return c.srv.ctx }

// ShuttingDown returns a channel closed when the server begins a graceful
// shutdown. Long-lived handlers (streams, long polls, WebSockets) select on it
// to finish early so that the shutdown does not wait for them.
func (c *Context) ShuttingDown() <-chan struct{} { return c.srv.shutdownCh }

// Server returns the server handling the request.
func (c *Context) Server() *Server { return c.srv }

// Method returns the request method, e.g. "GET".
func (c *Context) Method() string {
	m := c.req.Method
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPut:
		return http.MethodPut
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodOptions:
		return http.MethodOptions
	}
	return string(m)
}

// Proto returns "HTTP/1.1" or "HTTP/1.0".
func (c *Context) Proto() string {
	if c.req.Proto == 10 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// Target returns the request-target exactly as the client sent it.
func (c *Context) Target() string { return string(c.req.Target) }

// RawPath returns the request path as sent, still percent-encoded.
func (c *Context) RawPath() string { return string(c.req.Path) }

// Path returns the percent-decoded request path. A path that does not decode
// is returned as sent.
func (c *Context) Path() string {
	p := c.req.Path
	if bytes.IndexByte(p, '%') < 0 {
		return string(p)
	}
	s, err := url.PathUnescape(string(p))
	if err != nil {
		return string(p)
	}
	return s
}

// Pattern returns the pattern of the matched route, or "" when no route
// matched.
func (c *Context) Pattern() string {
	if c.route == nil {
		return ""
	}
	return c.route.pattern
}

// Param returns the percent-decoded value of the route parameter name, or ""
// when the route has no such parameter.
func (c *Context) Param(name string) string {
	for _, p := range c.params.list {
		if p.name == name {
			v := c.req.Path[p.start:p.end]
			if bytes.IndexByte(v, '%') >= 0 {
				if s, err := url.PathUnescape(string(v)); err == nil {
					return s
				}
			}
			return string(v)
		}
	}
	return ""
}

// RawQuery returns the query string without the '?', as sent.
func (c *Context) RawQuery() string { return string(c.req.Query) }

// Query returns the first value of the query parameter name, decoded.
func (c *Context) Query(name string) string {
	return c.QueryValues().Get(name)
}

// QueryValues returns all query parameters, decoded. Malformed pairs are
// skipped. The map is shared by later calls in the same request; copy it to
// keep it past the handler.
func (c *Context) QueryValues() url.Values {
	if !c.parsed {
		c.query, _ = url.ParseQuery(string(c.req.Query))
		c.parsed = true
	}
	return c.query
}

// Host returns the request's host: the authority of an absolute-form target,
// else the Host header.
func (c *Context) Host() string { return string(c.req.Host) }

// RemoteAddr returns the client's network address.
func (c *Context) RemoteAddr() net.Addr { return c.conn.nc.RemoteAddr() }

// LocalAddr returns the server address the request arrived on.
func (c *Context) LocalAddr() net.Addr { return c.conn.nc.LocalAddr() }

// Header returns the first value of the request header name (case
// insensitive), or "".
func (c *Context) Header(name string) string {
	if v, ok := c.headerView(name); ok {
		return string(v)
	}
	return ""
}

// HeaderBytes returns the first value of the request header name as a view
// into the connection's buffer, valid only until the handler returns. It
// allocates nothing; use it on hot paths and copy what must be kept.
func (c *Context) HeaderBytes(name string) []byte {
	v, _ := c.headerView(name)
	return v
}

func (c *Context) headerView(name string) ([]byte, bool) {
	for i := range c.req.Headers {
		h := &c.req.Headers[i]
		if equalFold(h.Name, name) {
			return h.Value, true
		}
	}
	return nil, false
}

// HeaderValues returns every value of the request header name, in order.
func (c *Context) HeaderValues(name string) []string {
	var vs []string
	for _, h := range c.req.Headers {
		if equalFold(h.Name, name) {
			vs = append(vs, string(h.Value))
		}
	}
	return vs
}

// Headers returns a copy of the request headers with canonical keys.
func (c *Context) Headers() http.Header {
	hs := make(http.Header, len(c.req.Headers))
	for _, h := range c.req.Headers {
		k := http.CanonicalHeaderKey(string(h.Name))
		hs[k] = append(hs[k], string(h.Value))
	}
	return hs
}

// Cookie returns the value of the request cookie name, or "".
func (c *Context) Cookie(name string) string {
	for _, ck := range c.Cookies() {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Cookies parses the request's Cookie headers. Malformed cookies are skipped.
func (c *Context) Cookies() []*http.Cookie {
	var all []*http.Cookie
	for _, h := range c.req.Headers {
		if !equalFold(h.Name, "Cookie") {
			continue
		}
		for _, part := range strings.Split(string(h.Value), ";") {
			cs, err := http.ParseCookie(strings.TrimSpace(part))
			if err == nil {
				all = append(all, cs...)
			}
		}
	}
	return all
}

// ContentLength returns the declared length of the request body, or -1 when
// it is chunked or absent (a request without a body has length -1 and an
// empty Body).
func (c *Context) ContentLength() int64 { return c.req.ContentLength }

// KeepAlive reports whether the connection stays open after this response.
func (c *Context) KeepAlive() bool { return c.req.KeepAlive && !c.resp.close }

// equalFold reports whether the ASCII bytes b equal s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// view returns b as a string without copying. The result must not outlive
// the buffer b points into; lane uses it only for lookups during a request.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Key is a typed key for values stored on a request with [Key.Set], for
// middleware to hand data to handlers. Keys compare by identity: create each
// with [NewKey] once, at package level.
type Key[T any] struct{ name string }

// NewKey returns a new key; name appears only in debugging output.
func NewKey[T any](name string) *Key[T] { return &Key[T]{name: name} }

func (k *Key[T]) String() string { return "lane.Key(" + k.name + ")" }

type attr struct {
	key any
	val any
}

// Set stores v under k for the rest of the request. Values are dropped when
// the request ends.
func (k *Key[T]) Set(c *Context, v T) {
	for i := range c.attrs {
		if c.attrs[i].key == k {
			c.attrs[i].val = v
			return
		}
	}
	c.attrs = append(c.attrs, attr{key: k, val: v})
}

// Get returns the value stored under k in this request, if any.
func (k *Key[T]) Get(c *Context) (T, bool) {
	for _, a := range c.attrs {
		if a.key == k {
			v, ok := a.val.(T)
			return v, ok
		}
	}
	var zero T
	return zero, false
}

// Body returns the request body. Reading it enforces the server's body limit
// and read timeout; the first error is also reported to the server, which then
// answers with the matching status (413, 400, 408) if the handler has sent
// nothing yet. The body of a request without one reads as empty.
func (c *Context) Body() io.Reader { return &c.body }

// ReadBody reads the whole request body, up to the server's max_body_size.
// The returned slice is the caller's to keep. Its buffer grows as data
// arrives, never past the limit, so a client cannot make it allocate more
// than twice the limit.
func (c *Context) ReadBody() ([]byte, error) {
	limit := c.body.limit
	size := c.req.ContentLength
	if size < 0 {
		size = 512
	}
	size = min(size, 1<<20) // a declared length is grown into as data arrives
	if limit >= 0 {
		size = min(size, limit+1)
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			next := max(2*cap(buf), 512)
			if limit >= 0 {
				next = min(next, int(limit)+1)
			}
			buf = append(buf, make([]byte, next-len(buf))...)[:len(buf)]
		}
		n, err := c.body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// Hijack takes over the connection, for protocols such as WebSocket. Bytes
// the client sent after the request head, if any, are read first from the
// returned net.Conn, which has no read or write deadline. After Hijack lane
// sends no response and no longer reads the connection; the caller must
// close it. The request's accessors stay valid until the handler returns. The server still counts
// the connection until the handler returns: [Control.Close] closes it, and
// [Control.Shutdown] waits for the handler (see [Context.ShuttingDown]).
func (c *Context) Hijack() (net.Conn, error) {
	if c.resp.hijacked {
		return nil, ErrHijacked
	}
	if err := c.conn.flush(); err != nil {
		return nil, err
	}
	c.resp.hijacked = true
	c.conn.state.Store(int32(stateHijacked))
	return c.conn.hijack(), nil
}
