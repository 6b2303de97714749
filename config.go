package lane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// NoLimit, stored in a limit or timeout field, turns that limit off. It is
// the only way to do so: zero means the default.
//
// NoLimit is an untyped constant, so it can be assigned to any limit field,
// including the time.Duration ones, where it is time.Duration(NoLimit), one
// nanosecond below zero. In JSON it is written -1 for every key, including
// the millisecond keys. Any other negative value is invalid.
const NoLimit = -1

// Defaults of Config that RequestConfig does not carry.
const (
	cfgDefaultAddress        = "127.0.0.1:8080"
	cfgDefaultMaxConnections = 10000
	cfgDefaultShutdownGrace  = 10 * time.Second
)

// Config configures one server. Its zero value is ready to use: every zero
// field means the default given in that field's doc, and a limit or timeout
// set to [NoLimit] is off.
//
// Config is a plain value. [Config.Resolved] returns a copy with the
// defaults filled in and never changes the receiver, not even through the
// NoDelay pointer; [Config.Validate] checks it.
//
// In JSON a Config is an object with the keys named in the field docs, read
// strictly by [ParseConfig]. Durations are integer milliseconds under keys
// ending in "_ms". A Hyperlane ServerConfig document loads unchanged:
//
//	{"address": "0.0.0.0:80", "nodelay": true, "ttl": 64}
type Config struct {
	// Name names the server in logs and status output.
	// JSON "name"; default: the resolved Address.
	Name string `json:"name"`

	// Address is the host:port to listen on. The host may be empty (every
	// interface), an IP address or a host name; the port is a number or a
	// service name such as "http", and port 0 picks a free port, as in ":0".
	// [JoinHostPort] builds one and brackets IPv6 hosts.
	// JSON "address"; default "127.0.0.1:8080", reachable from this machine
	// only.
	Address string `json:"address"`

	// NoDelay sets TCP_NODELAY on accepted connections, so that a small
	// response leaves at once instead of waiting for Nagle's algorithm. It
	// is a pointer so that false can be told from unset: new(false) turns
	// it off.
	// JSON "nodelay"; nil means true.
	NoDelay *bool `json:"nodelay"`

	// TTL sets the IP time to live of packets sent on accepted connections:
	// the TTL on IPv4, the hop limit on IPv6. Valid values are 1..255.
	// JSON "ttl"; default 0, which leaves the system's value.
	TTL int `json:"ttl"`

	// ReusePort sets SO_REUSEPORT on the listener, so that several
	// listeners, in this process or others, can bind the same address and
	// share its connections.
	// JSON "reuse_port"; default false.
	ReusePort bool `json:"reuse_port"`

	// MaxConnections caps the connections open at once. At the cap the
	// server stops accepting until a connection closes; new connections
	// wait in the kernel's backlog meanwhile.
	// JSON "max_connections"; default 10000; NoLimit for no cap.
	MaxConnections int `json:"max_connections"`

	// ShutdownGrace is how long a shutdown triggered by a signal lets
	// in-flight requests finish before it closes what is left.
	// JSON "shutdown_grace_ms", in milliseconds; default 10s; NoLimit
	// waits for as long as the requests take.
	ShutdownGrace time.Duration `json:"-"`

	// Request holds the limits and timeouts applied to each request.
	// JSON "request"; each zero field takes its default from
	// [DefaultRequestConfig].
	Request RequestConfig `json:"request"`

	// Logger receives the server's log records. It has no JSON key.
	// Default: slog.Default() as it is when Resolved is called.
	Logger *slog.Logger `json:"-"`
}

