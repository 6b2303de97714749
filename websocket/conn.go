package websocket

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"unicode/utf8"

	cws "github.com/coder/websocket"
	"github.com/lanehttp/lane"
)

// Conn is an accepted WebSocket connection. Read, Reader and CloseRead must
// be called from one goroutine at a time, as must Write and Writer; Ping,
// Close, CloseNow and the accessors are safe to call concurrently with
// everything.
//
// The library answers pings and close frames itself, but only while a read is
// in progress: a handler that only writes should call [Conn.CloseRead].
type Conn struct {
	ws     *cws.Conn
	nc     net.Conn
	remote string

	once sync.Once
	srv  *drain
}

func newConn(c *lane.Context, ws *cws.Conn, nc net.Conn) *Conn {
	wc := &Conn{ws: ws, nc: nc, remote: c.RemoteAddr().String()}
	wc.srv = track(c, wc)
	return wc
}

// Read reads the next data message. It returns an error after the
// connection has closed, when ctx ends (which also closes the connection, as
// a half-read message cannot be resumed), or when the peer breaks the
// protocol, in which case the connection has been closed with the matching
// status (1002, 1007, 1009). The returned slice is the caller's.
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	typ, p, err := c.ws.Read(ctx)
	if err != nil {
		return 0, nil, c.failed(err)
	}
	if typ == MessageText && !utf8.Valid(p) {
		return 0, nil, c.failUTF8()
	}
	return typ, p, nil
}

// silentFailures are the library's errors for protocol violations after
// which it closes the connection without a close frame. RFC 6455 section
// 7.1.7 lets an endpoint send one first; lane does, with 1002, so that the
// client can tell a protocol error from a network failure.
var silentFailures = []string{
	"received unmasked frame from client",
	"received negative payload length",
}

// failed sends 1002 for the errors in silentFailures and returns err.
func (c *Conn) failed(err error) error {
	msg := err.Error()
	for _, s := range silentFailures {
		if strings.Contains(msg, s) {
			c.Close(StatusProtocolError, "protocol error")
			break
		}
	}
	return err
}

// ErrInvalidUTF8 is returned by reads of a text message that is not valid
// UTF-8; the connection has then been closed with 1007 (RFC 6455 section
// 8.1).
var ErrInvalidUTF8 = errors.New("websocket: text message is not valid utf-8")

// failUTF8 closes the connection for a text message that is not UTF-8. The
// library leaves this check to its users.
func (c *Conn) failUTF8() error {
	c.Close(StatusInvalidPayload, "invalid utf-8")
	return ErrInvalidUTF8
}

// Reader returns a reader for the next data message, for messages read as a
// stream. The reader must be read to the end before the next call.
func (c *Conn) Reader(ctx context.Context) (MessageType, io.Reader, error) {
	typ, r, err := c.ws.Reader(ctx)
	if err != nil {
		return 0, nil, c.failed(err)
	}
	if typ != MessageText {
		return typ, r, err
	}
	return typ, &utf8Reader{c: c, r: r}, nil
}

// utf8Reader checks a streamed text message as it is read. Up to three bytes
// of a character split across reads are carried to the next one.
type utf8Reader struct {
	c     *Conn
	r     io.Reader
	carry [utf8.UTFMax]byte
	n     int
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	b := append(u.carry[:u.n:u.n], p[:n]...)
	keep := incomplete(b)
	if !utf8.Valid(b[:len(b)-keep]) || (err == io.EOF && keep > 0) {
		return 0, u.c.failUTF8()
	}
	u.n = copy(u.carry[:], b[len(b)-keep:])
	return n, err
}

// incomplete returns how many trailing bytes of b start a character that is
// not complete yet.
func incomplete(b []byte) int {
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return 0
		}
		if c >= 0xc0 { // a leading byte: is its sequence complete?
			if utf8.FullRune(b[len(b)-i:]) {
				return 0
			}
			return i
		}
	}
	return 0
}

// Write sends p as one message of type typ. When ctx ends before the write
// completes, the connection is closed.
func (c *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	return c.ws.Write(ctx, typ, p)
}

// Writer returns a writer for one message sent as a stream of frames; the
// message ends when the writer is closed.
func (c *Conn) Writer(ctx context.Context, typ MessageType) (io.WriteCloser, error) {
	return c.ws.Writer(ctx, typ)
}

// Ping sends a ping and waits for the pong. A read must be in progress in
// another goroutine (or [Conn.CloseRead] called) for the pong to be seen.
func (c *Conn) Ping(ctx context.Context) error { return c.ws.Ping(ctx) }

// CloseRead starts a goroutine that reads and discards data messages, which
// keeps pings and close frames answered, for connections that only write.
// Receiving a data message closes the connection with 1008 (policy
// violation). The returned context is cancelled when the connection closes.
func (c *Conn) CloseRead(ctx context.Context) context.Context {
	return c.ws.CloseRead(ctx)
}

// Close sends a close frame with code and reason, waits a few seconds at most
// for the peer's close frame, and closes the connection. reason must be at
// most 123 bytes. Calling Close again, or after CloseNow, returns an error.
func (c *Conn) Close(code StatusCode, reason string) error {
	defer c.untrack()
	return c.ws.Close(code, reason)
}

// CloseNow closes the connection without a close handshake. It is the
// right deferred call in a handler: harmless after Close.
func (c *Conn) CloseNow() error {
	defer c.untrack()
	return c.ws.CloseNow()
}

// Subprotocol returns the negotiated subprotocol, or "".
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// RemoteAddr returns the client's network address.
func (c *Conn) RemoteAddr() string { return c.remote }

// SetReadLimit changes the largest message Read accepts; see
// [AcceptOptions.ReadLimit].
func (c *Conn) SetReadLimit(n int64) { c.ws.SetReadLimit(readLimit(n)) }

func (c *Conn) untrack() {
	c.once.Do(func() { c.srv.remove(c) })
}
