package lane

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
)

// HTTPHandler adapts a net/http handler to a lane route, so that existing
// handlers (net/http/pprof, a Prometheus exporter, a file server) run on a
// lane server:
//
//	srv.Route("/debug/pprof/{rest...}", lane.HTTPHandler(http.DefaultServeMux))
//
// The handler gets an *http.Request built from the Context (its context is
// the Context's) and writes through an http.ResponseWriter that fills the
// lane response; it supports http.Flusher and http.Hijacker. Building the
// request allocates; keep HTTPHandler off the hottest routes.
func HTTPHandler(h http.Handler) Handler {
	if h == nil {
		panic("lane: nil http.Handler passed to HTTPHandler")
	}
	return func(c *Context) Status {
		req, err := c.httpRequest()
		if err != nil {
			return c.Error(http.StatusBadRequest)
		}
		w := &responseWriter{c: c, header: make(http.Header)}
		h.ServeHTTP(w, req)
		w.WriteHeader(http.StatusOK) // a handler that wrote nothing answers 200
		return Continue
	}
}

// httpRequest builds the net/http view of the request.
func (c *Context) httpRequest() (*http.Request, error) {
	target := string(c.req.Target)
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, err
	}
	req := &http.Request{
		Method:        c.Method(),
		URL:           u,
		Proto:         c.Proto(),
		ProtoMajor:    1,
		ProtoMinor:    int(c.req.Proto % 10),
		Header:        c.Headers(),
		Body:          io.NopCloser(c.Body()),
		ContentLength: c.req.ContentLength,
		Host:          c.Host(),
		RemoteAddr:    c.RemoteAddr().String(),
		RequestURI:    target,
		Close:         !c.req.KeepAlive,
	}
	if c.req.Chunked {
		req.TransferEncoding = []string{"chunked"}
	}
	if c.req.ContentLength < 0 && !c.req.Chunked {
		req.ContentLength = 0
		req.Body = http.NoBody
	}
	return req.WithContext(c.Context()), nil
}

// responseWriter is the http.ResponseWriter of HTTPHandler.
type responseWriter struct {
	c      *Context
	header http.Header
	wrote  bool
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
)

func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader copies the status and header fields into the lane response.
// Fields lane refuses (see [Context.SetHeader]) turn the response into a 500.
func (w *responseWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.c.SetStatus(code)
	for name, values := range w.header {
		for _, v := range values {
			w.c.AddHeader(name, v)
		}
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.c.Write(p)
}

func (w *responseWriter) Flush() {
	w.WriteHeader(http.StatusOK)
	w.c.Flush()
}

func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, err := w.c.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return conn, bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn)), nil
}
