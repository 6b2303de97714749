package http1

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// decode reads a chunked body from in through a bufio.Reader of the given
// size, readSize bytes per Read. It returns the body, the error that ended
// it (nil for io.EOF) and the bytes left in the source after it.
func decode(in string, lim *Limits, bufSize, readSize int) (string, error, string) {
	src := bufio.NewReaderSize(strings.NewReader(in), bufSize)
	var cr ChunkedReader
	cr.Reset(src, lim)
	var body []byte
	p := make([]byte, readSize)
	for {
		n, err := cr.Read(p)
		body = append(body, p[:n]...)
		if err == io.EOF {
			rest, _ := io.ReadAll(src)
			return string(body), nil, string(rest)
		}
		if err != nil {
			return string(body), err, ""
		}
	}
}

func TestChunkedValid(t *testing.T) {
	tests := []struct {
		name, in, body string
	}{
		{"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"},
		{"empty body", "0\r\n\r\n", ""},
		{"several chunks", "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", "hello world"},
		{"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
		{"lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
		{"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"},
		{"sixteen digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", "hello"},
		{"data with crlf", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"},
		{"extension name", "5;name\r\nhello\r\n0\r\n\r\n", "hello"},
		{"extension token", "5;name=value\r\nhello\r\n0\r\n\r\n", "hello"},
		{"extensions with bws", "5 ; a = b ;c\t;\td\r\nhello\r\n0\r\n\r\n", "hello"},
		{"extension quoted", "5;a=\"q \\\" ;x\";b=c\r\nhello\r\n0\r\n\r\n", "hello"},
		{"extension quoted obs-text", "5;a=\"\xc3\xa9\"\r\nhello\r\n0\r\n\r\n", "hello"},
		{"extension on last chunk", "5\r\nhello\r\n0;x=y\r\n\r\n", "hello"},
		{"trailers", "5\r\nhello\r\n0\r\nExpires: never\r\nX:  y \r\nZ:\r\n\r\n", "hello"},
		{"trailer obs-text", "0\r\nX: caf\xc3\xa9\r\n\r\n", ""},
		{"big chunk", "1000\r\n" + strings.Repeat("x", 4096) + "\r\n0\r\n\r\n", strings.Repeat("x", 4096)},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 3, 4096} {
			body, err, rest := decode(tt.in+"NEXT", nil, 16, size)
			if err != nil || body != tt.body || rest != "NEXT" {
				t.Errorf("%s, reads of %d: got %q, %v, rest %q; want %q, nil, rest %q",
					tt.name, size, body, err, rest, tt.body, "NEXT")
			}
		}
	}
}

func TestChunkedRefuse(t *testing.T) {
	flood := "5;" + strings.Repeat("a", maxChunkLine) + "\r\nhello\r\n0\r\n\r\n"
	tests := []struct {
		name, in string
		lim      Limits
		status   int
	}{
		{"no digits", "\r\nhello\r\n0\r\n\r\n", Limits{}, 400},
		{"not hex", "x\r\n", Limits{}, 400},
		{"letter after digits", "5g\r\nhello\r\n", Limits{}, 400},
		{"leading space", " 5\r\nhello\r\n", Limits{}, 400},
		{"0x prefix", "0x5\r\nhello\r\n", Limits{}, 400},
		{"plus sign", "+5\r\nhello\r\n", Limits{}, 400},
		{"minus sign", "-5\r\nhello\r\n", Limits{}, 400},
		{"trailing space", "5 \r\nhello\r\n0\r\n\r\n", Limits{}, 400},
		{"trailing tab", "5\t\r\nhello\r\n0\r\n\r\n", Limits{}, 400},
		{"seventeen digits", "00000000000000005\r\nhello\r\n", Limits{}, 400},
		{"over int64", "8000000000000000\r\n", Limits{}, 400},
		{"all ones", "FFFFFFFFFFFFFFFF\r\n", Limits{}, 400},
		{"size bare lf", "5\nhello\r\n0\r\n\r\n", Limits{}, 400},
		{"size bare cr", "5\rhello\r\n0\r\n\r\n", Limits{}, 400},
		{"empty extension", "5;\r\nhello\r\n", Limits{}, 400},
		{"extension without name", "5;=x\r\nhello\r\n", Limits{}, 400},
		{"extension without value", "5;a=\r\nhello\r\n", Limits{}, 400},
		{"extension space after value", "5;a=b \r\nhello\r\n", Limits{}, 400},
		{"extension space after name", "5;a \r\nhello\r\n", Limits{}, 400},
		{"extension two values", "5;a=b c\r\nhello\r\n", Limits{}, 400},
		{"extension separator", "5;a(b\r\nhello\r\n", Limits{}, 400},
		{"extension nul", "5;a\x00\r\nhello\r\n", Limits{}, 400},
		{"extension bare lf", "5;a\nhello\r\n", Limits{}, 400},
		{"extension bare cr", "5;a\rhello\r\n", Limits{}, 400},
		{"quoted cr", "5;a=\"x\r\n\"\r\nhello\r\n", Limits{}, 400},
		{"quoted control", "5;a=\"x\x01\"\r\nhello\r\n", Limits{}, 400},
		{"quoted escaped control", "5;a=\"\\\x01\"\r\nhello\r\n", Limits{}, 400},
		{"text after quoted", "5;a=\"x\"y\r\nhello\r\n", Limits{}, 400},
		{"extension flood", flood, Limits{}, 400},
		{"data too long", "5\r\nhelloX\r\n0\r\n\r\n", Limits{}, 400},
		{"data too short", "5\r\nhell\r\n0\r\n\r\n", Limits{}, 400},
		{"data then bare lf", "5\r\nhello\n0\r\n\r\n", Limits{}, 400},
		{"data then bare cr", "5\r\nhello\r0\r\n\r\n", Limits{}, 400},
		{"last chunk bare lf", "0\n\r\n", Limits{}, 400},
		{"end bare lf", "0\r\n\n", Limits{}, 400},
		{"end bare cr", "0\r\n\rX", Limits{}, 400},
		{"trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n", Limits{}, 400},
		{"trailer empty name", "0\r\n: x\r\n\r\n", Limits{}, 400},
		{"trailer space before colon", "0\r\nA : b\r\n\r\n", Limits{}, 400},
		{"trailer no colon", "0\r\nA\r\n\r\n", Limits{}, 400},
		{"trailer bad name", "0\r\nA(b): c\r\n\r\n", Limits{}, 400},
		{"trailer nul", "0\r\nA: b\x00\r\n\r\n", Limits{}, 400},
		{"trailer del", "0\r\nA: b\x7f\r\n\r\n", Limits{}, 400},
		{"trailer bare lf", "0\r\nA: b\n\r\n", Limits{}, 400},
		{"trailer bare cr", "0\r\nA: b\rc\r\n\r\n", Limits{}, 400},
		{"trailer count", "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", Limits{MaxHeaderCount: 2}, 431},
		{"trailer name", "0\r\nAbcdef: 1\r\n\r\n", Limits{MaxHeaderName: 5}, 431},
		{"trailer value", "0\r\nA:  12345\r\n\r\n", Limits{MaxHeaderValue: 4}, 431},
		{"trailer section", "0\r\nA: 1234567890\r\n\r\n", Limits{MaxHeadBytes: 10}, 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{1, 4096} {
				_, err, _ := decode(tt.in, &tt.lim, 16, size)
				var e *Error
				if !errors.As(err, &e) || e.Status != tt.status {
					t.Fatalf("reads of %d: got %v, want status %d", size, err, tt.status)
				}
			}
		})
	}
}

// TestChunkedLimitsFit checks that trailer limits exactly reached and a
// chunk-size line of exactly 4096 bytes are accepted.
func TestChunkedLimitsFit(t *testing.T) {
	line := "5;" + strings.Repeat("a", maxChunkLine-len("5;\r\n")) + "\r\n"
	tests := []struct {
		name, in string
		lim      Limits
	}{
		{"size line", line + "hello\r\n0\r\n\r\n", Limits{}},
		{"trailer count", "0\r\nA: 1\r\nB: 2\r\n\r\n", Limits{MaxHeaderCount: 2}},
		{"trailer name", "0\r\nAbcde: 1\r\n\r\n", Limits{MaxHeaderName: 5}},
		{"trailer value", "0\r\nA:  1234\r\n\r\n", Limits{MaxHeaderValue: 4}},
		{"trailer section", "0\r\nA: 123456\r\n\r\n", Limits{MaxHeadBytes: 13}},
	}
	for _, tt := range tests {
		if _, err, _ := decode(tt.in, &tt.lim, 16, 64); err != nil {
			t.Errorf("%s: got %v, want nil", tt.name, err)
		}
	}
}

// TestChunkedExtensionBudget checks that extensions are bounded across a
// body, not only per line, and that data earns room for them.
func TestChunkedExtensionBudget(t *testing.T) {
	chunks := func(count int, ext string, data string) string {
		one := fmt.Sprintf("%x;%s\r\n%s\r\n", len(data), ext, data)
		return strings.Repeat(one, count) + "0\r\n\r\n"
	}
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"small extensions on tiny chunks", chunks(2000, "e=60"+strings.Repeat("x", 55), "a"), true},
		{"large extensions on large chunks", chunks(100, "e="+strings.Repeat("x", 2000), strings.Repeat("a", 2000)), true},
		{"large extensions on tiny chunks", chunks(100, "e="+strings.Repeat("x", 2000), "a"), false},
	}
	for _, tt := range tests {
		_, err, _ := decode(tt.in, nil, 4096, 4096)
		if ok := err == nil; ok != tt.ok || !ok && err != errChunkExtFlood {
			t.Errorf("%s: got %v, want accepted %v", tt.name, err, tt.ok)
		}
	}
}

