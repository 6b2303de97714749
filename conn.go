package lane

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lanehttp/lane/internal/http1"
)

type connState int32

const (
	stateNew      connState = iota // waiting for the first byte of the first request
	stateIdle                      // waiting for the first byte of a later request
	stateActive                    // reading or serving a request
	stateHijacked                  // taken over by a handler
	stateClosing                   // closed by Shutdown while idle
)

// Read phases, which pick the read deadline.
const (
	phaseIdle = iota // before the first byte of a request
	phaseHead        // inside a request head
	phaseBody        // inside a request body
)

// minBodySpace is the room a request with a body needs after its head in
// the read buffer, so that chunk-size lines can be buffered.
const minBodySpace = 1024

// maxKeptBuf is the largest write or body buffer a busy connection keeps
// between requests; larger ones go back to the pool after their response.
const maxKeptBuf = 64 << 10

// minWriteBuf is the smallest write buffer: room for a few pipelined
// responses.
const minWriteBuf = 8 << 10

// lingerTime bounds how long a connection closed with input pending keeps
// reading and discarding it; see lingerClose.
const lingerTime = 500 * time.Millisecond

// maxDrain is how much of an unread request body lane reads and discards to
// keep the connection; a longer remainder closes the connection instead.
const maxDrain = 256 << 10

// conn is the state of one client connection. Its read buffer is taken from
// a pool when bytes arrive and, on plain TCP sockets, given back whenever the
// connection waits for a request with nothing buffered, so that an idle
// connection holds no buffer at all.
type conn struct {
	srv *Server
	nc  net.Conn
	cfg *RequestConfig // of the mux serving the current request
	lim *http1.Limits

	// raw is the socket's RawConn, nil when nc is not a plain socket (TLS,
	// pipes). rawRead is c.readRaw bound once, so reads allocate nothing.
	raw     syscall.RawConn
	rawRead func(uintptr) bool
	rn      int
	rerr    error

	rbufp *[]byte // nil while an idle raw connection waits
	rbuf  []byte  // *rbufp
	r, w  int     // unread bytes are rbuf[r:w]
	base  int     // body reads refill from here, past the head being served

	wbufp *[]byte
	wbuf  []byte // pending output, flushed before any blocking read

	linger    bool  // close with lingerClose
	reset     bool  // a write failed: reset the connection on close
	born      int64 // when the connection was accepted, in clock nanoseconds
	state     atomic.Int32
	parser    http1.Parser
	ctx       Context
	served    int
	phaseAt   int64 // when the current request first had to wait for input, in Unix nanoseconds; 0 before
	rdeadline int64 // current read deadline in Unix nanoseconds; 0 for none
	wdeadline int64 // current write deadline likewise
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, nc: nc, born: clock.nanos()}
	c.useMux(s.mux.Load())
	c.setupRaw()
	c.ctx.conn, c.ctx.srv = c, s
	return c
}

// useMux makes the connection follow m's request config.
func (c *conn) useMux(m *mux) {
	c.ctx.mx, c.cfg, c.lim = m, &m.cfg, &m.lim
}

// serve runs the request loop until the connection ends.
func (c *conn) serve() {
	defer c.close()
	for c.serveOne() {
	}
}

// serveOne reads and answers one request. It reports whether the connection
// stays open for another.
func (c *conn) serveOne() bool {
	c.compact()
	if c.r == c.w {
		if !c.waitIdle() {
			return false
		}
	}
	c.phaseAt = 0
	c.state.Store(int32(stateActive))
	x := &c.ctx
	x.reset()
	c.useMux(c.srv.mux.Load())

	if err := c.readHead(); err != nil {
		c.refuse(err)
		return false
	}
	c.served++
	c.srv.requests.Add(1)
	if c.cfg.MaxRequestsPerConn > 0 && c.served >= c.cfg.MaxRequestsPerConn {
		x.resp.close = true
	}
	if c.srv.draining.Load() {
		x.resp.close = true
	}
	if x.req.ContentLength > c.cfg.MaxBodySize && c.cfg.MaxBodySize >= 0 {
		c.refuse(&RequestError{Status: http.StatusRequestEntityTooLarge, Reason: "request body too large"})
		return false
	}
	x.body.init(x, c.cfg.MaxBodySize)

	x.mx.serve(x)
	if x.resp.hijacked {
		return false
	}
	return c.finish()
}

