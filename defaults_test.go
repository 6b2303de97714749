package lane_test

// Safe defaults: a server built from the zero Config has every timeout and
// every size limit on, and the unlimited preset is reached only by asking
// for it by name.

import (
	"fmt"
	"io"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

// dfLimits lists every field of rc that bounds something: every integer
// field but BufferSize, found by reflection so that a limit added later is
// covered too.
func dfLimits(rc lane.RequestConfig) map[string]int64 {
	v := reflect.ValueOf(rc)
	out := make(map[string]int64)
	for i := range v.NumField() {
		name, f := v.Type().Field(i).Name, v.Field(i)
		if name == "BufferSize" || !f.CanInt() {
			continue
		}
		out[name] = f.Int()
	}
	return out
}

// TestDefaultsZeroConfig checks the configuration a zero Config resolves
// to: every timeout and limit positive, none turned off.
func TestDefaultsZeroConfig(t *testing.T) {
	cfg := lane.New(lane.Config{}).Config()
	for name, v := range dfLimits(cfg.Request) {
		if v <= 0 {
			t.Errorf("Request.%s = %d in a zero Config, want a positive default", name, v)
		}
	}
	rc := cfg.Request
	for _, d := range []struct {
		name string
		got  time.Duration
	}{
		{"HeaderTimeout", rc.HeaderTimeout},
		{"ReadTimeout", rc.ReadTimeout},
		{"IdleTimeout", rc.IdleTimeout},
		{"WriteTimeout", rc.WriteTimeout},
	} {
		if d.got < time.Second || d.got > 2*time.Minute {
			t.Errorf("%s = %v, want a timeout between 1s and 2m", d.name, d.got)
		}
	}
	if rc.HeaderTimeout > rc.ReadTimeout {
		t.Errorf("HeaderTimeout %v is longer than ReadTimeout %v", rc.HeaderTimeout, rc.ReadTimeout)
	}
	if cfg.MaxConnections <= 0 || cfg.ShutdownGrace <= 0 {
		t.Errorf("MaxConnections %d, ShutdownGrace %v; want both positive",
			cfg.MaxConnections, cfg.ShutdownGrace)
	}
	if want := lane.DefaultRequestConfig(); rc != want {
		t.Errorf("zero Config resolves to\n%+v\nwant DefaultRequestConfig()\n%+v", rc, want)
	}
}

// TestDefaultsUnlimitedByName checks that no limit is ever off unless the
// caller names it: the zero value, a partial struct and JSON without the
// key all get the default, and only NoLimit, UnlimitedRequestConfig or
// "preset": "unlimited" turn limits off.
func TestDefaultsUnlimitedByName(t *testing.T) {
	partial := lane.RequestConfig{MaxBodySize: 10, ReadTimeout: 3 * time.Second}
	is := func(rc lane.RequestConfig) func() (lane.RequestConfig, error) {
		return func() (lane.RequestConfig, error) { return rc, nil }
	}
	tests := []struct {
		name    string
		rc      func() (lane.RequestConfig, error)
		offWant int // limits turned off; -1 for all of them
	}{
		{"zero value", is(lane.RequestConfig{}), 0},
		{"partial struct", is(partial), 0},
		{"DefaultRequestConfig", is(lane.DefaultRequestConfig()), 0},
		{"HighSecurityRequestConfig", is(lane.HighSecurityRequestConfig()), 0},
		{"empty json", dfParse(`{}`), 0},
		{"json zeros", dfParse(`{"max_body_size": 0, "read_timeout_ms": 0}`), 0},
		{"hyperlane json", dfParse(`{"buffer_size": 8192, "max_path_size": 4096}`), 0},
		{"preset default", dfParse(`{"preset": "default"}`), 0},
		{"one NoLimit", is(lane.RequestConfig{MaxBodySize: lane.NoLimit}), 1},
		{"json -1", dfParse(`{"idle_timeout_ms": -1}`), 1},
		{"UnlimitedRequestConfig", is(lane.UnlimitedRequestConfig()), -1},
		{"preset unlimited", dfParse(`{"preset": "unlimited"}`), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := tt.rc()
			if err != nil {
				t.Fatal(err)
			}
			cfg := lane.New(lane.Config{Request: rc}).Config()
			var off []string
			limits := dfLimits(cfg.Request)
			want := tt.offWant
			if want < 0 {
				want = len(limits)
			}
			for name, v := range limits {
				if v == lane.NoLimit {
					off = append(off, name)
				}
			}
			if len(off) != want {
				t.Errorf("limits off: %v; want %d of them", off, want)
			}
		})
	}
}

