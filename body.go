package lane

import (
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/lanehttp/lane/internal/http1"
)

// body reads a request body from the connection: a fixed length, chunked, or
// nothing. It enforces max_body_size and reports framing errors to the
// Context so the server can answer them.
type body struct {
	c       *Context
	kind    uint8
	left    int64 // bytes left of a fixed-length body
	read    int64 // bytes read so far
	limit   int64 // max_body_size, or -1
	err     error // sticky: io.EOF at the end, or the first error
	chunked http1.ChunkedReader
}

const (
	bodyNone uint8 = iota
	bodyFixed
	bodyChunked
)

// init prepares the body of the request just parsed.
func (b *body) init(c *Context, limit int64) {
	b.c, b.limit = c, limit
	switch {
	case c.req.Chunked:
		b.kind = bodyChunked
		b.chunked.Reset(c.conn, c.conn.lim)
	case c.req.ContentLength > 0:
		b.kind, b.left = bodyFixed, c.req.ContentLength
	default:
		b.kind, b.err = bodyNone, io.EOF
	}
}

// Read reads the body. Errors are sticky.
func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := b.c.continue100(); err != nil {
		b.err = err
		return 0, err
	}
	var n int
	var err error
	if b.kind == bodyFixed {
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		n, err = b.c.conn.read(p)
		b.left -= int64(n)
		if b.left == 0 {
			err = io.EOF
		} else if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	} else {
		n, err = b.chunked.Read(p)
	}
	b.read += int64(n)
	if b.limit >= 0 && b.read > b.limit {
		n -= int(b.read - b.limit)
		b.read = b.limit
		err = ErrBodyTooLarge
	}
	if err != nil {
		b.fail(err)
	}
	return n, err
}

// fail records err as the body's sticky error and, for errors the client
// caused, as the request error the server answers with.
func (b *body) fail(err error) {
	b.err = err
	if err == io.EOF {
		return
	}
	re := bodyError(err)
	if b.c.bodyErr == nil {
		b.c.bodyErr = re
	}
}

// bodyError maps an error met while reading a body to the request error
// lane answers with.
func bodyError(err error) *RequestError {
	var pe *http1.Error
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return &RequestError{Status: http.StatusRequestEntityTooLarge, Reason: "request body too large", Err: err}
	case errors.As(err, &pe):
		return &RequestError{Status: pe.Status, Reason: pe.Reason, Err: err}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &RequestError{Status: http.StatusRequestTimeout, Reason: "timeout reading request body", Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &RequestError{Status: http.StatusBadRequest, Reason: "request body cut short", Err: err}
	}
	return &RequestError{Status: http.StatusBadRequest, Reason: "error reading request body", Err: err}
}

// continue100 sends "100 Continue" before the first body read of a request
// that expects it (RFC 9110 section 10.1.1), unless a final response is
// already on its way.
func (c *Context) continue100() error {
	if !c.req.Expect100 || c.resp.sent100 || c.resp.wroteHead {
		return nil
	}
	c.resp.sent100 = true
	cn := c.conn
	cn.wbufReserve()
	cn.wbuf = append(cn.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
	return cn.flush()
}

// canKeep reports whether what is left of the body can be drained after
// the response, as far as can be known before sending it: the connection is
// to be closed, and the response must say so, when the client still awaits
// "100 Continue" or more than maxDrain bytes are declared to remain.
func (b *body) canKeep() bool {
	if b.kind == bodyNone || b.err != nil {
		return b.err == nil || b.err == io.EOF
	}
	if b.c.req.Expect100 && !b.c.resp.sent100 {
		return false
	}
	return b.kind != bodyFixed || b.left <= maxDrain
}

// drain reads what is left of the body so the next request on the
// connection can be parsed. It gives up, reporting false, when more than
// maxDrain bytes remain or reading fails: the connection must then be closed.
func (b *body) drain() bool {
	if b.err == io.EOF {
		return true
	}
	if !b.canKeep() {
		return false
	}
	var scratch [512]byte
	for drained := 0; drained <= maxDrain; {
		n, err := b.Read(scratch[:])
		drained += n
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}
