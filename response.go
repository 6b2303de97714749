package lane

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/lanehttp/lane/internal/http1"
)

var errAborted = errors.New("lane: handler aborted the response")

// response is the response being built for one request.
type response struct {
	status    int
	header    []field
	hasType   bool    // a Content-Type was set
	hasDate   bool    // the handler set Date: lane adds none
	badHeader *string // name of the first rejected header field, answered with 500
	out       *[]byte
	src       io.Reader // body to copy after the head, when not buffered
	srcLen    int64     // length of src, -1 when unknown
	wroteHead bool      // the head is on its way: the response is streaming
	chunked   bool      // streaming with chunked transfer coding
	close     bool      // close the connection after this response
	hijacked  bool
	sent100   bool // "100 Continue" was sent
	abort     bool // the handler panicked with http.ErrAbortHandler: send nothing
}

type field struct{ name, value string }

// reset clears r for the next request. The body buffer stays with the
// connection while it is busy, unless a large response grew it.
func (r *response) reset() {
	out := r.out
	if out != nil {
		if cap(*out) > maxKeptBuf {
			putBuf(out)
			out = nil
		} else {
			*out = (*out)[:0]
		}
	}
	if cl, ok := r.src.(io.Closer); ok {
		cl.Close() // a body reader the response never sent
	}
	clear(r.header)
	*r = response{header: r.header[:0], out: out}
}

// release gives the body buffer back to the pool.
func (r *response) release() {
	if r.out != nil {
		putBuf(r.out)
		r.out = nil
	}
}

// SetStatus sets the response status code (100-999; 200 when never set).
func (c *Context) SetStatus(code int) { c.resp.status = code }

// StatusCode returns the response status set so far (0 when none).
func (c *Context) StatusCode() int { return c.resp.status }

// SetHeader sets the response header name to value, replacing earlier
// values. lane owns the framing fields: Content-Length and
// Transfer-Encoding are ignored, and "Connection: close" closes the
// connection after the response (other Connection values are ignored). A
// name or value that could break the response (CR, LF, NUL, a non-token
// name) is refused: the response becomes a 500.
func (c *Context) SetHeader(name, value string) {
	if c.checkHeader(name, value) {
		c.setField(name, value)
	}
}

// setType sets a Content-Type that lane knows to be valid, skipping the
// checks of SetHeader.
func (c *Context) setType(value string) {
	c.resp.hasType = true
	c.setField("Content-Type", value)
}

// setField replaces the fields called name with one holding value.
func (c *Context) setField(name, value string) {
	for i := range c.resp.header {
		if equalFoldString(c.resp.header[i].name, name) {
			c.resp.header[i].value = value
			c.dropHeader(name, i+1)
			return
		}
	}
	c.resp.header = append(c.resp.header, field{name, value})
}

// AddHeader adds value to the response header name, keeping earlier values.
// The rules of [Context.SetHeader] apply.
func (c *Context) AddHeader(name, value string) {
	if c.checkHeader(name, value) {
		c.resp.header = append(c.resp.header, field{name, value})
	}
}

// DelHeader removes every value of the response header name.
func (c *Context) DelHeader(name string) {
	c.dropHeader(name, 0)
	switch {
	case equalFoldString(name, "Content-Type"):
		c.resp.hasType = false
	case equalFoldString(name, "Date"):
		c.resp.hasDate = false
	}
}

// ResponseHeader returns the first value set for the response header name.
func (c *Context) ResponseHeader(name string) string {
	for _, f := range c.resp.header {
		if equalFoldString(f.name, name) {
			return f.value
		}
	}
	return ""
}

// dropHeader removes the fields called name at index from and later.
func (c *Context) dropHeader(name string, from int) {
	h := c.resp.header
	j := from
	for i := from; i < len(h); i++ {
		if !equalFoldString(h[i].name, name) {
			h[j] = h[i]
			j++
		}
	}
	clear(h[j:])
	c.resp.header = h[:j]
}