// dfParse returns a function parsing doc with ParseRequestConfig.
func dfParse(doc string) func() (lane.RequestConfig, error) {
	return func() (lane.RequestConfig, error) { return lane.ParseRequestConfig([]byte(doc)) }
}

// TestDefaultsNoSilentUnlimited checks that the JSON spellings that could
// be mistaken for "no limit" are refused rather than read as it.
func TestDefaultsNoSilentUnlimited(t *testing.T) {
	for _, doc := range []string{
		`{"preset": "Unlimited"}`,
		`{"preset": "none"}`,
		`{"preset": ""}`,
		`{"preset": null}`,
		`{"max_body_size": null}`,
		`{"read_timeout_ms": -2}`,
		`{"max_header_count": -100}`,
		`{"max_body_size": "unlimited"}`,
	} {
		if rc, err := lane.ParseRequestConfig([]byte(doc)); err == nil {
			t.Errorf("ParseRequestConfig(%s) = %+v, nil; want an error", doc, rc)
		}
	}
}

// TestDefaultsHighSecurityTighter checks that the high security preset is
// at least as tight as the defaults on every limit.
func TestDefaultsHighSecurityTighter(t *testing.T) {
	def, hi := dfLimits(lane.DefaultRequestConfig()), dfLimits(lane.HighSecurityRequestConfig())
	for name, d := range def {
		if h := hi[name]; h <= 0 || h > d {
			t.Errorf("%s: high security %d, default %d; want positive and no larger", name, h, d)
		}
	}
}

// dfServer starts a server whose Config sets only the address.
func dfServer(t *testing.T) *lane.Control {
	t.Helper()
	s := lane.New(lane.Config{Address: "127.0.0.1:0"})
	s.Route("/", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return c.String(500, err.Error())
		}
		return c.String(200, strconv.Itoa(len(b)))
	})
	s.Route("/{path...}", func(c *lane.Context) lane.Status { return c.String(200, "ok") })
	return start(t, s)
}

// TestDefaultsLimitsEnforced sends requests at each default limit and one
// byte or field past it to a server configured with nothing but an
// address.
func TestDefaultsLimitsEnforced(t *testing.T) {
	ctl := dfServer(t)
	d := lane.DefaultRequestConfig()
	line := func(target string) string { return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	field := func(f string) string { return "GET / HTTP/1.1\r\nHost: x\r\n" + f + "\r\n\r\n" }
	fields := func(n int, f string) string {
		return "GET / HTTP/1.1\r\n" + strings.Repeat(f, n-1) + "Host: x\r\n\r\n"
	}
	body := func(n int64) string {
		length := "Content-Length: " + strconv.FormatInt(n, 10) + "\r\n"
		return "POST / HTTP/1.1\r\nHost: x\r\n" + length + "\r\n" + strings.Repeat("b", int(n))
	}
	tests := []struct {
		name   string
		req    string
		status int
	}{
		{"target at limit", line("/" + strings.Repeat("a", d.MaxPathSize-1)), 200},
		{"target over", line("/" + strings.Repeat("a", d.MaxPathSize)), 414},
		{"field count at limit", fields(d.MaxHeaderCount, "A: 1\r\n"), 200},
		{"field count over", fields(d.MaxHeaderCount+1, "A: 1\r\n"), 431},
		{"name at limit", field(strings.Repeat("n", d.MaxHeaderKeySize) + ": v"), 200},
		{"name over", field(strings.Repeat("n", d.MaxHeaderKeySize+1) + ": v"), 431},
		{"value at limit", field("X: " + strings.Repeat("v", d.MaxHeaderValueSize)), 200},
		{"value over", field("X: " + strings.Repeat("v", d.MaxHeaderValueSize+1)), 431},
		{"body at limit", body(d.MaxBodySize), 200},
		{"body over", body(d.MaxBodySize + 1), 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dial(t, ctl)
			go io.WriteString(rc.nc, tt.req)
			res, _ := rc.response("GET")
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
		})
	}
}

