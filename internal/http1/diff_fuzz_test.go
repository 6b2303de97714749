package http1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// The differential tests hold lane's parser and chunked decoder against
// net/http's request reader, the most used HTTP/1.1 parser in Go. The rule
// is one-sided: lane may refuse what net/http accepts, never the reverse,
// and where both accept they must agree on everything that frames or
// routes the request. The exceptions are the reviewed differences below;
// none of them moves the end of a head or of a body.

// intendedDiff is a reviewed case where lane accepts input that net/http
// refuses, or reads one property differently. match tells whether it
// explains net/http's error for an input lane accepted; examples are
// inputs that show the difference, checked by TestDiffIntended so that the
// list stays true.
type intendedDiff struct {
	name, why string
	match     func(stdErr error) bool
	heads     []string // request heads
	bodies    []string // chunked bodies
}

func errHas(s string) func(error) bool {
	return func(err error) bool { return strings.Contains(err.Error(), s) }
}

var intendedDiffs = []intendedDiff{
	{
		name: "percent escapes in the target",
		why: "lane does not decode the request-target: the router and the handler decide " +
			"what a bad escape means, and a 400 comes from there; url.ParseRequestURI " +
			"refuses an escape that is not two hex digits, or any %XX below 0x80 in a host",
		match: errHas("invalid URL escape"),
		heads: []string{
			"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
			"GET /a%4 HTTP/1.1\r\nHost: x\r\n\r\n",
			"GET http://ex%41mple.com/ HTTP/1.1\r\nHost: x\r\n\r\n",
		},
	},
	{
		name: "IPvFuture hosts in absolute-form",
		why: "RFC 3986 section 3.2.2 defines IPvFuture and lane accepts it in a target; " +
			"net/http parses every IP-literal as IPv6 and refuses it. The host does not frame " +
			"the request",
		match: errHas("invalid host"),
		heads: []string{"GET http://[v1.fe:x]/ HTTP/1.1\r\nHost: x\r\n\r\n"},
	},
	{
		name: "Trailer naming a framing field",
		why: "net/http refuses a chunked request whose Trailer field lists Content-Length, " +
			"Transfer-Encoding or Trailer; lane reads trailer fields only to discard them, so " +
			"what Trailer announces never reaches the request",
		match: errHas("bad trailer key"),
		heads: []string{
			chunkedHead[:len(chunkedHead)-2] + "Trailer: Content-Length\r\n\r\n",
		},
	},
	{
		name: "whitespace around a chunk-ext semicolon",
		why: "RFC 9112 section 7.1.1 allows BWS before ';' and around '=' in chunk-ext; " +
			"net/http cuts the line at ';' and refuses the size with its trailing space. " +
			"The chunk size read is the same, so the body ends at the same byte",
		match:  errHas("invalid byte in chunk length"),
		bodies: []string{"5 ;a=b\r\nhello\r\n0\r\n\r\n", "5\t;a\r\nhello\r\n0\r\n\r\n"},
	},
	{
		name: "budget for chunk extensions",
		why: "both bound what chunk-size lines may add to the data, by different formulas: " +
			"net/http lets a line, digits and CRLF included, take 16 bytes plus two per byte " +
			"of its chunk, lane lets extensions take 64 bytes plus one per byte, each with " +
			"16 KiB of slack. Many 1-byte chunks with 58-byte extensions pass lane's budget " +
			"and not net/http's; the chunks are read the same either way",
		match:  errHas("too much non-data"),
		bodies: []string{strings.Repeat("1;"+strings.Repeat("e", 58)+"\r\nx\r\n", 400) + "0\r\n\r\n"},
	},
}

// Differences in what is compared rather than in what is accepted, each
// applied by diffHead:
//
//   - Empty lines before the request line. lane skips two (RFC 9112
//     section 2.2); http.ReadRequest skips none, so they are cut before
//     net/http reads the head.
//   - The Host of CONNECT. net/http takes it from the authority-form
//     target, lane from the Host field; CONNECT is routed like any other
//     method and framed by the same rules, so only the host differs.
//   - Fields net/http adds or removes: it drops Host, and Transfer-Encoding
//     and Trailer from a chunked request, and adds "Cache-Control:
//     no-cache" for "Pragma: no-cache".
//   - Buffer sizes. net/http is given a buffer that holds the whole input,
//     so that its bufio.Reader's size never decides an outcome.

// explain returns the intended difference that explains stdErr, or nil.
func explain(stdErr error) *intendedDiff {
	for i := range intendedDiffs {
		if intendedDiffs[i].match(stdErr) {
			return &intendedDiffs[i]
		}
	}
	return nil
}

// stdReader wraps in for net/http with a buffer larger than any test
// input, so that net/http's own buffer size never decides an outcome.
func stdReader(in []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(in), len(in)+4096)
}

