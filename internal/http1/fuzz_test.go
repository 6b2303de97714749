package http1

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// fuzzLimits turns four fuzzed bytes into Limits; 0 keeps a limit off.
func fuzzLimits(v uint32) *Limits {
	return &Limits{
		MaxTarget:      int(v & 0xff),
		MaxHeaderCount: int(v >> 8 & 0x0f),
		MaxHeaderName:  int(v >> 12 & 0x0f),
		MaxHeaderValue: int(v >> 16 & 0xff),
		MaxHeadBytes:   int(v>>24) * 4,
	}
}

// fuzzEnds cuts n bytes into pieces whose lengths come from seed.
func fuzzEnds(n int, seed uint64) []int {
	var ends []int
	for end := 0; end < n; {
		seed = seed*6364136223846793005 + 1442695040888963407
		end += 1 + int(seed>>59)
		ends = append(ends, min(end, n))
	}
	return ends
}

func FuzzParse(f *testing.F) {
	for _, tt := range allCases() {
		f.Add([]byte(tt.in), uint64(1), uint32(0))
	}
	f.Add([]byte(browserHead), uint64(3), uint32(0x10_40_0_8_40))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, lv uint32) {
		lim := fuzzLimits(lv)
		if seed&1 == 0 {
			lim = nil
		}
		n1, r1, err1 := parseWhole(string(data), lim)
		n2, r2, err2 := feed(string(data), lim, fuzzEnds(len(data), seed))
		if d := sameOutcome(n1, r1, err1, n2, r2, err2); d != "" {
			t.Fatalf("split feeding: %s", d)
		}
		if err1 != nil {
			if _, ok := err1.(*Error); !ok {
				t.Fatalf("error %T %v is not an *Error", err1, err1)
			}
			return
		}
		if n1 > 0 {
			checkInvariants(t, data[:n1], r1, lim)
		}
	})
}

// checkInvariants checks what every accepted head must satisfy, and that
// net/http, when it reads the head too, frames the body the same way.
func checkInvariants(t *testing.T, head []byte, r *Request, lim *Limits) {
	t.Helper()
	if !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
		t.Fatalf("head %q does not end with an empty line", head)
	}
	if !ValidHeaderName(string(r.Method)) {
		t.Fatalf("method %q is not a token", r.Method)
	}
	for _, v := range [][]byte{r.Target, r.Path, r.Query, r.Host} {
		if bytes.ContainsAny(v, "\r\n\x00 ") {
			t.Fatalf("view %q holds CR, LF, NUL or SP", v)
		}
	}
	for _, h := range r.Headers {
		if !ValidHeaderName(string(h.Name)) || !ValidHeaderValue(string(h.Value)) {
			t.Fatalf("field %q: %q is not valid", h.Name, h.Value)
		}
		if v := h.Value; len(v) > 0 && (isSpace(v[0]) || isSpace(v[len(v)-1])) {
			t.Fatalf("field %q: value %q is not trimmed", h.Name, v)
		}
		if lim != nil && (lim.MaxHeaderName > 0 && len(h.Name) > lim.MaxHeaderName ||
			lim.MaxHeaderValue > 0 && len(h.Value) > lim.MaxHeaderValue) {
			t.Fatalf("field %q: %q is over the limits", h.Name, h.Value)
		}
	}
	switch {
	case r.ContentLength >= 0 && r.Chunked:
		t.Fatal("both Content-Length and chunked")
	case r.Proto != 10 && r.Proto != 11:
		t.Fatalf("Proto = %d", r.Proto)
	case r.Proto == 11 && r.Host == nil:
		t.Fatal("HTTP/1.1 without Host")
	case r.Chunked && r.Proto != 11:
		t.Fatal("chunked in HTTP/1.0")
	case lim != nil && lim.MaxHeaderCount > 0 && len(r.Headers) > lim.MaxHeaderCount:
		t.Fatalf("%d fields over the limit", len(r.Headers))
	case lim != nil && lim.MaxHeadBytes > 0 && len(head) > lim.MaxHeadBytes:
		t.Fatalf("%d-byte head over the limit", len(head))
	}
	compareStd(t, head, r)
}