// RequestConfig holds the limits and timeouts applied to each request. Its
// zero value means [DefaultRequestConfig]: every zero field takes the
// default given in its doc, and a field set to [NoLimit] is off. The status
// code in a field's doc is the response to a request over that limit.
//
// In JSON a RequestConfig is an object with the keys named in the field
// docs, read strictly by [ParseRequestConfig]; durations are integer
// milliseconds under keys ending in "_ms". A Hyperlane RequestConfig
// document loads unchanged. The object may also carry "preset", one of
// "default", "high_security" or "unlimited", applied before its other keys.
type RequestConfig struct {
	// BufferSize is the initial size in bytes of a connection's read
	// buffer. The buffer grows up to MaxHeaderBytes to hold a large head,
	// so a bigger BufferSize only saves that growth. It must be positive:
	// NoLimit is not allowed.
	// JSON "buffer_size"; default 4096.
	BufferSize int `json:"buffer_size"`

	// MaxPathSize is the longest request-target in bytes; a longer one is
	// answered 414 (URI Too Long), as RFC 9112 section 3 asks.
	// JSON "max_path_size"; default 8192.
	MaxPathSize int `json:"max_path_size"`

	// MaxHeaderCount is the most header fields a request may carry;
	// more are answered 431 (Request Header Fields Too Large).
	// JSON "max_header_count"; default 100.
	MaxHeaderCount int `json:"max_header_count"`

	// MaxHeaderKeySize is the longest header field name in bytes; 431.
	// JSON "max_header_key_size"; default 8192.
	MaxHeaderKeySize int `json:"max_header_key_size"`

	// MaxHeaderValueSize is the longest header field value in bytes; 431.
	// JSON "max_header_value_size"; default 8192.
	MaxHeaderValueSize int `json:"max_header_value_size"`

	// MaxHeaderBytes bounds the whole head, request line and header
	// section, in bytes; 431.
	// JSON "max_header_bytes"; default 65536.
	MaxHeaderBytes int `json:"max_header_bytes"`

	// MaxBodySize is the largest request body in bytes, whether declared
	// by Content-Length or received in chunks; 413 (Content Too Large).
	// JSON "max_body_size"; default 2 MiB (2097152).
	MaxBodySize int64 `json:"max_body_size"`

	// ReadTimeout bounds reading a whole request, head and body, counted
	// from its first byte; 408 (Request Timeout).
	// JSON "read_timeout_ms"; default 6s; NoLimit for none.
	ReadTimeout time.Duration `json:"-"`

	// HeaderTimeout bounds reading the head, counted from its first byte;
	// 408. [RequestConfig.Resolved] caps it at ReadTimeout.
	// JSON "header_timeout_ms"; default 5s; NoLimit for none.
	HeaderTimeout time.Duration `json:"-"`

	// IdleTimeout bounds the wait for the next request on a keep-alive
	// connection; the connection is closed when it runs out.
	// JSON "idle_timeout_ms"; default 60s; NoLimit for none.
	IdleTimeout time.Duration `json:"-"`

	// WriteTimeout bounds each write of a response to the connection.
	// JSON "write_timeout_ms"; default 10s; NoLimit for none.
	WriteTimeout time.Duration `json:"-"`

	// MaxRequestsPerConn is the most requests served on one connection;
	// the response to the last carries Connection: close (RFC 9112
	// section 9.6), so a client spreads its load over new connections.
	// JSON "max_requests_per_connection"; default 10000.
	MaxRequestsPerConn int `json:"max_requests_per_connection"`
}

// DefaultRequestConfig returns the defaults that a zero RequestConfig
// stands for, every field filled in.
func DefaultRequestConfig() RequestConfig {
	return RequestConfig{
		BufferSize:         4096,
		MaxPathSize:        8192,
		MaxHeaderCount:     100,
		MaxHeaderKeySize:   8192,
		MaxHeaderValueSize: 8192,
		MaxHeaderBytes:     64 << 10,
		MaxBodySize:        2 << 20,
		ReadTimeout:        6 * time.Second,
		HeaderTimeout:      5 * time.Second,
		IdleTimeout:        60 * time.Second,
		WriteTimeout:       10 * time.Second,
		MaxRequestsPerConn: 10000,
	}
}

// HighSecurityRequestConfig returns limits tighter than the defaults, for a
// server exposed to untrusted clients that needs no large requests: paths
// up to 2048 bytes, 50 header fields with names up to 256 bytes and values
// up to 4096, a 16 KiB head, a 1 MiB body, 5s to read a request of which 3s
// for its head, 15s idle, 5s per write and 1000 requests per connection.
func HighSecurityRequestConfig() RequestConfig {
	return RequestConfig{
		BufferSize:         4096,
		MaxPathSize:        2048,
		MaxHeaderCount:     50,
		MaxHeaderKeySize:   256,
		MaxHeaderValueSize: 4096,
		MaxHeaderBytes:     16 << 10,
		MaxBodySize:        1 << 20,
		ReadTimeout:        5 * time.Second,
		HeaderTimeout:      3 * time.Second,
		IdleTimeout:        15 * time.Second,
		WriteTimeout:       5 * time.Second,
		MaxRequestsPerConn: 1000,
	}
}

