package http1

// Byte classes, one bit each in class. A single 256-byte table keeps every
// per-byte check of the parser to one load and one test, with no branches on
// ranges.
const (
	cToken  = 1 << iota // tchar, RFC 9110 section 5.6.2
	cValue              // field-vchar, SP or HTAB, RFC 9110 section 5.5
	cTarget             // request-target byte: VCHAR except '#', RFC 9112 section 3.2
	cHost               // unreserved or sub-delims, the reg-name bytes of RFC 3986 section 3.2.2
	cHex                // HEXDIG
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if c > ' ' && c < 0x7f {
			t[c] |= cValue | cTarget
		}
		if c >= 0x80 || c == ' ' || c == '\t' {
			t[c] |= cValue // obs-text is allowed in values, RFC 9110 section 5.5
		}
		if alnum(byte(c)) {
			t[c] |= cToken | cHost
		}
	}
	t['#'] &^= cTarget // a fragment is never sent, RFC 9112 section 3.2
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		t[c] |= cToken
	}
	for _, c := range []byte("-._~!$&'()*+,;=") {
		t[c] |= cHost
	}
	for _, c := range []byte("0123456789abcdefABCDEF") {
		t[c] |= cHex
	}
	return t
}()

func alnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// unhex returns the value of the hex digit c, or -1.
func unhex(c byte) int64 {
	switch {
	case '0' <= c && c <= '9':
		return int64(c - '0')
	case 'a' <= c && c <= 'f':
		return int64(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int64(c - 'A' + 10)
	}
	return -1
}

// equalFold reports whether s equals the lower-case ASCII string lower,
// ignoring the case of ASCII letters in s.
func equalFold(s []byte, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold is equalFold for a prefix of s.
func hasPrefixFold(s []byte, lower string) bool {
	return len(s) >= len(lower) && equalFold(s[:len(lower)], lower)
}

// skipSpace returns the index of the first byte at or after i in s that is
// not SP or HTAB: the end of an OWS or BWS run, RFC 9110 section 5.6.3.
func skipSpace(s []byte, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// skipToken returns the end of the token starting at i in s, or -1 when no
// token starts there.
func skipToken(s []byte, i int) int {
	j := i
	for j < len(s) && class[s[j]]&cToken != 0 {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