// waitIdle waits for the first byte of the next request. It reports false
// when the connection is to be closed: the client left, the idle timeout
// passed, or the server is shutting down.
func (c *conn) waitIdle() bool {
	st := stateIdle
	if c.served == 0 {
		st = stateNew
	}
	c.state.Store(int32(st))
	// Shutdown sets draining before it looks for idle connections, and we
	// set our state before we look at draining: one of us sees the other.
	// A new connection still gets its first request answered; a keep-alive
	// one only a request that has already arrived.
	if c.srv.draining.Load() && st == stateIdle && !c.readNow() {
		return false
	}
	if c.r == c.w {
		if err := c.fill(phaseIdle); err != nil {
			return false
		}
	}
	return c.state.CompareAndSwap(int32(st), int32(stateActive))
}

// readHead reads and parses a request head at the start of the buffer.
func (c *conn) readHead() error {
	x := &c.ctx
	c.parser.Reset()
	for {
		n, err := c.parser.Parse(c.rbuf[:c.w], &x.req, c.lim)
		if err != nil {
			return err
		}
		if n > 0 {
			return c.headDone(n)
		}
		if c.w == len(c.rbuf) {
			c.grow()
		}
		if err := c.fill(phaseHead); err != nil {
			return headReadError(err)
		}
	}
}

// headDone records a head of n bytes and makes room for the body after it.
func (c *conn) headDone(n int) error {
	x := &c.ctx
	if (x.req.Chunked || x.req.ContentLength > 0) && len(c.rbuf)-n < minBodySpace {
		// The views in x.req point into the old buffer: parse again on the
		// new one. This only happens for heads that fill the buffer.
		c.grow()
		c.parser.Reset()
		x.req.Reset()
		if _, err := c.parser.Parse(c.rbuf[:c.w], &x.req, c.lim); err != nil {
			return err
		}
	}
	c.r, c.base = n, n
	return nil
}

func headReadError(err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &RequestError{Status: http.StatusRequestTimeout, Reason: "timeout reading request head", Err: err}
	case err == io.EOF:
		return &RequestError{Status: http.StatusBadRequest, Reason: "connection closed inside request head", Err: io.ErrUnexpectedEOF}
	}
	return err
}

// finish sends the response, settles the request body and reports whether
// the connection can serve another request.
func (c *conn) finish() bool {
	x := &c.ctx
	if c.srv.draining.Load() || !x.body.canKeep() {
		x.resp.close = true
	}
	if err := x.send(); err != nil {
		return false
	}
	keep := x.req.KeepAlive && !x.resp.close
	if keep && !x.body.drain() {
		keep = false
	}
	if !keep && (x.body.err != io.EOF || c.r < c.w) {
		c.linger = true // the client may still be sending
	}
	if !keep || c.r == c.w || len(c.wbuf) > cap(c.wbuf)/2 {
		// Nothing more is buffered: answer now rather than after the next
		// read. With pipelined requests waiting, responses accumulate and
		// go out in one write, until they half fill the buffer.
		if c.flush() != nil {
			return false
		}
	}
	return keep
}

// refuse answers a request that cannot be served and must close the
// connection: a parse error, a limit, a timeout.
func (c *conn) refuse(err error) {
	re := asRequestError(err)
	if re == nil {
		return // the connection failed: nobody to answer
	}
	c.srv.log.Debug("lane: refused request", "status", re.Status, "reason", re.Reason, "remote", c.nc.RemoteAddr().String())
	x := &c.ctx
	x.resp.reset()
	x.resp.close = true
	x.mx.requestError(x, re)
	x.resp.close = true
	x.send()
	c.flush()
	c.linger = true
}

// asRequestError converts what reading a request produced into the error to
// answer, or nil when the connection itself failed.
func asRequestError(err error) *RequestError {
	var re *RequestError
	if errors.As(err, &re) {
		return re
	}
	var pe *http1.Error
	if errors.As(err, &pe) {
		return &RequestError{Status: pe.Status, Reason: pe.Reason, Err: err}
	}
	return nil
}

// compact moves unread bytes to the start of the buffer, where the next head
// is parsed.
func (c *conn) compact() {
	if c.r == c.w {
		c.r, c.w, c.base = 0, 0, 0
		return
	}
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r, c.base = 0, 0
	}
}

func (c *conn) releaseRead() {
	putBuf(c.rbufp)
	c.rbufp, c.rbuf = nil, nil
}

// releaseIdle gives every buffer back to the pool, for a connection about
// to wait for its next request with nothing buffered.
func (c *conn) releaseIdle() {
	c.releaseRead()
	c.releaseWrite()
	c.ctx.resp.release()
}

// grow doubles the read buffer, keeping its contents.
func (c *conn) grow() {
	size := 2 * len(c.rbuf)
	if size == 0 {
		size = c.cfg.BufferSize
	}
	p := getBuf(size)
	copy(*p, c.rbuf[:c.w])
	if c.rbufp != nil {
		putBuf(c.rbufp)
	}
	c.rbufp, c.rbuf = p, *p
}

