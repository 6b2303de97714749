// Command raw is the ceiling of the benchmark: a TCP loop on the net package
// that parses nothing but the end of each request head.
//
// Each connection has its own goroutine and a 4 KiB read buffer. Every
// "\r\n\r\n" in the input ends a request head, and each head is answered with
// a fixed response: the JSON one when the head starts with "GET /json ", the
// plain one otherwise. A head that contains the exact line
// "Connection: close" closes the connection after its response. Requests with
// a body, heads over 4 KiB and any other HTTP rule are not handled: this is a
// measure of what the kernel and the Go runtime cost, not a server.
package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/lanehttp/lane/bench/internal/serve"
)

// bufSize is the per-connection read buffer, and so the largest head.
const bufSize = 4096

var (
	plainResponse      = response("text/plain; charset=utf-8", serve.Hello, false)
	jsonResponse       = response("application/json", serve.HelloJSON, false)
	plainCloseResponse = response("text/plain; charset=utf-8", serve.Hello, true)
	jsonCloseResponse  = response("application/json", serve.HelloJSON, true)

	headEnd    = []byte("\r\n\r\n")
	closeLine  = []byte("\r\nConnection: close\r\n")
	jsonTarget = []byte("GET /json ")
)

func main() { serve.Main(run) }

// response returns a fixed 200 response. One that closes says so, as RFC 9112
// section 9.6 asks, so that a client does not send on the closing connection.
func response(contentType, body string, closing bool) []byte {
	head := "HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\n"
	if closing {
		head += "Connection: close\r\n"
	}
	return []byte(head + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

// run serves on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := serve.Listen(addr, ready)
	if err != nil {
		return err
	}
	s := &server{ln: ln, conns: make(map[net.Conn]struct{})}
	isClosed := func(err error) bool { return errors.Is(err, net.ErrClosed) }
	return serve.Until(ctx, s.serve, s.shutdown, isClosed)
}

// server tracks its connections so that shutdown can close them.
type server struct {
	ln net.Listener
	wg sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// serve accepts connections until the listener is closed.
func (s *server) serve() error {
	for {
		nc, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return err
		}
		if err != nil {
			// Out of file descriptors and the like: wait, do not spin.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if !s.track(nc) {
			nc.Close()
			continue
		}
		s.wg.Add(1)
		go s.serveConn(nc)
	}
}

// track records nc; it reports false once shutdown has begun.
func (s *server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

// shutdown closes the listener and every connection, then waits for the
// connection goroutines until ctx ends. There is no draining: the raw loop
// has no notion of a request in flight.
func (s *server) shutdown(ctx context.Context) error {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for nc := range s.conns {
		nc.Close()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serveConn answers the heads read from nc until the peer closes, a read or
// write fails, a head asks to close, or a head outgrows the buffer.
func (s *server) serveConn(nc net.Conn) {
	defer s.wg.Done()
	defer s.untrack(nc)
	defer nc.Close()

	buf := make([]byte, bufSize)
	var out []byte
	n := 0 // bytes of an unfinished head kept at the start of buf
	for {
		m, err := nc.Read(buf[n:])
		n += m

		// Answer every complete head with one write, as a pipelining
		// client expects; keep the unfinished tail for the next read.
		var rest []byte
		var closing bool
		out, rest, closing = answer(out[:0], buf[:n])
		if len(out) > 0 {
			if _, werr := nc.Write(out); werr != nil {
				return
			}
		}
		if closing || err != nil {
			return
		}
		n = copy(buf, rest)
		if n == len(buf) {
			return
		}
	}
}

// answer appends a response to out for each complete head in b. It returns
// out, the bytes after the last complete head, and whether a head asked to
// close the connection, in which case its response says so and the bytes
// after it are dropped.
func answer(out, b []byte) ([]byte, []byte, bool) {
	for {
		i := bytes.Index(b, headEnd)
		if i < 0 {
			return out, b, false
		}
		// The head keeps the CRLF of its last line, so that closeLine
		// matches a Connection line wherever it stands.
		head := b[:i+2]
		b = b[i+len(headEnd):]

		json := bytes.HasPrefix(head, jsonTarget)
		if bytes.Contains(head, closeLine) {
			if json {
				return append(out, jsonCloseResponse...), nil, true
			}
			return append(out, plainCloseResponse...), nil, true
		}
		if json {
			out = append(out, jsonResponse...)
		} else {
			out = append(out, plainResponse...)
		}
	}
}