// UnlimitedRequestConfig returns a RequestConfig with every limit and
// timeout set to [NoLimit]; BufferSize keeps its default of 4096.
//
// It is for trusted peers only, such as a proxy that enforces its own
// limits or a process on the same machine. Facing the internet, it lets
// any client hold a connection open for ever and make the server buffer a
// head of any size.
func UnlimitedRequestConfig() RequestConfig {
	return RequestConfig{
		BufferSize:         4096,
		MaxPathSize:        NoLimit,
		MaxHeaderCount:     NoLimit,
		MaxHeaderKeySize:   NoLimit,
		MaxHeaderValueSize: NoLimit,
		MaxHeaderBytes:     NoLimit,
		MaxBodySize:        NoLimit,
		ReadTimeout:        NoLimit,
		HeaderTimeout:      NoLimit,
		IdleTimeout:        NoLimit,
		WriteTimeout:       NoLimit,
		MaxRequestsPerConn: NoLimit,
	}
}

// cfgPreset returns the RequestConfig that a "preset" key names.
func cfgPreset(name string) (RequestConfig, bool) {
	switch name {
	case "default":
		return DefaultRequestConfig(), true
	case "high_security":
		return HighSecurityRequestConfig(), true
	case "unlimited":
		return UnlimitedRequestConfig(), true
	}
	return RequestConfig{}, false
}

// Resolved returns a copy of rc with every zero field replaced by its
// default. NoLimit and other values are kept, invalid ones included, with
// one exception: HeaderTimeout is capped at ReadTimeout, since the head is
// part of the request and cannot be given longer than the whole.
func (rc RequestConfig) Resolved() RequestConfig {
	d := DefaultRequestConfig()
	cfgDefault(&rc.BufferSize, d.BufferSize)
	cfgDefault(&rc.MaxPathSize, d.MaxPathSize)
	cfgDefault(&rc.MaxHeaderCount, d.MaxHeaderCount)
	cfgDefault(&rc.MaxHeaderKeySize, d.MaxHeaderKeySize)
	cfgDefault(&rc.MaxHeaderValueSize, d.MaxHeaderValueSize)
	cfgDefault(&rc.MaxHeaderBytes, d.MaxHeaderBytes)
	cfgDefault(&rc.MaxBodySize, d.MaxBodySize)
	cfgDefault(&rc.ReadTimeout, d.ReadTimeout)
	cfgDefault(&rc.HeaderTimeout, d.HeaderTimeout)
	cfgDefault(&rc.IdleTimeout, d.IdleTimeout)
	cfgDefault(&rc.WriteTimeout, d.WriteTimeout)
	cfgDefault(&rc.MaxRequestsPerConn, d.MaxRequestsPerConn)

	if rc.ReadTimeout != NoLimit &&
		(rc.HeaderTimeout == NoLimit || rc.HeaderTimeout > rc.ReadTimeout) {
		rc.HeaderTimeout = rc.ReadTimeout
	}
	return rc
}

