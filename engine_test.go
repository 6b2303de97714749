package lane_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

// start runs s on a free loopback port and shuts it down when the test ends.
func start(t *testing.T, s *lane.Server) *lane.Control {
	t.Helper()
	ctl, err := s.Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ctl.Shutdown(ctx)
	})
	return ctl
}

// newServer returns a server on a free loopback port.
func newServer() *lane.Server {
	return lane.New(lane.Config{Address: "127.0.0.1:0"})
}

// rawConn is a client connection that writes raw bytes and reads responses.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, ctl *lane.Control) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", ctl.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.nc, s); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// response reads one response to a request with the given method.
func (rc *rawConn) response(method string) (*http.Response, string) {
	rc.t.Helper()
	res, err := http.ReadResponse(rc.br, &http.Request{Method: method})
	if err != nil {
		rc.t.Fatalf("reading response: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		rc.t.Fatalf("reading body: %v", err)
	}
	return res, string(b)
}

// closed reports whether the server closed the connection with nothing
// more to read.
func (rc *rawConn) closed() bool {
	rc.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err := rc.br.ReadByte()
	return err == io.EOF
}

func TestKeepAliveStateDoesNotLeak(t *testing.T) {
	s := newServer()
	key := lane.NewKey[string]("user")
	s.GET("/set", func(c *lane.Context) lane.Status {
		key.Set(c, "alice")
		c.SetHeader("X-First", "1")
		c.SetStatus(201)
		c.CloseAfter()
		c.WriteString("first")
		return lane.Continue
	})
	s.GET("/set2", func(c *lane.Context) lane.Status {
		key.Set(c, "alice")
		c.SetHeader("X-First", "1")
		c.SetStatus(201)
		c.WriteString("first")
		return lane.Continue
	})
	s.GET("/get", func(c *lane.Context) lane.Status {
		v, ok := key.Get(c)
		return c.String(200, fmt.Sprintf("attr=%q,%v query=%q param=%q", v, ok, c.RawQuery(), c.Param("id")))
	})
	ctl := start(t, s)
	rc := dial(t, ctl)
	rc.send("GET /set2?a=1 HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\n\r\n")
	res, body := rc.response("GET")
	if res.StatusCode != 201 || body != "first" || res.Header.Get("X-First") != "1" {
		t.Fatalf("first response: %d %q %v", res.StatusCode, body, res.Header)
	}
	rc.send("GET /get HTTP/1.1\r\nHost: x\r\n\r\n")
	res, body = rc.response("GET")
	if res.StatusCode != 200 {
		t.Fatalf("second status = %d, want 200", res.StatusCode)
	}
	if res.Header.Get("X-First") != "" {
		t.Errorf("second response carries the first's header X-First")
	}
	if want := `attr="",false query="" param=""`; body != want {
		t.Errorf("second body = %q, want %q", body, want)
	}
	if res.Close {
		t.Errorf("second response closes the connection")
	}
}

func TestPipelinedInOrder(t *testing.T) {
	s := newServer()
	s.GET("/n/{i}", func(c *lane.Context) lane.Status { return c.String(200, "r"+c.Param("i")) })
	ctl := start(t, s)
	rc := dial(t, ctl)
	var b strings.Builder
	const n = 50
	for i := range n {
		fmt.Fprintf(&b, "GET /n/%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	rc.send(b.String())
	for i := range n {
		_, body := rc.response("GET")
		if want := fmt.Sprintf("r%d", i); body != want {
			t.Fatalf("response %d = %q, want %q", i, body, want)
		}
	}
}

func TestConnectionPersistence(t *testing.T) {
	s := newServer()
	s.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "ok") })
	ctl := start(t, s)
	tests := []struct {
		name      string
		req       string
		wantClose bool
		wantConn  string
	}{
		{"http/1.1 default", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false, ""},
		{"http/1.1 close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true, ""},
		{"http/1.1 close in list", "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n", true, ""},
		{"http/1.0 default", "GET / HTTP/1.0\r\n\r\n", true, ""},
		{"http/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, "keep-alive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dial(t, ctl)
			rc.send(tt.req)
			res, body := rc.response("GET")
			if body != "ok" {
				t.Fatalf("body = %q, want ok", body)
			}
			if res.Close != tt.wantClose {
				t.Errorf("response close = %v, want %v", res.Close, tt.wantClose)
			}
			if got := res.Header.Get("Connection"); tt.wantConn != "" && !strings.EqualFold(got, tt.wantConn) {
				t.Errorf("Connection = %q, want %q", got, tt.wantConn)
			}
			if tt.wantClose {
				if !rc.closed() {
					t.Errorf("connection still open, want closed")
				}
				return
			}
			rc.send(tt.req)
			if _, body := rc.response("GET"); body != "ok" {
				t.Errorf("second body = %q, want ok", body)
			}
		})
	}
}

