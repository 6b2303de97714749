package lane_test

// The hardening suite: raw bytes over real sockets against a server with
// the default limits. Each malformed request is followed, on the same
// connection, by a well-formed canary request; lane must answer the
// malformed one with a single 4xx or 5xx carrying "Connection: close",
// close the connection, and never run the canary. A canary that runs means
// lane and a proxy in front could disagree about where a request ends: the
// request smuggling of RFC 9112 section 11.2.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/lanetest"
)

// hdVector is a request lane must refuse.
type hdVector struct {
	name   string
	req    string // the bytes sent: head, and body if any
	status int    // the one response lane must send
	eof    bool   // the client ends its side after req, so no canary follows
}

// hdGroup is a family of vectors, reported together.
type hdGroup struct {
	id, title string
	vectors   []hdVector
}

// hdHead builds a head from a request line and field lines.
func hdHead(line string, fields ...string) string {
	return line + "\r\n" + strings.Join(fields, "") + "\r\n"
}

// hdGet is "GET / HTTP/1.1" with Host and the given fields.
func hdGet(fields ...string) string {
	return hdHead("GET / HTTP/1.1", append([]string{"Host: x\r\n"}, fields...)...)
}

// hdPost is "POST / HTTP/1.1" with Host and the given fields.
func hdPost(fields ...string) string {
	return hdHead("POST / HTTP/1.1", append([]string{"Host: x\r\n"}, fields...)...)
}

// hdChunked is a chunked POST whose body is body.
func hdChunked(body string) string { return hdPost(hdTEC) + body }

// hdTE is a POST with one Transfer-Encoding field line, written as given
// from the field name on, and a chunked body after it.
func hdTE(line string) string { return hdPost(line+"\r\n") + "5\r\nhello\r\n0\r\n\r\n" }

// hdCL is a POST with one Content-Length value and a short body.
func hdCL(value string) string { return hdPost("Content-Length: "+value+"\r\n") + "hello" }

// hdHost is an HTTP/1.1 GET with the given Host value.
func hdHost(value string) string { return hdHead("GET / HTTP/1.1", "Host: "+value+"\r\n") }

// hdLine is a request line followed by a Host field.
func hdLine(line string) string { return hdHead(line, "Host: x\r\n") }

// hdField is a GET with one more field line, written as given.
func hdField(line string) string { return hdGet(line + "\r\n") }

// hdRepeat returns n copies of s.
func hdRepeat(s string, n int) string { return strings.Repeat(s, n) }

// The default limits, which the suite's server uses.
var hdDefaults = lane.DefaultRequestConfig()

// hdGroups returns every vector, by family.
func hdGroups() []hdGroup {
	return []hdGroup{
		{"A", "Content-Length with Transfer-Encoding; HTTP/1.0 with Transfer-Encoding", hdGroupA()},
		{"B", "Transfer-Encoding other than a single final chunked", hdGroupB()},
		{"C", "Content-Length malformed or repeated", hdGroupC()},
		{"D", "chunked bodies: sizes, extensions, data, trailers", hdGroupD()},
		{"E", "field lines: names, values, line ends, expectations", hdGroupE()},
		{"F", "request lines and versions", hdGroupF()},
		{"G", "Host", hdGroupG()},
		{"H", "size limits", hdGroupH()},
	}
}

// refuse is a vector sent with a canary after it; refuseAtEOF one after
// which the client ends its side instead.
func refuse(name, req string, status int) hdVector {
	return hdVector{name, req, status, false}
}

func refuseAtEOF(name, req string, status int) hdVector {
	return hdVector{name, req, status, true}
}

// Field lines the vectors combine.
const (
	hdCL5 = "Content-Length: 5\r\n"
	hdTEC = "Transfer-Encoding: chunked\r\n"
)

func hdGroupA() []hdVector {
	const body = "5\r\nhello\r\n0\r\n\r\n"
	post10 := func(fields ...string) string { return hdHead("POST / HTTP/1.0", fields...) + body }
	post := func(fields ...string) string { return hdPost(fields...) + body }
	return []hdVector{
		refuse("cl then te", post(hdCL5, hdTEC), 400),
		refuse("te then cl", post(hdTEC, hdCL5), 400),
		refuse("upper case", post("CONTENT-LENGTH: 5\r\n", "TRANSFER-ENCODING: CHUNKED\r\n"), 400),
		refuse("lower case", post("transfer-encoding: chunked\r\n", "content-length: 5\r\n"), 400),
		refuse("mixed case", post("Content-length: 5\r\n", "Transfer-encoding: Chunked\r\n"), 400),
		refuse("cl zero", post("Content-Length: 0\r\n", hdTEC), 400),
		refuse("fields apart", post(hdTEC, "X: 1\r\n", hdCL5), 400),
		refuse("te list then cl", post("Transfer-Encoding: gzip, chunked\r\n", hdCL5), 400),
		refuse("cl then te list", post(hdCL5, "Transfer-Encoding: gzip, chunked\r\n"), 400),
		refuse("cl then unknown te", post(hdCL5, "Transfer-Encoding: xchunked\r\n"), 400),
		refuse("te then two cl", post(hdTEC, hdCL5, hdCL5), 400),
		refuse("http/1.0 te", post10(hdTEC), 400),
		refuse("http/1.0 te upper case", post10("TRANSFER-ENCODING: CHUNKED\r\n"), 400),
		refuse("http/1.0 te keep-alive", post10("Connection: keep-alive\r\n", hdTEC), 400),
		refuse("http/1.0 te then cl", post10(hdTEC, hdCL5), 400),
		refuse("http/1.0 cl then te", post10(hdCL5, hdTEC), 400),
		refuse("http/1.0 te gzip", post10("Transfer-Encoding: gzip\r\n"), 400),
	}
}