// fill reads more bytes into rbuf[w:], flushing pending output first so that
// a pipelining client is never left waiting for responses while we wait for
// it.
func (c *conn) fill(phase int) error {
	if err := c.flush(); err != nil {
		return err
	}
	if err := c.setReadDeadline(phase); err != nil {
		return err
	}
	if c.raw != nil {
		if err := c.raw.Read(c.rawRead); err != nil {
			return err
		}
		if c.rerr != nil {
			return c.rerr
		}
		if c.rn == 0 {
			return io.EOF
		}
		c.w += c.rn
		return nil
	}
	if c.rbufp == nil {
		c.rbufp = getBuf(c.cfg.BufferSize)
		c.rbuf = *c.rbufp
	}
	n, err := c.nc.Read(c.rbuf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.EOF
	}
	return err
}

// read serves body bytes: from the buffer, else from the connection. Large
// reads with nothing buffered go straight into p.
func (c *conn) read(p []byte) (int, error) {
	if c.r == c.w {
		c.r, c.w = c.base, c.base
		if len(p) >= len(c.rbuf)-c.base {
			if err := c.flush(); err != nil {
				return 0, err
			}
			if err := c.setReadDeadline(phaseBody); err != nil {
				return 0, err
			}
			n, err := c.nc.Read(p)
			if n == 0 && err == nil {
				err = io.EOF
			}
			return n, err
		}
		if err := c.fill(phaseBody); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.rbuf[c.r:c.w])
	c.r += n
	return n, nil
}

// Read and ReadByte make conn the ByteSource of the chunked decoder.
func (c *conn) Read(p []byte) (int, error) { return c.read(p) }

func (c *conn) ReadByte() (byte, error) {
	if c.r == c.w {
		c.r, c.w = c.base, c.base
		if err := c.fill(phaseBody); err != nil {
			return 0, err
		}
	}
	b := c.rbuf[c.r]
	c.r++
	return b, nil
}

// setReadDeadline arms the timeout of the phase the next read belongs to.
// Head and body timeouts count from when the request first had to wait for
// input (a request that arrives whole never waits). Deadlines use the exact
// clock, not the coarse one: a coarse clock that lags, say after the
// process was stopped for a while, would put deadlines in the past.
// Deadlines are kept as Unix nanoseconds: time.Time arithmetic showed in
// profiles of the request loop.
func (c *conn) setReadDeadline(phase int) error {
	cfg := c.cfg
	var d time.Duration
	switch phase {
	case phaseIdle:
		d = cfg.IdleTimeout
	case phaseHead:
		d = cfg.HeaderTimeout
	default:
		d = cfg.ReadTimeout
	}
	if d < 0 {
		return c.armRead(0, 0)
	}
	if phase == phaseIdle {
		return c.armRead(time.Now().UnixNano()+int64(d), d)
	}
	if c.phaseAt == 0 {
		c.phaseAt = time.Now().UnixNano()
	}
	return c.armRead(c.phaseAt+int64(d), d)
}

// armRead sets the read deadline to t, unless the current deadline is
// already within d/8 before it: a keep-alive connection serving requests
// back to back then re-arms its timer only now and then, and a timeout d
// fires after between 7/8 d and d.
func (c *conn) armRead(t int64, d time.Duration) error {
	if !rearm(c.rdeadline, t, d) {
		return nil
	}
	c.rdeadline = t
	return c.nc.SetReadDeadline(deadline(t))
}

// rearm reports whether a deadline cur must move to want, for a timeout d.
// Zero means no deadline.
func rearm(cur, want int64, d time.Duration) bool {
	switch {
	case want == 0 || cur == 0:
		return want != cur
	case want < cur:
		return true
	}
	return want-cur > int64(d/8)
}

// deadline converts Unix nanoseconds to a deadline, zero to none.
func deadline(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(0, t)
}

// flush writes pending output.
func (c *conn) flush() error {
	if len(c.wbuf) == 0 {
		return nil
	}
	if err := c.armWrite(); err != nil {
		return err
	}
	_, err := c.nc.Write(c.wbuf)
	c.resetWrite()
	c.writeFailed(err)
	return err
}

// writeFailed notes a failed write: the connection is then reset rather
// than closed, so that the kernel drops the unsent data at once instead of
// keeping it for a client that does not read.
func (c *conn) writeFailed(err error) {
	if err != nil {
		c.reset = true
	}
}

