package http1

// Error is a request the server must refuse. Status is the HTTP status to
// answer with (400, 413, 414, 417, 431, 501 or 505) and Reason a short
// lower-case phrase naming the problem, safe to send to the client. After an
// Error the connection cannot be trusted to be in sync and must be closed.
//
// The *Error values returned by this package are shared: do not modify them.
type Error struct {
	Status int
	Reason string
}

// Error returns "http1: " followed by the reason.
func (e *Error) Error() string { return "http1: " + e.Reason }

func badRequest(reason string) *Error { return &Error{Status: 400, Reason: reason} }

// The refusals, allocated once so that refusing costs no allocation either.
var (
	errBareCR         = badRequest("bare cr in head")
	errBareLF         = badRequest("bare lf in head")
	errEmptyLines     = badRequest("too many empty lines before request line")
	errLineSpacing    = badRequest("invalid request line spacing")
	errMethod         = badRequest("invalid method")
	errTarget         = badRequest("invalid request target")
	errNoVersion      = badRequest("missing http version")
	errVersion        = badRequest("invalid http version")
	errObsFold        = badRequest("obsolete line folding")
	errEmptyName      = badRequest("empty header name")
	errName           = badRequest("invalid header name")
	errSpaceColon     = badRequest("whitespace before colon")
	errNoColon        = badRequest("missing colon in header line")
	errValue          = badRequest("invalid header value")
	errLength         = badRequest("invalid content-length")
	errDupLength      = badRequest("duplicate content-length")
	errEncoding       = badRequest("invalid transfer-encoding")
	errDupEncoding    = badRequest("duplicate transfer-encoding")
	errLengthAndTE    = badRequest("transfer-encoding with content-length")
	errEncoding10     = badRequest("transfer-encoding in http/1.0 request")
	errNoHost         = badRequest("missing host")
	errDupHost        = badRequest("duplicate host")
	errHost           = badRequest("invalid host")
	errConnection     = badRequest("invalid connection header")
	errTargetLong     = &Error{Status: 414, Reason: "request target too long"}
	errExpect         = &Error{Status: 417, Reason: "unsupported expectation"}
	errFieldCount     = &Error{Status: 431, Reason: "too many header fields"}
	errNameLong       = &Error{Status: 431, Reason: "header name too long"}
	errValueLong      = &Error{Status: 431, Reason: "header value too long"}
	errHeadLarge      = &Error{Status: 431, Reason: "request head too large"}
	errCoding         = &Error{Status: 501, Reason: "unsupported transfer-encoding"}
	errVersionSupport = &Error{Status: 505, Reason: "unsupported http version"}

	errChunkSize     = badRequest("invalid chunk size")
	errChunkOverflow = badRequest("chunk size too large")
	errChunkExt      = badRequest("invalid chunk extension")
	errChunkLine     = badRequest("chunk size line too long")
	errChunkExtFlood = badRequest("too many chunk extension bytes")
	errChunkCR       = badRequest("bare cr in chunked body")
	errChunkLF       = badRequest("bare lf in chunked body")
	errChunkEnd      = badRequest("missing crlf after chunk data")
	errTrailerCount  = &Error{Status: 431, Reason: "too many trailer fields"}
	errTrailerName   = &Error{Status: 431, Reason: "trailer name too long"}
	errTrailerValue  = &Error{Status: 431, Reason: "trailer value too long"}
	errTrailerLarge  = &Error{Status: 431, Reason: "trailer section too large"}
)

// nameFault names what is wrong with a field line whose name ended at byte
// c; empty tells whether the name has no byte at all.
func nameFault(c byte, empty bool) error {
	switch {
	case c == ':':
		return errEmptyName // ':' with an empty name
	case isSpace(c) && !empty:
		return errSpaceColon // RFC 9112 section 5.1
	case c == '\r':
		return errNoColon
	case c == '\n':
		return errBareLF
	}
	return errName
}

// valueFault names what is wrong with a field value that stopped at byte c,
// which is neither a value byte nor the CR ending the line.
func valueFault(c byte) error {
	if c == '\n' {
		return errBareLF
	}
	return errValue
}