// TestDefaultsHeadBytesLimit checks the whole-head limit on its own: a
// head of exactly MaxHeaderBytes is read, one byte more is not, with
// every field within its own limits.
func TestDefaultsHeadBytesLimit(t *testing.T) {
	ctl := dfServer(t)
	limit := lane.DefaultRequestConfig().MaxHeaderBytes
	build := func(n int) string {
		// Fields of 1000 bytes, then one that makes the head n bytes long.
		b := []byte("GET / HTTP/1.1\r\nHost: x\r\n")
		for len(b)+1000+2 <= n-16 {
			b = append(b, "X: "+strings.Repeat("v", 995)+"\r\n"...)
		}
		pad := n - len(b) - len("Y: \r\n\r\n")
		return string(b) + "Y: " + strings.Repeat("v", pad) + "\r\n\r\n"
	}
	for _, tt := range []struct {
		n, status int
	}{{limit, 200}, {limit + 1, 431}} {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			req := build(tt.n)
			if len(req) != tt.n {
				t.Fatalf("built %d bytes, want %d", len(req), tt.n)
			}
			rc := dial(t, ctl)
			go io.WriteString(rc.nc, req)
			if res, _ := rc.response("GET"); res.StatusCode != tt.status {
				t.Errorf("a head of %d bytes: status %d, want %d", tt.n, res.StatusCode, tt.status)
			}
		})
	}
}

// TestDefaultsRequestsPerConnection checks that the default cap on
// requests per connection holds: the last allowed response says close.
func TestDefaultsRequestsPerConnection(t *testing.T) {
	ctl := dfServer(t)
	n := lane.DefaultRequestConfig().MaxRequestsPerConn
	rc := dial(t, ctl)
	rc.nc.SetDeadline(time.Now().Add(30 * time.Second))
	go io.WriteString(rc.nc, strings.Repeat("GET /r HTTP/1.1\r\nHost: x\r\n\r\n", n+1))
	for i := 1; i <= n; i++ {
		res, _ := rc.response("GET")
		if res.Close != (i == n) {
			t.Fatalf("response %d of %d: close %v", i, n, res.Close)
		}
	}
	if !rc.closed() {
		t.Errorf("connection open after %d requests", n)
	}
}

// TestDefaultsTimeoutsEnforced checks, at their real length, the default
// header and read timeouts on a server configured with an address only.
// The idle and write timeouts are checked by value in
// TestDefaultsZeroConfig: a minute of idling is too long for a test.
func TestDefaultsTimeoutsEnforced(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the default timeouts, about 6s")
	}
	ctl := dfServer(t)
	d := lane.DefaultRequestConfig()
	tests := []struct {
		name, head, filler string
		timeout            time.Duration
	}{
		{"header", "GET / HTTP/1.1\r\nHost: x\r\n", "X: 1\r\n", d.HeaderTimeout},
		{"body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n", "b", d.ReadTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nc, err := net.Dial("tcp", ctl.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			began := time.Now()
			go dfTrickle(nc, tt.head, tt.filler)
			nc.SetReadDeadline(began.Add(tt.timeout + 5*time.Second))
			buf := make([]byte, 12)
			_, err = io.ReadFull(nc, buf)
			took := time.Since(began)
			if err != nil || string(buf) != "HTTP/1.1 408" {
				t.Fatalf("got %q, %v; want a 408", buf, err)
			}
			if took < tt.timeout*7/8 || took > tt.timeout+2*time.Second {
				t.Errorf("408 after %v, want about %v", took, tt.timeout)
			}
		})
	}
}

// dfTrickle writes head, then filler every 100ms until a write fails.
func dfTrickle(nc net.Conn, head, filler string) {
	for s := head; ; s = filler {
		if _, err := fmt.Fprint(nc, s); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
