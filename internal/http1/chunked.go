package http1

import (
	"io"
	"math"
)

// ByteSource is the buffered connection reader a ChunkedReader reads from,
// such as a *bufio.Reader.
type ByteSource interface {
	io.Reader
	io.ByteReader
}

// maxChunkLine bounds one chunk-size line with its extensions and CRLF.
// Extensions carry nothing lane uses; the bound stops a client from making
// the server read megabytes of them for each byte of data.
const maxChunkLine = 4096

// Chunk extensions across a body are bounded too, so that many small
// chunks cannot each carry a line near maxChunkLine: every chunk earns
// extAllowance bytes of extensions plus one per byte of its data, and
// unearned extension bytes may not add up past maxExtDebt.
const (
	extAllowance = 64
	maxExtDebt   = 16 << 10
)

// ChunkedReader decodes a chunked body (RFC 9112 section 7.1) from a
// ByteSource. It reads exactly the body, so the bytes after it, such as a
// pipelined request, stay in the source.
//
// Chunk extensions are validated and ignored. A chunk-size line is bounded
// to 4096 bytes, and across the body each chunk may carry 64 bytes of
// extensions plus one per byte of its data, with 16 KiB of slack: past
// that Read refuses the body. Trailer fields are read, checked against the
// limits and discarded: they are never merged into the request's header
// fields.
//
// The zero value reads nothing useful; call [ChunkedReader.Reset] first. A
// ChunkedReader is not safe for concurrent use, and after any error other
// than io.EOF it keeps returning that error: it cannot resume mid-line.
type ChunkedReader struct {
	src   ByteSource
	lim   limits
	left  int64 // data bytes left in the current chunk
	state uint8
	used  int   // bytes of the trailer section so far
	debt  int64 // extension bytes not yet earned by data, see maxExtDebt
	err   error // sticky: io.EOF after the body, or the first failure
}

// ChunkedReader states between calls to Read.
const (
	chSize uint8 = iota // a chunk-size line comes next
	chData              // inside the data of a chunk
	chEnd               // the CRLF after a chunk's data comes next
)

var _ io.Reader = (*ChunkedReader)(nil)

// Reset makes cr read a new body from src. lim bounds the trailer section:
// MaxHeaderCount, MaxHeaderName and MaxHeaderValue apply to trailer fields
// as to header fields, MaxHeadBytes to the section as a whole; nil means no
// limit. One chunk-size line, extensions included, is bounded to 4096 bytes
// whatever the limits.
func (cr *ChunkedReader) Reset(src ByteSource, lim *Limits) {
	*cr = ChunkedReader{src: src, lim: resolve(lim)}
}