// Resolved returns a copy of c with every zero field replaced by its
// default, Request included; Name defaults to the resolved Address. NoLimit
// and other values are kept. The copy's NoDelay always points to a bool of
// its own, so changing it never reaches c.
func (c Config) Resolved() Config {
	cfgDefault(&c.Address, cfgDefaultAddress)
	cfgDefault(&c.Name, c.Address)
	noDelay := c.NoDelay == nil || *c.NoDelay
	c.NoDelay = &noDelay
	cfgDefault(&c.MaxConnections, cfgDefaultMaxConnections)
	cfgDefault(&c.ShutdownGrace, cfgDefaultShutdownGrace)
	c.Request = c.Request.Resolved()
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// cfgDefault replaces a zero *p with def.
func cfgDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// Validate reports the first invalid field of rc, in field order, as an
// error naming its JSON key, such as
//
//	lane: request config: "max_body_size" must be positive or -1, got -5
//
// Zero fields are valid: they mean the default.
func (rc RequestConfig) Validate() error {
	if err := rc.cfgCheck(""); err != nil {
		return fmt.Errorf("lane: request config: %w", err)
	}
	return nil
}

// Validate reports the first invalid field of c, in field order, as an
// error naming its JSON key, such as
//
//	lane: config: "ttl" must be 0..255, got 300
//
// and names the fields of Request by their path, as "request.max_body_size".
// Zero fields are valid: they mean the default. The address must split into
// host and port; whether the host resolves or the port can be bound is only
// known when the server starts.
func (c Config) Validate() error {
	if err := c.cfgCheck(""); err != nil {
		return fmt.Errorf("lane: config: %w", err)
	}
	return nil
}

// cfgCheck is Validate without the prefix; path is prepended to every key
// it names.
func (c Config) cfgCheck(path string) error {
	if err := cfgCheckAddress(c.Address); err != nil {
		return fmt.Errorf("%q %w", path+"address", err)
	}
	if c.TTL < 0 || c.TTL > 255 {
		return fmt.Errorf("%q must be 0..255, got %d", path+"ttl", c.TTL)
	}
	if c.MaxConnections < NoLimit {
		return fmt.Errorf("%q must be positive or -1, got %d", path+"max_connections", c.MaxConnections)
	}
	if c.ShutdownGrace < NoLimit {
		return fmt.Errorf("%q must be positive or -1, got %v", path+"shutdown_grace_ms", c.ShutdownGrace)
	}
	return c.Request.cfgCheck(path + "request.")
}

// cfgCheck is Validate without the prefix; path is prepended to every key
// it names.
func (rc RequestConfig) cfgCheck(path string) error {
	// A buffer of no limit means nothing, so only BufferSize refuses -1.
	if rc.BufferSize < 0 {
		return fmt.Errorf("%q must be positive, got %d", path+"buffer_size", rc.BufferSize)
	}

	fields := []struct {
		key string
		v   int64
		dur bool
	}{
		{"max_path_size", int64(rc.MaxPathSize), false},
		{"max_header_count", int64(rc.MaxHeaderCount), false},
		{"max_header_key_size", int64(rc.MaxHeaderKeySize), false},
		{"max_header_value_size", int64(rc.MaxHeaderValueSize), false},
		{"max_header_bytes", int64(rc.MaxHeaderBytes), false},
		{"max_body_size", rc.MaxBodySize, false},
		{"read_timeout_ms", int64(rc.ReadTimeout), true},
		{"header_timeout_ms", int64(rc.HeaderTimeout), true},
		{"idle_timeout_ms", int64(rc.IdleTimeout), true},
		{"write_timeout_ms", int64(rc.WriteTimeout), true},
		{"max_requests_per_connection", int64(rc.MaxRequestsPerConn), false},
	}
	for _, f := range fields {
		if f.v >= NoLimit {
			continue
		}
		got := strconv.FormatInt(f.v, 10)
		if f.dur {
			got = time.Duration(f.v).String()
		}
		return fmt.Errorf("%q must be positive or -1, got %s", path+f.key, got)
	}
	return nil
}

// cfgCheckAddress checks the syntax of a listen address and returns the
// rest of a sentence whose subject is the key.
func cfgCheckAddress(addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		reason := err.Error()
		if ae, ok := errors.AsType[*net.AddrError](err); ok {
			reason = ae.Err
		}
		return fmt.Errorf("must be host:port (%s), got %q", reason, addr)
	}
	if !cfgValidHost(host) {
		return fmt.Errorf("has a bad host %q, want an IP address or a host name", host)
	}
	if !cfgValidPort(port) {
		return fmt.Errorf("has a bad port %q, want 0..65535 or a service name", port)
	}
	return nil
}

