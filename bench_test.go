package lane

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// memConn is a connection whose every Read returns the same request bytes
// and whose writes are discarded, so that benchmarks measure the engine
// without a network.
type memConn struct {
	req     []byte
	written int
}

func (m *memConn) Read(p []byte) (int, error) { return copy(p, m.req), nil }

func (m *memConn) Write(p []byte) (int, error)      { m.written += len(p); return len(p), nil }
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

var _ net.Conn = (*memConn)(nil)

// benchServe runs b.N requests through one connection's request loop.
func benchServe(b *testing.B, s *Server, req string) {
	b.Helper()
	clock.acquire()
	defer clock.release()
	s.build.seal(s.cfg.Request)
	s.mux.Store(s.build)
	s.ctx = b.Context()
	mc := &memConn{req: []byte(req)}
	c := newConn(s, mc)
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	for range b.N {
		if !c.serveOne() {
			b.Fatal("connection closed")
		}
	}
	b.StopTimer()
	c.flush()
	if mc.written == 0 {
		b.Fatal("nothing written")
	}
}

func BenchmarkPlaintextGET(b *testing.B) {
	s := New(benchConfig())
	s.GET("/", func(c *Context) Status { return c.String(200, "Hello, World!") })
	benchServe(b, s, "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

func BenchmarkPipelined16(b *testing.B) {
	s := New(benchConfig())
	s.GET("/", func(c *Context) Status { return c.String(200, "Hello, World!") })
	req := strings.Repeat("GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n", 16)
	benchServe(b, s, req)
}

func BenchmarkParamsGET(b *testing.B) {
	s := New(benchConfig())
	for i := range 1000 {
		s.GET("/api/v1/res"+strconv.Itoa(i)+"/{id}/items/{item}", func(c *Context) Status {
			return c.String(200, "ok")
		})
	}
	benchServe(b, s, "GET /api/v1/res777/42/items/abc HTTP/1.1\r\nHost: x\r\n\r\n")
}

func BenchmarkPostBody(b *testing.B) {
	s := New(benchConfig())
	var buf [64]byte
	s.POST("/", func(c *Context) Status {
		for {
			if _, err := c.Body().Read(buf[:]); err != nil {
				break
			}
		}
		return c.String(200, "ok")
	})
	benchServe(b, s, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789")
}

// benchConfig keeps one connection open for any number of requests.
func benchConfig() Config {
	return Config{
		Logger:  slog.New(slog.DiscardHandler),
		Request: RequestConfig{MaxRequestsPerConn: NoLimit},
	}
}