func hdGroupB() []hdVector {
	return []hdVector{
		refuse("xchunked", hdTE("Transfer-Encoding: xchunked"), 501),
		refuse("chunkedx", hdTE("Transfer-Encoding: chunkedx"), 501),
		refuse("repeated in a list", hdTE("Transfer-Encoding: chunked, chunked"), 501),
		refuse("repeated field", hdPost(hdTEC, hdTEC)+"0\r\n\r\n", 400),
		refuse("split over fields", hdPost("Transfer-Encoding: gzip\r\n", hdTEC)+"0\r\n\r\n", 400),
		refuse("chunked, identity", hdTE("Transfer-Encoding: chunked, identity"), 501),
		refuse("identity, chunked", hdTE("Transfer-Encoding: identity, chunked"), 501),
		refuse("gzip, chunked", hdTE("Transfer-Encoding: gzip, chunked"), 501),
		refuse("gzip", hdTE("Transfer-Encoding: gzip"), 501),
		refuse("identity", hdTE("Transfer-Encoding: identity"), 501),
		refuse("chunked with a parameter", hdTE("Transfer-Encoding: chunked;q=1"), 501),
		refuse("single-quoted", hdTE("Transfer-Encoding: 'chunked'"), 501),
		refuse("leading comma", hdTE("Transfer-Encoding: ,chunked"), 400),
		refuse("trailing comma", hdTE("Transfer-Encoding: chunked,"), 400),
		refuse("empty element", hdTE("Transfer-Encoding: gzip, ,chunked"), 400),
		refuse("double-quoted", hdTE(`Transfer-Encoding: "chunked"`), 400),
		refuse("quoted parameter", hdTE(`Transfer-Encoding: chunked;q="1"`), 400),
		refuse("space separated", hdTE("Transfer-Encoding: chunked chunked"), 400),
		refuse("empty", hdTE("Transfer-Encoding:"), 400),
		refuse("vertical tab before", hdTE("Transfer-Encoding: \x0bchunked"), 400),
		refuse("vertical tab after", hdTE("Transfer-Encoding: chunked\x0b"), 400),
		refuse("form feed", hdTE("Transfer-Encoding: chunked\x0c"), 400),
		refuse("nul", hdTE("Transfer-Encoding: chunked\x00"), 400),
		refuse("obs-text before", hdTE("Transfer-Encoding: \xffchunked"), 400),
		refuse("obs-text after", hdTE("Transfer-Encoding: chunked\xff"), 400),
		refuse("no-break space", hdTE("Transfer-Encoding: \xc2\xa0chunked"), 400),
		refuse("non-ascii letter", hdTE("Transfer-Encoding: ch\xc3\xbcnked"), 400),
		refuse("space before colon", hdTE("Transfer-Encoding : chunked"), 400),
		refuse("tab before colon", hdTE("Transfer-Encoding\t: chunked"), 400),
		refuse("value on an obs-fold line", hdTE("Transfer-Encoding:\r\n chunked"), 400),
		refuse("field on an obs-fold line", hdTE("X: 1\r\n Transfer-Encoding: chunked"), 400),
		refuse("name with nul", hdTE("Transfer-Encoding\x00: chunked"), 400),
	}
}

func hdGroupC() []hdVector {
	post := func(fields ...string) string { return hdPost(fields...) + "hello" }
	return []hdVector{
		refuse("plus sign", hdCL("+2"), 400),
		refuse("minus sign", hdCL("-1"), 400),
		refuse("hex", hdCL("0x2"), 400),
		refuse("inner space", hdCL("1 1"), 400),
		refuse("list", hdCL("2, 2"), 400),
		refuse("tight list", hdCL("2,2"), 400),
		refuse("empty", hdCL(""), 400),
		refuse("blank", hdCL("   "), 400),
		refuse("overflow", hdCL("9223372036854775808"), 400),
		refuse("far overflow", hdCL("99999999999999999999999999"), 400),
		refuse("junk after", hdCL("2abc"), 400),
		refuse("junk", hdCL("abc"), 400),
		refuse("decimal point", hdCL("1.0"), 400),
		refuse("exponent", hdCL("1e2"), 400),
		refuse("fullwidth digit", hdCL("\xef\xbc\x92"), 400),
		refuse("vertical tab", hdCL("2\x0b"), 400),
		refuse("nul", hdCL("2\x00"), 400),
		refuse("repeated same", post(hdCL5, hdCL5), 400),
		refuse("repeated different", post(hdCL5, "Content-Length: 6\r\n"), 400),
		refuse("repeated other case", post(hdCL5, "content-length: 5\r\n"), 400),
		refuse("repeated apart", post(hdCL5, "X: 1\r\n", hdCL5), 400),
		refuse("space before colon", post("Content-Length : 5\r\n"), 400),
	}
}