// cfgValidHost reports whether h is empty, an IP address (with a zone, for
// IPv6) or made of the bytes a host name may hold. Whether a name resolves
// is left to the listener.
func cfgValidHost(h string) bool {
	if h == "" {
		return true
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for i := range len(h) {
		b := h[i]
		if !cfgAlnum(b) && b != '-' && b != '.' && b != '_' {
			return false
		}
	}
	return true
}

// cfgValidPort reports whether p is a decimal port number 0..65535 or has
// the syntax of a service name (RFC 6335 section 5.1: 1 to 15 letters,
// digits and hyphens, at least one letter, hyphens neither at either end
// nor side by side). Whether the name is known is left to the listener.
func cfgValidPort(p string) bool {
	if _, err := strconv.ParseUint(p, 10, 16); err == nil {
		return true
	}
	if p == "" || len(p) > 15 || p[0] == '-' || p[len(p)-1] == '-' || strings.Contains(p, "--") {
		return false
	}
	letter := false
	for i := range len(p) {
		switch b := p[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z':
			letter = true
		case '0' <= b && b <= '9', b == '-':
		default:
			return false
		}
	}
	return letter
}

// cfgAlnum reports whether b is an ASCII letter or digit.
func cfgAlnum(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// JoinHostPort joins host and port into an address for [Config.Address],
// bracketing an IPv6 host: ("::1", 8080) gives "[::1]:8080". A host that is
// already bracketed is not bracketed twice, and an empty host gives ":8080",
// every interface. It checks nothing; [Config.Validate] does.
func JoinHostPort(host string, port int) string {
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// ParseConfig reads a Config from a JSON object, strictly: an unknown key
// (keys are case-sensitive), a key given twice, a null, a value of the
// wrong type, a value Validate rejects, anything but a single object and
// trailing data are errors, and an error names the key, nested keys by
// their path:
//
//	lane: config: "nodelay": want a boolean, got string
//	lane: config: unknown key "request.max_body"
//
// An absent key leaves its field zero, which means the default: ParseConfig
// does not resolve, so that a Config written by [Config.MarshalJSON] reads
// back equal. Call [Config.Resolved] for the values in effect.
//
// The "request" object may carry "preset" (see [RequestConfig]), applied
// before the other keys of that object wherever it stands.
func ParseConfig(data []byte) (Config, error) {
	c, err := cfgParse(data, Config{}, "")
	if err != nil {
		return Config{}, fmt.Errorf("lane: config: %w", err)
	}
	return c, nil
}

// LoadConfig reads a Config from the JSON file at path, as [ParseConfig]
// does. Errors name the file, as in
//
//	lane: config public.json: "ttl" must be 0..255, got 300
//
// A UTF-8 byte order mark at the start of the file is ignored.
func LoadConfig(path string) (Config, error) {
	data, err := cfgReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("lane: config: %w", err)
	}
	c, err := cfgParse(data, Config{}, "")
	if err != nil {
		return Config{}, fmt.Errorf("lane: config %s: %w", path, err)
	}
	return c, nil
}

// ParseRequestConfig reads a RequestConfig from a JSON object as strictly
// as [ParseConfig] reads a Config. The object may carry "preset", applied
// before its other keys wherever it stands. An absent key leaves its field
// zero, which means the default; call [RequestConfig.Resolved] for the
// values in effect.
func ParseRequestConfig(data []byte) (RequestConfig, error) {
	rc, err := cfgParseRequest(data, RequestConfig{}, "")
	if err != nil {
		return RequestConfig{}, fmt.Errorf("lane: request config: %w", err)
	}
	return rc, nil
}

// LoadRequestConfig reads a RequestConfig from the JSON file at path, as
// [ParseRequestConfig] does. Errors name the file, as [LoadConfig]'s do.
func LoadRequestConfig(path string) (RequestConfig, error) {
	data, err := cfgReadFile(path)
	if err != nil {
		return RequestConfig{}, fmt.Errorf("lane: request config: %w", err)
	}
	rc, err := cfgParseRequest(data, RequestConfig{}, "")
	if err != nil {
		return RequestConfig{}, fmt.Errorf("lane: request config %s: %w", path, err)
	}
	return rc, nil
}

// LoadConfigs reads the JSON file at path, which holds one object of named
// server configs:
//
//	{"public": {"address": ":80"}, "admin": {"address": "127.0.0.1:81"}}
//
// Each value is read as [ParseConfig] reads a Config, and its Name defaults
// to its key. Errors name the file and the key's path, as
// "admin.request.max_body_size". An empty object, an empty server name and
// a name given twice are errors too.
func LoadConfigs(path string) (map[string]Config, error) {
	data, err := cfgReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lane: config: %w", err)
	}
	cs, err := cfgParseServers(data)
	if err != nil {
		return nil, fmt.Errorf("lane: config %s: %w", path, err)
	}
	return cs, nil
}

// ParseConfigs reads data as [LoadConfigs] reads a file: one object of
// named server configs.
func ParseConfigs(data []byte) (map[string]Config, error) {
	cs, err := cfgParseServers(bytes.TrimPrefix(data, []byte("\uFEFF")))
	if err != nil {
		return nil, fmt.Errorf("lane: config: %w", err)
	}
	return cs, nil
}

// cfgReadFile reads a config file. RFC 8259 section 8.1 lets a parser
// ignore a byte order mark, and editors on some systems add one.
func cfgReadFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	return bytes.TrimPrefix(data, []byte("\uFEFF")), err
}

// cfgParseServers reads the object of LoadConfigs.
func cfgParseServers(data []byte) (map[string]Config, error) {
	members, err := cfgMembers(data, "")
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		return nil, errors.New("no server configs in the object")
	}

	cs := make(map[string]Config, len(members))
	for _, m := range members {
		if m.key == "" {
			return nil, errors.New("empty server name")
		}
		if kind := cfgKind(m.raw); kind != "object" {
			return nil, fmt.Errorf("%q: want an object, got %s", m.key, kind)
		}
		c, err := cfgParse(m.raw, Config{}, m.key+".")
		if err != nil {
			return nil, err
		}
		cfgDefault(&c.Name, m.key)
		cs[m.key] = c
	}
	return cs, nil
}

// MarshalJSON writes c as the JSON object that [ParseConfig] reads back
// equal. Zero fields are left out, since an absent key means the default;
// a NoLimit field is written -1; Logger is not written. Durations are
// written in milliseconds rounded up, so that a positive duration never
// turns into 0, the default; only whole milliseconds read back equal.
// MarshalJSON fails for a Config that Validate rejects.
func (c Config) MarshalJSON() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(c.cfgJSON())
}

