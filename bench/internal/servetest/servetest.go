// Package servetest checks that a benchmark server answers exactly what the
// others answer, so that the benchmark compares like with like.
package servetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lanehttp/lane/bench/internal/serve"
)

// route is one benchmark route and the answer every server must give.
type route struct {
	path      string
	mediaType string
	body      string
}

var routes = []route{
	{"/", "text/plain", serve.Hello},
	{"/json", "application/json", serve.HelloJSON},
}

// Check starts run on 127.0.0.1:0 and checks both routes, one request per
// connection and pipelined on one connection, then stops the server and
// checks that run returns nil in time.
func Check(t *testing.T, run serve.Run) {
	t.Helper()
	addr, stop := start(t, run)

	for _, r := range routes {
		t.Run("GET "+r.path, func(t *testing.T) {
			res, body := get(t, addr, r.path)
			if err := r.check(res, body); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("pipelined then close", func(t *testing.T) { checkPipelined(t, addr) })

	if err := stop(); err != nil {
		t.Errorf("stopping the server: got %v, want nil", err)
	}
}

// start runs run in the background on a free port. The returned stop
// cancels it and waits for run's result.
func start(t *testing.T, run serve.Run) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	result := make(chan error, 1)
	go func() { result <- run(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()

	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-result:
		cancel()
		t.Fatalf("server failed to start: %v", err)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("server not ready after 5s")
	}

	stop := func() error {
		cancel()
		select {
		case err := <-result:
			return err
		case <-time.After(serve.ShutdownGrace + time.Second):
			return fmt.Errorf("run did not return within %v", serve.ShutdownGrace+time.Second)
		}
	}
	t.Cleanup(func() { cancel() })
	return addr.String(), stop
}

// get sends one GET on a fresh connection, which it closes afterwards.
func get(t *testing.T, addr, path string) (*http.Response, []byte) {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}

	res, err := client.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	return res, body
}

// checkPipelined writes a request for each route in one write, the last
// asking to close, and expects the answers in order and then the end of the
// connection.
func checkPipelined(t *testing.T, addr string) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))

	var reqs strings.Builder
	for i, r := range routes {
		fmt.Fprintf(&reqs, "GET %s HTTP/1.1\r\nHost: bench\r\n", r.path)
		if i == len(routes)-1 {
			reqs.WriteString("Connection: close\r\n")
		}
		reqs.WriteString("\r\n")
	}
	if _, err := io.WriteString(nc, reqs.String()); err != nil {
		t.Fatal(err)
	}

	br := bufio.NewReader(nc)
	for i, r := range routes {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading the response to %s: %v", r.path, err)
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("reading the body of %s: %v", r.path, err)
		}
		if err := r.check(res, body); err != nil {
			t.Error(err)
		}
		// RFC 9112 section 9.6: the last response should announce the
		// close. wrk relies on it: without it, it sends the next request
		// on the closing connection and counts an error.
		if last := i == len(routes)-1; res.Close != last {
			t.Errorf("GET %s: response closes: got %v, want %v", r.path, res.Close, last)
		}
	}
	if n, err := br.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("after Connection: close: got %d bytes and %v, want io.EOF", n, err)
	}
}

// check compares a response with the route's answer. The media type must
// match and a charset, when given, must be UTF-8; JSON encoders that end
// the value with a newline are allowed to.
func (r route) check(res *http.Response, body []byte) error {
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status: got %d, want 200", r.path, res.StatusCode)
	}
	ct := res.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != r.mediaType {
		return fmt.Errorf("GET %s: Content-Type: got %q, want %s", r.path, ct, r.mediaType)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Errorf("GET %s: charset: got %q, want utf-8", r.path, cs)
	}
	if r.mediaType == "application/json" {
		body = bytes.TrimSuffix(body, []byte("\n"))
	}
	if string(body) != r.body {
		return fmt.Errorf("GET %s: body: got %q, want %q", r.path, body, r.body)
	}
	return nil
}