func hdGroupD() []hdVector {
	d := hdDefaults
	last := func(trailers string) string { return hdChunked("0\r\n" + trailers + "\r\n") }
	extFlood := hdRepeat("1;"+hdRepeat("e", 1000)+"\r\nx\r\n", 40) + "0\r\n\r\n"
	return []hdVector{
		// Chunk sizes.
		refuse("size 0x prefix", hdChunked("0x5\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size plus", hdChunked("+5\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size minus", hdChunked("-5\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size leading space", hdChunked(" 5\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size trailing space", hdChunked("5 \r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size 17 digits", hdChunked("00000000000000005\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size over int64", hdChunked("8000000000000000\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size all ones", hdChunked("ffffffffffffffff\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size empty", hdChunked("\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size not hex", hdChunked("g\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("size bare lf", hdChunked("5\nhello\r\n0\r\n\r\n"), 400),
		refuse("size bare cr", hdChunked("5\rhello\r\n0\r\n\r\n"), 400),
		refuse("last chunk bare lf", hdChunked("5\r\nhello\r\n0\n\r\n"), 400),

		// Extensions.
		refuse("cr in extension", hdChunked("5;a\rb\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("lf in extension", hdChunked("5;a\nhello\r\n0\r\n\r\n"), 400),
		refuse("nul in extension", hdChunked("5;a\x00\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("unterminated quote", hdChunked("5;a=\"b\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("extension without name", hdChunked("5;=b\r\nhello\r\n0\r\n\r\n"), 400),
		refuse("chunk line over 4096", hdChunked("5;"+hdRepeat("a", 5000)+"\r\nhello\r\n0\r\n\r\n"),
			400),
		refuse("extension flood", hdChunked(extFlood), 400),

		// Data.
		refuse("data longer than its size", hdChunked("5\r\nhelloX\r\n0\r\n\r\n"), 400),
		refuse("data shorter than its size", hdChunked("5\r\nhell\r\n0\r\n\r\n"), 400),
		refuse("no crlf after data", hdChunked("5\r\nhello0\r\n\r\n"), 400),
		refuse("bare lf after data", hdChunked("5\r\nhello\n0\r\n\r\n"), 400),
		refuse("missing final crlf", hdChunked("5\r\nhello\r\n0\r\n"), 400),
		refuseAtEOF("eof before the last chunk", hdChunked("5\r\nhello\r\n"), 400),
		refuseAtEOF("eof inside data", hdChunked("5\r\nhel"), 400),
		refuseAtEOF("eof inside a size line", hdChunked("5\r\nhello\r\n1"), 400),
		refuseAtEOF("eof inside trailers", hdChunked("0\r\nX: 1\r\n"), 400),

		// Trailers.
		refuse("trailer count flood", last(hdRepeat("T: v\r\n", d.MaxHeaderCount+1)), 431),
		refuse("trailer bytes flood", last(hdRepeat("T: "+hdRepeat("v", 1000)+"\r\n", 70)), 431),
		refuse("trailer name too long", last(hdRepeat("n", d.MaxHeaderKeySize+1)+": v\r\n"), 431),
		refuse("trailer value too long", last("T: "+hdRepeat("v", d.MaxHeaderValueSize+1)+"\r\n"),
			431),
		refuse("trailer obs-fold", last("T: a\r\n b\r\n"), 400),
		refuse("trailer bare lf", last("T: a\n"), 400),
		refuse("trailer bare cr", last("T: a\rb\r\n"), 400),
		refuse("trailer space before colon", last("T : a\r\n"), 400),
		refuse("trailer without colon", last("T a\r\n"), 400),
		refuse("trailer nul", last("T: a\x00\r\n"), 400),
	}
}

func hdGroupE() []hdVector {
	return []hdVector{
		// Names.
		refuse("space before colon", hdField("X-A : v"), 400),
		refuse("tab before colon", hdField("X-A\t: v"), 400),
		refuse("host space before colon", hdHead("GET / HTTP/1.1", "Host : x\r\n"), 400),
		refuse("name paren", hdField("X(y): v"), 400),
		refuse("name at sign", hdField("X@y: v"), 400),
		refuse("name slash", hdField("X/y: v"), 400),
		refuse("name quote", hdField(`X"y: v`), 400),
		refuse("name brace", hdField("X{y}: v"), 400),
		refuse("name bracket", hdField("X[y]: v"), 400),
		refuse("name equals", hdField("X=y: v"), 400),
		refuse("name backslash", hdField(`X\y: v`), 400),
		refuse("name question mark", hdField("X?y: v"), 400),
		refuse("name comma", hdField("X,y: v"), 400),
		refuse("name semicolon", hdField("X;y: v"), 400),
		refuse("name non-ascii", hdField("X\xc3\xa9: v"), 400),
		refuse("name del", hdField("X\x7f: v"), 400),
		refuse("name vertical tab", hdField("X\x0b: v"), 400),
		refuse("empty name", hdField(": v"), 400),
		refuse("no colon", hdField("X-A"), 400),
		refuse("no colon with value", hdField("X-A v"), 400),
		refuse("nul in name", hdField("X\x00Y: v"), 400),
		refuse("cr in name", hdField("X\rY: v"), 400),
		refuse("lf in name", hdField("X\nY: v"), 400),

		// Line folding and line ends.
		refuse("obs-fold space", hdField("X: a\r\n b"), 400),
		refuse("obs-fold tab", hdField("X: a\r\n\tb"), 400),
		refuse("obs-fold first field", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400),
		refuse("field bare lf", hdHead("GET / HTTP/1.1", "Host: x\n", "X: a\r\n"), 400),
		refuse("head ends lf lf", "GET / HTTP/1.1\nHost: x\n\n", 400),
		refuse("cr then junk after the head", "GET / HTTP/1.1\r\nHost: x\r\n\rX", 400),
		refuse("final bare lf", "GET / HTTP/1.1\r\nHost: x\r\n\n", 400),

		// Values.
		refuse("value nul", hdField("X: a\x00b"), 400),
		refuse("value bare cr", hdField("X: a\rb"), 400),
		refuse("value bare lf", hdField("X: a\nb"), 400),
		refuse("value del", hdField("X: a\x7fb"), 400),
		refuse("value soh", hdField("X: a\x01"), 400),
		refuse("value escape", hdField("X: \x1b[0m"), 400),
		refuse("value form feed", hdField("X: a\x0cb"), 400),
		refuse("value vertical tab", hdField("X: a\x0bb"), 400),

		// Fields lane reads.
		refuse("connection not a token list", hdField("Connection: close;x"), 400),
		refuse("expect unknown", hdField("Expect: foo"), 417),
		refuse("expect list", hdField("Expect: 100-continue, foo"), 417),
		refuse("expect empty", hdField("Expect:"), 417),
		refuse("expect suffix", hdField("Expect: 100-continue-x"), 417),
	}
}

func hdGroupF() []hdVector {
	const tls = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" // a TLS ClientHello
	return []hdVector{
		refuse("double space after method", hdLine("GET  / HTTP/1.1"), 400),
		refuse("double space after target", hdLine("GET /  HTTP/1.1"), 400),
		refuse("leading space", hdLine(" GET / HTTP/1.1"), 400),
		refuse("tab after method", hdLine("GET\t/ HTTP/1.1"), 400),
		refuse("tab after target", hdLine("GET /\tHTTP/1.1"), 400),
		refuse("trailing space", hdLine("GET / HTTP/1.1 "), 400),
		refuse("version 1.10", hdLine("GET / HTTP/1.10"), 400),
		refuse("version lower case", hdLine("GET / http/1.1"), 400),
		refuse("version mixed case", hdLine("GET / Http/1.1"), 400),
		refuse("version suffix", hdLine("GET / HTTP/1.1x"), 400),
		refuse("version without minor", hdLine("GET / HTTP/1"), 400),
		refuse("version three parts", hdLine("GET / HTTP/1.1.1"), 400),
		refuse("version inner space", hdLine("GET / HTTP/ 1.1"), 400),
		refuse("version letter", hdLine("GET / HTTP/1.a"), 400),
		refuse("version placeholder", hdLine("GET / HTTP/1.#"), 400),
		refuse("http/0.9 form", "GET /\r\n\r\n", 400),
		refuse("method only", "GET\r\n\r\n", 400),
		refuse("no target", "GET \r\nHost: x\r\n\r\n", 400),
		refuse("method paren", hdLine("GE(T / HTTP/1.1"), 400),
		refuse("method comma", hdLine("GET, / HTTP/1.1"), 400),
		refuse("method colon", hdLine("G:ET / HTTP/1.1"), 400),
		refuse("method slash", hdLine("G/ET / HTTP/1.1"), 400),
		refuse("method quote", hdLine(`G"ET / HTTP/1.1`), 400),
		refuse("method brace", hdLine("G{ET / HTTP/1.1"), 400),
		refuse("method at sign", hdLine("GE@T / HTTP/1.1"), 400),
		refuse("method semicolon", hdLine("G;ET / HTTP/1.1"), 400),
		refuse("method equals", hdLine("G=ET / HTTP/1.1"), 400),
		refuse("method nul", hdLine("GE\x00T / HTTP/1.1"), 400),
		refuse("method non-ascii", hdLine("G\xc3\x89T / HTTP/1.1"), 400),
		refuse("target nul", hdLine("GET /\x00 HTTP/1.1"), 400),
		refuse("target soh", hdLine("GET /\x01 HTTP/1.1"), 400),
		refuse("target escape", hdLine("GET /\x1b HTTP/1.1"), 400),
		refuse("target del", hdLine("GET /\x7f HTTP/1.1"), 400),
		refuse("target non-ascii", hdLine("GET /\xc3\xa9 HTTP/1.1"), 400),
		refuse("target fragment", hdLine("GET /a#b HTTP/1.1"), 400),
		refuse("target inner space", hdLine("GET /a b HTTP/1.1"), 400),
		refuse("target inner tab", hdLine("GET /a\tb HTTP/1.1"), 400),
		refuse("target relative", hdLine("GET a HTTP/1.1"), 400),
		refuse("asterisk with GET", hdLine("GET * HTTP/1.1"), 400),
		refuse("authority-form with GET", hdLine("GET example.com:443 HTTP/1.1"), 400),
		refuse("connect origin-form", hdLine("CONNECT / HTTP/1.1"), 400),
		refuse("other scheme", hdLine("GET ftp://h/ HTTP/1.1"), 400),
		refuse("userinfo", hdLine("GET http://u@h/ HTTP/1.1"), 400),
		refuse("garbage prefix tls", tls+hdLine("GET / HTTP/1.1"), 400),
		refuse("garbage prefix nul", "\x00"+hdLine("GET / HTTP/1.1"), 400),
		refuse("garbage line before", "xx\r\n"+hdLine("GET / HTTP/1.1"), 400),
		refuse("bare lf before", "\n"+hdLine("GET / HTTP/1.1"), 400),
		refuse("three empty lines before", "\r\n\r\n\r\n"+hdLine("GET / HTTP/1.1"), 400),
		refuse("request line bare lf", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400),
		refuse("request line bare cr", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400),
		refuse("version 2.0", hdLine("GET / HTTP/2.0"), 505),
		refuse("version 2.1", hdLine("GET / HTTP/2.1"), 505),
		refuse("version 3.0", hdLine("GET / HTTP/3.0"), 505),
		refuse("version 9.9", hdLine("GET / HTTP/9.9"), 505),
		refuse("version 0.9", "GET / HTTP/0.9\r\n\r\n", 505),
		refuse("http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
	}
}

func hdGroupG() []hdVector {
	get := func(fields ...string) string { return hdHead("GET / HTTP/1.1", fields...) }
	const ha, hb = "Host: a\r\n", "Host: b\r\n"
	return []hdVector{
		refuse("missing in http/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
		refuse("missing with other fields", get("X: y\r\n"), 400),
		refuse("missing with absolute-form", "GET http://h/ HTTP/1.1\r\n\r\n", 400),
		refuse("repeated", get(ha, hb), 400),
		refuse("repeated same", get(ha, ha), 400),
		refuse("repeated other case", get(ha, "HOST: a\r\n"), 400),
		refuse("repeated apart", get(ha, "X: 1\r\n", "host: a\r\n"), 400),
		refuse("repeated in http/1.0", hdHead("GET / HTTP/1.0", ha, ha), 400),
		refuse("repeated with absolute-form", hdHead("GET http://a/ HTTP/1.1", ha, hb), 400),
		refuse("inner space", hdHost("a b"), 400),
		refuse("inner tab", hdHost("a\tb"), 400),
		refuse("userinfo", hdHost("user@h"), 400),
		refuse("port letters", hdHost("h:abc"), 400),
		refuse("empty port", hdHost("h:"), 400),
		refuse("port too big", hdHost("h:65536"), 400),
		refuse("port too long", hdHost("h:000080"), 400),
		refuse("port only", hdHost(":80"), 400),
		refuse("two ports", hdHost("h:80:80"), 400),
		refuse("path", hdHost("h/p"), 400),
		refuse("query", hdHost("h?x"), 400),
		refuse("fragment", hdHost("h#x"), 400),
		refuse("bad escape", hdHost("%zz"), 400),
		refuse("unclosed bracket", hdHost("[::1"), 400),
		refuse("junk after bracket", hdHost("[::1]x"), 400),
		refuse("empty brackets", hdHost("[]"), 400),
		refuse("ipv6 zone", hdHost("[fe80::1%25eth0]"), 400),
		refuse("ipv6 two elisions", hdHost("[1::2::3]"), 400),
		refuse("non-ascii", hdHost("b\xc3\xbccher.example"), 400),
		refuse("nul", hdHost("h\x00"), 400),
		refuse("quoted", hdHost(`"h"`), 400),
	}
}

func hdGroupH() []hdVector {
	d := hdDefaults
	fat := hdRepeat("X-Fat: "+hdRepeat("v", 993)+"\r\n", 70) // 70,000 bytes in 70 fields
	length := func(n int64) string { return "Content-Length: " + strconv.FormatInt(n, 10) + "\r\n" }
	chunk := func(n int) string {
		return strconv.FormatInt(int64(n), 16) + "\r\n" + hdRepeat("b", n) + "\r\n"
	}
	over := int(d.MaxBodySize) + 1
	long := hdRepeat("a", d.MaxPathSize)
	last := "0\r\n\r\n"
	return []hdVector{
		refuse("target", hdLine("GET /"+long+" HTTP/1.1"), 414),
		refuse("target of absolute-form", hdLine("GET http://h/"+long+" HTTP/1.1"), 414),
		refuse("header count", hdGet(hdRepeat("A: 1\r\n", d.MaxHeaderCount)), 431),
		refuse("header name", hdField(hdRepeat("n", d.MaxHeaderKeySize+1)+": v"), 431),
		refuse("header value", hdField("X: "+hdRepeat("v", d.MaxHeaderValueSize+1)), 431),
		refuse("header bytes", hdGet(fat), 431),
		refuse("method", hdRepeat("M", d.MaxHeaderBytes+1)+" / HTTP/1.1\r\n\r\n", 431),
		refuse("declared body", hdPost(length(d.MaxBodySize+1))+"body", 413),
		refuse("declared body of int64 max", hdPost(length(math.MaxInt64))+"body", 413),
		refuse("chunked body in one chunk", hdChunked(chunk(over)+last), 413),
		refuse("chunked body in many chunks", hdChunked(hdRepeat(chunk(1<<16), over>>16+1)+last), 413),
	}
}

// hdServer is a server with the default limits that counts canaries.
type hdServer struct {
	ctl    *lane.Control
	mu     sync.Mutex
	served map[string]int
}

// newHdServer starts a server with rc and the suite's routes: "/" reads
// the body whatever the method, "/canary/{id}" counts its id, "/echo/{i}"
// answers "i:body", "/ignore" never reads the body, and "/host" and
// "/header" show what the request carried.
func newHdServer(t *testing.T, rc lane.RequestConfig) *hdServer {
	t.Helper()
	hs := &hdServer{served: make(map[string]int)}
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: rc})
	s.Route("/", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return c.String(500, "the body failed: lane answers with its own status")
		}
		return c.String(200, strconv.Itoa(len(b))+" bytes")
	})
	s.GET("/canary/{id}", func(c *lane.Context) lane.Status {
		hs.mu.Lock()
		hs.served[c.Param("id")]++
		hs.mu.Unlock()
		return c.String(200, "canary "+c.Param("id"))
	})
	s.Route("/echo/{i}", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return c.String(500, err.Error())
		}
		return c.String(200, c.Param("i")+":"+string(b))
	})
	s.Route("/ignore", func(c *lane.Context) lane.Status { return c.String(200, "ignored") })
	s.GET("/host", func(c *lane.Context) lane.Status { return c.String(200, c.Host()) })
	s.Route("/header/{name}", func(c *lane.Context) lane.Status {
		if _, err := c.ReadBody(); err != nil {
			return c.String(500, err.Error())
		}
		v := c.HeaderValues(c.Param("name"))
		return c.String(200, fmt.Sprintf("%q host=%q length=%d", v, c.Host(), c.ContentLength()))
	})
	hs.ctl = start(t, s)
	return hs
}

// count returns how many times the canary id ran.
func (hs *hdServer) count(id string) int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.served[id]
}

// hdCanary is the request that must never run after a refused one.
func hdCanary(id string) string { return "GET /canary/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n" }

// hdSend writes out in the background, as a client that does not wait
// for the response would, and half-closes after it when eof is set. A
// write that fails because lane closed the connection is expected.
func hdSend(rc *rawConn, out string, eof bool) {
	go func() {
		_, err := io.WriteString(rc.nc, out)
		if eof && err == nil {
			rc.nc.(*net.TCPConn).CloseWrite()
		}
	}()
}

// check sends v and its canary and checks lane's answer.
func (hs *hdServer) check(t *testing.T, id string, v hdVector) {
	rc := dial(t, hs.ctl)
	out := v.req + hdCanary(id)
	if v.eof {
		out = v.req
	}
	hdSend(rc, out, v.eof)

	res, body := rc.response("GET")
	if res.StatusCode != v.status {
		t.Errorf("status %d (%q), want %d", res.StatusCode, strings.TrimSpace(body), v.status)
	}
	if !res.Close {
		t.Error("no Connection: close")
	}
	if err := hdEnd(rc); err != nil {
		t.Errorf("after the response: %v; want the connection closed", err)
	}
	if n := hs.count(id); n != 0 {
		t.Errorf("canary served %d times, want never", n)
	}
}

// hdEnd waits for the server to close rc, and reports what came instead:
// more bytes, or nothing within the deadline.
func hdEnd(rc *rawConn) error {
	rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := rc.br.Peek(1)
	switch {
	case err == io.EOF:
		return nil
	case len(b) > 0:
		rest, _ := rc.br.Peek(rc.br.Buffered())
		return fmt.Errorf("more bytes: %q", rest)
	}
	return err
}

func TestHardeningVectors(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{})
	total, passed := 0, 0
	for _, g := range hdGroups() {
		t.Run(g.id, func(t *testing.T) {
			ok := 0
			for i, v := range g.vectors {
				id := g.id + strconv.Itoa(i)
				if t.Run(v.name, func(t *testing.T) { hs.check(t, id, v) }) {
					ok++
				}
			}
			t.Logf("%s: %d/%d rejected with close, canary never served (%s)",
				g.id, ok, len(g.vectors), g.title)
			total += len(g.vectors)
			passed += ok
		})
	}
	t.Logf("all: %d/%d rejected with close, canary never served", passed, total)
}

// TestHardeningGoodPaths checks requests at the edge of what is allowed:
// each is served, and the canary after it too.
func TestHardeningGoodPaths(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{})
	// req is a request to path with Host and the given fields.
	req := func(method, path string, fields ...string) string {
		return hdHead(method+" "+path+" HTTP/1.1", append([]string{"Host: x\r\n"}, fields...)...)
	}
	const (
		hello    = "5\r\nhello\r\n0\r\n\r\n"
		noFields = "[] host=\"x\" length=-1"
		evil     = "X-Trailer: 1\r\nHost: evil\r\nContent-Length: 99\r\n" +
			"Transfer-Encoding: gzip\r\nConnection: close\r\n"
	)
	obsText := fmt.Sprintf("%q host=\"x\" length=-1", []string{"caf\xc3\xa9 \xff"})
	tests := []struct {
		name, req, want string
	}{
		{"one leading empty line", "\r\n" + req("GET", "/echo/1"), "1:"},
		{"two leading empty lines", "\r\n\r\n" + req("GET", "/echo/2"), "2:"},
		{"chunked", req("POST", "/echo/c", hdTEC) + hello, "c:hello"},
		{"CHUNKED", req("POST", "/echo/c", "TRANSFER-ENCODING: CHUNKED\r\n") + hello, "c:hello"},
		{"cHuNkEd with ows", req("POST", "/echo/c", "transfer-encoding:\t cHuNkEd \t\r\n") + hello,
			"c:hello"},
		{"chunk extensions", req("POST", "/echo/c", hdTEC) + "5 ; a = b ;c=\"d;e\"\r\nhello\r\n0;z\r\n\r\n",
			"c:hello"},
		{"content-length leading zeros", req("POST", "/echo/l", "Content-Length: 005\r\n") + "hello",
			"l:hello"},
		{"obs-text value", req("GET", "/header/X", "X: caf\xc3\xa9 \xff\r\n"), obsText},
		{"empty host", hdHead("GET /host HTTP/1.1", "Host:\r\n"), ""},
		{"absolute-form wins over host", hdHead("GET http://a.example/host HTTP/1.1", "Host: b\r\n"),
			"a.example"},
		{"absolute-form upper-case scheme", hdHead("GET HTTP://a.example:8/host HTTP/1.1", "Host: b\r\n"),
			"a.example:8"},
		{"trailers not merged", req("POST", "/header/X-Trailer", hdTEC) + "5\r\nhello\r\n0\r\n" + evil +
			"\r\n", noFields},
		{"trailer content-length not merged", req("POST", "/header/Content-Length", hdTEC) +
			"5\r\nhello\r\n0\r\nContent-Length: 99\r\n\r\n", noFields},
		{"expect 100-continue sent early",
			req("POST", "/echo/e", "Expect: 100-continue\r\n", "Content-Length: 2\r\n") + "hi",
			"e:hi"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "good" + strconv.Itoa(i)
			rc := dial(t, hs.ctl)
			rc.send(tt.req + hdCanary(id))
			res, body := hdFinal(rc, "GET")
			if res.StatusCode != 200 || body != tt.want {
				t.Errorf("got %d %q, want 200 %q", res.StatusCode, body, tt.want)
			}
			res, body = rc.response("GET")
			if res.StatusCode != 200 || body != "canary "+id {
				t.Errorf("canary: got %d %q, want 200 %q", res.StatusCode, body, "canary "+id)
			}
		})
	}
}

// hdFinal reads responses until a final one, which it returns.
func hdFinal(rc *rawConn, method string) (*http.Response, string) {
	rc.t.Helper()
	for {
		res, body := rc.response(method)
		if res.StatusCode >= 200 {
			return res, body
		}
	}
}

// TestHardeningPipeline sends 100 requests in one write, with bodies of
// both framings among them, and checks the answers come in order.
func TestHardeningPipeline(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{})
	rc := dial(t, hs.ctl)
	var b strings.Builder
	want := make([]string, 100)
	const head = "POST /echo/%d HTTP/1.1\r\nHost: x\r\n%s\r\n"
	for i := range want {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "GET /echo/%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
			want[i] = fmt.Sprintf("%d:", i)
		case 1:
			fmt.Fprintf(&b, head+"b%02d", i, "Content-Length: 3\r\n", i)
			want[i] = fmt.Sprintf("%d:b%02d", i, i)
		default:
			fmt.Fprintf(&b, head+"3\r\nc%02d\r\n0\r\n\r\n", i, hdTEC, i)
			want[i] = fmt.Sprintf("%d:c%02d", i, i)
		}
	}
	rc.send(b.String())
	for i := range want {
		res, body := rc.response("GET")
		if res.StatusCode != 200 || body != want[i] {
			t.Fatalf("response %d: got %d %q, want 200 %q", i, res.StatusCode, body, want[i])
		}
	}
}

// TestHardeningValidThenInvalid checks that a malformed request after a
// good one on the same connection is refused after the good one is
// answered, and that nothing after it runs.
func TestHardeningValidThenInvalid(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{})
	rc := dial(t, hs.ctl)
	rc.send(hdCanary("first") + "GET / HTTP/1.1\r\nHost : x\r\n\r\n" + hdCanary("after"))
	if res, body := rc.response("GET"); res.StatusCode != 200 || body != "canary first" {
		t.Errorf("first: got %d %q, want 200 %q", res.StatusCode, body, "canary first")
	}
	res, _ := rc.response("GET")
	if res.StatusCode != 400 || !res.Close {
		t.Errorf("second: got %d, close %v; want 400 with Connection: close",
			res.StatusCode, res.Close)
	}
	if err := hdEnd(rc); err != nil {
		t.Errorf("after the refusal: %v; want the connection closed", err)
	}
	if n := hs.count("after"); n != 0 {
		t.Errorf("canary after the refusal served %d times", n)
	}
}

// hdFill returns n bytes of body made of copies of req, cut at n, so that a
// body parsed as requests would run them.
func hdFill(req string, n int) string {
	return hdRepeat(req, n/len(req)+1)[:n]
}

// hdChunks frames body as chunks of at most 4096 bytes.
func hdChunks(body string) string {
	var b strings.Builder
	for len(body) > 0 {
		k := min(len(body), 4096)
		fmt.Fprintf(&b, "%x\r\n%s\r\n", k, body[:k])
		body = body[k:]
	}
	return b.String() + "0\r\n\r\n"
}

// TestHardeningUnreadBody checks that a body the handler never reads is
// drained, or the connection closed, and never parsed as requests. The
// bodies are made of requests to a canary.
func TestHardeningUnreadBody(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{MaxBodySize: 64 << 20})
	tests := []struct {
		name    string
		size    int
		chunked bool
		keep    bool // the connection survives: the body was drained
	}{
		{"10 B", 10, false, true},
		{"10 B chunked", 10, true, true},
		{"300 KiB", 300 << 10, false, false},
		{"300 KiB chunked", 300 << 10, true, false},
		{"10 MiB", 10 << 20, false, false},
		{"10 MiB chunked", 10 << 20, true, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := "u" + strconv.Itoa(i)
			body := hdFill(hdCanary(inner), tt.size)
			framing := "Content-Length: " + strconv.Itoa(len(body)) + "\r\n"
			if tt.chunked {
				body, framing = hdChunks(body), "Transfer-Encoding: chunked\r\n"
			}
			rc := dial(t, hs.ctl)
			after := "a" + strconv.Itoa(i)
			head := hdHead("POST /ignore HTTP/1.1", "Host: x\r\n", framing)
			hdSend(rc, head+body+hdCanary(after), false)

			res, got := rc.response("POST")
			if res.StatusCode != 200 || got != "ignored" {
				t.Fatalf("got %d %q, want 200 ignored", res.StatusCode, got)
			}
			if tt.keep {
				res, got = rc.response("GET")
				if got != "canary "+after {
					t.Errorf("after the body: got %d %q, want the canary", res.StatusCode, got)
				}
			} else if err := hdEndOrReset(rc); err != nil {
				t.Errorf("after the response: %v; want the connection closed", err)
			}
			if n := hs.count(inner); n != 0 {
				t.Errorf("a request inside the body was served %d times", n)
			}
			if n := hs.count(after); !tt.keep && n != 0 {
				t.Errorf("the request after the body was served %d times on a closed connection", n)
			}
		})
	}
}

// hdEndOrReset is hdEnd for a connection the client is still writing to,
// which lane may end with a reset once it stops reading.
func hdEndOrReset(rc *rawConn) error {
	err := hdEnd(rc)
	if errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return err
}

// TestHardeningExpect checks Expect handling: "100 Continue" is sent only
// when the handler reads the body, never to HTTP/1.0, and a request whose
// body was never asked for closes the connection.
func TestHardeningExpect(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{})
	const expect = "Expect: 100-continue\r\n"

	t.Run("body read", func(t *testing.T) {
		rc := dial(t, hs.ctl)
		rc.send(hdHead("POST /echo/x HTTP/1.1", "Host: x\r\n", expect, hdCL5))
		if res, _ := rc.response("POST"); res.StatusCode != 100 {
			t.Fatalf("first response %d, want 100 before the body is sent", res.StatusCode)
		}
		rc.send("hello" + hdCanary("e1"))
		if res, body := rc.response("POST"); res.StatusCode != 200 || body != "x:hello" {
			t.Errorf("got %d %q, want 200 x:hello", res.StatusCode, body)
		}
		if _, body := rc.response("GET"); body != "canary e1" {
			t.Errorf("canary: got %q", body)
		}
	})
	t.Run("body not read", func(t *testing.T) {
		rc := dial(t, hs.ctl)
		rc.send(hdHead("POST /ignore HTTP/1.1", "Host: x\r\n", expect, hdCL5))
		res, body := rc.response("POST")
		if res.StatusCode != 200 || body != "ignored" {
			t.Errorf("got %d %q, want 200 ignored and no 100", res.StatusCode, body)
		}
		if !res.Close {
			t.Error("no Connection: close, yet the client still holds the body")
		}
		if err := hdEnd(rc); err != nil {
			t.Errorf("after the response: %v; want the connection closed", err)
		}
	})
	t.Run("http/1.0 ignored", func(t *testing.T) {
		rc := dial(t, hs.ctl)
		rc.send(hdHead("POST /echo/y HTTP/1.0", expect, "Content-Length: 2\r\n") + "hi")
		if res, body := rc.response("POST"); res.StatusCode != 200 || body != "y:hi" {
			t.Errorf("got %d %q, want 200 y:hi with no 100 before it", res.StatusCode, body)
		}
	})
}

// TestHardeningHeadFraming checks that responses to HEAD, and 204 and 304
// responses, carry no body: the response after each parses in place.
func TestHardeningHeadFraming(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0"})
	s.GET("/text", func(c *lane.Context) lane.Status { return c.String(200, "hello") })
	s.GET("/stream", func(c *lane.Context) lane.Status {
		c.WriteString("part")
		c.Flush()
		c.WriteString("more")
		return lane.Continue
	})
	s.GET("/reader", func(c *lane.Context) lane.Status {
		return c.Stream(200, "text/plain", 6, strings.NewReader("reader"))
	})
	s.GET("/none", func(c *lane.Context) lane.Status { return c.String(204, "dropped") })
	s.GET("/same", func(c *lane.Context) lane.Status { return c.String(304, "dropped") })
	ctl := start(t, s)

	tests := []struct {
		method, path string
		status       int
		length       string // the Content-Length field, "" for none
	}{
		{"HEAD", "/text", 200, "5"},
		{"HEAD", "/stream", 200, ""},
		{"HEAD", "/reader", 200, "6"},
		{"GET", "/none", 204, ""},
		{"GET", "/same", 304, ""},
		{"HEAD", "/none", 204, ""},
	}
	rc := dial(t, ctl)
	var b strings.Builder
	for _, tt := range tests {
		fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: x\r\n\r\n", tt.method, tt.path)
	}
	rc.send(b.String() + "GET /text HTTP/1.1\r\nHost: x\r\n\r\n")
	for _, tt := range tests {
		res, body := rc.response(tt.method)
		if res.StatusCode != tt.status || body != "" {
			t.Errorf("%s %s: got %d %q, want %d and no body",
				tt.method, tt.path, res.StatusCode, body, tt.status)
		}
		if got := res.Header.Get("Content-Length"); got != tt.length {
			t.Errorf("%s %s: Content-Length %q, want %q", tt.method, tt.path, got, tt.length)
		}
	}
	if res, body := rc.response("GET"); res.StatusCode != 200 || body != "hello" {
		t.Errorf("GET after them: got %d %q, want 200 hello", res.StatusCode, body)
	}
}

// TestHardeningCloseDeliversAll checks that a response the connection
// closes after reaches the client whole, even when the client keeps
// sending bytes lane will not read and reads the response late.
func TestHardeningCloseDeliversAll(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	s := lane.New(lane.Config{Address: "127.0.0.1:0"})
	s.GET("/big", func(c *lane.Context) lane.Status {
		return c.Bytes(200, "application/octet-stream", big)
	})
	ctl := start(t, s)

	tests := []struct{ name, req string }{
		{"connection close", "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
		{"http/1.0", "GET /big HTTP/1.0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dial(t, ctl)
			junk := hdRepeat("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 2000) // 62 KB lane never reads
			rc.send(tt.req + junk)
			time.Sleep(300 * time.Millisecond) // lane has written all it can and closed
			res, body := rc.response("GET")
			if res.StatusCode != 200 || body != string(big) {
				t.Fatalf("got %d, %d bytes; want 200, %d", res.StatusCode, len(body), len(big))
			}
			if !res.Close {
				t.Error("no Connection: close")
			}
			if err := hdEnd(rc); err != nil {
				t.Errorf("after the response: %v; want the connection closed", err)
			}
		})
	}
}

// TestHardeningLimitsWhileReading streams an endless line or body at the
// server and checks that each limit stops it early: the refusal comes
// while the client is still sending, the client could write only a
// bounded part of the stream before lane closed, and the process
// allocated far less than the stream.
func TestHardeningLimitsWhileReading(t *testing.T) {
	hs := newHdServer(t, lane.RequestConfig{})
	const (
		stream    = 64 << 20 // what the client tries to send
		sentBound = 24 << 20 // what it may manage: limit, linger and socket buffers
		heapBound = 16 << 20 // what the process may allocate meanwhile
	)
	field := "X-Fat: " + hdRepeat("v", 993) + "\r\n"
	tests := []struct {
		name, prefix, filler string
		status               int
	}{
		{"method", "", "M", 431},
		{"target", "GET /", "a", 414},
		{"header name", "GET / HTTP/1.1\r\nHost: x\r\n", "n", 431},
		{"header value", "GET / HTTP/1.1\r\nHost: x\r\nX: ", "v", 431},
		{"header count", "GET / HTTP/1.1\r\nHost: x\r\n", "A: 1\r\n", 431},
		{"header bytes", "GET / HTTP/1.1\r\nHost: x\r\n", field, 431},
		{"declared body", hdPost("Content-Length: 1000000000000\r\n"), "b", 413},
		{"chunked body", hdPost(hdTEC), "1000\r\n" + hdRepeat("b", 4096) + "\r\n", 413},
		{"chunk extension", hdPost(hdTEC) + "1;", "e", 400},
		{"trailers", hdPost(hdTEC) + "0\r\n", "T: v\r\n", 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dial(t, hs.ctl)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			sent := make(chan int64, 1)
			go func() { sent <- hdStream(rc.nc, tt.prefix, tt.filler, stream) }()

			res, _ := rc.response("GET")
			runtime.ReadMemStats(&after)
			n := <-sent
			if res.StatusCode != tt.status || !res.Close {
				t.Errorf("got %d, close %v; want %d with Connection: close",
					res.StatusCode, res.Close, tt.status)
			}
			if n >= sentBound {
				t.Errorf("the client wrote %d bytes before the close; want under %d", n, sentBound)
			}
			d := after.TotalAlloc - before.TotalAlloc
			if d >= heapBound {
				t.Errorf("%d bytes allocated as the client sent %d; want under %d", d, n, heapBound)
			}
			t.Logf("%d: the client wrote %.1f MiB of %d MiB; %.1f MiB allocated", res.StatusCode,
				float64(n)/(1<<20), stream>>20, float64(d)/(1<<20))
		})
	}
}

// hdStream writes prefix, then filler over and over, until limit bytes or
// a write fails. It returns the bytes written.
func hdStream(nc net.Conn, prefix, filler string, limit int64) int64 {
	chunk := []byte(prefix + hdRepeat(filler, 64<<10/len(filler)+1))
	var n int64
	for n < limit {
		k, err := nc.Write(chunk)
		n += int64(k)
		if err != nil {
			break
		}
		if n == int64(k) {
			chunk = chunk[len(prefix):]
		}
	}
	return n
}

// TestHardeningSlowClients checks the timeouts against clients that send
// or read a trickle: each is refused or closed within its timeout, however
// steadily the client keeps the connection busy.
func TestHardeningSlowClients(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 16<<20)
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: lane.RequestConfig{
		HeaderTimeout: 300 * time.Millisecond,
		ReadTimeout:   600 * time.Millisecond,
		IdleTimeout:   400 * time.Millisecond,
		WriteTimeout:  300 * time.Millisecond,
	}})
	s.Route("/", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return c.String(500, err.Error())
		}
		return c.String(200, string(b))
	})
	s.GET("/big", func(c *lane.Context) lane.Status {
		return c.Bytes(200, "application/octet-stream", big)
	})
	ctl := start(t, s)
	const slack = time.Second

	t.Run("slowloris", func(t *testing.T) {
		rc := dial(t, ctl)
		began := time.Now()
		go hdTrickle(rc.nc, "GET / HTTP/1.1\r\nHost: x\r\n", "X: 1\r\n", 20*time.Millisecond)
		hdWantTimeout(t, rc, began, 300*time.Millisecond, slack)
	})
	t.Run("slow body", func(t *testing.T) {
		rc := dial(t, ctl)
		began := time.Now()
		go hdTrickle(rc.nc, hdPost("Content-Length: 100000\r\n"), "b", 20*time.Millisecond)
		hdWantTimeout(t, rc, began, 600*time.Millisecond, slack)
	})
	t.Run("slow chunks", func(t *testing.T) {
		rc := dial(t, ctl)
		began := time.Now()
		go hdTrickle(rc.nc, hdPost(hdTEC), "1\r\nb\r\n", 20*time.Millisecond)
		hdWantTimeout(t, rc, began, 600*time.Millisecond, slack)
	})
	t.Run("idle", func(t *testing.T) {
		rc := dial(t, ctl)
		rc.send("GET /?x HTTP/1.1\r\nHost: x\r\n\r\n")
		rc.response("GET")
		began := time.Now()
		if err := hdEnd(rc); err != nil {
			t.Fatalf("idle connection: %v; want it closed", err)
		}
		if d := time.Since(began); d < 200*time.Millisecond || d > 400*time.Millisecond+slack {
			t.Errorf("closed after %v idle, want about 400ms", d)
		}
	})
	t.Run("slow read", func(t *testing.T) {
		nc, err := net.Dial("tcp", ctl.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.(*net.TCPConn).SetReadBuffer(4096)
		st := ctl.Server().Stats
		before := st().Requests
		io.WriteString(nc, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		for st().Requests == before {
			time.Sleep(time.Millisecond)
		}
		began := time.Now() // the handler runs: the write begins
		for st().Connections > 0 && time.Since(began) < 300*time.Millisecond+slack {
			time.Sleep(10 * time.Millisecond)
		}
		if d := time.Since(began); d < 150*time.Millisecond || d > 300*time.Millisecond+slack {
			t.Errorf("a client that reads nothing held its connection %v, want about 300ms", d)
		}
	})
}

// hdTrickle writes head, then one filler every gap, until a write fails.
func hdTrickle(nc net.Conn, head, filler string, gap time.Duration) {
	if _, err := io.WriteString(nc, head); err != nil {
		return
	}
	for {
		time.Sleep(gap)
		if _, err := io.WriteString(nc, filler); err != nil {
			return
		}
	}
}

// hdWantTimeout reads the response to a request that arrives too slowly:
// a 408 with close, sent within d (plus slack) of began, then the close.
// The lower bound, half of d, only catches a timeout gone wild: lane's
// deadlines come from a coarse clock and may fire a little early.
func hdWantTimeout(t *testing.T, rc *rawConn, began time.Time, d, slack time.Duration) {
	t.Helper()
	res, _ := rc.response("GET")
	took := time.Since(began)
	if res.StatusCode != 408 || !res.Close {
		t.Errorf("got %d, close %v; want 408 with Connection: close", res.StatusCode, res.Close)
	}
	if took < d/2 || took > d+slack {
		t.Errorf("refused after %v, want about %v", took, d)
	}
	if err := hdEndOrReset(rc); err != nil {
		t.Errorf("after the 408: %v; want the connection closed", err)
	}
}

// TestHardeningReadTimeoutWholeRequest checks ReadTimeout as documented:
// it bounds the whole request, head and body, counted from its first
// byte. A client that spends most of the header timeout on the head must
// not get a full ReadTimeout more for the body.
func TestHardeningReadTimeoutWholeRequest(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0", Request: lane.RequestConfig{
		HeaderTimeout: time.Second,
		ReadTimeout:   1500 * time.Millisecond,
	}})
	s.POST("/", func(c *lane.Context) lane.Status {
		b, _ := c.ReadBody()
		return c.String(200, string(b))
	})
	ctl := start(t, s)
	rc := dial(t, ctl)
	began := time.Now()
	head := hdPost("Content-Length: 100000\r\n")
	go func() {
		// The head in pieces over 900ms, then the body a byte at a time.
		for i := range 10 {
			io.WriteString(rc.nc, head[i*len(head)/10:(i+1)*len(head)/10])
			time.Sleep(90 * time.Millisecond)
		}
		hdTrickle(rc.nc, "", "b", 20*time.Millisecond)
	}()
	hdWantTimeout(t, rc, began, 1500*time.Millisecond, 500*time.Millisecond)
}

