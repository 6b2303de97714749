package http1

import "math"

// Limits bound a request head. Zero or negative fields mean no limit: the
// caller resolves its own defaults before passing Limits. A nil *Limits
// means no limit at all.
type Limits struct {
	// MaxTarget bounds the bytes of the request-target; over it: 414.
	MaxTarget int
	// MaxHeaderCount bounds the number of field lines; over it: 431.
	MaxHeaderCount int
	// MaxHeaderName bounds the bytes of one field name; over it: 431.
	MaxHeaderName int
	// MaxHeaderValue bounds the bytes of one field value, counted from its
	// first byte after the leading whitespace up to the CR, so trailing
	// whitespace counts; over it: 431.
	MaxHeaderValue int
	// MaxHeadBytes bounds the whole head, request line, empty lines and CRLFs
	// included; over it: 431.
	MaxHeadBytes int
}

// limits is Limits with every "no limit" turned into math.MaxInt, so that
// each check is a single comparison.
type limits struct {
	target, count, name, value, head int
}

func resolve(lim *Limits) limits {
	if lim == nil {
		return limits{math.MaxInt, math.MaxInt, math.MaxInt, math.MaxInt, math.MaxInt}
	}
	return limits{
		target: bound(lim.MaxTarget),
		count:  bound(lim.MaxHeaderCount),
		name:   bound(lim.MaxHeaderName),
		value:  bound(lim.MaxHeaderValue),
		head:   bound(lim.MaxHeadBytes),
	}
}

func bound(n int) int {
	if n <= 0 {
		return math.MaxInt
	}
	return n
}

// Header is one field line. Name and Value are views into the parsed
// buffer; Value has its leading and trailing whitespace removed.
type Header struct{ Name, Value []byte }

// Request is a parsed request head. Every []byte is a view into the buffer
// given to [Parser.Parse] and is valid only while that buffer is unchanged;
// the one exception is the Path "/" of an absolute-form target without a
// path, which is a shared read-only slice. None of them may be modified.
type Request struct {
	// Method is the method token, case-sensitive (RFC 9110 section 9.1).
	Method []byte
	// Target is the request-target exactly as sent.
	Target []byte
	// Path is the path of the target: the origin-form path, the path of an
	// absolute-form URI ("/" when it has none), "*" for asterisk-form, and
	// empty for the authority-form of CONNECT. It is not percent-decoded.
	Path []byte
	// Query is the text after the first '?' of the target, without it; nil
	// when the target has no '?', empty when nothing follows it.
	Query []byte
	// Proto is 10 for HTTP/1.0 and 11 for HTTP/1.1 or any later HTTP/1.x,
	// which a server answers as 1.1 (RFC 9110 section 2.5).
	Proto uint8
	// Host is the authority of an absolute-form target if any, else the Host
	// field value (possibly empty), else nil (HTTP/1.0 without Host).
	Host []byte
	// Headers holds every field line in order, Host and the framing fields
	// included.
	Headers []Header
	// ContentLength is the Content-Length value, or -1 without one.
	ContentLength int64
	// Chunked reports a Transfer-Encoding of exactly "chunked"; the body is
	// then read with a ChunkedReader.
	Chunked bool
	// KeepAlive reports whether the connection may persist after this
	// request: the version's default as changed by Connection options
	// (RFC 9112 section 9.3).
	KeepAlive bool
	// Expect100 reports "Expect: 100-continue" in an HTTP/1.1 request; an
	// HTTP/1.0 one is ignored as RFC 9110 section 10.1.1 requires.
	Expect100 bool
	// Upgrade reports an HTTP/1.1 request with an "upgrade" Connection option
	// and a non-empty Upgrade field (RFC 9110 section 7.8).
	Upgrade bool
}

// Reset clears r for reuse, keeping the capacity of r.Headers but dropping
// its views so they do not pin an old buffer.
func (r *Request) Reset() {
	clear(r.Headers)
	*r = Request{Headers: r.Headers[:0], ContentLength: -1}
}

// rootPath is the Path of an absolute-form target that has no path
// (RFC 9112 section 3.2.2). It is shared: callers must not modify it.
var rootPath = []byte("/")[:1:1]

// span is a byte range of the head, kept as offsets because the caller may
// move the head to a bigger buffer between calls to Parse.
type span struct{ lo, hi int }

func (s span) of(b []byte) []byte { return b[s.lo:s.hi] }