// diffHead parses in with both parsers, without limits. It returns "" when
// lane refuses the head or needs more bytes, or when net/http agrees with
// lane, and otherwise a description of the disagreement.
func diffHead(in []byte) string {
	n, r, err := parseWhole(string(in), nil)
	if err != nil || n == 0 {
		return "" // lane refuses: never looser than anyone
	}
	head := bytes.TrimLeft(in[:n], "\r\n")
	br := stdReader(head)
	std, serr := http.ReadRequest(br)
	if serr != nil {
		if explain(serr) != nil {
			return ""
		}
		return fmt.Sprintf("lane accepts %q; net/http refuses it: %v", in[:n], serr)
	}
	if br.Buffered() != 0 {
		return fmt.Sprintf("head %q: net/http stops %d bytes before its end", in[:n], br.Buffered())
	}
	if d := diffLine(std, r); d != "" {
		return fmt.Sprintf("head %q: %s", in[:n], d)
	}
	if d := diffFields(std, r); d != "" {
		return fmt.Sprintf("head %q: %s", in[:n], d)
	}
	return ""
}

// diffLine compares the request line and what frames and routes the
// request.
func diffLine(std *http.Request, r *Request) string {
	length := r.ContentLength
	if r.Chunked {
		length = -1
	} else if length < 0 {
		length = 0 // net/http: a request without framing has no body
	}
	chunked := slices.Equal(std.TransferEncoding, []string{"chunked"})
	switch {
	case std.Method != string(r.Method):
		return fmt.Sprintf("method: net/http %q, lane %q", std.Method, r.Method)
	case std.RequestURI != string(r.Target):
		return fmt.Sprintf("target: net/http %q, lane %q", std.RequestURI, r.Target)
	case (std.ProtoMinor == 0) != (r.Proto == 10) || std.ProtoMajor != 1:
		return fmt.Sprintf("version: net/http %s, lane %d", std.Proto, r.Proto)
	case chunked != r.Chunked || len(std.TransferEncoding) > 1:
		return fmt.Sprintf("chunked: net/http %q, lane %v", std.TransferEncoding, r.Chunked)
	case std.ContentLength != length:
		return fmt.Sprintf("length: net/http %d, lane %d", std.ContentLength, length)
	case std.Close == r.KeepAlive:
		return fmt.Sprintf("persistence: net/http close %v, lane keep-alive %v",
			std.Close, r.KeepAlive)
	case string(r.Method) != "CONNECT" && std.Host != string(r.Host):
		return fmt.Sprintf("host: net/http %q, lane %q", std.Host, r.Host)
	}
	return ""
}

// diffFields compares the header fields, name by name, values in order.
func diffFields(std *http.Request, r *Request) string {
	lane := make(map[string][]string)
	for _, h := range r.Headers {
		k := textproto.CanonicalMIMEHeaderKey(string(h.Name))
		lane[k] = append(lane[k], string(h.Value))
	}
	delete(lane, "Host")
	if r.Chunked {
		delete(lane, "Transfer-Encoding")
		delete(lane, "Trailer")
	}
	got := map[string][]string(std.Header.Clone())
	if p := lane["Pragma"]; len(p) > 0 && p[0] == "no-cache" && lane["Cache-Control"] == nil {
		delete(got, "Cache-Control")
	}
	for k, v := range lane {
		if !slices.Equal(got[k], v) {
			return fmt.Sprintf("field %s: net/http %q, lane %q", k, got[k], v)
		}
		delete(got, k)
	}
	for k, v := range got {
		return fmt.Sprintf("field %s: net/http %q, lane none", k, v)
	}
	return ""
}

// chunkedHead frames the bodies of the chunked differential tests.
const chunkedHead = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"

// diffChunked decodes body with both decoders. It returns "" when lane
// refuses it, or when net/http reads the same data and leaves the same
// bytes after it.
func diffChunked(body []byte) string {
	data, err, rest := decode(string(body), nil, 64, 4096)
	if err != nil {
		return ""
	}
	br := stdReader(append([]byte(chunkedHead), body...))
	std, serr := http.ReadRequest(br)
	if serr != nil {
		return fmt.Sprintf("net/http refuses the head: %v", serr)
	}
	got, serr := io.ReadAll(std.Body)
	if serr != nil {
		if explain(serr) != nil {
			return ""
		}
		return fmt.Sprintf("lane accepts body %q; net/http refuses it: %v", body, serr)
	}
	left, _ := io.ReadAll(br)
	switch {
	case string(got) != data:
		return fmt.Sprintf("body %q: net/http reads %q, lane %q", body, got, data)
	case string(left) != rest:
		return fmt.Sprintf("body %q: net/http leaves %q, lane %q", body, left, rest)
	}
	return ""
}