func TestChunkedUnexpectedEOF(t *testing.T) {
	for _, in := range []string{
		"", "5", "5\r", "5;a", "5;a=\"x", "5\r\n", "5\r\nhel", "5\r\nhello", "5\r\nhello\r",
		"5\r\nhello\r\n", "5\r\nhello\r\n0", "0\r\n", "0\r\nA", "0\r\nA: b", "0\r\nA: b\r\n", "0\r\n\r",
	} {
		for _, size := range []int{1, 4096} {
			if _, err, _ := decode(in, nil, 16, size); err != io.ErrUnexpectedEOF {
				t.Errorf("decode(%q), reads of %d: got %v, want io.ErrUnexpectedEOF", in, size, err)
			}
		}
	}
}

// TestChunkedSticky checks that errors and the end of the body repeat.
func TestChunkedSticky(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want error
	}{
		{"0\r\n\r\n", io.EOF},
		{"5\r\nhelloX", errChunkEnd},
		{"5\r\nhel", io.ErrUnexpectedEOF},
	} {
		var cr ChunkedReader
		cr.Reset(bufio.NewReader(strings.NewReader(tt.in)), nil)
		_, _ = io.Copy(io.Discard, &cr)
		for i := 0; i < 2; i++ {
			if n, err := cr.Read(make([]byte, 8)); n != 0 || err != tt.want {
				t.Errorf("%q: got %d, %v; want 0, %v", tt.in, n, err, tt.want)
			}
		}
	}
}