// UnmarshalJSON reads a JSON object as strictly as [ParseConfig], onto c:
// fields whose keys are absent keep their values, and so does Logger. A
// "request.preset" replaces the whole of c.Request before the other keys
// of "request" apply. On error c is left unchanged.
func (c *Config) UnmarshalJSON(data []byte) error {
	v, err := cfgParse(data, *c, "")
	if err != nil {
		return fmt.Errorf("lane: config: %w", err)
	}
	*c = v
	return nil
}

// MarshalJSON writes rc as the JSON object that [ParseRequestConfig] reads
// back equal, by the rules of [Config.MarshalJSON]; it never writes
// "preset". It fails for a RequestConfig that Validate rejects.
func (rc RequestConfig) MarshalJSON() ([]byte, error) {
	if err := rc.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(rc.cfgJSON())
}

// UnmarshalJSON reads a JSON object as strictly as [ParseRequestConfig],
// onto rc: fields whose keys are absent keep their values, unless "preset"
// replaces them all first. On error rc is left unchanged.
func (rc *RequestConfig) UnmarshalJSON(data []byte) error {
	v, err := cfgParseRequest(data, *rc, "")
	if err != nil {
		return fmt.Errorf("lane: request config: %w", err)
	}
	*rc = v
	return nil
}

// cfgJSON is the JSON form of Config and cfgRequestJSON that of
// RequestConfig. Their json tags are the one list of keys: the strict
// reader accepts exactly these, and MarshalJSON writes them. Every field
// is a pointer so that an absent key can be told from a zero value.
type cfgJSON struct {
	Name            *string         `json:"name,omitempty"`
	Address         *string         `json:"address,omitempty"`
	NoDelay         *bool           `json:"nodelay,omitempty"`
	TTL             *int            `json:"ttl,omitempty"`
	ReusePort       *bool           `json:"reuse_port,omitempty"`
	MaxConnections  *int            `json:"max_connections,omitempty"`
	ShutdownGraceMS *int64          `json:"shutdown_grace_ms,omitempty"`
	Request         *cfgRequestJSON `json:"request,omitempty"`
}

type cfgRequestJSON struct {
	Preset             *string `json:"preset,omitempty"`
	BufferSize         *int    `json:"buffer_size,omitempty"`
	MaxPathSize        *int    `json:"max_path_size,omitempty"`
	MaxHeaderCount     *int    `json:"max_header_count,omitempty"`
	MaxHeaderKeySize   *int    `json:"max_header_key_size,omitempty"`
	MaxHeaderValueSize *int    `json:"max_header_value_size,omitempty"`
	MaxHeaderBytes     *int    `json:"max_header_bytes,omitempty"`
	MaxBodySize        *int64  `json:"max_body_size,omitempty"`
	ReadTimeoutMS      *int64  `json:"read_timeout_ms,omitempty"`
	HeaderTimeoutMS    *int64  `json:"header_timeout_ms,omitempty"`
	IdleTimeoutMS      *int64  `json:"idle_timeout_ms,omitempty"`
	WriteTimeoutMS     *int64  `json:"write_timeout_ms,omitempty"`
	MaxRequestsPerConn *int    `json:"max_requests_per_connection,omitempty"`
}

// cfgJSON returns the JSON form of c, zero fields left nil.
func (c Config) cfgJSON() *cfgJSON {
	w := &cfgJSON{
		Name:            cfgPtr(c.Name),
		Address:         cfgPtr(c.Address),
		NoDelay:         c.NoDelay,
		TTL:             cfgPtr(c.TTL),
		ReusePort:       cfgPtr(c.ReusePort),
		MaxConnections:  cfgPtr(c.MaxConnections),
		ShutdownGraceMS: cfgPtr(cfgMillis(c.ShutdownGrace)),
	}
	if c.Request != (RequestConfig{}) {
		w.Request = c.Request.cfgJSON()
	}
	return w
}