// diffSeedHeads are heads that probe where parsers are known to disagree.
var diffSeedHeads = []string{
	"GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\nX: a\r\nx: b\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 007\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \tChunked \r\nTrailer: X\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: ,Keep-Alive,\r\n\r\n",
	"CONNECT h:443 HTTP/1.1\r\nHost: other\r\n\r\n",
	"GET http://a.example/p HTTP/1.1\r\nHost: b.example\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a?b#c HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
}

// diffSeedBodies are chunked bodies in the same spirit.
var diffSeedBodies = []string{
	"5\r\nhello\r\n0\r\n\r\nNEXT",
	"5;a=\"b;c\"\r\nhello\r\n0;x\r\nTrailer-A: 1\r\n\r\nNEXT",
	"0000000000000005\r\nhello\r\n0\r\n\r\n",
	"5\nhello\r\n0\r\n\r\n",
	"5 \r\nhello\r\n0\r\n\r\n",
	"5\r\nhello\r\n0\r\nX: a\r\n b\r\n\r\n",
	"8000000000000000\r\n",
	"1\r\na\r\n0\r\n\r\n\r\n",
}

// TestDiffIntended checks that every reviewed difference still shows with
// its examples: lane accepts them, and net/http refuses them for the
// reason the entry names. A difference that went away is dropped from the
// list, so that it cannot hide a new one.
func TestDiffIntended(t *testing.T) {
	for _, d := range intendedDiffs {
		t.Run(d.name, func(t *testing.T) {
			for _, in := range d.heads {
				checkIntended(t, d, in, "")
			}
			for _, body := range d.bodies {
				checkIntended(t, d, chunkedHead, body)
			}
		})
	}
}

func checkIntended(t *testing.T, d intendedDiff, head, body string) {
	t.Helper()
	if n, _, err := parseWhole(head, nil); err != nil || n != len(head) {
		t.Fatalf("lane refuses %q: %v; the example shows nothing", head, err)
	}
	if body != "" {
		if _, err, _ := decode(body, nil, 64, 4096); err != nil {
			t.Fatalf("lane refuses body %q: %v; the example shows nothing", body, err)
		}
	}
	std, err := http.ReadRequest(stdReader([]byte(head + body)))
	if err == nil && body != "" {
		_, err = io.ReadAll(std.Body)
	}
	switch {
	case err == nil:
		t.Errorf("net/http accepts %q%q; the difference is gone", head, body)
	case !d.match(err):
		t.Errorf("net/http refuses %q%q with %v, not for the listed reason", head, body, err)
	}
}

// TestDiffTables runs the differential check over every head of the
// parser's tables and the seeds, and over the chunked decoder's seeds.
func TestDiffTables(t *testing.T) {
	for _, tt := range allCases() {
		if d := diffHead([]byte(tt.in)); d != "" {
			t.Errorf("%s: %s", tt.name, d)
		}
	}
	for _, in := range diffSeedHeads {
		if d := diffHead([]byte(in)); d != "" {
			t.Error(d)
		}
	}
	for _, body := range diffSeedBodies {
		if d := diffChunked([]byte(body)); d != "" {
			t.Error(d)
		}
	}
}

// TestDiffCatches makes sure the differential check can fail: a head that
// net/http reads differently from lane, and a body it refuses, must be
// reported. Each is fed to the comparison with lane's result forged.
func TestDiffCatches(t *testing.T) {
	_, r, err := parseWhole("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	six := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n"
	std, err := http.ReadRequest(stdReader([]byte(six)))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffLine(std, r); !strings.Contains(d, "length") {
		t.Errorf("diffLine on lengths 6 and 5 = %q, want a length difference", d)
	}
	std.Header.Set("Content-Length", "5")
	std.Header.Add("X-Extra", "1")
	if d := diffFields(std, r); !strings.Contains(d, "X-Extra") {
		t.Errorf("diffFields with an extra field = %q, want it named", d)
	}
	if explain(errors.New("malformed chunked encoding")) != nil {
		t.Error("an unlisted net/http error is explained away")
	}
}

// FuzzDiffRequest checks that lane accepts no request head that net/http
// refuses, except for the reviewed differences, and that both read every
// head they accept the same way.
func FuzzDiffRequest(f *testing.F) {
	for _, tt := range allCases() {
		f.Add([]byte(tt.in))
	}
	for _, in := range diffSeedHeads {
		f.Add([]byte(in))
	}
	f.Add([]byte(browserHead))
	f.Fuzz(func(t *testing.T, in []byte) {
		if d := diffHead(in); d != "" {
			t.Fatal(d)
		}
	})
}

// FuzzDiffChunked is FuzzDiffRequest for chunked bodies: whatever body
// lane decodes, net/http decodes to the same data, and both leave the same
// bytes after it.
func FuzzDiffChunked(f *testing.F) {
	for _, body := range diffSeedBodies {
		f.Add([]byte(body))
	}
	for _, d := range intendedDiffs {
		for _, body := range d.bodies {
			f.Add([]byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if d := diffChunked(body); d != "" {
			t.Fatal(d)
		}
	})
}