// compareStd reads head with net/http. Where net/http accepts the head,
// both must agree on the method and on how the body is framed: that is
// the disagreement request smuggling lives on.
func compareStd(t *testing.T, head []byte, r *Request) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(bytes.TrimLeft(head, "\r\n"))))
	if err != nil {
		return
	}
	chunked := len(req.TransferEncoding) > 0
	length := max(r.ContentLength, 0)
	switch {
	case req.Method != string(r.Method):
		t.Fatalf("net/http method %q, ours %q", req.Method, r.Method)
	case chunked != r.Chunked:
		t.Fatalf("net/http chunked %v, ours %v", chunked, r.Chunked)
	case !chunked && req.ContentLength != length:
		t.Fatalf("net/http length %d, ours %d", req.ContentLength, r.ContentLength)
	}
}

func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"5;a=\"b\\\"c\";d=e\r\nhello\r\n0\r\nX: y\r\n\r\nNEXT",
		"A\r\n0123456789\r\n0\r\n\r\n",
		"5 \r\nhello\r\n",
		"8000000000000000\r\n",
		"0\r\nA: b\r\n c\r\n\r\n",
	} {
		f.Add([]byte(s), uint8(16), uint16(7), uint32(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, bufSize uint8, readSize uint16, lv uint32) {
		lim := fuzzLimits(lv)
		bs, rs := max(int(bufSize), 16), max(int(readSize), 1)
		body, err, rest := decode(string(data), lim, bs, rs)
		if len(body) > len(data) {
			t.Fatalf("decoded %d bytes from %d", len(body), len(data))
		}
		if err != nil {
			if _, ok := err.(*Error); !ok && err.Error() != "unexpected EOF" {
				t.Fatalf("error %T %v", err, err)
			}
		}
		if err == nil && !strings.HasSuffix(string(data), rest) {
			t.Fatalf("rest %q is not the end of the input", rest)
		}

		// Another way of reading gives the same result.
		body2, err2, rest2 := decode(string(data), lim, 16, 1)
		if body2 != body || err2 != err || rest2 != rest {
			t.Fatalf("reads of 1: %q, %v, %q; reads of %d: %q, %v, %q", body2, err2, rest2, rs, body, err, rest)
		}
	})
}

// refValidName and refValidValue restate RFC 9110 sections 5.6.2 and 5.5
// byte by byte, without the table.
func refValidName(s string) bool {
	for _, c := range []byte(s) {
		if !alnum(c) && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return s != ""
}

func refValidValue(s string) bool {
	for _, c := range []byte(s) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// FuzzHeaderValue checks the response-side validators against the plain
// restatement of the grammar, and against the parser: a field the writer
// calls valid is one the parser accepts, with its value trimmed.
func FuzzHeaderValue(f *testing.F) {
	f.Add("X-Name", "value")
	f.Add("Bad Name", "a\r\nb")
	f.Add("X", " \tpadded\t ")
	f.Add("X", "caf\xc3\xa9\x7f")
	f.Fuzz(func(t *testing.T, name, value string) {
		if got, want := ValidHeaderName(name), refValidName(name); got != want {
			t.Fatalf("ValidHeaderName(%q) = %v, want %v", name, got, want)
		}
		if got, want := ValidHeaderValue(value), refValidValue(value); got != want {
			t.Fatalf("ValidHeaderValue(%q) = %v, want %v", value, got, want)
		}
		special := false
		for _, s := range []string{"host", "content-length", "transfer-encoding", "connection", "expect", "upgrade"} {
			special = special || strings.EqualFold(name, s)
		}
		if special || !ValidHeaderName(name) {
			return
		}

		in := "GET / HTTP/1.1\r\nHost: x\r\n" + name + ":" + value + "\r\n\r\n"
		n, r, err := parseWhole(in, nil)
		// Accepted as written means one field line, not CRLF-smuggled others.
		valid := ValidHeaderValue(value)
		accepted := err == nil && n == len(in) && len(r.Headers) == 2
		switch {
		case valid != accepted:
			t.Fatalf("Parse(%q) = %d, %v; want accepted %v", in, n, err, valid)
		case valid && string(r.Headers[1].Value) != strings.Trim(value, " \t"):
			t.Fatalf("parsed value %q, want %q", r.Headers[1].Value, strings.Trim(value, " \t"))
		}
	})
}
