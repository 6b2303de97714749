package http1

import "strconv"

// StatusText returns the reason phrase of code: RFC 9110 section 15 for
// the codes it defines, and the IANA HTTP Status Code Registry for the few
// others in common use. It returns "" for an unknown code.
func StatusText(code int) string {
	switch code {
	case 100:
		return "Continue"
	case 101:
		return "Switching Protocols"
	case 102:
		return "Processing" // RFC 2518
	case 103:
		return "Early Hints" // RFC 8297
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 203:
		return "Non-Authoritative Information"
	case 204:
		return "No Content"
	case 205:
		return "Reset Content"
	case 206:
		return "Partial Content"
	case 207:
		return "Multi-Status" // RFC 4918
	case 208:
		return "Already Reported" // RFC 5842
	case 226:
		return "IM Used" // RFC 3229
	case 300:
		return "Multiple Choices"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 304:
		return "Not Modified"
	case 305:
		return "Use Proxy"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	}
	return statusText4xx5xx(code)
}

func statusText4xx5xx(code int) string {
	switch code {
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 402:
		return "Payment Required"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 407:
		return "Proxy Authentication Required"
	case 408:
		return "Request Timeout"
	case 409:
		return "Conflict"
	case 410:
		return "Gone"
	case 411:
		return "Length Required"
	case 412:
		return "Precondition Failed"
	case 413:
		return "Content Too Large"
	case 414:
		return "URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Range Not Satisfiable"
	case 417:
		return "Expectation Failed"
	case 421:
		return "Misdirected Request"
	case 422:
		return "Unprocessable Content"
	case 423:
		return "Locked" // RFC 4918
	case 424:
		return "Failed Dependency" // RFC 4918
	case 425:
		return "Too Early" // RFC 8470
	case 426:
		return "Upgrade Required"
	case 428:
		return "Precondition Required" // RFC 6585
	case 429:
		return "Too Many Requests" // RFC 6585
	case 431:
		return "Request Header Fields Too Large" // RFC 6585
	case 451:
		return "Unavailable For Legal Reasons" // RFC 7725
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	case 506:
		return "Variant Also Negotiates" // RFC 2295
	case 507:
		return "Insufficient Storage" // RFC 4918
	case 508:
		return "Loop Detected" // RFC 5842
	case 510:
		return "Not Extended" // RFC 2774
	case 511:
		return "Network Authentication Required" // RFC 6585
	}
	return ""
}

// statusLines holds the status line of every code with a reason phrase,
// built once so that writing one is a single copy.
var statusLines = func() (t [600]string) {
	for code := range t {
		if text := StatusText(code); text != "" {
			t[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + text + "\r\n"
		}
	}
	return t
}()

// AppendStatusLine appends the HTTP/1.1 status line of code, CRLF
// included, to b. Codes without a reason phrase get "status code NNN" as
// theirs. code must be in 100..999 (RFC 9110 section 15); any other value
// is a bug in the caller and is written as 500 rather than as a malformed
// line. It does not allocate beyond growing b.
func AppendStatusLine(b []byte, code int) []byte {
	if code < 100 || code > 999 {
		code = 500
	}
	if code < len(statusLines) && statusLines[code] != "" {
		return append(b, statusLines[code]...)
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, " status code "...)
	b = strconv.AppendInt(b, int64(code), 10)
	return append(b, "\r\n"...)
}

// ValidHeaderName reports whether s is a valid field name: a non-empty
// token (RFC 9110 sections 5.1 and 5.6.2).
func ValidHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&cToken == 0 {
			return false
		}
	}
	return len(s) > 0
}

// ValidHeaderValue reports whether s may be sent as a field value: no CR,
// LF, NUL or other control byte except HTAB, DEL included; obs-text is
// allowed (RFC 9110 section 5.5). Leading and trailing whitespace is not
// refused, though a recipient will strip it.
func ValidHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&cValue == 0 {
			return false
		}
	}
	return true
}

// AppendChunkHeader appends the chunk-size line for n bytes of data,
// "<hex n>\r\n", to b (RFC 9112 section 7.1). n = 0 writes the last-chunk
// line; the caller then ends the trailer section with its own CRLF. A
// negative n is a bug in the caller and panics.
func AppendChunkHeader(b []byte, n int) []byte {
	if n < 0 {
		panic("http1: negative chunk size")
	}
	b = strconv.AppendUint(b, uint64(n), 16)
	return append(b, "\r\n"...)
}

// BodyAllowed reports whether a response with this status may have
// content: not 1xx, 204 or 304 (RFC 9110 sections 6.4.1 and 15).
func BodyAllowed(code int) bool {
	return code >= 200 && code != 204 && code != 304
}
