package websocket

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lanehttp/lane"
)

// The tests in this file drive the server with a raw frame client, grouped as
// the Autobahn suite groups its cases.

const testKey = "dGhlIHNhbXBsZSBub25jZQ=="

// serve starts a lane server on 127.0.0.1 running h at /ws, and stops it when
// the test ends.
func serve(t *testing.T, h lane.Handler) string {
	t.Helper()
	srv := lane.New(lane.Config{Address: "127.0.0.1:0"})
	srv.GET("/ws", h)
	srv.POST("/ws", h)
	ctl, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ctl.Shutdown(ctx)
	})
	return ctl.Addr().String()
}

// echo returns a handler that echoes every message until the connection ends.
func echo(opts *AcceptOptions) lane.Handler {
	return func(c *lane.Context) lane.Status {
		conn, err := Accept(c, opts)
		if err != nil {
			return lane.Continue
		}
		defer conn.CloseNow()
		ctx := c.Context()
		for {
			typ, msg, err := conn.Read(ctx)
			if err != nil {
				return lane.Continue
			}
			if err := conn.Write(ctx, typ, msg); err != nil {
				return lane.Continue
			}
		}
	}
}

type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

// dial opens a connection and completes the handshake with the extra header
// lines in extra.
func dial(t *testing.T, addr string, extra ...string) *client {
	t.Helper()
	c := rawDial(t, addr)
	req := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\n" +
		"Connection: Upgrade\r\nSec-WebSocket-Key: " + testKey + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n" + strings.Join(extra, "") + "\r\n"
	res := c.request(req)
	if res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake status = %d, want 101", res.StatusCode)
	}
	return c
}

func rawDial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) request(req string) *http.Response {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, req); err != nil {
		c.t.Fatal(err)
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.t.Fatalf("reading handshake response: %v", err)
	}
	return res
}

// frame is one WebSocket frame as the raw client sees it.
type frame struct {
	fin    bool
	rsv    byte // the three reserved bits, in the high nibble's low bits
	op     byte
	masked bool
	p      []byte
}

// write sends f; client frames are masked unless f says otherwise.
func (c *client) write(f frame) {
	c.t.Helper()
	if _, err := c.nc.Write(encode(f)); err != nil {
		c.t.Fatalf("writing frame: %v", err)
	}
}

func encode(f frame) []byte {
	var b bytes.Buffer
	b0 := f.op | f.rsv<<4
	if f.fin {
		b0 |= 0x80
	}
	b.WriteByte(b0)
	var mbit byte
	if f.masked {
		mbit = 0x80
	}
	switch n := len(f.p); {
	case n < 126:
		b.WriteByte(mbit | byte(n))
	case n < 1<<16:
		b.WriteByte(mbit | 126)
		binary.Write(&b, binary.BigEndian, uint16(n))
	default:
		b.WriteByte(mbit | 127)
		binary.Write(&b, binary.BigEndian, uint64(n))
	}
	p := f.p
	if f.masked {
		key := [4]byte{0x12, 0x34, 0x56, 0x78}
		b.Write(key[:])
		p = make([]byte, len(f.p))
		for i := range p {
			p[i] = f.p[i] ^ key[i%4]
		}
	}
	b.Write(p)
	return b.Bytes()
}

// data returns a masked final frame.
func data(op byte, p []byte) frame { return frame{fin: true, op: op, masked: true, p: p} }

func (c *client) read() frame {
	c.t.Helper()
	f, err := readFrame(c.br)
	if err != nil {
		c.t.Fatalf("reading frame: %v", err)
	}
	return f
}

func readFrame(br *bufio.Reader) (frame, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, rsv: h[0] >> 4 & 7, op: h[0] & 0xf, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l uint16
		if err := binary.Read(br, binary.BigEndian, &l); err != nil {
			return frame{}, err
		}
		n = uint64(l)
	case 127:
		if err := binary.Read(br, binary.BigEndian, &n); err != nil {
			return frame{}, err
		}
	}
	if f.masked {
		return frame{}, fmt.Errorf("server frame is masked")
	}
	f.p = make([]byte, n)
	_, err := io.ReadFull(br, f.p)
	return f, err
}

// expectClose reads frames until a close frame and checks its code.
func (c *client) expectClose(want StatusCode) {
	c.t.Helper()
	for {
		f := c.read()
		if f.op != 8 {
			continue
		}
		if len(f.p) == 0 && want == StatusNoStatusRcvd {
			return
		}
		if len(f.p) < 2 {
			c.t.Fatalf("close frame without code, want %d", want)
		}
		if got := StatusCode(binary.BigEndian.Uint16(f.p)); got != want {
			c.t.Fatalf("close code = %d (%q), want %d", got, f.p[2:], want)
		}
		return
	}
}

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