func TestRequestBodies(t *testing.T) {
	s := newServer()
	s.POST("/echo", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return c.String(500, "read error: "+err.Error())
		}
		return c.String(200, fmt.Sprintf("%d:%s", c.ContentLength(), b))
	})
	s.POST("/ignore", func(c *lane.Context) lane.Status { return c.String(200, "ignored") })
	ctl := start(t, s)
	tests := []struct {
		name, req, want string
	}{
		{"content-length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "5:hello"},
		{"chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\nX-T: 1\r\n\r\n", "-1:hello"},
		{"empty", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "0:"},
		{"unread body drained", "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", "ignored"},
		{"unread chunked drained", "POST /ignore HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n", "ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dial(t, ctl)
			rc.send(tt.req + "GET /canary HTTP/1.1\r\nHost: x\r\n\r\n")
			res, body := rc.response("POST")
			if res.StatusCode != 200 || body != tt.want {
				t.Fatalf("got %d %q, want 200 %q", res.StatusCode, body, tt.want)
			}
			res, _ = rc.response("GET")
			if res.StatusCode != 404 {
				t.Errorf("pipelined request after the body: status %d, want 404", res.StatusCode)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: lane.RequestConfig{MaxBodySize: 8}})
	var ran atomic.Int32
	s.POST("/echo", func(c *lane.Context) lane.Status {
		ran.Add(1)
		b, err := c.ReadBody()
		if err == nil {
			return c.String(200, string(b))
		}
		return c.String(500, "handler saw: "+err.Error())
	})
	ctl := start(t, s)
	t.Run("declared", func(t *testing.T) {
		rc := dial(t, ctl)
		rc.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n123456789")
		res, _ := rc.response("POST")
		if res.StatusCode != 413 || !res.Close {
			t.Errorf("got %d close=%v, want 413 with close", res.StatusCode, res.Close)
		}
		if ran.Load() != 0 {
			t.Errorf("handler ran for a body declared too large")
		}
	})
	t.Run("chunked", func(t *testing.T) {
		rc := dial(t, ctl)
		rc.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n")
		res, _ := rc.response("POST")
		if res.StatusCode != 413 || !res.Close {
			t.Errorf("got %d close=%v, want 413 with close", res.StatusCode, res.Close)
		}
		if !rc.closed() {
			t.Errorf("connection left open after 413")
		}
	})
}

func TestExpectContinue(t *testing.T) {
	s := newServer()
	s.POST("/echo", func(c *lane.Context) lane.Status {
		b, _ := c.ReadBody()
		return c.String(200, string(b))
	})
	s.POST("/deny", func(c *lane.Context) lane.Status { return c.String(403, "no") })
	ctl := start(t, s)

	rc := dial(t, ctl)
	rc.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
	line, err := rc.br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim line = %q, %v; want 100 Continue", line, err)
	}
	rc.br.ReadString('\n')
	rc.send("hi")
	if _, body := rc.response("POST"); body != "hi" {
		t.Errorf("body = %q, want hi", body)
	}

	rc = dial(t, ctl)
	rc.send("POST /deny HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
	res, _ := rc.response("POST")
	if res.StatusCode != 403 || !res.Close {
		t.Errorf("denied: got %d close=%v, want 403 and close (body never requested)", res.StatusCode, res.Close)
	}
}

func TestResponseFraming(t *testing.T) {
	s := newServer()
	s.GET("/text", func(c *lane.Context) lane.Status { return c.String(200, "hello") })
	s.GET("/nocontent", func(c *lane.Context) lane.Status {
		c.WriteString("dropped")
		return c.NoContent(204)
	})
	s.GET("/notmodified", func(c *lane.Context) lane.Status { return c.String(304, "dropped") })
	s.GET("/stream", func(c *lane.Context) lane.Status {
		c.SetHeader("Content-Type", "text/plain")
		c.WriteString("part1,")
		if err := c.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		c.WriteString("part2")
		return lane.Continue
	})
	s.GET("/reader", func(c *lane.Context) lane.Status {
		return c.Stream(200, "text/plain", -1, strings.NewReader("from a reader"))
	})
	ctl := start(t, s)
	tests := []struct {
		method, path string
		status       int
		body         string
		chunked      bool
		length       int64
	}{
		{"GET", "/text", 200, "hello", false, 5},
		{"HEAD", "/text", 200, "", false, 5},
		{"GET", "/nocontent", 204, "", false, -1},
		{"GET", "/notmodified", 304, "", false, -1},
		{"GET", "/stream", 200, "part1,part2", true, -1},
		{"HEAD", "/stream", 200, "", true, -1},
		{"GET", "/reader", 200, "from a reader", true, -1},
	}
	rc := dial(t, ctl)
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			rc.send(tt.method + " " + tt.path + " HTTP/1.1\r\nHost: x\r\n\r\n")
			res, body := rc.response(tt.method)
			if res.StatusCode != tt.status || body != tt.body {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, body, tt.status, tt.body)
			}
			chunked := len(res.TransferEncoding) > 0
			if tt.method == "GET" && chunked != tt.chunked {
				t.Errorf("chunked = %v, want %v", chunked, tt.chunked)
			}
			if tt.length >= 0 && res.ContentLength != tt.length {
				t.Errorf("Content-Length = %d, want %d", res.ContentLength, tt.length)
			}
			if _, err := http.ParseTime(res.Header.Get("Date")); err != nil {
				t.Errorf("Date header %q: %v", res.Header.Get("Date"), err)
			}
		})
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	s := newServer()
	s.GET("/", func(c *lane.Context) lane.Status {
		c.SetHeader("X-Evil", "a\r\nSet-Cookie: owned=1")
		return c.String(200, "should not be sent")
	})
	ctl := start(t, s)
	rc := dial(t, ctl)
	rc.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	res, body := rc.response("GET")
	if res.StatusCode != 500 || res.Header.Get("Set-Cookie") != "" || strings.Contains(body, "should not") {
		t.Errorf("got %d %v %q, want a plain 500", res.StatusCode, res.Header, body)
	}
}

