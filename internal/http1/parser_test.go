package http1

import (
	"fmt"
	"strings"
	"testing"
)

// summary describes a parsed request as key=value words, so a table row
// can name just the keys it cares about.
func summary(n int, r *Request) map[string]string {
	show := func(b []byte) string {
		if b == nil {
			return "<nil>"
		}
		return string(b)
	}
	return map[string]string{
		"n":       fmt.Sprint(n),
		"method":  string(r.Method),
		"target":  string(r.Target),
		"path":    show(r.Path),
		"query":   show(r.Query),
		"host":    show(r.Host),
		"proto":   fmt.Sprint(r.Proto),
		"cl":      fmt.Sprint(r.ContentLength),
		"chunked": fmt.Sprint(r.Chunked),
		"keep":    fmt.Sprint(r.KeepAlive),
		"expect":  fmt.Sprint(r.Expect100),
		"upgrade": fmt.Sprint(r.Upgrade),
		"fields":  fmt.Sprint(len(r.Headers)),
	}
}

// checkSummary compares the keys named in want, "key=value" words
// separated by " | ", with the parsed request.
func checkSummary(t *testing.T, n int, r *Request, want string) {
	t.Helper()
	got := summary(n, r)
	for _, kv := range strings.Split(want, " | ") {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := got[k]; !ok {
			t.Fatalf("bad key %q in want", k)
		}
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// hx is the Host field most test heads carry.
const hx = "Host: x\r\n"

// req builds a head from a request line (without CRLF) and field lines.
func req(line string, fields ...string) string {
	return line + "\r\n" + strings.Join(fields, "") + "\r\n"
}

// get builds a "GET / HTTP/1.1" head with the given field lines.
func get(fields ...string) string { return req("GET / HTTP/1.1", fields...) }

// acceptTest is a head that must be accepted; want lists what the parsed
// request must show (see checkSummary).
type acceptTest struct {
	name, in, want string
}

var acceptTests = []acceptTest{
	// Request line.
	{"minimal", req("GET / HTTP/1.1", hx),
		"n=27 | method=GET | target=/ | path=/ | query=<nil> | host=x | proto=11 | cl=-1" +
			" | chunked=false | keep=true | expect=false | upgrade=false | fields=1"},
	{"query", req("GET /a/b?x=1&y=2 HTTP/1.1", hx), "target=/a/b?x=1&y=2 | path=/a/b | query=x=1&y=2"},
	{"empty query", req("GET /a? HTTP/1.1", hx), "path=/a | query="},
	{"second question mark", req("GET /a?b?c HTTP/1.1", hx), "path=/a | query=b?c"},
	{"path bytes", req("GET /%7Eu/a;b=c,d/@:!$&'()*+{}|^`\\\"<>[] HTTP/1.1", hx),
		"path=/%7Eu/a;b=c,d/@:!$&'()*+{}|^`\\\"<>[]"},
	{"double slash", req("GET //a HTTP/1.1", hx), "path=//a"},
	{"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", "proto=10 | host=<nil> | keep=false | fields=0"},
	{"http/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "proto=10 | keep=true"},
	{"http/1.0 close wins", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", "keep=false"},
	{"http/1.1 close", get(hx, "Connection: close\r\n"), "keep=false"},
	{"http/1.1 close in second field", get(hx, "Connection: foo\r\n", "Connection: CLOSE\r\n"), "keep=false"},
	{"http/1.2 as 1.1", req("GET / HTTP/1.2", hx), "proto=11 | keep=true"},
	{"http/1.9 as 1.1", req("GET / HTTP/1.9", hx), "proto=11"},
	{"one leading empty line", req("\r\nGET / HTTP/1.1", hx), "n=29 | method=GET"},
	{"two leading empty lines", req("\r\n\r\nGET / HTTP/1.1", hx), "n=31 | method=GET"},
	{"absolute-form", "GET http://example.com/p?q HTTP/1.1\r\nHost: other\r\n\r\n",
		"host=example.com | path=/p | query=q | target=http://example.com/p?q"},
	{"absolute-form https upper case", req("GET HTTPS://Example.com:8443 HTTP/1.1", hx),
		"host=Example.com:8443 | path=/ | query=<nil>"},
	{"absolute-form query without path", "GET http://h?x HTTP/1.1\r\nHost: h\r\n\r\n", "host=h | path=/ | query=x"},
	{"absolute-form ipv6", req("GET http://[::1]:8080/a HTTP/1.1", hx), "host=[::1]:8080 | path=/a"},
	{"absolute-form http/1.0 without host", "GET http://h/ HTTP/1.0\r\n\r\n", "host=h | proto=10"},
	{"connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		"method=CONNECT | path= | query=<nil> | host=example.com:443"},
	{"connect ipv6", "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: h\r\n\r\n", "path= | host=h"},
	{"options asterisk", req("OPTIONS * HTTP/1.1", hx), "method=OPTIONS | path=* | query=<nil>"},
	{"extension method", req("M-SEARCH / HTTP/1.1", hx), "method=M-SEARCH"},
	{"method of tchars", req("!#$%&'*+-.^_`|~09azAZ / HTTP/1.1", hx), "method=!#$%&'*+-.^_`|~09azAZ"},
	{"lower-case method", req("get / HTTP/1.1", hx), "method=get"},
	{"pipelined bytes left", "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\n", "n=27 | path=/"},
	{"body bytes left", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "n=47 | cl=5"},

	// Field lines.
	{"ows trimmed", get(hx, "X: \t a b \t \r\n"), "fields=2"},
	{"empty values", get(hx, "X:\r\n", "Y: \r\n", "Z:\t\r\n"), "fields=4"},
	{"obs-text value", get(hx, "X: caf\xc3\xa9 \xff\r\n"), "fields=2"},
	{"htab inside value", get(hx, "X: a\tb\r\n"), "fields=2"},
	{"name of tchars", get(hx, "!#$%&'*+-.^_`|~09azAZ: v\r\n"), "fields=2"},
	{"colon in value", get(hx, "X: a:b: c\r\n"), "fields=2"},
	{"upper-case host name", get("HOST: x\r\n"), "host=x"},

	// Host.
	{"host empty", get("Host:\r\n"), "host="},
	{"host blank", get("Host:  \r\n"), "host="},
	{"host with port", get("Host: example.com:80\r\n"), "host=example.com:80"},
	{"host ipv4", get("Host: 127.0.0.1:8080\r\n"), "host=127.0.0.1:8080"},
	{"host ipv6", get("Host: [::1]\r\n"), "host=[::1]"},
	{"host ipv6 port", get("Host: [2001:db8::1]:443\r\n"), "host=[2001:db8::1]:443"},
	{"host ipv6 full", get("Host: [1:2:3:4:5:6:7:8]\r\n"), "host=[1:2:3:4:5:6:7:8]"},
	{"host ipv6 ipv4 tail", get("Host: [::ffff:192.0.2.1]\r\n"), "host=[::ffff:192.0.2.1]"},
	{"host ipvfuture", get("Host: [v1.fe:x]\r\n"), "host=[v1.fe:x]"},
	{"host reg-name bytes", get("Host: a-b.c_d~e!$&'()*+,;=\r\n"), "host=a-b.c_d~e!$&'()*+,;="},
	{"host pct-encoded", get("Host: ex%41mple.com\r\n"), "host=ex%41mple.com"},
	{"host port 65535", get("Host: h:65535\r\n"), "host=h:65535"},

	// Content-Length and Transfer-Encoding.
	{"content-length zero", get(hx, "Content-Length: 0\r\n"), "cl=0 | chunked=false"},
	{"content-length", get(hx, "content-length:42\r\n"), "cl=42"},
	{"content-length leading zeros", get(hx, "Content-Length: 007\r\n"), "cl=7"},
	{"content-length ows", get(hx, "Content-Length:  7 \t\r\n"), "cl=7"},
	{"content-length max", get(hx, "Content-Length: 9223372036854775807\r\n"), "cl=9223372036854775807"},
	{"chunked", get(hx, "Transfer-Encoding: chunked\r\n"), "chunked=true | cl=-1"},
	{"CHUNKED", get(hx, "TRANSFER-ENCODING: CHUNKED\r\n"), "chunked=true"},
	{"Chunked with ows", get(hx, "transfer-encoding: \t Chunked \r\n"), "chunked=true"},

	// Connection, Expect, Upgrade.
	{"expect", get(hx, "Expect: 100-continue\r\n"), "expect=true"},
	{"expect any case", get(hx, "expect: 100-Continue\r\n"), "expect=true"},
	{"expect ignored in http/1.0", "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", "expect=false"},
	{"upgrade", get(hx, "Connection: Upgrade\r\n", "Upgrade: websocket\r\n"), "upgrade=true | keep=true"},
	{"upgrade field first", get(hx, "Upgrade: h2c\r\n", "Connection: keep-alive, upgrade\r\n"), "upgrade=true"},
	{"upgrade without option", get(hx, "Upgrade: websocket\r\n"), "upgrade=false"},
	{"upgrade option without field", get(hx, "Connection: upgrade\r\n"), "upgrade=false"},
	{"upgrade empty field", get(hx, "Connection: upgrade\r\n", "Upgrade: \r\n"), "upgrade=false"},
	{"upgrade ignored in http/1.0", "GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", "upgrade=false"},
	{"connection empty elements", get(hx, "Connection: , ,close ,\r\n"), "keep=false"},
	{"connection empty", get(hx, "Connection:\r\n"), "keep=true"},
	{"connection unknown options", get(hx, "Connection: foo, bar\r\n"), "keep=true"},

	// Limits, each exactly reached.
}

// refuseTest is a head that must be refused with status.
type refuseTest struct {
	name, in string
	status   int
}

var refuseTests = []refuseTest{
	// Line ends and empty lines.
	{"bare lf first", req("\nGET / HTTP/1.1", hx), 400},
	{"bare cr first", req("\rGET / HTTP/1.1", hx), 400},
	{"three leading empty lines", req("\r\n\r\n\r\nGET / HTTP/1.1", hx), 400},
	{"many leading empty lines", strings.Repeat("\r\n", 50) + req("GET / HTTP/1.1", hx), 400},
	{"request line bare lf", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400},
	{"request line bare cr", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400},
	{"field bare lf", get("Host: x\n"), 400},
	{"field bare cr", get("Host: x\rY: z\r\n"), 400},
	{"bare cr inside value", get(hx, "X: a\rb\r\n"), 400},
	{"bare lf inside value", get(hx, "X: a\nb\r\n"), 400},
	{"final bare lf", "GET / HTTP/1.1\r\nHost: x\r\n\n", 400},
	{"final bare cr", "GET / HTTP/1.1\r\nHost: x\r\n\rX", 400},
	{"final lf lf", "GET / HTTP/1.1\nHost: x\n\n", 400},

	// Request line spacing.
	{"double space after method", req("GET  / HTTP/1.1", hx), 400},
	{"double space after target", req("GET /  HTTP/1.1", hx), 400},
	{"leading space", req(" GET / HTTP/1.1", hx), 400},
	{"tab after method", req("GET\t/ HTTP/1.1", hx), 400},
	{"tab after target", "GET /\tHTTP/1.1\r\nHost: x\r\n\r\n", 400},
	{"trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
	{"method only", "GET\r\nHost: x\r\n\r\n", 400},
	{"no target", "GET \r\nHost: x\r\n\r\n", 400},
	{"http/0.9 form", "GET /\r\n\r\n", 400},

	// Method.
	{"method separator", req("GE(T / HTTP/1.1", hx), 400},
	{"method at sign", req("GET@ / HTTP/1.1", hx), 400},
	{"method nul", req("GE\x00T / HTTP/1.1", hx), 400},
	{"method non-ascii", req("G\xc3\x89T / HTTP/1.1", hx), 400},

	// Target.
	{"target control", req("GET /\x01 HTTP/1.1", hx), 400},
	{"target del", req("GET /\x7f HTTP/1.1", hx), 400},
	{"target non-ascii", req("GET /\xc3\xa9 HTTP/1.1", hx), 400},
	{"target fragment", req("GET /a#b HTTP/1.1", hx), 400},
	{"target relative", req("GET a HTTP/1.1", hx), 400},
	{"asterisk with GET", req("GET * HTTP/1.1", hx), 400},
	{"asterisk with more", req("OPTIONS *a HTTP/1.1", hx), 400},
	{"authority-form with GET", req("GET example.com:443 HTTP/1.1", hx), 400},
	{"connect origin-form", req("CONNECT / HTTP/1.1", hx), 400},
	{"connect without port", req("CONNECT example.com HTTP/1.1", hx), 400},
	{"connect empty port", req("CONNECT example.com: HTTP/1.1", hx), 400},
	{"connect port too big", req("CONNECT example.com:65536 HTTP/1.1", hx), 400},
	{"connect empty host", req("CONNECT :443 HTTP/1.1", hx), 400},
	{"connect absolute-form", req("CONNECT http://h:80/ HTTP/1.1", hx), 400},
	{"other scheme", req("GET ftp://h/ HTTP/1.1", hx), 400},
	{"scheme without slashes", req("GET http:h/ HTTP/1.1", hx), 400},
	{"absolute-form empty authority", req("GET http:// HTTP/1.1", hx), 400},
	{"absolute-form empty host", req("GET http:///p HTTP/1.1", hx), 400},
	{"absolute-form userinfo", req("GET http://user@h/ HTTP/1.1", hx), 400},
	{"absolute-form bad port", req("GET http://h:port/ HTTP/1.1", hx), 400},
	{"absolute-form without host field", "GET http://h/ HTTP/1.1\r\n\r\n", 400},

	// Version.
	{"version two-digit minor", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400},
	{"version two-digit major", "GET / HTTP/10.0\r\nHost: x\r\n\r\n", 400},
	{"version lower case", "GET / http/1.1\r\nHost: x\r\n\r\n", 400},
	{"version without minor", "GET / HTTP/1\r\nHost: x\r\n\r\n", 400},
	{"version http/2", "GET / HTTP/2\r\nHost: x\r\n\r\n", 400},
	{"version letter", "GET / HTTP/1.a\r\nHost: x\r\n\r\n", 400},
	{"version space", "GET / HTTP/ 1.1\r\nHost: x\r\n\r\n", 400},
	{"version suffix", "GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400},
	{"version other protocol", "GET / HTXP/1.1\r\nHost: x\r\n\r\n", 400},
	{"version hash for minor", "GET / HTTP/1.#\r\nHost: x\r\n\r\n", 400},
	{"version hash for major", "GET / HTTP/#.1\r\nHost: x\r\n\r\n", 400},
	{"version hashes", "GET / HTTP/#.#\r\nHost: x\r\n\r\n", 400},
	{"version 2.0", req("GET / HTTP/2.0", hx), 505},
	{"version 3.0", req("GET / HTTP/3.0", hx), 505},
	{"version 0.9", "GET / HTTP/0.9\r\n\r\n", 505},
	{"http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},

	// Field names and values.
	{"obs-fold first line", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400},
	{"obs-fold space", get(hx, "X: a\r\n", " b\r\n"), 400},
	{"obs-fold tab", get(hx, "X: a\r\n", "\tb\r\n"), 400},
	{"empty name", get(hx, ": v\r\n"), 400},
	{"space before colon", get(hx, "X : v\r\n"), 400},
	{"tab before colon", get(hx, "X\t: v\r\n"), 400},
	{"host space before colon", get("Host : x\r\n"), 400},
	{"no colon", get(hx, "X\r\n"), 400},
	{"no colon with value", get(hx, "X v\r\n"), 400},
	{"name separator", get(hx, "X(y): v\r\n"), 400},
	{"name nul", get(hx, "X\x00: v\r\n"), 400},
	{"name non-ascii", get(hx, "X\xc3\xa9: v\r\n"), 400},
	{"value nul", get(hx, "X: a\x00b\r\n"), 400},
	{"value control", get(hx, "X: a\x01\r\n"), 400},
	{"value escape", get(hx, "X: \x1b[0m\r\n"), 400},
	{"value del", get(hx, "X: a\x7fb\r\n"), 400},

	// Content-Length.
	{"content-length plus", get(hx, "Content-Length: +5\r\n"), 400},
	{"content-length minus", get(hx, "Content-Length: -5\r\n"), 400},
	{"content-length inner space", get(hx, "Content-Length: 5 5\r\n"), 400},
	{"content-length list", get(hx, "Content-Length: 2, 2\r\n"), 400},
	{"content-length list tight", get(hx, "Content-Length: 5,5\r\n"), 400},
	{"content-length hex", get(hx, "Content-Length: 0x10\r\n"), 400},
	{"content-length exponent", get(hx, "Content-Length: 1e3\r\n"), 400},
	{"content-length empty", get(hx, "Content-Length:\r\n"), 400},
	{"content-length blank", get(hx, "Content-Length:  \r\n"), 400},
	{"content-length overflow", get(hx, "Content-Length: 9223372036854775808\r\n"), 400},
	{"content-length huge", get(hx, "Content-Length: 99999999999999999999999\r\n"), 400},
	{"content-length fullwidth digit", get(hx, "Content-Length: \xef\xbc\x95\r\n"), 400},
	{"content-length twice same", get(hx, "Content-Length: 5\r\n", "Content-Length: 5\r\n"), 400},
	{"content-length twice different", get(hx, "Content-Length: 5\r\n", "content-length: 6\r\n"), 400},

	// Transfer-Encoding.
	{"te then cl", get(hx, "Transfer-Encoding: chunked\r\n", "Content-Length: 5\r\n"), 400},
	{"cl then te", get(hx, "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n"), 400},
	{"te then cl upper case", get(hx, "TRANSFER-ENCODING: CHUNKED\r\n", "CONTENT-LENGTH: 5\r\n"), 400},
	{"cl then te lower case", get(hx, "content-length: 0\r\n", "transfer-encoding: chunked\r\n"), 400},
	{"gzip te then cl", get(hx, "Transfer-Encoding: gzip\r\n", "Content-Length: 5\r\n"), 400},
	{"cl then gzip te", get(hx, "Content-Length: 5\r\n", "Transfer-Encoding: gzip\r\n"), 400},
	{"te twice", get(hx, "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\n"), 400},
	{"te twice split", get(hx, "Transfer-Encoding: gzip\r\n", "Transfer-Encoding: chunked\r\n"), 400},
	{"te gzip chunked", get(hx, "Transfer-Encoding: gzip, chunked\r\n"), 501},
	{"te chunked identity", get(hx, "Transfer-Encoding: chunked, identity\r\n"), 501},
	{"te chunked chunked", get(hx, "Transfer-Encoding: chunked, chunked\r\n"), 501},
	{"te identity", get(hx, "Transfer-Encoding: identity\r\n"), 501},
	{"te xchunked", get(hx, "Transfer-Encoding: xchunked\r\n"), 501},
	{"te chunked parameter", get(hx, "Transfer-Encoding: chunked;q=1\r\n"), 501},
	{"te leading comma", get(hx, "Transfer-Encoding: ,chunked\r\n"), 400},
	{"te trailing comma", get(hx, "Transfer-Encoding: chunked,\r\n"), 400},
	{"te empty element", get(hx, "Transfer-Encoding: gzip, ,chunked\r\n"), 400},
	{"te quoted", get(hx, "Transfer-Encoding: \"chunked\"\r\n"), 400},
	{"te quoted parameter", get(hx, "Transfer-Encoding: chunked;q=\"1\"\r\n"), 400},
	{"te empty", get(hx, "Transfer-Encoding:\r\n"), 400},
	{"te space separated", get(hx, "Transfer-Encoding: chunked chunked\r\n"), 400},
	{"te control", get(hx, "Transfer-Encoding: chunked\x0b\r\n"), 400},
	{"te nul", get(hx, "Transfer-Encoding: chunked\x00\r\n"), 400},
	{"te non-ascii", get(hx, "Transfer-Encoding: chunk\xc3\xa9d\r\n"), 400},
	{"te in http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"te before cl in http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},

	// Host.
	{"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
	{"missing host with fields", get("X: y\r\n"), 400},
	{"two hosts", get("Host: a\r\n", "Host: b\r\n"), 400},
	{"two identical hosts", get("Host: a\r\n", "host: a\r\n"), 400},
	{"two hosts http/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400},
	{"host with space", get("Host: a b\r\n"), 400},
	{"host with port letters", get("Host: h:abc\r\n"), 400},
	{"host with empty port", get("Host: h:\r\n"), 400},
	{"host port too big", get("Host: h:65536\r\n"), 400},
	{"host port too long", get("Host: h:000080\r\n"), 400},
	{"host only port", get("Host: :80\r\n"), 400},
	{"host two ports", get("Host: h:80:80\r\n"), 400},
	{"host userinfo", get("Host: user@h\r\n"), 400},
	{"host path", get("Host: h/p\r\n"), 400},
	{"host bad pct", get("Host: %zz\r\n"), 400},
	{"host short pct", get("Host: ex%4\r\n"), 400},
	{"host unclosed bracket", get("Host: [::1\r\n"), 400},
	{"host after bracket", get("Host: [::1]x\r\n"), 400},
	{"host empty brackets", get("Host: []\r\n"), 400},
	{"host ipv6 bad digit", get("Host: [::g]\r\n"), 400},
	{"host ipv6 nine groups", get("Host: [1:2:3:4:5:6:7:8:9]\r\n"), 400},
	{"host ipv6 two elisions", get("Host: [1::2::3]\r\n"), 400},
	{"host ipv6 long group", get("Host: [12345::1]\r\n"), 400},
	{"host ipv6 zone", get("Host: [fe80::1%25eth0]\r\n"), 400},
	{"host ipv6 bad ipv4", get("Host: [::1.2.3.256]\r\n"), 400},
	{"host ipv4 alone in brackets", get("Host: [1.2.3.4]\r\n"), 400},
	{"host ipvfuture empty", get("Host: [v1.]\r\n"), 400},
	{"host non-ascii", get("Host: b\xc3\xbccher.example\r\n"), 400},

	// Connection and Expect.
	{"connection bad token", get(hx, "Connection: close;x\r\n"), 400},
	{"connection space inside", get(hx, "Connection: clo se\r\n"), 400},
	{"expect other", get(hx, "Expect: foo\r\n"), 417},
	{"expect suffix", get(hx, "Expect: 100-continue-x\r\n"), 417},
	{"expect list", get(hx, "Expect: 100-continue, foo\r\n"), 417},
	{"expect empty", get(hx, "Expect:\r\n"), 417},
	{"expect other http/1.0", "GET / HTTP/1.0\r\nExpect: foo\r\n\r\n", 417},
	{"missing host before expect", "GET / HTTP/1.1\r\nExpect: foo\r\n\r\n", 400},
	{"unsupported te before expect", get(hx, "Expect: foo\r\n", "Transfer-Encoding: gzip\r\n"), 501},

	// Limits, on complete and on incomplete lines.
}

// limitTest is a head parsed under lim: refused with status, or accepted
// showing want when status is 0.
type limitTest struct {
	name, in string
	lim      Limits
	status   int
	want     string
}

var limitTests = []limitTest{
	// Each limit exactly reached.
	{"target at limit", req("GET /abcd HTTP/1.1", hx), Limits{MaxTarget: 5}, 0, "path=/abcd"},
	{"count at limit", get(hx, "A: 1\r\n"), Limits{MaxHeaderCount: 2}, 0, "fields=2"},
	{"name at limit", get(hx, "Abcde: 1\r\n"), Limits{MaxHeaderName: 5}, 0, "fields=2"},
	{"value at limit", get(hx, "A:   1234\r\n"), Limits{MaxHeaderValue: 4}, 0, "fields=2"},
	{"head at limit", get(hx), Limits{MaxHeadBytes: 27}, 0, "n=27"},
	{"head limit ignores body", get(hx) + "body", Limits{MaxHeadBytes: 27}, 0, "n=27"},

	// Each limit passed, on a complete line and on an incomplete one.
	{"target over", req("GET /abcde HTTP/1.1", hx), Limits{MaxTarget: 5}, 414, ""},
	{"target over incomplete", "GET /abcdefghijklmnop", Limits{MaxTarget: 5}, 414, ""},
	{"count over", get(hx, "A: 1\r\n", "B: 2\r\n"), Limits{MaxHeaderCount: 2}, 431, ""},
	{"count over incomplete", "GET / HTTP/1.1\r\n" + hx + "A: 1\r\nB", Limits{MaxHeaderCount: 2}, 431, ""},
	{"name over", get(hx, "Abcdef: 1\r\n"), Limits{MaxHeaderName: 5}, 431, ""},
	{"name over incomplete", "GET / HTTP/1.1\r\n" + hx + "Abcdef", Limits{MaxHeaderName: 5}, 431, ""},
	{"value over", get(hx, "A: 12345\r\n"), Limits{MaxHeaderValue: 4}, 431, ""},
	{"value over incomplete", "GET / HTTP/1.1\r\n" + hx + "A: 12345", Limits{MaxHeaderValue: 4}, 431, ""},
	{"value trailing space over", get(hx, "A: 1234 \r\n"), Limits{MaxHeaderValue: 4}, 431, ""},
	{"head over", get(hx), Limits{MaxHeadBytes: 26}, 431, ""},
	{"head over incomplete", "GET / HTTP/1.1\r\nHost: xxxxxxxxxxxx", Limits{MaxHeadBytes: 20}, 431, ""},
	{"head over in request line", "GET /" + strings.Repeat("a", 100), Limits{MaxHeadBytes: 64}, 431, ""},
	{"head over in empty lines", "\r\n\r\nGET", Limits{MaxHeadBytes: 3}, 431, ""},
}

// parseWhole parses in as one buffer.
func parseWhole(in string, lim *Limits) (int, *Request, error) {
	var p Parser
	r := new(Request)
	n, err := p.Parse([]byte(in), r, lim)
	return n, r, err
}

// checkParse parses in whole and checks it is refused with status, or
// accepted showing want when status is 0.
func checkParse(t *testing.T, in string, lim *Limits, status int, want string) {
	t.Helper()
	n, r, err := parseWhole(in, lim)
	if status == 0 {
		if err != nil || n == 0 {
			t.Fatalf("Parse(%q) = %d, %v; want a complete head", in, n, err)
		}
		checkSummary(t, n, r, want)
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("Parse(%q) = %d, %v; want status %d", in, n, err, status)
	}
	if e.Status != status || n != 0 {
		t.Errorf("Parse(%q) = %d, %d %q; want 0, status %d", in, n, e.Status, e.Reason, status)
	}
}

func TestParseAccept(t *testing.T) {
	for _, tt := range acceptTests {
		t.Run(tt.name, func(t *testing.T) { checkParse(t, tt.in, nil, 0, tt.want) })
	}
}

func TestParseRefuse(t *testing.T) {
	for _, tt := range refuseTests {
		t.Run(tt.name, func(t *testing.T) { checkParse(t, tt.in, nil, tt.status, "") })
	}
}

func TestParseLimits(t *testing.T) {
	for _, tt := range limitTests {
		t.Run(tt.name, func(t *testing.T) { checkParse(t, tt.in, &tt.lim, tt.status, tt.want) })
	}
}

// TestParseFields checks the field lines themselves, trimmed and in order.
func TestParseFields(t *testing.T) {
	in := get("Host:  example.com \r\n", "X-Empty:\r\n", "X-Tab:\t a\tb \t\r\n", "Content-Length: 5\r\n")
	_, r, err := parseWhole(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Host=example.com", "X-Empty=", "X-Tab=a\tb", "Content-Length=5"}
	if len(r.Headers) != len(want) {
		t.Fatalf("got %d fields, want %d", len(r.Headers), len(want))
	}
	for i, h := range r.Headers {
		if got := string(h.Name) + "=" + string(h.Value); got != want[i] {
			t.Errorf("field %d = %q, want %q", i, got, want[i])
		}
	}
}

// feed parses in by handing it to Parse in pieces that end at the given
// offsets. Before each call it copies the bytes to a new array and spoils
// the old one, as a connection that grows its buffer and recycles the old
// would, so a view left pointing at an old array shows.
func feed(in string, lim *Limits, ends []int) (int, *Request, error) {
	var p Parser
	r := new(Request)
	var old []byte
	for _, end := range ends {
		b := make([]byte, end, end+7)
		copy(b, in)
		for i := range old {
			old[i] = '~'
		}
		n, err := p.Parse(b, r, lim)
		if n > 0 || err != nil {
			return n, r, err
		}
		old = b
	}
	return 0, r, nil
}

// sameOutcome reports how two parses of one input differ, or "".
func sameOutcome(n1 int, r1 *Request, err1 error, n2 int, r2 *Request, err2 error) string {
	if n1 != n2 || err1 != err2 {
		return fmt.Sprintf("got %d, %v; want %d, %v", n2, err2, n1, err1)
	}
	if n1 == 0 {
		return ""
	}
	if a, b := fmt.Sprint(summary(n1, r1)), fmt.Sprint(summary(n2, r2)); a != b {
		return fmt.Sprintf("got %s, want %s", b, a)
	}
	if a, b := fmt.Sprintf("%q", r1.Headers), fmt.Sprintf("%q", r2.Headers); a != b {
		return fmt.Sprintf("got fields %s, want %s", b, a)
	}
	return ""
}

// allCases gathers the heads of every table, with their limits.
func allCases() []limitTest {
	all := append([]limitTest(nil), limitTests...)
	for _, tt := range acceptTests {
		all = append(all, limitTest{name: tt.name, in: tt.in})
	}
	for _, tt := range refuseTests {
		all = append(all, limitTest{name: tt.name, in: tt.in})
	}
	return all
}

// TestParseByteAtATime feeds every head one byte at a time and checks the
// outcome is the one of feeding it whole, views included.
func TestParseByteAtATime(t *testing.T) {
	for _, tt := range allCases() {
		t.Run(tt.name, func(t *testing.T) {
			n1, r1, err1 := parseWhole(tt.in, &tt.lim)
			ends := make([]int, len(tt.in))
			for i := range ends {
				ends[i] = i + 1
			}
			n2, r2, err2 := feed(tt.in, &tt.lim, ends)
			if d := sameOutcome(n1, r1, err1, n2, r2, err2); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestParseSplit feeds every head in two pieces, split at every offset.
func TestParseSplit(t *testing.T) {
	for _, tt := range allCases() {
		t.Run(tt.name, func(t *testing.T) {
			n1, r1, err1 := parseWhole(tt.in, &tt.lim)
			for k := 1; k < len(tt.in); k++ {
				n2, r2, err2 := feed(tt.in, &tt.lim, []int{k, len(tt.in)})
				if d := sameOutcome(n1, r1, err1, n2, r2, err2); d != "" {
					t.Fatalf("split at %d: %s", k, d)
				}
			}
		})
	}
}

// TestParseLimitEarly checks that each limit refuses at the very byte that
// goes over it, long before the line could end.
func TestParseLimitEarly(t *testing.T) {
	long := strings.Repeat("a", 200)
	const line = "GET / HTTP/1.1\r\n"
	tests := []struct {
		name   string
		in     string
		lim    Limits
		at     int // length of the input at which the refusal comes
		status int
	}{
		{"target", "GET /" + long, Limits{MaxTarget: 10}, len("GET ") + 11, 414},
		{"name", line + long, Limits{MaxHeaderName: 10}, len(line) + 11, 431},
		{"value", line + "X:  " + long, Limits{MaxHeaderValue: 10}, len(line+"X:  ") + 11, 431},
		{"count", line + "A: 1\r\nB: 2\r\nC", Limits{MaxHeaderCount: 2}, len(line + "A: 1\r\nB: 2\r\nC"), 431},
		{"head", "GET /" + long, Limits{MaxHeadBytes: 50}, 51, 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Parser
			var r Request
			for k := 1; k <= len(tt.in); k++ {
				_, err := p.Parse([]byte(tt.in[:k]), &r, &tt.lim)
				if err == nil {
					continue
				}
				if e := err.(*Error); k != tt.at || e.Status != tt.status {
					t.Fatalf("refused at length %d with %d; want at %d with %d", k, e.Status, tt.at, tt.status)
				}
				return
			}
			t.Fatalf("never refused; want status %d at length %d", tt.status, tt.at)
		})
	}
}

// TestParseNeedMore checks that every proper prefix of a valid head asks
// for more bytes.
func TestParseNeedMore(t *testing.T) {
	in := "\r\nPOST http://h/a?b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
	for k := 1; k < len(in); k++ {
		n, _, err := parseWhole(in[:k], nil)
		if n != 0 || err != nil {
			t.Fatalf("Parse(%q) = %d, %v; want 0, nil", in[:k], n, err)
		}
	}
}

// TestParseSticky checks that a finished Parser repeats its result until
// Reset, and parses a new head after it.
func TestParseSticky(t *testing.T) {
	var p Parser
	var r Request
	good := []byte(req("GET /a HTTP/1.1", hx))
	bad := []byte("GET /a HTTP/1.1\r\nHost x\r\n\r\n")

	n1, err1 := p.Parse(good, &r, nil)
	n2, err2 := p.Parse(append(good, "more"...), &r, nil)
	if n1 != len(good) || n2 != n1 || err1 != nil || err2 != nil {
		t.Errorf("got %d, %v then %d, %v; want %d, nil twice", n1, err1, n2, err2, len(good))
	}

	// A head refused on its syntax, and one refused once complete.
	for _, in := range [][]byte{bad, []byte("GET /a HTTP/1.1\r\n\r\n")} {
		p.Reset()
		r.Reset()
		_, err1 = p.Parse(in, &r, nil)
		n2, err2 = p.Parse(append(in, "more"...), &r, nil)
		if err1 == nil || err2 != err1 || n2 != 0 {
			t.Errorf("%q: got %v then %d, %v; want the same error twice", in, err1, n2, err2)
		}
	}

	p.Reset()
	r.Reset()
	if n, err := p.Parse(good, &r, nil); n != len(good) || err != nil || string(r.Path) != "/a" {
		t.Errorf("after Reset: got %d, %v, path %q; want %d, nil, /a", n, err, r.Path, len(good))
	}
}

func TestRequestReset(t *testing.T) {
	_, r, err := parseWhole(get(hx, "Content-Length: 1\r\n", "Connection: close\r\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fields := r.Headers
	r.Reset()
	if len(r.Headers) != 0 || cap(r.Headers) != cap(fields) {
		t.Errorf("Headers len %d cap %d; want 0 and %d", len(r.Headers), cap(r.Headers), cap(fields))
	}
	if fields[0].Name != nil {
		t.Errorf("old field views kept: %q", fields[0].Name)
	}
	if r.Method != nil || r.ContentLength != -1 || r.KeepAlive || r.Proto != 0 {
		t.Errorf("fields left set: %+v", r)
	}
}

func TestErrorString(t *testing.T) {
	_, _, err := parseWhole(get(hx, "Content-Length: 1\r\n", "Content-Length: 1\r\n"), nil)
	if got, want := fmt.Sprint(err), "http1: duplicate content-length"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

const browserHead = "GET /static/app/main.js?v=3f9a1c HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\r\n" +
	"Accept: */*\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"Sec-Fetch-Mode: no-cors\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"\r\n"

// serverLimits are limits of the size a server would set.
var serverLimits = &Limits{
	MaxTarget:      8192,
	MaxHeaderCount: 100,
	MaxHeaderName:  256,
	MaxHeaderValue: 8192,
	MaxHeadBytes:   64 << 10,
}

const minimalHead = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

func TestParseAllocs(t *testing.T) {
	for _, in := range []string{minimalHead, browserHead} {
		var p Parser
		r := Request{Headers: make([]Header, 0, 16)}
		b := []byte(in)
		lim := serverLimits
		allocs := testing.AllocsPerRun(100, func() {
			p.Reset()
			r.Reset()
			if n, err := p.Parse(b, &r, lim); n != len(b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%d allocations per Parse of %d bytes; want 0", int(allocs), len(b))
		}
	}
}

func TestParseRefuseAllocs(t *testing.T) {
	var p Parser
	var r Request
	b := []byte(get(hx, "Transfer-Encoding: chunked\r\n", "Content-Length: 1\r\n"))
	allocs := testing.AllocsPerRun(100, func() {
		p.Reset()
		if _, err := p.Parse(b, &r, nil); err == nil {
			t.Fatal("no error")
		}
	})
	if allocs != 0 {
		t.Errorf("%d allocations per refusal; want 0", int(allocs))
	}
}

// TestParseLinear checks that a head sent one byte at a time is not parsed
// again from its start on each call: the bytes examined stay linear.
func TestParseLinear(t *testing.T) {
	in := "GET /" + strings.Repeat("a", 5000) + " HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("b", 5000) + "\r\n\r\n"
	var p Parser
	var r Request
	b := []byte(in)
	examined := 0
	for k := 1; k <= len(b); k++ {
		before := p.i
		n, err := p.Parse(b[:k], &r, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		examined += p.i - before
	}
	if examined > len(in) {
		t.Errorf("examined %d bytes for a %d-byte head", examined, len(in))
	}
}