// Read reads body data into p. It returns io.EOF after the last chunk and
// the trailer section, an *Error with status 400 on malformed input (431
// when the trailer section is over a limit), io.ErrUnexpectedEOF when the
// source ends before the body does, and any other error of the source as
// is. A Read returns the data of at most one chunk, and never waits for
// more once it has some. Read does not allocate.
func (cr *ChunkedReader) Read(p []byte) (int, error) {
	if cr.err != nil {
		return 0, cr.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if cr.state != chData {
		if err := cr.next(); err != nil {
			cr.err = err
			return 0, err
		}
	}

	if int64(len(p)) > cr.left {
		p = p[:cr.left]
	}
	n, err := cr.src.Read(p)
	if cr.left -= int64(n); cr.left == 0 {
		cr.state = chEnd
	}
	switch {
	case err == io.EOF && n > 0:
		err = nil // the next Read meets the end again and reports it
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		cr.err = err
	}
	return n, err
}

// next reads up to the data of the next chunk, or through the end of the
// body, in which case it returns io.EOF.
func (cr *ChunkedReader) next() error {
	if cr.state == chEnd {
		if err := cr.dataEnd(); err != nil {
			return err
		}
		cr.state = chSize
	}
	size, ext, err := cr.sizeLine()
	if err != nil {
		return err
	}
	if cr.debt = max(cr.debt+int64(ext)-extAllowance-size, 0); cr.debt > maxExtDebt {
		return errChunkExtFlood
	}
	if size == 0 {
		if err := cr.trailers(); err != nil {
			return err
		}
		return io.EOF
	}
	cr.left, cr.state = size, chData
	return nil
}

// readByte reads one byte; the end of the source is unexpected anywhere in
// a body.
func (cr *ChunkedReader) readByte() (byte, error) {
	c, err := cr.src.ReadByte()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return c, err
}

// dataEnd reads the CRLF after a chunk's data. Anything else means the data
// is longer than its size said.
func (cr *ChunkedReader) dataEnd() error {
	for _, want := range [2]byte{'\r', '\n'} {
		c, err := cr.readByte()
		if err != nil {
			return err
		}
		if c != want {
			return errChunkEnd
		}
	}
	return nil
}

// sizeLine reads "chunk-size [ chunk-ext ] CRLF" and returns the size and
// the bytes of the extensions. The size is 1 to 16 hex digits with nothing
// before them, and must fit an int64: RFC 9112 section 7.1 requires
// checking for overflow, and a longer string of zeros only serves to probe
// parsers that disagree.
func (cr *ChunkedReader) sizeLine() (size int64, ext int, err error) {
	digits := 0
	c, err := cr.readByte()
	for ; err == nil; c, err = cr.readByte() {
		d := unhex(c)
		if d < 0 {
			break
		}
		if digits++; digits > 16 || size > math.MaxInt64>>4 {
			return 0, 0, errChunkOverflow
		}
		size = size<<4 | d
	}
	switch {
	case err != nil:
		return 0, 0, err
	case digits == 0:
		return 0, 0, errChunkSize
	}
	n, err := cr.extensions(c, digits)
	return size, n - digits - len("\r\n"), err
}

// States of the chunk-ext scanner, chunk-ext = *( BWS ";" BWS ext-name
// [ BWS "=" BWS ( token / quoted-string ) ] ), RFC 9112 section 7.1.1.
const (
	xSize       uint8 = iota // right after the size digits
	xGap                     // BWS after the size or a value: only ";" may follow
	xNameStart               // after ";", BWS then a name
	xName                    // inside a name
	xNameGap                 // BWS after a name: ";" or "=" may follow
	xValueStart              // after "=", BWS then a token or a quoted-string
	xToken                   // inside a token value
	xQuoted                  // inside a quoted-string
	xEscape                  // after a backslash in a quoted-string
	xQuoteEnd                // right after a quoted-string
	xLF                      // after the CR that ends the line
	xDone                    // after the LF
	xBad                     // the line is malformed
)

// extensions reads the rest of a chunk-size line whose first byte after the
// digits is c; n bytes of the line are already read. It returns the length
// of the whole line.
func (cr *ChunkedReader) extensions(c byte, n int) (int, error) {
	st := xSize
	for {
		if n++; n > maxChunkLine {
			return n, errChunkLine
		}
		next := extStep(st, c)
		switch next {
		case xDone:
			return n, nil
		case xBad:
			return n, extFault(st, c)
		}
		st = next

		var err error
		if c, err = cr.readByte(); err != nil {
			return n, err
		}
	}
}

// extStep is the chunk-ext scanner's transition on byte c from state st.
func extStep(st uint8, c byte) uint8 {
	ws, tok := isSpace(c), class[c]&cToken != 0
	switch st {
	case xSize, xToken, xQuoteEnd:
		switch {
		case tok && st == xToken:
			return xToken
		case ws:
			return xGap
		case c == ';':
			return xNameStart
		case c == '\r':
			return xLF
		}
	case xGap:
		switch {
		case ws:
			return xGap
		case c == ';':
			return xNameStart
		}
	case xNameStart, xValueStart:
		switch {
		case ws:
			return st
		case tok && st == xNameStart:
			return xName
		case tok:
			return xToken
		case c == '"' && st == xValueStart:
			return xQuoted
		}
	case xName, xNameGap:
		switch {
		case tok && st == xName:
			return xName
		case ws:
			return xNameGap
		case c == ';':
			return xNameStart
		case c == '=':
			return xValueStart
		case c == '\r' && st == xName:
			return xLF
		}
	case xQuoted:
		switch {
		case c == '"':
			return xQuoteEnd
		case c == '\\':
			return xEscape
		case class[c]&cValue != 0:
			return xQuoted // qdtext, RFC 9110 section 5.6.4
		}
	case xEscape:
		if class[c]&cValue != 0 {
			return xQuoted // quoted-pair
		}
	case xLF:
		if c == '\n' {
			return xDone
		}
	}
	return xBad
}

// extFault names what is wrong with a chunk-size line that stopped at byte
// c in state st.
func extFault(st uint8, c byte) error {
	switch {
	case st == xLF:
		return errChunkCR
	case c == '\n':
		return errChunkLF
	case st == xSize:
		return errChunkSize
	}
	return errChunkExt
}

// trailers reads the trailer section up to its empty line, with the syntax
// and limits of header fields (RFC 9112 section 7.1.2), and discards it.
func (cr *ChunkedReader) trailers() error {
	cr.used = 0
	for count := 1; ; count++ {
		c, err := cr.trailerByte()
		if err != nil {
			return err
		}
		switch c {
		case '\r':
			return cr.trailerLF()
		case ' ', '\t':
			return errObsFold
		case '\n':
			return errChunkLF
		}
		if count > cr.lim.count {
			return errTrailerCount
		}
		if err := cr.trailerField(c); err != nil {
			return err
		}
	}
}

// trailerByte reads one byte of the trailer section, which MaxHeadBytes
// bounds as a whole.
func (cr *ChunkedReader) trailerByte() (byte, error) {
	if cr.used++; cr.used > cr.lim.head {
		return 0, errTrailerLarge
	}
	return cr.readByte()
}

func (cr *ChunkedReader) trailerLF() error {
	c, err := cr.trailerByte()
	switch {
	case err != nil:
		return err
	case c != '\n':
		return errChunkCR
	}
	return nil
}

// trailerField reads one field line whose first byte c is already read,
// through its CRLF.
func (cr *ChunkedReader) trailerField(c byte) error {
	var err error
	n := 0
	for ; class[c]&cToken != 0; n++ {
		if n == cr.lim.name {
			return errTrailerName
		}
		if c, err = cr.trailerByte(); err != nil {
			return err
		}
	}
	if c != ':' || n == 0 {
		return nameFault(c, n == 0)
	}

	// The value, from its first byte after OWS up to CR.
	for c = ' '; isSpace(c); {
		if c, err = cr.trailerByte(); err != nil {
			return err
		}
	}
	for n = 0; class[c]&cValue != 0; n++ {
		if n == cr.lim.value {
			return errTrailerValue
		}
		if c, err = cr.trailerByte(); err != nil {
			return err
		}
	}
	if c != '\r' {
		return valueFault(c)
	}
	return cr.trailerLF()
}