func TestMalformedRequestClosed(t *testing.T) {
	s := newServer()
	var served atomic.Int32
	s.GET("/", func(c *lane.Context) lane.Status { served.Add(1); return c.String(200, "ok") })
	ctl := start(t, s)
	tests := []struct {
		name, req string
		status    int
	}{
		{"cl and te", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"no host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"bad version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dial(t, ctl)
			rc.send(tt.req + "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			res, _ := rc.response("GET")
			if res.StatusCode != tt.status || !res.Close {
				t.Errorf("got %d close=%v, want %d with close", res.StatusCode, res.Close, tt.status)
			}
			if !rc.closed() {
				t.Errorf("connection still open")
			}
		})
	}
	if n := served.Load(); n != 0 {
		t.Errorf("canary served %d times, want 0", n)
	}
}

func TestHeaderTimeout(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: lane.RequestConfig{HeaderTimeout: 200 * time.Millisecond}})
	s.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "ok") })
	ctl := start(t, s)
	rc := dial(t, ctl)
	rc.send("GET / HTTP/1.1\r\nHo")
	began := time.Now()
	res, _ := rc.response("GET")
	if res.StatusCode != 408 {
		t.Errorf("status = %d, want 408", res.StatusCode)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("408 after %v, want about 200ms", d)
	}
}

func TestIdleTimeoutClosesQuietly(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: lane.RequestConfig{IdleTimeout: 100 * time.Millisecond}})
	s.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "ok") })
	ctl := start(t, s)
	rc := dial(t, ctl)
	rc.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	rc.response("GET")
	if !rc.closed() {
		t.Errorf("idle connection not closed after the idle timeout")
	}
}

func TestReadBodySizes(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: lane.RequestConfig{MaxBodySize: 600}})
	s.POST("/", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return lane.Reject
		}
		return c.String(200, fmt.Sprint(len(b)))
	})
	ctl := start(t, s)
	for _, n := range []int{0, 1, 511, 512, 513, 600} {
		for _, chunked := range []bool{false, true} {
			rc := dial(t, ctl)
			body := strings.Repeat("x", n)
			switch {
			case chunked && n == 0:
				rc.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
			case chunked:
				rc.send(fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", n, body))
			default:
				rc.send(fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", n, body))
			}
			res, got := rc.response("POST")
			if res.StatusCode != 200 || got != fmt.Sprint(n) {
				t.Errorf("%d bytes (chunked %v): %d %q", n, chunked, res.StatusCode, got)
			}
		}
	}
}

func TestLargeBodies(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 20000) // 320 KB
	s := newServer()
	s.GET("/buffered", func(c *lane.Context) lane.Status { return c.String(200, big) })
	s.GET("/reader", func(c *lane.Context) lane.Status {
		return c.Stream(200, "text/plain", -1, io.MultiReader(strings.NewReader(big)))
	})
	s.GET("/flushed", func(c *lane.Context) lane.Status {
		c.WriteString(big[:100000])
		c.Flush()
		c.WriteString(big[100000:])
		return lane.Continue
	})
	ctl := start(t, s)
	rc := dial(t, ctl)
	for _, path := range []string{"/buffered", "/reader", "/flushed", "/buffered"} {
		rc.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
		if res, body := rc.response("GET"); res.StatusCode != 200 || body != big {
			t.Errorf("%s: %d, %d bytes, want 200 and %d bytes", path, res.StatusCode, len(body), len(big))
		}
	}
}