// FuzzResponseHeader drives the response header writer through the real
// engine: a handler sets a status, a header field and a body taken from
// the input, and the response must be exactly that, or a plain 500 when
// the field or the status could not be sent as given. Either way it is one
// well-framed response: the request pipelined after it is answered in
// place, and no field the handler did not set appears.
func FuzzResponseHeader(f *testing.F) {
	var (
		mu  sync.Mutex
		cur hdFuzzInput
	)
	s := lane.New(lane.Config{Logger: slog.New(slog.DiscardHandler)})
	s.GET("/f", func(c *lane.Context) lane.Status {
		mu.Lock()
		in := cur
		mu.Unlock()
		c.SetStatus(in.status)
		c.SetHeader(in.name, in.value)
		c.Write(in.body)
		return lane.Continue
	})
	ts := lanetest.Start(s)
	f.Cleanup(ts.Close)

	f.Add(200, "X-Name", "value", []byte("hello"), false)
	f.Add(201, "Set-Cookie", "a=b; Path=/", []byte{}, true)
	f.Add(404, "X", " \tpadded\t ", []byte("<html>"), false)
	f.Add(200, "X-Evil", "a\r\nSet-Cookie: owned=1", []byte("x"), false)
	f.Add(200, "X", "caf\xc3\xa9\x7f", []byte("x"), false)
	f.Add(200, "Bad Name", "v", []byte("x"), false)
	f.Add(247, "", "0", []byte("0"), false)
	f.Add(200, "Content-Length", "1", []byte("hello"), false)
	f.Add(200, "Transfer-Encoding", "chunked", []byte("hello"), false)
	f.Add(200, "Connection", "close", []byte("bye"), false)
	f.Add(200, "Date", "Mon, 01 Jan 2001 00:00:00 GMT", []byte("x"), false)
	f.Add(204, "X", "y", []byte("dropped"), false)
	f.Add(304, "ETag", `"v1"`, []byte("dropped"), true)
	f.Add(0, "X", "y", []byte("x"), false)
	f.Add(99, "X", "y", []byte("x"), false)
	f.Add(150, "X", "y", []byte("x"), false)
	f.Add(1000, "X", "y", []byte("x"), false)
	f.Add(599, "X", "y", []byte("x"), false)
	f.Add(999, "X", "y", []byte("x"), false)
	f.Fuzz(func(t *testing.T, status int, name, value string, body []byte, head bool) {
		if status == 101 {
			status = 200 // a protocol switch is Hijack's business
		}
		in := hdFuzzInput{status, name, value, body}
		mu.Lock()
		cur = in
		mu.Unlock()
		method := "GET"
		if head {
			method = "HEAD"
		}
		nc, err := ts.Dial()
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		req := method + " /f HTTP/1.1\r\nHost: x\r\n\r\n"
		if _, err := io.WriteString(nc, req+req); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(nc)
		closes := hdCheckFuzzResponse(t, br, method, in)
		if closes {
			if _, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("after a response with Connection: close: %v, want EOF", err)
			}
			return
		}
		hdCheckFuzzResponse(t, br, method, in)
	})
}

