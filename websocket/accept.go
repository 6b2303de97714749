package websocket

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	cws "github.com/coder/websocket"
	"github.com/lanehttp/lane"
)

// Defaults of [AcceptOptions].
const (
	DefaultReadLimit  = 32 << 10
	DefaultBufferSize = 2 << 10
)

// NoLimit turns [AcceptOptions.ReadLimit] off.
const NoLimit = -1

// handshakeTimeout bounds the write of the 101 response.
const handshakeTimeout = 10 * time.Second

// AcceptOptions configures [Accept]. The zero value is safe: same-origin
// browsers only, messages up to [DefaultReadLimit], no compression. Accept
// copies the struct and never changes it.
type AcceptOptions struct {
	// Subprotocols lists the subprotocols the server speaks, in order of
	// preference; the first one the client also offers is selected (RFC
	// 6455 section 4.2.2). Empty selects none.
	Subprotocols []string

	// OriginPatterns lists the origins allowed besides the request's own
	// host, as path.Match patterns on the origin's host ("*.example.com"),
	// or on scheme and host when the pattern contains "://". A browser
	// request whose Origin matches neither is refused with 403, which stops
	// cross-site WebSocket hijacking.
	OriginPatterns []string

	// InsecureSkipOriginCheck accepts any Origin. Use it only when the
	// endpoint authenticates by something other than cookies.
	InsecureSkipOriginCheck bool

	// ReadLimit is the largest message, in bytes, that Read accepts; a larger
	// one closes the connection with 1009 (message too big). It bounds the
	// inflated size of compressed messages too. Zero means
	// [DefaultReadLimit]; [NoLimit] turns the limit off.
	ReadLimit int64

	// Compression enables permessage-deflate (RFC 7692) when the client
	// offers it. It is off by default: it costs CPU and memory per
	// connection, and compressing secrets next to attacker-chosen text leaks
	// them (CRIME, BREACH).
	Compression bool

	// CompressionThreshold is the smallest message, in bytes, that is
	// compressed when Compression is on. Zero means the library's default.
	CompressionThreshold int

	// BufferSize is the size of each of the connection's read and write
	// buffers. Zero means [DefaultBufferSize]. Larger buffers mean fewer
	// system calls for large messages and more memory per idle connection.
	BufferSize int

	// Header holds extra headers for the 101 response, such as Set-Cookie.
	Header http.Header
}

// ErrNotWebSocket is wrapped by the error Accept returns when the request is
// not a valid WebSocket handshake.
var ErrNotWebSocket = errors.New("websocket: not a websocket handshake")

// Accept completes the WebSocket handshake for the request in c and takes the
// connection over. opts may be nil.
//
// When the handshake is invalid Accept answers it on c (400 for a malformed
// request, 426 Upgrade Required with the supported Sec-WebSocket-Version,
// 403 for a refused Origin, 405 for a method other than GET) and returns an
// error; the handler should then return without writing more. On success
// the handler owns the [Conn] until it returns, and must close it before
// returning. c must not be used after a successful Accept, except for
// [lane.Context.Context] and [lane.Context.ShuttingDown].
func Accept(c *lane.Context, opts *AcceptOptions) (*Conn, error) {
	var o AcceptOptions
	if opts != nil {
		o = *opts
	}
	if status, err := checkVersion(c); err != nil {
		c.SetHeader("Sec-WebSocket-Version", "13")
		c.String(status, err.Error())
		return nil, err
	}

	rw := &responseWriter{c: c, h: make(http.Header), size: o.BufferSize}
	for k, vs := range o.Header {
		rw.h[k] = append([]string(nil), vs...)
	}
	wc, err := cws.Accept(rw, request(c), &cws.AcceptOptions{
		Subprotocols:         o.Subprotocols,
		OriginPatterns:       o.OriginPatterns,
		InsecureSkipVerify:   o.InsecureSkipOriginCheck,
		CompressionMode:      compression(o.Compression),
		CompressionThreshold: o.CompressionThreshold,
	})
	if err != nil {
		if !rw.hijacked {
			return nil, errors.Join(ErrNotWebSocket, err)
		}
		return nil, err
	}
	wc.SetReadLimit(readLimit(o.ReadLimit))
	return newConn(c, wc, rw.nc), nil
}

// checkVersion refuses a handshake for a protocol version other than 13 with
// 426 and the version the server speaks (RFC 6455 section 4.4). Requests that
// are not handshakes at all are left to the full check.
func checkVersion(c *lane.Context) (int, error) {
	v := c.Header("Sec-WebSocket-Version")
	if c.Header("Upgrade") == "" || v == "13" {
		return 0, nil
	}
	return http.StatusUpgradeRequired,
		errors.Join(ErrNotWebSocket, errors.New("websocket: unsupported version "+strconvQuote(v)))
}

func strconvQuote(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return `"` + strings.Map(printable, s) + `"`
}

func printable(r rune) rune {
	if r < 0x20 || r > 0x7e {
		return '?'
	}
	return r
}

func compression(on bool) cws.CompressionMode {
	if on {
		return cws.CompressionContextTakeover
	}
	return cws.CompressionDisabled
}

func readLimit(n int64) int64 {
	switch {
	case n == 0:
		return DefaultReadLimit
	case n < 0:
		return -1
	}
	return n
}

// request builds the net/http view of the handshake that the library checks.
func request(c *lane.Context) *http.Request {
	r := &http.Request{
		Method:     c.Method(),
		URL:        &url.URL{Path: c.Path(), RawQuery: c.RawQuery()},
		Proto:      c.Proto(),
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     c.Headers(),
		Host:       c.Host(),
		RemoteAddr: c.RemoteAddr().String(),
	}
	if c.Proto() == "HTTP/1.0" {
		r.ProtoMinor = 0
	}
	return r.WithContext(c.Context())
}

// responseWriter lets the library answer through the lane Context: errors
// become ordinary lane responses, and the 101 response is written straight to
// the hijacked connection, since lane sends no response after a hijack.
type responseWriter struct {
	c        *lane.Context
	h        http.Header
	size     int
	status   int
	hijacked bool
	nc       net.Conn
}

var _ http.Hijacker = (*responseWriter)(nil)

func (rw *responseWriter) Header() http.Header { return rw.h }

func (rw *responseWriter) WriteHeader(code int) {
	rw.status = code
	if code == http.StatusSwitchingProtocols {
		return
	}
	for k, vs := range rw.h {
		for _, v := range vs {
			rw.c.AddHeader(k, v)
		}
	}
	rw.c.SetStatus(code)
}

func (rw *responseWriter) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK)
	}
	return rw.c.Write(p)
}

// Hijack takes the connection from lane and sends the 101 response.
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, err := rw.c.Hijack()
	if err != nil {
		return nil, nil, err
	}
	rw.hijacked, rw.nc = true, nc
	// lane's request deadlines no longer apply; the Conn's reads and writes
	// are bounded by the contexts passed to them.
	nc.SetReadDeadline(time.Time{})

	size := rw.size
	if size <= 0 {
		size = DefaultBufferSize
	}
	bw := bufio.NewWriterSize(nc, size)
	bw.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	rw.h.Write(bw)
	bw.WriteString("\r\n")
	nc.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	if err := bw.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	nc.SetWriteDeadline(time.Time{})
	return nc, bufio.NewReadWriter(bufio.NewReaderSize(nc, size), bw), nil
}