// cfgJSON returns the JSON form of rc, zero fields left nil.
func (rc RequestConfig) cfgJSON() *cfgRequestJSON {
	return &cfgRequestJSON{
		BufferSize:         cfgPtr(rc.BufferSize),
		MaxPathSize:        cfgPtr(rc.MaxPathSize),
		MaxHeaderCount:     cfgPtr(rc.MaxHeaderCount),
		MaxHeaderKeySize:   cfgPtr(rc.MaxHeaderKeySize),
		MaxHeaderValueSize: cfgPtr(rc.MaxHeaderValueSize),
		MaxHeaderBytes:     cfgPtr(rc.MaxHeaderBytes),
		MaxBodySize:        cfgPtr(rc.MaxBodySize),
		ReadTimeoutMS:      cfgPtr(cfgMillis(rc.ReadTimeout)),
		HeaderTimeoutMS:    cfgPtr(cfgMillis(rc.HeaderTimeout)),
		IdleTimeoutMS:      cfgPtr(cfgMillis(rc.IdleTimeout)),
		WriteTimeoutMS:     cfgPtr(cfgMillis(rc.WriteTimeout)),
		MaxRequestsPerConn: cfgPtr(rc.MaxRequestsPerConn),
	}
}

// apply sets the fields of c whose keys w holds.
func (w *cfgJSON) apply(c *Config, path string) error {
	cfgSet(&c.Name, w.Name)
	cfgSet(&c.Address, w.Address)
	if w.NoDelay != nil {
		// Replace the pointer, never write through it: it may be the
		// caller's.
		c.NoDelay = w.NoDelay
	}
	cfgSet(&c.TTL, w.TTL)
	cfgSet(&c.ReusePort, w.ReusePort)
	cfgSet(&c.MaxConnections, w.MaxConnections)
	if err := cfgSetMillis(&c.ShutdownGrace, w.ShutdownGraceMS, path+"shutdown_grace_ms"); err != nil {
		return err
	}
	if w.Request != nil {
		return w.Request.apply(&c.Request, path+"request.")
	}
	return nil
}

// apply sets the fields of rc whose keys w holds, after the preset if it
// names one.
func (w *cfgRequestJSON) apply(rc *RequestConfig, path string) error {
	if w.Preset != nil {
		p, ok := cfgPreset(*w.Preset)
		if !ok {
			return fmt.Errorf(`%q must be "default", "high_security" or "unlimited", got %q`,
				path+"preset", *w.Preset)
		}
		*rc = p
	}

	cfgSet(&rc.BufferSize, w.BufferSize)
	cfgSet(&rc.MaxPathSize, w.MaxPathSize)
	cfgSet(&rc.MaxHeaderCount, w.MaxHeaderCount)
	cfgSet(&rc.MaxHeaderKeySize, w.MaxHeaderKeySize)
	cfgSet(&rc.MaxHeaderValueSize, w.MaxHeaderValueSize)
	cfgSet(&rc.MaxHeaderBytes, w.MaxHeaderBytes)
	cfgSet(&rc.MaxBodySize, w.MaxBodySize)
	cfgSet(&rc.MaxRequestsPerConn, w.MaxRequestsPerConn)

	durations := []struct {
		dst *time.Duration
		ms  *int64
		key string
	}{
		{&rc.ReadTimeout, w.ReadTimeoutMS, "read_timeout_ms"},
		{&rc.HeaderTimeout, w.HeaderTimeoutMS, "header_timeout_ms"},
		{&rc.IdleTimeout, w.IdleTimeoutMS, "idle_timeout_ms"},
		{&rc.WriteTimeout, w.WriteTimeoutMS, "write_timeout_ms"},
	}
	for _, d := range durations {
		if err := cfgSetMillis(d.dst, d.ms, path+d.key); err != nil {
			return err
		}
	}
	return nil
}

// cfgPtr returns a pointer to a copy of v, or nil if v is zero.
func cfgPtr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// cfgSet copies *src to *dst if src is not nil.
func cfgSet[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// cfgMaxMillis is the largest count of milliseconds a time.Duration holds,
// about 292 years.
const cfgMaxMillis = math.MaxInt64 / int64(time.Millisecond)

// cfgSetMillis sets *dst to ms milliseconds, -1 being NoLimit, if ms is not
// nil. Negative values other than -1 pass, for Validate to name them.
func cfgSetMillis(dst *time.Duration, ms *int64, key string) error {
	switch {
	case ms == nil:
	case *ms == NoLimit:
		*dst = NoLimit
	case *ms > cfgMaxMillis || *ms < -cfgMaxMillis:
		return fmt.Errorf("%q must be at most %d, got %d", key, cfgMaxMillis, *ms)
	default:
		*dst = time.Duration(*ms) * time.Millisecond
	}
	return nil
}

// cfgMillis converts d to milliseconds for JSON: NoLimit stays -1, and any
// other duration rounds up, so that a positive one never becomes 0.
func cfgMillis(d time.Duration) int64 {
	if d == NoLimit {
		return NoLimit
	}
	ms := int64(d / time.Millisecond)
	if d%time.Millisecond > 0 {
		ms++
	}
	return ms
}

// cfgParse reads the JSON object data onto c: keys and their structure are
// checked first, then types, then values. path is prepended to every key
// an error names.
func cfgParse(data []byte, c Config, path string) (Config, error) {
	if err := cfgCheckKeys(data, reflect.TypeFor[cfgJSON](), path); err != nil {
		return c, err
	}
	var w cfgJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return c, cfgTypeError(err, path)
	}
	if err := w.apply(&c, path); err != nil {
		return c, err
	}
	return c, c.cfgCheck(path)
}