type hdFuzzInput struct {
	status      int
	name, value string
	body        []byte
}

// hdCheckFuzzResponse reads one response and checks it against what the
// handler set. It reports whether the response closes the connection.
func hdCheckFuzzResponse(t *testing.T, br *bufio.Reader, method string, in hdFuzzInput) bool {
	t.Helper()
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}

	code := in.status
	if code == 0 {
		code = 200 // SetStatus(0) leaves the status unset
	}
	fieldOK := hdValidName(in.name) && hdValidValue(in.value)
	statusOK := code >= 200 && code <= 999
	framing := false
	for _, f := range []string{"Content-Length", "Transfer-Encoding", "Connection"} {
		framing = framing || strings.EqualFold(in.name, f)
	}
	want := code
	if !fieldOK || !statusOK {
		want = 500
	}
	if res.StatusCode != want {
		t.Fatalf("status %d, want %d", res.StatusCode, want)
	}
	hdCheckFields(t, res, in, fieldOK && !framing)

	bodyOK := method != "HEAD" && want != 204 && want != 304
	switch {
	case !bodyOK && len(got) != 0:
		t.Fatalf("%s %d carries a body of %d bytes", method, want, len(got))
	case bodyOK && fieldOK && statusOK && !bytes.Equal(got, in.body):
		t.Fatalf("body %q, want %q", got, in.body)
	}
	return res.Close
}