func TestHandshake(t *testing.T) {
	addr := serve(t, echo(&AcceptOptions{OriginPatterns: []string{"*.trusted.test"}}))
	good := "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + testKey + "\r\n"
	tests := []struct {
		name    string
		req     string
		want    int
		version string // expected Sec-WebSocket-Version in the answer
	}{
		{"valid", "GET /ws HTTP/1.1\r\nHost: h\r\n" + good + "Sec-WebSocket-Version: 13\r\n\r\n", 101, ""},
		{"no upgrade", "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n", 426, ""},
		{"no connection token", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n", 426, ""},
		{"old version", "GET /ws HTTP/1.1\r\nHost: h\r\n" + good + "Sec-WebSocket-Version: 8\r\n\r\n", 426, "13"},
		{"no version", "GET /ws HTTP/1.1\r\nHost: h\r\n" + good + "\r\n", 426, "13"},
		{"bad key", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, ""},
		{"no key", "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, ""},
		{"post", "POST /ws HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n" + good + "Sec-WebSocket-Version: 13\r\n\r\n", 405, ""},
		{"cross origin", "GET /ws HTTP/1.1\r\nHost: h\r\nOrigin: https://evil.test\r\n" + good + "Sec-WebSocket-Version: 13\r\n\r\n", 403, ""},
		{"same origin", "GET /ws HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\n" + good + "Sec-WebSocket-Version: 13\r\n\r\n", 101, ""},
		{"allowed origin", "GET /ws HTTP/1.1\r\nHost: h\r\nOrigin: https://a.trusted.test\r\n" + good + "Sec-WebSocket-Version: 13\r\n\r\n", 101, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawDial(t, addr)
			res := c.request(tt.req)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if got := res.Header.Get("Sec-WebSocket-Version"); tt.version != "" && got != tt.version {
				t.Errorf("Sec-WebSocket-Version = %q, want %q", got, tt.version)
			}
			if tt.want == 101 {
				// RFC 6455 section 1.3's sample key and answer.
				if got, want := res.Header.Get("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
					t.Errorf("Sec-WebSocket-Accept = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestSubprotocol(t *testing.T) {
	addr := serve(t, echo(&AcceptOptions{Subprotocols: []string{"chat.v2", "chat.v1"}}))
	tests := []struct{ offer, want string }{
		{"chat.v1, chat.v2", "chat.v2"},
		{"chat.v1", "chat.v1"},
		{"other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.offer, func(t *testing.T) {
			c := rawDial(t, addr)
			res := c.request("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
				"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n" +
				"Sec-WebSocket-Protocol: " + tt.offer + "\r\n\r\n")
			if got := res.Header.Get("Sec-WebSocket-Protocol"); got != tt.want {
				t.Errorf("protocol = %q, want %q", got, tt.want)
			}
		})
	}
}

// Autobahn group 1: framing and payload lengths.
func TestPayloadLengths(t *testing.T) {
	addr := serve(t, echo(&AcceptOptions{ReadLimit: 17 << 20}))
	for _, n := range []int{0, 125, 126, 127, 65535, 65536, 16 << 20} {
		for _, op := range []byte{1, 2} {
			t.Run(fmt.Sprintf("op%d/%d", op, n), func(t *testing.T) {
				p := bytes.Repeat([]byte("*"), n)
				if op == 2 {
					rand.Read(p)
				}
				c := dial(t, addr)
				c.write(data(op, p))
				f := c.read()
				if f.op != op || !f.fin || !bytes.Equal(f.p, p) {
					t.Fatalf("echo: op %d fin %v len %d, want op %d fin true len %d", f.op, f.fin, len(f.p), op, n)
				}
			})
		}
	}
}

// Autobahn groups 2, 3, 4 and 5: pings, reserved bits and opcodes,
// fragmentation, and masking.
func TestProtocolErrors(t *testing.T) {
	addr := serve(t, echo(nil))
	tests := []struct {
		name   string
		frames []frame
	}{
		{"unmasked", []frame{{fin: true, op: 1, p: []byte("hi")}}},
		{"rsv1 without extension", []frame{{fin: true, rsv: 4, op: 1, masked: true, p: []byte("hi")}}},
		{"rsv2", []frame{{fin: true, rsv: 2, op: 1, masked: true}}},
		{"rsv3 on ping", []frame{{fin: true, rsv: 1, op: 9, masked: true}}},
		{"reserved data opcode 3", []frame{data(3, nil)}},
		{"reserved control opcode 11", []frame{data(11, nil)}},
		{"fragmented ping", []frame{{fin: false, op: 9, masked: true, p: []byte("a")}}},
		{"ping over 125", []frame{data(9, make([]byte, 126))}},
		{"continuation first", []frame{data(0, []byte("x"))}},
		{"text inside fragmented text", []frame{
			{fin: false, op: 1, masked: true, p: []byte("a")},
			data(1, []byte("b")),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			for _, f := range tt.frames {
				c.write(f)
			}
			c.expectClose(StatusProtocolError)
		})
	}
}

// Autobahn group 2: pings and pongs.
func TestPing(t *testing.T) {
	addr := serve(t, echo(nil))
	for _, n := range []int{0, 1, 125} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := dial(t, addr)
			p := bytes.Repeat([]byte{0xfe}, n)
			c.write(data(9, p))
			f := c.read()
			if f.op != 10 || !bytes.Equal(f.p, p) {
				t.Fatalf("got op %d payload %x, want pong (10) with %x", f.op, f.p, p)
			}
		})
	}
	t.Run("unsolicited pong ignored", func(t *testing.T) {
		c := dial(t, addr)
		c.write(data(10, []byte("x")))
		c.write(data(1, []byte("after")))
		if f := c.read(); f.op != 1 || string(f.p) != "after" {
			t.Fatalf("got op %d %q, want text %q", f.op, f.p, "after")
		}
	})
}

// Autobahn group 5: fragmentation, with control frames in between.
func TestFragmentation(t *testing.T) {
	addr := serve(t, echo(nil))
	c := dial(t, addr)
	c.write(frame{op: 1, masked: true, p: []byte("frag")})
	c.write(data(9, []byte("mid")))
	c.write(frame{op: 0, masked: true, p: []byte("men")})
	c.write(data(0, []byte("ted")))
	if f := c.read(); f.op != 10 || string(f.p) != "mid" {
		t.Fatalf("got op %d %q, want pong %q", f.op, f.p, "mid")
	}
	if f := c.read(); f.op != 1 || string(f.p) != "fragmented" {
		t.Fatalf("got op %d %q, want text %q", f.op, f.p, "fragmented")
	}
}

// Autobahn group 6: UTF-8 handling.
func TestInvalidUTF8(t *testing.T) {
	addr := serve(t, echo(nil))
	tests := []struct {
		name   string
		frames []frame
	}{
		{"single frame", []frame{data(1, []byte{0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80})}},
		{"surrogate", []frame{data(1, []byte{0xed, 0xa0, 0x80})}},
		{"truncated", []frame{data(1, []byte("ok\xe2\x82"))}},
		{"split across fragments", []frame{
			{op: 1, masked: true, p: []byte("a\xe2")},
			data(0, []byte("\x28\xa1")),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			for _, f := range tt.frames {
				c.write(f)
			}
			c.expectClose(StatusInvalidPayload)
		})
	}
	t.Run("valid split across fragments", func(t *testing.T) {
		c := dial(t, addr)
		c.write(frame{op: 1, masked: true, p: []byte("\xe2\x82")})
		c.write(data(0, []byte("\xac")))
		if f := c.read(); string(f.p) != "€" {
			t.Fatalf("echo = %q, want %q", f.p, "€")
		}
	})
}

func TestUTF8Reader(t *testing.T) {
	tests := []struct {
		chunks []string
		ok     bool
	}{
		{[]string{"h", "é", "llo"}, true},
		{[]string{"\xe2", "\x82", "\xac"}, true},
		{[]string{"\xf0\x9f", "\x98\x80"}, true},
		{[]string{"\xe2\x82"}, false},
		{[]string{"\xff"}, false},
		{[]string{"a\xe2", "(\xa1"}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.chunks, "|"), func(t *testing.T) {
			var carry []byte
			ok := true
			for i, ch := range tt.chunks {
				b := append(carry, ch...)
				keep := incomplete(b)
				last := i == len(tt.chunks)-1
				if !validPrefix(b[:len(b)-keep]) || (last && keep > 0) {
					ok = false
					break
				}
				carry = append([]byte(nil), b[len(b)-keep:]...)
			}
			if ok != tt.ok {
				t.Errorf("valid = %v, want %v", ok, tt.ok)
			}
		})
	}
}

// Autobahn group 7: close handling.
func TestCloseCodes(t *testing.T) {
	addr := serve(t, echo(nil))
	tests := []struct {
		name    string
		payload []byte
		want    StatusCode
	}{
		{"normal", closePayload(1000, "bye"), 1000},
		{"going away", closePayload(1001, ""), 1001},
		{"application code", closePayload(4000, "app"), 4000},
		{"empty", nil, StatusNoStatusRcvd}, // answered with an empty close
		{"one byte", []byte{3}, 1002},
		{"code 999", closePayload(999, ""), 1002},
		{"code 1005", closePayload(1005, ""), 1002},
		{"code 1006", closePayload(1006, ""), 1002},
		{"code 1016", closePayload(1016, ""), 1002},
		{"code 5000", closePayload(5000, ""), 1002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			c.write(data(8, tt.payload))
			c.expectClose(tt.want)
			c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.br.ReadByte(); err != io.EOF {
				t.Errorf("after close: %v, want EOF (connection closed)", err)
			}
		})
	}
}

// Autobahn group 9 and 12 in spirit: limits.
func TestReadLimit(t *testing.T) {
	addr := serve(t, echo(&AcceptOptions{ReadLimit: 1000}))
	t.Run("at limit", func(t *testing.T) {
		c := dial(t, addr)
		c.write(data(2, make([]byte, 1000)))
		if f := c.read(); len(f.p) != 1000 {
			t.Fatalf("echo length %d, want 1000", len(f.p))
		}
	})
	t.Run("over limit", func(t *testing.T) {
		c := dial(t, addr)
		c.write(data(2, make([]byte, 1001)))
		c.expectClose(StatusMessageTooBig)
	})
	t.Run("over limit in fragments", func(t *testing.T) {
		c := dial(t, addr)
		c.write(frame{op: 2, masked: true, p: make([]byte, 600)})
		c.write(data(0, make([]byte, 600)))
		c.expectClose(StatusMessageTooBig)
	})
	t.Run("declared length 2^63-1", func(t *testing.T) {
		// The limit stops the read after limit+1 bytes, whatever the length
		// the header claims.
		c := dial(t, addr)
		hdr := []byte{0x82, 0x80 | 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}
		c.nc.Write(append(hdr, make([]byte, 1001)...))
		c.expectClose(StatusMessageTooBig)
	})
	t.Run("length with the high bit set", func(t *testing.T) {
		c := dial(t, addr)
		c.nc.Write([]byte{0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4})
		c.expectClose(StatusProtocolError)
	})
	t.Run("default limit", func(t *testing.T) {
		addr := serve(t, echo(nil))
		c := dial(t, addr)
		c.write(data(2, make([]byte, DefaultReadLimit+1)))
		c.expectClose(StatusMessageTooBig)
	})
}

// deflate compresses p as permessage-deflate does: raw deflate with the
// final empty block's tail removed (RFC 7692 section 7.2.1).
func deflate(t *testing.T, p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(p)
	w.Flush()
	out := b.Bytes()
	if !bytes.HasSuffix(out, []byte{0, 0, 0xff, 0xff}) {
		t.Fatal("deflate output lacks the sync flush tail")
	}
	return out[:len(out)-4]
}

// Autobahn group 12 and 13 in spirit: permessage-deflate.
func TestDeflate(t *testing.T) {
	addr := serve(t, echo(&AcceptOptions{Compression: true, ReadLimit: 64 << 10}))
	ext := "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n"

	t.Run("negotiated", func(t *testing.T) {
		c := rawDial(t, addr)
		res := c.request("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n" + ext + "\r\n")
		if got := res.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(got, "permessage-deflate") {
			t.Fatalf("extensions = %q, want permessage-deflate", got)
		}
		msg := bytes.Repeat([]byte("hello "), 1000)
		c.write(frame{fin: true, rsv: 4, op: 1, masked: true, p: deflate(t, msg)})
		f := c.read()
		got := f.p
		if f.rsv&4 != 0 {
			r := flate.NewReader(io.MultiReader(bytes.NewReader(f.p), bytes.NewReader([]byte{0, 0, 0xff, 0xff})))
			got, _ = io.ReadAll(r)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes came back as %d bytes", len(msg), len(got))
		}
	})

	t.Run("bomb", func(t *testing.T) {
		c := dial(t, addr, ext)
		bomb := deflate(t, make([]byte, 32<<20)) // 32 MiB of zeros, 32 KiB on the wire
		start := time.Now()
		go c.nc.Write(encode(frame{fin: true, rsv: 4, op: 2, masked: true, p: bomb}))
		c.expectClose(StatusMessageTooBig)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("bomb stopped after %v; it was inflated too far", d)
		}
	})

	t.Run("off by default", func(t *testing.T) {
		addr := serve(t, echo(nil))
		c := rawDial(t, addr)
		res := c.request("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n" + ext + "\r\n")
		if got := res.Header.Get("Sec-WebSocket-Extensions"); got != "" {
			t.Fatalf("extensions = %q, want none", got)
		}
	})
}

func validPrefix(b []byte) bool { return utf8.Valid(b) }
