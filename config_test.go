package lane

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The two documents that Hyperlane's users write, which must load as is.
const (
	cfgTestHyperlaneServer  = `{ "address": "0.0.0.0:80", "nodelay": true, "ttl": 64 }`
	cfgTestHyperlaneRequest = `{ "buffer_size": 8192, "max_path_size": 8192, "max_header_count": 100,
  "max_header_key_size": 8192, "max_header_value_size": 8192,
  "max_body_size": 2097152, "read_timeout_ms": 6000 }`
)

// cfgTestKeys lists every JSON key, written out here rather than taken from
// the code so that a key renamed there fails a test.
var (
	cfgTestConfigKeys = []string{
		"name", "address", "nodelay", "ttl", "reuse_port", "max_connections",
		"shutdown_grace_ms", "request",
	}
	cfgTestRequestKeys = []string{
		"buffer_size", "max_path_size", "max_header_count", "max_header_key_size",
		"max_header_value_size", "max_header_bytes", "max_body_size", "read_timeout_ms",
		"header_timeout_ms", "idle_timeout_ms", "write_timeout_ms",
		"max_requests_per_connection",
	}
)

// cfgTestFull returns a Config with every JSON field set to a value other
// than its default.
func cfgTestFull() Config {
	return Config{
		Name:           "public",
		Address:        "[::1]:8443",
		NoDelay:        new(false),
		TTL:            128,
		ReusePort:      true,
		MaxConnections: 512,
		ShutdownGrace:  30 * time.Second,
		Request: RequestConfig{
			BufferSize:         1024,
			MaxPathSize:        1000,
			MaxHeaderCount:     20,
			MaxHeaderKeySize:   300,
			MaxHeaderValueSize: 3000,
			MaxHeaderBytes:     30000,
			MaxBodySize:        5 << 30,
			ReadTimeout:        7 * time.Second,
			HeaderTimeout:      1500 * time.Millisecond,
			IdleTimeout:        2 * time.Minute,
			WriteTimeout:       90 * time.Second,
			MaxRequestsPerConn: 77,
		},
	}
}

func TestConfigHyperlaneDocuments(t *testing.T) {
	wantReq := RequestConfig{
		BufferSize:         8192,
		MaxPathSize:        8192,
		MaxHeaderCount:     100,
		MaxHeaderKeySize:   8192,
		MaxHeaderValueSize: 8192,
		MaxBodySize:        2097152,
		ReadTimeout:        6 * time.Second,
	}

	t.Run("server", func(t *testing.T) {
		got, err := ParseConfig([]byte(cfgTestHyperlaneServer))
		if err != nil {
			t.Fatalf("ParseConfig: %v", err)
		}
		want := Config{Address: "0.0.0.0:80", NoDelay: new(true), TTL: 64}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("request", func(t *testing.T) {
		got, err := ParseRequestConfig([]byte(cfgTestHyperlaneRequest))
		if err != nil {
			t.Fatalf("ParseRequestConfig: %v", err)
		}
		if got != wantReq {
			t.Errorf("got %+v, want %+v", got, wantReq)
		}
	})
	t.Run("request nested", func(t *testing.T) {
		got, err := ParseConfig([]byte(`{"request": ` + cfgTestHyperlaneRequest + `}`))
		if err != nil {
			t.Fatalf("ParseConfig: %v", err)
		}
		if got.Request != wantReq {
			t.Errorf("got %+v, want %+v", got.Request, wantReq)
		}
	})
}

func TestConfigJSONRoundTrip(t *testing.T) {
	unlimited := Config{
		MaxConnections: NoLimit,
		ShutdownGrace:  NoLimit,
		Request:        UnlimitedRequestConfig(),
	}
	resolved := Config{}.Resolved()
	resolved.Logger = nil // not in JSON
	tests := []struct {
		name string
		c    Config
	}{
		{"zero", Config{}},
		{"full", cfgTestFull()},
		{"unlimited", unlimited},
		{"resolved", resolved},
		{"nodelay false only", Config{NoDelay: new(false)}},
		{"hyperlane", Config{Address: "0.0.0.0:80", NoDelay: new(true), TTL: 64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.c)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := ParseConfig(data)
			if err != nil {
				t.Fatalf("ParseConfig(%s): %v", data, err)
			}
			if !reflect.DeepEqual(got, tt.c) {
				t.Errorf("ParseConfig(%s)\n got %+v\nwant %+v", data, got, tt.c)
			}

			rdata, err := json.Marshal(tt.c.Request)
			if err != nil {
				t.Fatalf("Marshal request: %v", err)
			}
			rgot, err := ParseRequestConfig(rdata)
			if err != nil {
				t.Fatalf("ParseRequestConfig(%s): %v", rdata, err)
			}
			if rgot != tt.c.Request {
				t.Errorf("ParseRequestConfig(%s)\n got %+v\nwant %+v", rdata, rgot, tt.c.Request)
			}
		})
	}
}

func TestConfigMarshalKeys(t *testing.T) {
	data, err := json.Marshal(cfgTestFull())
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(top["request"], &req); err != nil {
		t.Fatalf("Unmarshal request: %v", err)
	}

	tests := []struct {
		name string
		obj  map[string]json.RawMessage
		want []string
	}{
		{"config", top, cfgTestConfigKeys},
		{"request", req, cfgTestRequestKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Sorted(func(yield func(string) bool) {
				for k := range tt.obj {
					if !yield(k) {
						return
					}
				}
			})
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("keys of %s\n got %q\nwant %q", data, got, want)
			}
		})
	}
}

