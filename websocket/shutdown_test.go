package websocket

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/sse"
)

// TestShutdown opens 100 WebSocket and 100 SSE clients, then shuts the
// server down: every WebSocket client gets close 1001, every stream ends
// cleanly, and Shutdown returns well before its deadline.
func TestShutdown(t *testing.T) {
	const n = 100
	srv := lane.New(lane.Config{Address: "127.0.0.1:0"})
	var open sync.WaitGroup
	open.Add(2 * n)
	srv.GET("/ws", func(c *lane.Context) lane.Status {
		conn, err := Accept(c, nil)
		if err != nil {
			return lane.Continue
		}
		defer conn.CloseNow()
		open.Done()
		for {
			if _, _, err := conn.Read(c.Context()); err != nil {
				return lane.Continue
			}
		}
	})
	srv.GET("/events", func(c *lane.Context) lane.Status {
		s, err := sse.New(c, nil)
		if err != nil {
			return lane.Continue
		}
		defer s.Close()
		open.Done()
		<-s.Done()
		return lane.Continue
	})
	ctl, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	addr := ctl.Addr().String()

	var clients sync.WaitGroup
	errs := make(chan string, 2*n)
	for i := 0; i < n; i++ {
		c := dial(t, addr)
		clients.Add(2)
		go func() {
			defer clients.Done()
			// Answer the server's close as a browser would, and check its code.
			f, err := readFrame(c.br)
			if err != nil || f.op != 8 || len(f.p) < 2 || binary.BigEndian.Uint16(f.p) != 1001 {
				errs <- "websocket client did not get close 1001"
				return
			}
			c.nc.Write(encode(data(8, f.p[:2])))
		}()

		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		io.WriteString(nc, "GET /events HTTP/1.1\r\nHost: h\r\n\r\n")
		go func() {
			defer clients.Done()
			res, err := http.ReadResponse(bufio.NewReader(nc), nil)
			if err != nil {
				errs <- "sse: " + err.Error()
				return
			}
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				errs <- "sse stream did not end cleanly: " + err.Error()
			}
		}()
	}
	open.Wait()

	const grace = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	start := time.Now()
	if err := ctl.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v, want nil", err)
	}
	if d := time.Since(start); d > grace/2 {
		t.Errorf("Shutdown took %v, want well under the %v grace", d, grace)
	}
	clients.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
