package http1

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
)

func BenchmarkParse(b *testing.B) {
	lim := serverLimits
	for _, bc := range []struct{ name, head string }{
		{"browser", browserHead},
		{"minimal", minimalHead},
	} {
		b.Run(bc.name, func(b *testing.B) {
			buf := []byte(bc.head)
			var p Parser
			r := Request{Headers: make([]Header, 0, 32)}
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				p.Reset()
				r.Reset()
				if n, err := p.Parse(buf, &r, lim); n != len(buf) || err != nil {
					b.Fatalf("Parse = %d, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkParseSplit measures a browser head that arrives in two reads.
func BenchmarkParseSplit(b *testing.B) {
	buf := []byte(browserHead)
	var p Parser
	r := Request{Headers: make([]Header, 0, 32)}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		p.Reset()
		r.Reset()
		p.Parse(buf[:len(buf)/2], &r, nil)
		if n, err := p.Parse(buf, &r, nil); n != len(buf) || err != nil {
			b.Fatalf("Parse = %d, %v", n, err)
		}
	}
}

func BenchmarkChunkedRead(b *testing.B) {
	body := strings.Repeat("400\r\n"+strings.Repeat("x", 1024)+"\r\n", 16) + "0\r\n\r\n"
	sr := strings.NewReader(body)
	src := bufio.NewReaderSize(sr, 4096)
	var cr ChunkedReader
	p := make([]byte, 4096)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		sr.Reset(body)
		src.Reset(sr)
		cr.Reset(src, nil)
		for {
			if _, err := cr.Read(p); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkAppendStatusLine(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendStatusLine(buf[:0], 200)
	}
}

func BenchmarkAppendDate(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendDate(buf[:0], time.Now())
	}
}