func TestConfigMarshalValues(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want string
	}{
		{"zero writes nothing", Config{}, `{}`},
		{"nodelay false is kept", Config{NoDelay: new(false)}, `{"nodelay":false}`},
		{"no limit is -1", Config{ShutdownGrace: NoLimit}, `{"shutdown_grace_ms":-1}`},
		{"milliseconds", Config{ShutdownGrace: 1500 * time.Millisecond}, `{"shutdown_grace_ms":1500}`},
		{"rounds up", Config{ShutdownGrace: 1500 * time.Microsecond}, `{"shutdown_grace_ms":2}`},
		{"never zero", Config{ShutdownGrace: time.Nanosecond}, `{"shutdown_grace_ms":1}`},
		{
			"request",
			Config{Request: RequestConfig{ReadTimeout: NoLimit, MaxBodySize: 10}},
			`{"request":{"max_body_size":10,"read_timeout_ms":-1}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.c)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestConfigMarshalInvalid(t *testing.T) {
	tests := []struct {
		name string
		v    any
		key  string
	}{
		{"config", Config{TTL: 256}, `"ttl"`},
		{"nested", Config{Request: RequestConfig{WriteTimeout: -time.Millisecond}},
			`"request.write_timeout_ms"`},
		{"request", RequestConfig{MaxHeaderCount: -3}, `"max_header_count"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := json.Marshal(tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("got error %v, want one naming %s", err, tt.key)
			}
		})
	}
}

func TestConfigUnmarshalJSON(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	base := Config{Address: ":9000", Logger: logger, Request: RequestConfig{MaxBodySize: 99}}

	t.Run("overlays present keys", func(t *testing.T) {
		c := base
		if err := json.Unmarshal([]byte(`{"ttl": 3, "request": {"buffer_size": 512}}`), &c); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		want := base
		want.TTL = 3
		want.Request.BufferSize = 512
		if !reflect.DeepEqual(c, want) {
			t.Errorf("got %+v, want %+v", c, want)
		}
	})
	t.Run("preset replaces request", func(t *testing.T) {
		c := base
		if err := json.Unmarshal([]byte(`{"request": {"preset": "default"}}`), &c); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if c.Request != DefaultRequestConfig() {
			t.Errorf("got %+v, want %+v", c.Request, DefaultRequestConfig())
		}
	})
	t.Run("error leaves it unchanged", func(t *testing.T) {
		c := base
		err := json.Unmarshal([]byte(`{"address": ":1", "ttl": 999}`), &c)
		if err == nil || !strings.Contains(err.Error(), `"ttl"`) {
			t.Fatalf("got error %v, want one naming \"ttl\"", err)
		}
		if !reflect.DeepEqual(c, base) {
			t.Errorf("got %+v, want it unchanged: %+v", c, base)
		}
	})
	t.Run("inside another document", func(t *testing.T) {
		var doc struct {
			Servers []Config `json:"servers"`
		}
		err := json.Unmarshal([]byte(`{"servers": [{"ttl": 1}, {"tll": 2}]}`), &doc)
		if err == nil || !strings.Contains(err.Error(), `unknown key "tll"`) {
			t.Errorf("got error %v, want one naming \"tll\"", err)
		}
	})
	t.Run("request config", func(t *testing.T) {
		rc := RequestConfig{MaxBodySize: 99}
		if err := json.Unmarshal([]byte(`{"max_path_size": 10}`), &rc); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		want := RequestConfig{MaxBodySize: 99, MaxPathSize: 10}
		if rc != want {
			t.Errorf("got %+v, want %+v", rc, want)
		}
	})
}