// errSource fails with err after its data.
type errSource struct {
	*strings.Reader
	err error
}

func (s errSource) Read(p []byte) (int, error) {
	n, err := s.Reader.Read(p)
	if err == io.EOF {
		err = s.err
	}
	return n, err
}

func (s errSource) ReadByte() (byte, error) {
	c, err := s.Reader.ReadByte()
	if err == io.EOF {
		err = s.err
	}
	return c, err
}

func TestChunkedSourceError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"5\r\nhel", "5;a", "0\r\nA: b"} {
		var cr ChunkedReader
		cr.Reset(errSource{strings.NewReader(in), boom}, nil)
		if _, err := io.Copy(io.Discard, &cr); err != boom {
			t.Errorf("%q: got %v, want %v", in, err, boom)
		}
	}
}

func TestChunkedZeroRead(t *testing.T) {
	var cr ChunkedReader
	cr.Reset(bufio.NewReader(strings.NewReader("5\r\nhello\r\n0\r\n\r\n")), nil)
	if n, err := cr.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v; want 0, nil", n, err)
	}
	if b, err := io.ReadAll(&cr); string(b) != "hello" || err != nil {
		t.Errorf("then read %q, %v; want hello, nil", b, err)
	}
}

func TestChunkedAllocs(t *testing.T) {
	body := strings.Repeat("3;e=v\r\nabc\r\n", 20) + "0\r\nX: y\r\n\r\n"
	sr := strings.NewReader(body)
	src := bufio.NewReader(sr)
	var cr ChunkedReader
	p := make([]byte, 64)
	allocs := testing.AllocsPerRun(50, func() {
		sr.Reset(body)
		src.Reset(sr)
		cr.Reset(src, nil)
		for {
			_, err := cr.Read(p)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per body; want 0", allocs)
	}
}
