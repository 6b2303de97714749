package http1

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStatusText(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{100, "Continue"},
		{200, "OK"},
		{204, "No Content"},
		{304, "Not Modified"},
		{308, "Permanent Redirect"},
		{400, "Bad Request"},
		{413, "Content Too Large"},
		{414, "URI Too Long"},
		{417, "Expectation Failed"},
		{421, "Misdirected Request"},
		{422, "Unprocessable Content"},
		{429, "Too Many Requests"},
		{431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{505, "HTTP Version Not Supported"},
		{306, ""},
		{418, ""},
		{599, ""},
		{0, ""},
		{-1, ""},
		{1000, ""},
	}
	for _, tt := range tests {
		if got := StatusText(tt.code); got != tt.want {
			t.Errorf("StatusText(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestAppendStatusLine(t *testing.T) {
	for code := 100; code <= 999; code++ {
		want := fmt.Sprintf("HTTP/1.1 %d %s\r\n", code, StatusText(code))
		if StatusText(code) == "" {
			want = fmt.Sprintf("HTTP/1.1 %d status code %d\r\n", code, code)
		}
		if got := string(AppendStatusLine([]byte("x"), code)); got != "x"+want {
			t.Errorf("AppendStatusLine(%d) = %q, want %q", code, got, "x"+want)
		}
	}
	for _, code := range []int{-1, 0, 99, 1000} {
		if got, want := string(AppendStatusLine(nil, code)), "HTTP/1.1 500 Internal Server Error\r\n"; got != want {
			t.Errorf("AppendStatusLine(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestDateLine(t *testing.T) {
	for _, s := range []string{
		"1994-11-06T08:49:37Z",
		"2000-02-29T23:59:59Z",
		"2026-01-01T00:00:00Z",
		"2038-01-19T03:14:08Z",
		"1970-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z",
		"2024-06-30T12:00:00+02:00",
	} {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		want := "Date: " + tm.UTC().Format(http.TimeFormat) + "\r\n"
		if got := string(newDateLine(tm).line[:]); got != want {
			t.Errorf("date line of %s = %q, want %q", s, got, want)
		}
	}
}

func TestAppendDate(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Second)
	got := string(AppendDate([]byte("x"), time.Now()))
	after := time.Now().UTC()
	for tm := before; !tm.After(after); tm = tm.Add(time.Second) {
		if got == "xDate: "+tm.Format(http.TimeFormat)+"\r\n" {
			return
		}
	}
	t.Errorf("AppendDate = %q, want the time between %v and %v", got, before, after)
}

// TestAppendDateConcurrent calls AppendDate from many goroutines across a
// second boundary; run with -race.
func TestAppendDateConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	deadline := time.Now().Add(1100 * time.Millisecond)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b []byte
			for time.Now().Before(deadline) {
				b = AppendDate(b[:0], time.Now())
				if len(b) != len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n") || !strings.HasSuffix(string(b), " GMT\r\n") {
					t.Errorf("bad date line %q", b)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestValidHeaderName(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Content-Type", true},
		{"x", true},
		{"!#$%&'*+-.^_`|~09azAZ", true},
		{"", false},
		{"A B", false},
		{"A:", false},
		{"A\r\nB", false},
		{"A\x00", false},
		{"Ä", false},
		{"(a)", false},
		{"a\t", false},
	}
	for _, tt := range tests {
		if got := ValidHeaderName(tt.s); got != tt.want {
			t.Errorf("ValidHeaderName(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestValidHeaderValue(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", true},
		{"text/html; charset=utf-8", true},
		{"a\tb", true},
		{" padded ", true},
		{"caf\xc3\xa9 \xff", true},
		{"a\r\nSet-Cookie: x", false},
		{"a\rb", false},
		{"a\nb", false},
		{"a\x00b", false},
		{"a\x01", false},
		{"\x1f", false},
		{"a\x7f", false},
	}
	for _, tt := range tests {
		if got := ValidHeaderValue(tt.s); got != tt.want {
			t.Errorf("ValidHeaderValue(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestAppendChunkHeader(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0\r\n"},
		{1, "1\r\n"},
		{255, "ff\r\n"},
		{4096, "1000\r\n"},
		{1<<31 - 1, "7fffffff\r\n"},
	}
	for _, tt := range tests {
		if got := string(AppendChunkHeader([]byte("x"), tt.n)); got != "x"+tt.want {
			t.Errorf("AppendChunkHeader(%d) = %q, want %q", tt.n, got, "x"+tt.want)
		}
	}

	defer func() {
		if recover() == nil {
			t.Error("AppendChunkHeader(-1) did not panic")
		}
	}()
	AppendChunkHeader(nil, -1)
}

func TestBodyAllowed(t *testing.T) {
	tests := []struct {
		code int
		want bool
	}{
		{100, false}, {101, false}, {103, false}, {199, false},
		{200, true}, {201, true}, {204, false}, {206, true},
		{301, true}, {304, false}, {404, true}, {500, true},
	}
	for _, tt := range tests {
		if got := BodyAllowed(tt.code); got != tt.want {
			t.Errorf("BodyAllowed(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestResponseAllocs(t *testing.T) {
	b := make([]byte, 0, 256)
	AppendDate(nil, time.Now()) // the first call of a second formats the line
	allocs := testing.AllocsPerRun(100, func() {
		b = AppendStatusLine(b[:0], 200)
		b = AppendStatusLine(b, 799)
		b = AppendChunkHeader(b, 1234)
	})
	if allocs != 0 {
		t.Errorf("%v allocations; want 0", allocs)
	}

	// A second boundary may fall inside the run; allow its one line.
	allocs = testing.AllocsPerRun(1000, func() { b = AppendDate(b[:0], time.Now()) })
	if allocs > 0.01 {
		t.Errorf("AppendDate: %v allocations per call; want 0", allocs)
	}
}