func TestConfigResolvedDefaults(t *testing.T) {
	got := Config{}.Resolved()

	if got.NoDelay == nil || !*got.NoDelay {
		t.Errorf("NoDelay: got %v, want pointer to true", got.NoDelay)
	}
	if got.Logger != slog.Default() {
		t.Errorf("Logger: got %p, want slog.Default() %p", got.Logger, slog.Default())
	}
	got.NoDelay, got.Logger = nil, nil
	want := Config{
		Name:           "127.0.0.1:8080",
		Address:        "127.0.0.1:8080",
		MaxConnections: 10000,
		ShutdownGrace:  10 * time.Second,
		Request: RequestConfig{
			BufferSize:         4096,
			MaxPathSize:        8192,
			MaxHeaderCount:     100,
			MaxHeaderKeySize:   8192,
			MaxHeaderValueSize: 8192,
			MaxHeaderBytes:     65536,
			MaxBodySize:        2097152,
			ReadTimeout:        6 * time.Second,
			HeaderTimeout:      5 * time.Second,
			IdleTimeout:        60 * time.Second,
			WriteTimeout:       10 * time.Second,
			MaxRequestsPerConn: 10000,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Config{}.Resolved()\n got %+v\nwant %+v", got, want)
	}
	if rc := (RequestConfig{}).Resolved(); rc != want.Request {
		t.Errorf("RequestConfig{}.Resolved()\n got %+v\nwant %+v", rc, want.Request)
	}
}

func TestConfigResolvedKeeps(t *testing.T) {
	tests := []struct {
		name string
		c    Config
	}{
		{"full", cfgTestFull()},
		{"unlimited", Config{
			Name: "n", Address: ":1", NoDelay: new(true), MaxConnections: NoLimit,
			ShutdownGrace: NoLimit, Request: UnlimitedRequestConfig(),
		}},
		{"resolved", Config{}.Resolved()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.Resolved()
			want := tt.c
			if want.Logger == nil {
				want.Logger = slog.Default()
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Resolved\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestConfigResolvedNameFollowsAddress(t *testing.T) {
	got := Config{Address: ":0"}.Resolved().Name
	if got != ":0" {
		t.Errorf("Name: got %q, want %q", got, ":0")
	}
}

func TestConfigResolvedDoesNotMutate(t *testing.T) {
	c := cfgTestFull()
	noDelay := c.NoDelay
	before := c
	beforeReq := c.Request

	r := c.Resolved()
	*r.NoDelay = true
	r.Request.MaxBodySize = 1
	r.Name = "changed"

	if c.NoDelay != noDelay || *c.NoDelay {
		t.Errorf("caller's NoDelay: got %p (%v), want %p (false)", c.NoDelay, *c.NoDelay, noDelay)
	}
	if c.Request != beforeReq {
		t.Errorf("caller's Request: got %+v, want %+v", c.Request, beforeReq)
	}
	if !reflect.DeepEqual(c, before) {
		t.Errorf("caller's Config: got %+v, want %+v", c, before)
	}

	// A nil NoDelay must not be filled in place either.
	var z Config
	_ = z.Resolved()
	if z.NoDelay != nil || z.Logger != nil || z.Address != "" {
		t.Errorf("zero Config changed by Resolved: %+v", z)
	}
}

func TestRequestConfigResolvedHeaderTimeout(t *testing.T) {
	tests := []struct {
		name       string
		read, head time.Duration
		want       time.Duration
	}{
		{"defaults", 0, 0, 5 * time.Second},
		{"short read caps default head", 2 * time.Second, 0, 2 * time.Second},
		{"longer head capped", 4 * time.Second, 9 * time.Second, 4 * time.Second},
		{"unlimited head capped", 4 * time.Second, NoLimit, 4 * time.Second},
		{"shorter head kept", 4 * time.Second, time.Second, time.Second},
		{"unlimited read keeps head", NoLimit, 9 * time.Second, 9 * time.Second},
		{"both unlimited", NoLimit, NoLimit, NoLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := RequestConfig{ReadTimeout: tt.read, HeaderTimeout: tt.head}.Resolved()
			if rc.HeaderTimeout != tt.want {
				t.Errorf("HeaderTimeout: got %v, want %v", rc.HeaderTimeout, tt.want)
			}
			if again := rc.Resolved(); again != rc {
				t.Errorf("Resolved twice: got %+v, want %+v", again, rc)
			}
		})
	}
}

func TestRequestConfigPresets(t *testing.T) {
	tests := []struct {
		name string
		got  RequestConfig
		want RequestConfig
	}{
		{"default", DefaultRequestConfig(), RequestConfig{
			BufferSize: 4096, MaxPathSize: 8192, MaxHeaderCount: 100,
			MaxHeaderKeySize: 8192, MaxHeaderValueSize: 8192, MaxHeaderBytes: 65536,
			MaxBodySize: 2097152, ReadTimeout: 6 * time.Second, HeaderTimeout: 5 * time.Second,
			IdleTimeout: time.Minute, WriteTimeout: 10 * time.Second, MaxRequestsPerConn: 10000,
		}},
		{"high_security", HighSecurityRequestConfig(), RequestConfig{
			BufferSize: 4096, MaxPathSize: 2048, MaxHeaderCount: 50,
			MaxHeaderKeySize: 256, MaxHeaderValueSize: 4096, MaxHeaderBytes: 16384,
			MaxBodySize: 1048576, ReadTimeout: 5 * time.Second, HeaderTimeout: 3 * time.Second,
			IdleTimeout: 15 * time.Second, WriteTimeout: 5 * time.Second, MaxRequestsPerConn: 1000,
		}},
		{"unlimited", UnlimitedRequestConfig(), RequestConfig{
			BufferSize: 4096, MaxPathSize: -1, MaxHeaderCount: -1,
			MaxHeaderKeySize: -1, MaxHeaderValueSize: -1, MaxHeaderBytes: -1,
			MaxBodySize: -1, ReadTimeout: -1, HeaderTimeout: -1,
			IdleTimeout: -1, WriteTimeout: -1, MaxRequestsPerConn: -1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("preset\n got %+v\nwant %+v", tt.got, tt.want)
			}
			if err := tt.got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if r := tt.got.Resolved(); r != tt.got {
				t.Errorf("Resolved changed the preset\n got %+v\nwant %+v", r, tt.got)
			}

			// The preset by name in JSON, with a key before it that the
			// preset must not override.
			doc := `{"max_body_size": 5, "preset": "` + tt.name + `"}`
			rc, err := ParseRequestConfig([]byte(doc))
			if err != nil {
				t.Fatalf("ParseRequestConfig(%s): %v", doc, err)
			}
			want := tt.want
			want.MaxBodySize = 5
			if rc != want {
				t.Errorf("ParseRequestConfig(%s)\n got %+v\nwant %+v", doc, rc, want)
			}

			c, err := ParseConfig([]byte(`{"request": {"preset": "` + tt.name + `"}}`))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if c.Request != tt.want {
				t.Errorf("ParseConfig request\n got %+v\nwant %+v", c.Request, tt.want)
			}
		})
	}
}

// TestRequestConfigLimitValues checks that 0 in JSON means the default and
// -1 means no limit; other negative values are in the error tables.
func TestRequestConfigLimitValues(t *testing.T) {
	unlimited := DefaultRequestConfig()
	unlimited.MaxBodySize, unlimited.IdleTimeout = NoLimit, NoLimit
	tests := []struct {
		name string
		doc  string
		want RequestConfig // after Resolved
	}{
		{"zero means default", `{"max_body_size": 0, "idle_timeout_ms": 0}`, DefaultRequestConfig()},
		{"-1 means no limit", `{"max_body_size": -1, "idle_timeout_ms": -1}`, unlimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := ParseRequestConfig([]byte(tt.doc))
			if err != nil {
				t.Fatalf("ParseRequestConfig: %v", err)
			}
			if got := rc.Resolved(); got != tt.want {
				t.Errorf("resolved\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// cfgTestErrors runs parse over each document and checks that the error
// contains want.
func cfgTestErrors(t *testing.T, parse func([]byte) error, tests []cfgErrorTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

type cfgErrorTest struct {
	name string
	doc  string
	want string
}

func TestConfigParseErrors(t *testing.T) {
	cfgTestErrors(t, func(data []byte) error {
		_, err := ParseConfig(data)
		return err
	}, []cfgErrorTest{
		// Keys.
		{"unknown key", `{"nodelay2": true}`, `lane: config: unknown key "nodelay2"`},
		{"unknown key by case", `{"Address": ":80"}`, `unknown key "Address"`},
		{"unknown nested key", `{"request": {"max_body": 1}}`, `unknown key "request.max_body"`},
		{"preset at top level", `{"preset": "default"}`, `unknown key "preset"`},
		{"duplicate key", `{"ttl": 1, "ttl": 2}`, `duplicate key "ttl"`},
		{"duplicate nested key", `{"request": {"buffer_size": 1, "buffer_size": 2}}`,
			`duplicate key "request.buffer_size"`},
		{"duplicate object key", `{"request": {}, "request": {}}`, `duplicate key "request"`},

		// Types.
		{"wrong type", `{"nodelay": "yes"}`, `lane: config: "nodelay": want a boolean, got string`},
		{"string for integer", `{"ttl": "64"}`, `"ttl": want an integer, got string`},
		{"boolean for integer", `{"max_connections": true}`,
			`"max_connections": want an integer, got boolean`},
		{"fraction", `{"ttl": 1.5}`, `"ttl": want an integer, got number 1.5`},
		{"array for string", `{"address": [":80"]}`, `"address": want a string, got array`},
		{"number for string", `{"name": 5}`, `"name": want a string, got number`},
		{"nested wrong type", `{"request": {"max_body_size": "1MB"}}`,
			`"request.max_body_size": want an integer, got string`},
		{"request not an object", `{"request": 5}`, `"request": want an object, got number`},
		{"null", `{"nodelay": null}`, `"nodelay": want a boolean, got null`},
		{"nested null", `{"request": {"read_timeout_ms": null}}`,
			`"request.read_timeout_ms": want an integer, got null`},
		{"null object", `{"request": null}`, `"request": want an object, got null`},
		{"too large", `{"max_connections": 99999999999999999999}`,
			`"max_connections": 99999999999999999999 is out of range`},

		// Values.
		{"nested negative", `{"request": {"max_header_count": -7}}`,
			`"request.max_header_count" must be positive or -1, got -7`},
		{"negative connections", `{"max_connections": -2}`,
			`"max_connections" must be positive or -1, got -2`},
		{"negative grace", `{"shutdown_grace_ms": -3}`,
			`"shutdown_grace_ms" must be positive or -1, got -3ms`},
		{"ttl too large", `{"ttl": 300}`, `lane: config: "ttl" must be 0..255, got 300`},
		{"ttl negative", `{"ttl": -1}`, `"ttl" must be 0..255, got -1`},
		{"bad preset", `{"request": {"preset": "fast"}}`,
			`"request.preset" must be "default", "high_security" or "unlimited", got "fast"`},
		{"address without port", `{"address": "127.0.0.1"}`,
			`"address" must be host:port (missing port in address)`},
		{"address port too large", `{"address": "127.0.0.1:65536"}`,
			`"address" has a bad port "65536"`},
		{"address port empty", `{"address": "127.0.0.1:"}`, `"address" has a bad port ""`},
		{"address bad service", `{"address": "127.0.0.1:-http"}`,
			`"address" has a bad port "-http"`},
		{"address bad host", `{"address": "local host:80"}`,
			`"address" has a bad host "local host"`},
		{"address unbracketed IPv6", `{"address": "::1:80"}`, `"address" must be host:port`},

		// The document as a whole.
		{"trailing data", `{"ttl": 1} {"ttl": 2}`, "lane: config: trailing data"},
		{"array", `[{"ttl": 1}]`, "want a JSON object, got array"},
		{"top null", `null`, "want a JSON object, got null"},
		{"empty", ``, "empty input"},
		{"blank", " \n ", "empty input"},
		{"truncated", `{"ttl": `, "unexpected end of input"},
		{"syntax", "{\n  \"ttl\": 1,\n  \"name\": x}", "line 3, column 11: invalid character 'x'"},
	})
}

func TestRequestConfigParseErrors(t *testing.T) {
	cfgTestErrors(t, func(data []byte) error {
		_, err := ParseRequestConfig(data)
		return err
	}, []cfgErrorTest{
		{"unknown key", `{"ttl": 1}`, `lane: request config: unknown key "ttl"`},
		{"duplicate key", `{"preset": "default", "preset": "unlimited"}`, `duplicate key "preset"`},
		{"wrong type", `{"buffer_size": "4k"}`, `"buffer_size": want an integer, got string`},
		{"preset wrong type", `{"preset": 1}`, `"preset": want a string, got number`},
		{"preset by case", `{"preset": "Default"}`, `"preset" must be`},
		{"negative", `{"max_body_size": -5}`,
			`lane: request config: "max_body_size" must be positive or -1, got -5`},
		{"too many milliseconds", `{"write_timeout_ms": 9223372036855}`,
			`"write_timeout_ms" must be at most 9223372036854`},
		{"-2 ms", `{"idle_timeout_ms": -2}`, `"idle_timeout_ms" must be positive or -1, got -2ms`},
		{"buffer -1", `{"buffer_size": -1}`, `"buffer_size" must be positive, got -1`},
		{"trailing garbage", `{} x`, "lane: request config: trailing data"},
		{"string", `"x"`, "want a JSON object, got string"},
	})
}

func TestConfigParseReturnsZeroOnError(t *testing.T) {
	c, err := ParseConfig([]byte(`{"address": ":80", "ttl": 300}`))
	if err == nil {
		t.Fatal("got no error, want one")
	}
	if !reflect.DeepEqual(c, Config{}) {
		t.Errorf("got %+v, want the zero Config", c)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want string // "" for valid
	}{
		{"zero", Config{}, ""},
		{"resolved", Config{}.Resolved(), ""},
		{"full", cfgTestFull(), ""},
		{"unlimited", Config{
			MaxConnections: NoLimit, ShutdownGrace: NoLimit, Request: UnlimitedRequestConfig(),
		}, ""},
		{"any port", Config{Address: ":0"}, ""},
		{"all interfaces", Config{Address: "0.0.0.0:80"}, ""},
		{"IPv6", Config{Address: "[::1]:8080"}, ""},
		{"IPv6 zone", Config{Address: "[fe80::1%eth0]:8080"}, ""},
		{"host name", Config{Address: "example.com:443"}, ""},
		{"service name", Config{Address: "localhost:http"}, ""},
		{"top port", Config{Address: ":65535"}, ""},
		{"ttl edge", Config{TTL: 255}, ""},
		{"ttl", Config{TTL: 300}, `lane: config: "ttl" must be 0..255, got 300`},
		{"connections", Config{MaxConnections: -2},
			`lane: config: "max_connections" must be positive or -1, got -2`},
		{"grace", Config{ShutdownGrace: -time.Second},
			`lane: config: "shutdown_grace_ms" must be positive or -1, got -1s`},
		{"address", Config{Address: "80"},
			`lane: config: "address" must be host:port (missing port in address), got "80"`},
		{"port", Config{Address: ":99999"},
			`lane: config: "address" has a bad port "99999", want 0..65535 or a service name`},
		{"service too long", Config{Address: ":abcdefghijklmnop"}, `has a bad port "abcdefghijklmnop"`},
		{"service double hyphen", Config{Address: ":a--b"}, `has a bad port "a--b"`},
		{"host", Config{Address: "a/b:80"}, `lane: config: "address" has a bad host "a/b"`},
		{"nested", Config{Request: RequestConfig{MaxBodySize: -5}},
			`lane: config: "request.max_body_size" must be positive or -1, got -5`},
		{"first invalid wins", Config{TTL: 300, MaxConnections: -2}, `"ttl"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRequestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		rc   RequestConfig
		want string // "" for valid
	}{
		{"zero", RequestConfig{}, ""},
		{"body", RequestConfig{MaxBodySize: -5},
			`lane: request config: "max_body_size" must be positive or -1, got -5`},
		{"buffer", RequestConfig{BufferSize: NoLimit},
			`lane: request config: "buffer_size" must be positive, got -1`},
		{"path", RequestConfig{MaxPathSize: -2}, `"max_path_size"`},
		{"count", RequestConfig{MaxHeaderCount: -2}, `"max_header_count"`},
		{"key", RequestConfig{MaxHeaderKeySize: -2}, `"max_header_key_size"`},
		{"value", RequestConfig{MaxHeaderValueSize: -2}, `"max_header_value_size"`},
		{"head", RequestConfig{MaxHeaderBytes: -2}, `"max_header_bytes"`},
		{"read", RequestConfig{ReadTimeout: -time.Millisecond},
			`"read_timeout_ms" must be positive or -1, got -1ms`},
		{"header", RequestConfig{HeaderTimeout: -2}, `"header_timeout_ms"`},
		{"idle", RequestConfig{IdleTimeout: -2}, `"idle_timeout_ms"`},
		{"write", RequestConfig{WriteTimeout: -2}, `"write_timeout_ms"`},
		{"requests", RequestConfig{MaxRequestsPerConn: -2}, `"max_requests_per_connection"`},
		{"first invalid wins", RequestConfig{MaxPathSize: -2, MaxBodySize: -2}, `"max_path_size"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rc.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// cfgTestWrite writes content to a file named name in a fresh temporary
// directory and returns its path.
func cfgTestWrite(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfig(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		path := cfgTestWrite(t, "public.json", cfgTestHyperlaneServer)
		c, err := LoadConfig(path)
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		if c.Address != "0.0.0.0:80" || c.TTL != 64 || c.NoDelay == nil || !*c.NoDelay {
			t.Errorf("got %+v, want the Hyperlane values", c)
		}
	})
	t.Run("byte order mark", func(t *testing.T) {
		path := cfgTestWrite(t, "bom.json", "\uFEFF"+`{"ttl": 9}`)
		c, err := LoadConfig(path)
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		if c.TTL != 9 {
			t.Errorf("TTL: got %d, want 9", c.TTL)
		}
	})
	t.Run("bad value names file and key", func(t *testing.T) {
		path := cfgTestWrite(t, "public.json", `{"ttl": 300}`)
		_, err := LoadConfig(path)
		want := "lane: config " + path + `: "ttl" must be 0..255, got 300`
		if err == nil || err.Error() != want {
			t.Errorf("got error %v, want %q", err, want)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.json")
		_, err := LoadConfig(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("got error %v, want one naming %s", err, path)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("errors.Is(%v, fs.ErrNotExist) = false, want true", err)
		}
	})
}

func TestLoadRequestConfig(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		path := cfgTestWrite(t, "limits.json", cfgTestHyperlaneRequest)
		rc, err := LoadRequestConfig(path)
		if err != nil {
			t.Fatalf("LoadRequestConfig: %v", err)
		}
		if rc.BufferSize != 8192 || rc.ReadTimeout != 6*time.Second {
			t.Errorf("got %+v, want the Hyperlane values", rc)
		}
	})
	t.Run("bad key names file and key", func(t *testing.T) {
		path := cfgTestWrite(t, "limits.json", `{"buffer": 1}`)
		_, err := LoadRequestConfig(path)
		want := "lane: request config " + path + `: unknown key "buffer"`
		if err == nil || err.Error() != want {
			t.Errorf("got error %v, want %q", err, want)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.json")
		_, err := LoadRequestConfig(path)
		if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got error %v, want a not-exist error naming %s", err, path)
		}
	})
}

func TestLoadConfigs(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		path := cfgTestWrite(t, "servers.json", `{
			"public": {"address": "0.0.0.0:80", "nodelay": true, "ttl": 64},
			"admin": {"name": "control", "address": "127.0.0.1:81",
				"request": {"preset": "high_security"}}
		}`)
		got, err := LoadConfigs(path)
		if err != nil {
			t.Fatalf("LoadConfigs: %v", err)
		}
		want := map[string]Config{
			"public": {Name: "public", Address: "0.0.0.0:80", NoDelay: new(true), TTL: 64},
			"admin": {Name: "control", Address: "127.0.0.1:81",
				Request: HighSecurityRequestConfig()},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})

	errTests := []struct {
		name string
		doc  string
		want string
	}{
		{"nested key path", `{"public": {}, "admin": {"request": {"max_body_size": -9}}}`,
			`"admin.request.max_body_size" must be positive or -1, got -9`},
		{"unknown key path", `{"admin": {"adress": ":80"}}`, `unknown key "admin.adress"`},
		{"type path", `{"admin": {"ttl": "1"}}`, `"admin.ttl": want an integer, got string`},
		{"duplicate key path", `{"admin": {"ttl": 1, "ttl": 1}}`, `duplicate key "admin.ttl"`},
		{"duplicate server", `{"admin": {}, "admin": {}}`, `duplicate key "admin"`},
		{"server not an object", `{"admin": [1]}`, `"admin": want an object, got array`},
		{"empty name", `{"": {}}`, "empty server name"},
		{"no servers", `{}`, "no server configs"},
		{"not an object", `[]`, "want a JSON object, got array"},
		{"trailing", `{"a": {}} 1`, "trailing data"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			path := cfgTestWrite(t, "servers.json", tt.doc)
			_, err := LoadConfigs(path)
			prefix := "lane: config " + path + ": "
			if err == nil || !strings.HasPrefix(err.Error(), prefix) ||
				!strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want %q followed by %q", err, prefix, tt.want)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.json")
		_, err := LoadConfigs(path)
		if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got error %v, want a not-exist error naming %s", err, path)
		}
	})
}

func TestJoinHostPort(t *testing.T) {
	tests := []struct {
		name string
		host string
		port int
		want string
	}{
		{"IPv4", "127.0.0.1", 8080, "127.0.0.1:8080"},
		{"all IPv4", "0.0.0.0", 80, "0.0.0.0:80"},
		{"IPv6", "::1", 8080, "[::1]:8080"},
		{"IPv6 zone", "fe80::1%eth0", 81, "[fe80::1%eth0]:81"},
		{"bracketed already", "[::1]", 8080, "[::1]:8080"},
		{"empty host", "", 8080, ":8080"},
		{"host name", "example.com", 443, "example.com:443"},
		{"port zero", "localhost", 0, "localhost:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JoinHostPort(tt.host, tt.port)
			if got != tt.want {
				t.Errorf("JoinHostPort(%q, %d) = %q, want %q", tt.host, tt.port, got, tt.want)
			}
			if err := (Config{Address: got}).Validate(); err != nil {
				t.Errorf("Validate(%q): %v", got, err)
			}
		})
	}
}

// FuzzParseConfig checks that ParseConfig never panics and that whatever it
// accepts writes back to JSON that reads back equal.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(cfgTestHyperlaneServer))
	f.Add([]byte(`{"request": ` + cfgTestHyperlaneRequest + `}`))
	f.Add([]byte(`{"name": "a", "reuse_port": true, "shutdown_grace_ms": -1,
		"request": {"preset": "unlimited"}}`))
	f.Add([]byte(`{"ttl": 1, "ttl": 2}`))
	f.Add([]byte(`{"request": {"read_timeout_ms": 9223372036854}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "lane: config: ") {
				t.Errorf("error %q lacks the prefix", err)
			}
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal of parsed %q: %v", data, err)
		}
		again, err := ParseConfig(out)
		if err != nil {
			t.Fatalf("ParseConfig(%s) of marshaled %q: %v", out, data, err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Errorf("round trip of %q\n got %+v\nwant %+v", data, again, c)
		}
	})
}