// checkHeader validates a response field and handles the framing fields.
// It reports whether the field is to be stored.
func (c *Context) checkHeader(name, value string) bool {
	if !http1.ValidHeaderName(name) || !http1.ValidHeaderValue(value) {
		if c.resp.badHeader == nil {
			c.resp.badHeader = &name
		}
		return false
	}
	switch {
	case equalFoldString(name, "Content-Length"), equalFoldString(name, "Transfer-Encoding"):
		return false
	case equalFoldString(name, "Connection"):
		if hasToken(value, "close") {
			c.resp.close = true
		}
		return false
	case equalFoldString(name, "Content-Type"):
		c.resp.hasType = true
	case equalFoldString(name, "Date"):
		c.resp.hasDate = true
	}
	return true
}

// CloseAfter makes lane close the connection once this response is sent.
func (c *Context) CloseAfter() { c.resp.close = true }

// Write appends p to the response body. Buffered bytes are sent when the
// handler returns or at [Context.Flush]. It fails only after Hijack.
func (c *Context) Write(p []byte) (int, error) {
	if c.resp.hijacked {
		return 0, ErrHijacked
	}
	c.appendOut(p)
	return len(p), nil
}

// WriteString is like Write for a string.
func (c *Context) WriteString(s string) (int, error) {
	if c.resp.hijacked {
		return 0, ErrHijacked
	}
	if c.resp.out == nil {
		c.resp.out = getBuf(len(s))
		*c.resp.out = (*c.resp.out)[:0]
	}
	*c.resp.out = append(*c.resp.out, s...)
	return len(s), nil
}

func (c *Context) appendOut(p []byte) {
	if c.resp.out == nil {
		c.resp.out = getBuf(len(p))
		*c.resp.out = (*c.resp.out)[:0]
	}
	*c.resp.out = append(*c.resp.out, p...)
}

// bodyLen returns the bytes buffered for the body.
func (c *Context) bodyLen() int {
	if c.resp.out == nil {
		return 0
	}
	return len(*c.resp.out)
}

// ResetBody discards the buffered response body and any body reader set
// with Stream or File. It cannot undo what Flush already sent.
func (c *Context) ResetBody() {
	if c.resp.out != nil {
		*c.resp.out = (*c.resp.out)[:0]
	}
	c.resp.src, c.resp.srcLen = nil, 0
}

// String sends s with the given status as text/plain, unless a Content-Type
// was set. It returns Continue.
func (c *Context) String(code int, s string) Status {
	c.resp.status = code
	if !c.resp.hasType {
		c.setType("text/plain; charset=utf-8")
	}
	c.ResetBody()
	c.WriteString(s)
	return Continue
}

// Bytes sends b with the given status and content type. It returns Continue.
func (c *Context) Bytes(code int, contentType string, b []byte) Status {
	c.resp.status = code
	c.SetHeader("Content-Type", contentType)
	c.ResetBody()
	c.Write(b)
	return Continue
}

// HTML sends html with the given status as text/html. It returns Continue.
func (c *Context) HTML(code int, html string) Status {
	c.resp.status = code
	c.setType("text/html; charset=utf-8")
	c.ResetBody()
	c.WriteString(html)
	return Continue
}

// JSON sends v encoded as JSON with the given status. If v cannot be
// encoded the response is a 500 and the error is logged. It returns Continue.
func (c *Context) JSON(code int, v any) Status {
	c.ResetBody()
	c.setType("application/json")
	if c.resp.out == nil {
		c.resp.out = getBuf(512)
		*c.resp.out = (*c.resp.out)[:0]
	}
	if err := json.NewEncoder(outWriter{c}).Encode(v); err != nil {
		c.srv.log.Error("lane: encoding JSON response", "err", err, "path", c.RawPath())
		return c.Error(http.StatusInternalServerError)
	}
	c.resp.status = code
	return Continue
}

// outWriter appends to the response body without the hijack check.
type outWriter struct{ c *Context }

func (w outWriter) Write(p []byte) (int, error) { w.c.appendOut(p); return len(p), nil }

// Error sends the status code with its reason phrase as a plain text body.
// It returns Continue.
func (c *Context) Error(code int) Status {
	return c.String(code, http1.StatusText(code))
}

// NoContent sends the status code with no body. It returns Continue.
func (c *Context) NoContent(code int) Status {
	c.resp.status = code
	c.ResetBody()
	return Continue
}

// Redirect sends a redirect to url with the given 3xx status. It returns
// Continue.
func (c *Context) Redirect(code int, url string) Status {
	c.SetHeader("Location", url)
	return c.String(code, http1.StatusText(code))
}

