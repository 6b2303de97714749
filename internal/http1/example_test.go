package http1_test

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/lanehttp/lane/internal/http1"
)

// A head that arrives in two reads is parsed as it arrives; the second
// call goes on where the first stopped.
func ExampleParser_Parse() {
	in := "POST /items?id=7 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello"
	lim := &http1.Limits{MaxTarget: 8192, MaxHeaderCount: 100, MaxHeadBytes: 16 << 10}
	var p http1.Parser
	var r http1.Request

	for _, end := range []int{20, len(in)} {
		n, err := p.Parse([]byte(in[:end]), &r, lim)
		if err != nil {
			fmt.Println("refused:", err.(*http1.Error).Status)
			return
		}
		if n == 0 {
			fmt.Println("need more bytes")
			continue
		}
		fmt.Printf("%s %s query=%s host=%s length=%d body=%q\n",
			r.Method, r.Path, r.Query, r.Host, r.ContentLength, in[n:])
	}
	// Output:
	// need more bytes
	// POST /items query=id=7 host=example.com length=5 body="hello"
}

func ExampleChunkedReader() {
	src := bufio.NewReader(strings.NewReader("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nExpires: 0\r\n\r\nGET / HTTP/1.1\r\n"))
	var cr http1.ChunkedReader
	cr.Reset(src, nil)
	body, err := io.ReadAll(&cr)
	next, _ := src.ReadString('\n')
	fmt.Printf("%q %v %q\n", body, err, next)
	// Output: "hello, world" <nil> "GET / HTTP/1.1\r\n"
}

func ExampleAppendStatusLine() {
	b := http1.AppendStatusLine(nil, 404)
	b = append(b, "Content-Length: 0\r\n\r\n"...)
	fmt.Printf("%q\n", b)
	// Output: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
}