// resetWrite empties the write buffer after a write. The buffer stays with
// the connection while it is busy, unless append outgrew the pooled array.
func (c *conn) resetWrite() {
	if c.wbufp == nil || cap(c.wbuf) != cap(*c.wbufp) || cap(c.wbuf) > maxKeptBuf {
		c.releaseWrite()
		return
	}
	c.wbuf = c.wbuf[:0]
}

// flushWith writes pending output followed by p, in one writev.
func (c *conn) flushWith(p []byte) error {
	return c.writev(net.Buffers{c.wbuf, p})
}

// writeChunk writes pending output and p, framed as a chunk when chunked,
// copying p behind the pending bytes when it fits and using writev when not.
func (c *conn) writeChunk(p []byte, chunked bool) error {
	c.wbufReserve()
	if chunked {
		c.wbuf = http1.AppendChunkHeader(c.wbuf, len(p))
	}
	if len(p)+2 > cap(c.wbuf)-len(c.wbuf) {
		tail := []byte(nil)
		if chunked {
			tail = crlf
		}
		return c.writev(net.Buffers{c.wbuf, p, tail})
	}
	c.wbuf = append(c.wbuf, p...)
	if chunked {
		c.wbuf = append(c.wbuf, crlf...)
	}
	return c.flush()
}

var crlf = []byte("\r\n")

func (c *conn) writev(bufs net.Buffers) error {
	if err := c.armWrite(); err != nil {
		return err
	}
	_, err := bufs.WriteTo(c.nc)
	c.resetWrite()
	c.writeFailed(err)
	return err
}

// armWrite sets the write deadline for the next write, with the same
// slack as armRead.
func (c *conn) armWrite() error {
	d := c.cfg.WriteTimeout
	var t int64
	if d >= 0 {
		t = time.Now().UnixNano() + int64(d)
	}
	if !rearm(c.wdeadline, t, d) {
		return nil
	}
	c.wdeadline = t
	return c.nc.SetWriteDeadline(deadline(t))
}

// writeFrom copies r to the connection after pending output, for bodies that
// are not buffered. Files go through the socket's ReadFrom (sendfile).
func (c *conn) writeFrom(r io.Reader, n int64) error {
	if err := c.flush(); err != nil {
		return err
	}
	if err := c.armWrite(); err != nil {
		return err
	}
	m, err := io.Copy(c.nc, io.LimitReader(r, n))
	if err == nil && m < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// wbufReserve makes sure the write buffer is a pooled buffer.
func (c *conn) wbufReserve() {
	if c.wbufp == nil {
		c.wbufp = getBuf(max(c.cfg.BufferSize, minWriteBuf))
		c.wbuf = (*c.wbufp)[:0]
	}
}

func (c *conn) releaseWrite() {
	if c.wbufp == nil {
		c.wbuf = c.wbuf[:0]
		return
	}
	// If append outgrew the pooled array, the pool still gets the original.
	putBuf(c.wbufp)
	c.wbufp, c.wbuf = nil, nil
}

// hijack hands the connection to a handler, with any bytes already buffered.
func (c *conn) hijack() net.Conn {
	c.nc.SetDeadline(time.Time{}) // the new owner sets its own
	if c.r == c.w {
		return c.nc
	}
	buf := make([]byte, c.w-c.r)
	copy(buf, c.rbuf[c.r:c.w])
	c.r = c.w
	return &hijackedConn{Conn: c.nc, buf: buf}
}

// close ends the connection, unless a handler hijacked it, and gives the
// buffers back.
func (c *conn) close() {
	c.ctx.reset()
	if connState(c.state.Load()) != stateHijacked {
		switch {
		case c.reset:
			if tc, ok := c.nc.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
		case c.linger:
			c.lingerClose()
		}
		c.nc.Close()
	}
	if c.rbufp != nil {
		c.releaseRead()
	}
	c.releaseWrite()
	c.ctx.resp.release()
	c.srv.connDone(c)
}

// lingerClose half-closes the connection and reads and discards what the
// client still sends, for a short while, before the close. Closing a socket
// with unread input resets it, and the reset can destroy our last response
// before the client reads it (RFC 9112 section 9.6).
func (c *conn) lingerClose() {
	cw, ok := c.nc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.nc.SetReadDeadline(time.Now().Add(lingerTime))
	var scratch [1024]byte
	for n := 0; n < maxDrain; {
		k, err := c.nc.Read(scratch[:])
		n += k
		if err != nil {
			return
		}
	}
}

// hijackedConn is a connection taken over with bytes it had already sent.
type hijackedConn struct {
	net.Conn
	buf []byte
}

func (h *hijackedConn) Read(p []byte) (int, error) {
	if len(h.buf) > 0 {
		n := copy(p, h.buf)
		h.buf = h.buf[n:]
		return n, nil
	}
	return h.Conn.Read(p)
}