// hdCheckFields checks that the response holds the handler's field, once,
// when it was valid, and otherwise nothing but the fields lane writes.
func hdCheckFields(t *testing.T, res *http.Response, in hdFuzzInput, sent bool) {
	t.Helper()
	own := map[string]bool{
		"Date": true, "Content-Length": true, "Content-Type": true, "Connection": true,
	}
	key := http.CanonicalHeaderKey(in.name)
	for k, v := range res.Header {
		switch {
		case k == "Date" && len(v) == 1:
			// lane's own, or the handler's in its place: either, but once.
		case sent && k == key:
			if len(v) != 1 || v[0] != strings.Trim(in.value, " \t") {
				t.Fatalf("field %s: %q, want [%q]", k, v, strings.Trim(in.value, " \t"))
			}
		case !own[k]:
			t.Fatalf("field %s: %q was never set", k, v)
		case len(v) != 1:
			t.Fatalf("field %s sent %d times: %q", k, len(v), v)
		}
	}
	if sent && key != "Date" && res.Header[key] == nil {
		t.Fatalf("field %s missing", key)
	}
}

// hdValidName and hdValidValue restate RFC 9110 sections 5.6.2 and 5.5:
// a field name is a non-empty token, a value holds no control byte but
// HTAB.
func hdValidName(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

func hdValidValue(s string) bool {
	for _, c := range []byte(s) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