// cfgParseRequest is cfgParse for a RequestConfig.
func cfgParseRequest(data []byte, rc RequestConfig, path string) (RequestConfig, error) {
	if err := cfgCheckKeys(data, reflect.TypeFor[cfgRequestJSON](), path); err != nil {
		return rc, err
	}
	var w cfgRequestJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return rc, cfgTypeError(err, path)
	}
	if err := w.apply(&rc, path); err != nil {
		return rc, err
	}
	return rc, rc.cfgCheck(path)
}

// cfgCheckKeys walks the JSON object data alongside the wire struct t and
// reports, in document order, what encoding/json would let through: a key
// that is not one of t's tags (it would be dropped, or matched to a tag of
// another case), a key given twice (the last would win) and a null (it
// would read as absent). Nested objects are walked the same way; a nested
// value that is not an object is left for json.Unmarshal to report.
func cfgCheckKeys(data []byte, t reflect.Type, path string) error {
	members, err := cfgMembers(data, path)
	if err != nil {
		return err
	}
	for _, m := range members {
		f, ok := cfgField(t, m.key)
		if !ok {
			return fmt.Errorf("unknown key %q", path+m.key)
		}
		if string(m.raw) == "null" {
			return fmt.Errorf("%q: want %s, got null", path+m.key, cfgWant(f.Type))
		}
		sub := f.Type.Elem()
		if sub.Kind() == reflect.Struct && cfgKind(m.raw) == "object" {
			if err := cfgCheckKeys(m.raw, sub, path+m.key+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

// cfgField returns the field of the wire struct t tagged with key.
func cfgField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// cfgMember is one key and its raw value in a JSON object.
type cfgMember struct {
	key string
	raw json.RawMessage
}

// cfgMembers splits data, which must hold exactly one JSON object, into
// its members in document order. RFC 8259 section 4 leaves the meaning of
// a name given twice to each parser; a config must mean one thing to every
// reader, so a duplicate is an error.
func cfgMembers(data []byte, path string) ([]cfgMember, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var obj json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		return nil, cfgSyntaxError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	if kind := cfgKind(obj); kind != "object" {
		return nil, fmt.Errorf("want a JSON object, got %s", kind)
	}

	// obj is known to be well formed, so the walk below meets no syntax
	// error; it checks anyway rather than trust that.
	dec = json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var members []cfgMember
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %q", path+key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		members = append(members, cfgMember{key, raw})
	}
	return members, nil
}

// cfgSyntaxError describes a decoding error of data with its line and
// column, so that a file can be fixed without counting bytes.
func cfgSyntaxError(data []byte, err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		line, col := cfgPosition(data, se.Offset)
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	}
	if err == io.EOF && len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty input, want a JSON object")
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("unexpected end of input")
	}
	return err
}

// cfgPosition returns the 1-based line and column of the byte before
// offset, which is where encoding/json stopped at a syntax error.
func cfgPosition(data []byte, offset int64) (line, col int) {
	before := data[:min(max(offset, 0), int64(len(data)))]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = len(before) - bytes.LastIndexByte(before, '\n') - 1
	return line, max(col, 1)
}

// cfgKind names the kind of the well-formed JSON value raw.
func cfgKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// cfgTypeError rewrites a json.UnmarshalTypeError in the words of a config
// file: the key's path, the kind of value wanted and the kind found.
func cfgTypeError(err error, path string) error {
	ute, ok := errors.AsType[*json.UnmarshalTypeError](err)
	if !ok {
		return err
	}
	key := path + ute.Field
	got := ute.Value
	if got == "bool" {
		got = "boolean"
	}
	// encoding/json gives the literal only for a number that did not fit
	// an integer field; without fraction or exponent, it was too large.
	if num, ok := strings.CutPrefix(got, "number "); ok && !strings.ContainsAny(num, ".eE") {
		return fmt.Errorf("%q: %s is out of range", key, num)
	}
	return fmt.Errorf("%q: want %s, got %s", key, cfgWant(ute.Type), got)
}

// cfgWant names the JSON kind that decodes into t.
func cfgWant(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	}
	return t.String()
}