// Stream sends the bytes of r after the head, with the given status and
// content type. size is r's length, or -1 when unknown: the body is then sent
// chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0). If r
// is an io.Closer it is closed after the response. It returns Continue.
func (c *Context) Stream(code int, contentType string, size int64, r io.Reader) Status {
	c.resp.status = code
	if contentType != "" {
		c.SetHeader("Content-Type", contentType)
	}
	c.ResetBody()
	c.resp.src, c.resp.srcLen = r, size
	return Continue
}

// File sends the named file with a Content-Type from its extension. A
// missing file is a 404, a directory or unreadable file a 403 or 500. It
// returns Continue. File serves exactly the path given: it is not a static
// file server and does not guard against ".." in user input.
func (c *Context) File(name string) Status {
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return c.Error(http.StatusNotFound)
		}
		if errors.Is(err, os.ErrPermission) {
			return c.Error(http.StatusForbidden)
		}
		return c.Error(http.StatusInternalServerError)
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		if err == nil {
			return c.Error(http.StatusForbidden)
		}
		return c.Error(http.StatusInternalServerError)
	}
	ct := mime.TypeByExtension(filepath.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.SetHeader("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
	return c.Stream(http.StatusOK, ct, st.Size(), f)
}

// Flush sends the head, if not yet sent, and the body buffered so far. The
// response then streams: later writes are sent at the next Flush or when the
// handler returns, chunked for HTTP/1.1 and delimited by closing the
// connection for HTTP/1.0. Status and headers can no longer change.
func (c *Context) Flush() error {
	if c.resp.hijacked {
		return ErrHijacked
	}
	cn := c.conn
	cn.wbufReserve()
	if !c.resp.wroteHead {
		c.resp.wroteHead = true
		if c.req.Proto >= 11 {
			c.resp.chunked = true
		} else {
			c.resp.close = true
		}
		cn.wbuf = c.appendHead(cn.wbuf, -1)
	}
	c.appendChunk()
	return cn.flush()
}

// appendChunk moves the buffered body into the write buffer, framed as a
// chunk when the response is chunked.
func (c *Context) appendChunk() {
	n := c.bodyLen()
	if n == 0 {
		return
	}
	if c.isHead() || !http1.BodyAllowed(c.status()) {
		*c.resp.out = (*c.resp.out)[:0]
		return
	}
	cn := c.conn
	if c.resp.chunked {
		cn.wbuf = http1.AppendChunkHeader(cn.wbuf, n)
	}
	cn.wbuf = append(cn.wbuf, *c.resp.out...)
	if c.resp.chunked {
		cn.wbuf = append(cn.wbuf, "\r\n"...)
	}
	*c.resp.out = (*c.resp.out)[:0]
}

func (c *Context) isHead() bool { return string(c.req.Method) == http.MethodHead }

func (c *Context) status() int {
	if c.resp.status == 0 {
		return http.StatusOK
	}
	return c.resp.status
}

// appendHead appends the status line and header fields. bodyLen is the
// body's length, or -1 when it streams.
func (c *Context) appendHead(b []byte, bodyLen int64) []byte {
	code := c.status()
	b = http1.AppendStatusLine(b, code)
	if !c.resp.hasDate {
		b = http1.AppendDate(b, clock.now())
	}
	for _, f := range c.resp.header {
		b = append(b, f.name...)
		b = append(b, ": "...)
		b = append(b, f.value...)
		b = append(b, "\r\n"...)
	}
	if http1.BodyAllowed(code) {
		switch {
		case bodyLen >= 0:
			b = append(b, "Content-Length: "...)
			b = strconv.AppendInt(b, bodyLen, 10)
			b = append(b, "\r\n"...)
		case c.resp.chunked:
			b = append(b, "Transfer-Encoding: chunked\r\n"...)
		}
	}
	switch {
	case c.resp.close || !c.req.KeepAlive:
		b = append(b, "Connection: close\r\n"...)
	case c.req.Proto == 10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// equalFoldString reports whether ASCII strings a and b are equal, ignoring
// case.
func equalFoldString(a, b string) bool {
	return equalFold(unsafe.Slice(unsafe.StringData(a), len(a)), b)
}

// hasToken reports whether the comma-separated list v holds token t,
// ignoring case and optional whitespace.
func hasToken(v, t string) bool {
	for len(v) > 0 {
		var el string
		if i := strings.IndexByte(v, ','); i >= 0 {
			el, v = v[:i], v[i+1:]
		} else {
			el, v = v, ""
		}
		if equalFoldString(strings.Trim(el, " \t"), t) {
			return true
		}
	}
	return false
}

// send completes the response after the pipeline: the head and buffered
// body, the body reader, or the end of a stream. An error means the
// connection is broken and must be closed.
func (c *Context) send() error {
	cn := c.conn
	if c.resp.abort {
		return errAborted
	}
	cn.wbufReserve()
	if !c.resp.wroteHead {
		c.replaceFailed()
	}
	if c.resp.wroteHead {
		return c.endStream()
	}
	if c.resp.src != nil {
		return c.sendSource()
	}
	n := c.bodyLen()
	if n > 0 && !c.resp.hasType {
		c.setType(http.DetectContentType((*c.resp.out)[:min(n, 512)]))
	}
	cn.wbuf = c.appendHead(cn.wbuf, int64(n))
	if n == 0 || c.isHead() || !http1.BodyAllowed(c.status()) {
		return nil
	}
	if n > cap(cn.wbuf)-len(cn.wbuf) {
		// Too big to copy behind the head: one writev sends both.
		return cn.flushWith(*c.resp.out)
	}
	cn.wbuf = append(cn.wbuf, *c.resp.out...)
	return nil
}

// replaceFailed turns a response that must not go out as built into the
// right error response: a body the client framed badly or too large, or a
// header the handler could not be allowed to send.
func (c *Context) replaceFailed() {
	if c.bodyErr != nil {
		re := c.bodyErr
		c.resp.reset()
		c.resp.close = true
		c.mx.requestError(c, re)
		c.resp.close = true
		return
	}
	if c.resp.badHeader != nil {
		c.srv.log.Error("lane: handler set an invalid response header", "name", *c.resp.badHeader, "path", c.RawPath())
		closeConn := c.resp.close
		c.resp.reset()
		c.resp.close = closeConn
		c.Error(http.StatusInternalServerError)
	}
	code := c.status()
	if code < 100 || code > 999 || (code < 200 && code != http.StatusSwitchingProtocols) {
		c.srv.log.Error("lane: handler set an invalid status", "status", code, "path", c.RawPath())
		c.resp.status = http.StatusInternalServerError
		c.ResetBody()
	}
}

// endStream sends what a streaming handler left buffered and the last chunk.
func (c *Context) endStream() error {
	cn := c.conn
	c.appendChunk()
	if c.resp.src != nil {
		defer c.closeSource()
		if err := c.copySource(); err != nil {
			return err
		}
	}
	if c.resp.chunked && !c.isHead() && http1.BodyAllowed(c.status()) {
		cn.wbufReserve()
		cn.wbuf = append(cn.wbuf, "0\r\n\r\n"...)
	}
	return nil
}

// sendSource sends a response whose body comes from a reader.
func (c *Context) sendSource() error {
	defer c.closeSource()
	cn := c.conn
	if c.resp.srcLen >= 0 {
		cn.wbuf = c.appendHead(cn.wbuf, c.resp.srcLen)
		if c.isHead() || !http1.BodyAllowed(c.status()) {
			return nil
		}
		return cn.writeFrom(c.resp.src, c.resp.srcLen)
	}
	c.resp.wroteHead = true
	if c.req.Proto >= 11 {
		c.resp.chunked = true
	} else {
		c.resp.close = true
	}
	cn.wbuf = c.appendHead(cn.wbuf, -1)
	return c.endStream()
}

func (c *Context) closeSource() {
	if cl, ok := c.resp.src.(io.Closer); ok {
		cl.Close()
	}
	c.resp.src = nil
}

// copySource streams a reader of unknown length as chunks (or raw bytes on a
// close-delimited HTTP/1.0 response), one write per read.
func (c *Context) copySource() error {
	cn := c.conn
	if c.isHead() || !http1.BodyAllowed(c.status()) {
		return nil
	}
	p := getBuf(32 << 10)
	defer putBuf(p)
	for {
		n, err := c.resp.src.Read(*p)
		if n > 0 {
			if werr := cn.writeChunk((*p)[:n], c.resp.chunked); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// The body is cut short: only closing tells the client.
			c.srv.log.Error("lane: reading response body", "err", err, "path", c.RawPath())
			return err
		}
	}
}
