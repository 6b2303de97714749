package sse

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

// serve starts a lane server on 127.0.0.1 with h at /events.
func serve(t *testing.T, h lane.Handler) (string, *lane.Control) {
	t.Helper()
	srv := lane.New(lane.Config{Address: "127.0.0.1:0"})
	srv.GET("/events", h)
	ctl, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ctl.Shutdown(ctx)
	})
	return ctl.Addr().String(), ctl
}

// open sends a GET for /events with extra header lines and returns the
// response, whose body is the decoded stream.
func open(t *testing.T, addr string, extra ...string) (net.Conn, *http.Response) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { nc.Close() })
	io.WriteString(nc, "GET /events HTTP/1.1\r\nHost: h\r\n"+strings.Join(extra, "")+"\r\n")
	res, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return nc, res
}

// readEvent reads up to and including the blank line that ends an event.
func readEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading event: %v (so far %q)", err, b.String())
		}
		b.WriteString(line)
		if line == "\n" {
			return b.String()
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"data", Event{Data: "hello"}, "data: hello\n\n"},
		{"empty data", Event{}, "data: \n\n"},
		{"all fields", Event{ID: "7", Event: "tick", Data: "x", Retry: 1500 * time.Millisecond},
			"event: tick\nid: 7\nretry: 1500\ndata: x\n\n"},
		{"multi-line data", Event{Data: "a\nb\r\nc\rd"}, "data: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"trailing newline", Event{Data: "a\n"}, "data: a\ndata: \n\n"},
		{"injection in event", Event{Event: "x\n\ndata: evil\r", Data: "ok"}, "event: xdata: evil\ndata: ok\n\n"},
		{"injection in id", Event{ID: "1\nretry: 1\x00", Data: "ok"}, "id: 1retry: 1\ndata: ok\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendEvent(nil, tt.ev)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStream(t *testing.T) {
	sent := make(chan time.Time, 1)
	addr, _ := serve(t, func(c *lane.Context) lane.Status {
		s, err := New(c, &Options{Retry: 2 * time.Second, Header: http.Header{"X-Test": {"1"}, "X-Bad": {"a\r\nb"}}})
		if err != nil {
			return lane.Continue
		}
		defer s.Close()
		s.Send(Event{ID: "1", Data: "last=" + s.LastEventID()})
		time.Sleep(100 * time.Millisecond)
		sent <- time.Now()
		s.Send(Event{Data: "second"})
		<-s.Done()
		return lane.Continue
	})
	_, res := open(t, addr, "Last-Event-ID: 41\r\n")

	if got := res.Header.Get("Content-Type"); got != "text/event-stream" {
		t.Errorf("Content-Type = %q, want text/event-stream", got)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", got)
	}
	if res.Header.Get("X-Test") != "1" || res.Header.Get("X-Bad") != "" {
		t.Errorf("extra headers: X-Test %q X-Bad %q, want 1 and none", res.Header.Get("X-Test"), res.Header.Get("X-Bad"))
	}
	br := bufio.NewReader(res.Body)
	if got, want := readEvent(t, br), "retry: 2000\n\n"; got != want {
		t.Errorf("first = %q, want %q", got, want)
	}
	if got, want := readEvent(t, br), "id: 1\ndata: last=41\n\n"; got != want {
		t.Errorf("event = %q, want %q", got, want)
	}
	got := readEvent(t, br)
	if d := time.Since(<-sent); d > 50*time.Millisecond {
		t.Errorf("event arrived %v after Send, want within 50ms", d)
	}
	if got != "data: second\n\n" {
		t.Errorf("event = %q, want %q", got, "data: second\n\n")
	}
}

func TestHeartbeat(t *testing.T) {
	addr, _ := serve(t, func(c *lane.Context) lane.Status {
		s, err := New(c, &Options{Heartbeat: 50 * time.Millisecond})
		if err != nil {
			return lane.Continue
		}
		defer s.Close()
		<-s.Done()
		return lane.Continue
	})
	_, res := open(t, addr)
	br := bufio.NewReader(res.Body)
	start := time.Now()
	for i := 0; i < 3; i++ {
		if got := readEvent(t, br); got != ": \n\n" {
			t.Fatalf("heartbeat %d = %q, want %q", i, got, ": \n\n")
		}
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("three heartbeats took %v, want about 150ms", d)
	}
}

func TestClientGone(t *testing.T) {
	ended := make(chan error, 1)
	addr, _ := serve(t, func(c *lane.Context) lane.Status {
		s, err := New(c, &Options{Heartbeat: Off})
		if err != nil {
			return lane.Continue
		}
		defer s.Close()
		<-s.Done()
		ended <- s.Err()
		return lane.Continue
	})
	nc, res := open(t, addr)
	if res.StatusCode != 200 {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	nc.Close()
	select {
	case err := <-ended:
		if err != ErrClientGone {
			t.Errorf("Err = %v, want ErrClientGone", err)
		}
	case <-time.After(time.Second):
		t.Fatal("handler still running 1s after the client left")
	}
}

func TestShutdownEndsStream(t *testing.T) {
	ended := make(chan error, 1)
	addr, ctl := serve(t, func(c *lane.Context) lane.Status {
		s, err := New(c, nil)
		if err != nil {
			return lane.Continue
		}
		defer s.Close()
		<-s.Done()
		ended <- s.Err()
		return lane.Continue
	})
	_, res := open(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := ctl.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v, want nil", err)
	}
	if err := <-ended; err != ErrShuttingDown {
		t.Errorf("Err = %v, want ErrShuttingDown", err)
	}
	if b, err := io.ReadAll(res.Body); err != nil {
		t.Errorf("body after shutdown: %q, %v; want a clean end", b, err)
	}
}

// TestSlowSubscriber publishes to 1,000 reading clients and one that never
// reads: the slow one is dropped, and the others get every event on time.
func TestSlowSubscriber(t *testing.T) {
	const clients, events = 1000, 40
	b := NewBroker(events - 2) // the slow one overflows at the last event
	var finished atomic.Bool
	addr, _ := serve(t, func(c *lane.Context) lane.Status {
		s, err := New(c, &Options{WriteTimeout: 5 * time.Second, Heartbeat: Off})
		if err != nil {
			return lane.Continue
		}
		defer s.Close()
		if err := b.Serve(s); !finished.Load() {
			t.Logf("serve ended early: %v", err)
		}
		return lane.Continue
	})

	// The slow subscriber's stream is a pipe nobody reads: its first write
	// blocks, as a client with full socket buffers would make it.
	slowErr := make(chan error, 1)
	go func() { slowErr <- b.Serve(pipeStream(t)) }()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		_, res := open(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReader(res.Body)
			for j := 0; j < events; j++ {
				line, err := br.ReadString('\n')
				br.ReadString('\n') // the blank line after the event
				if want := fmt.Sprintf("data: %d %s\n", j, pad); line != want {
					errs <- fmt.Errorf("event %d: got %.20q (%v), want %.20q", j, line, err, want)
					return
				}
			}
		}()
	}
	for b.Count() < clients+1 {
		time.Sleep(time.Millisecond)
	}

	start := time.Now()
	for j := 0; j < events; j++ {
		b.Publish(Event{Data: fmt.Sprintf("%d %s", j, pad)})
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	finished.Store(true)
	d := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := <-slowErr; err != ErrSlowConsumer {
		t.Errorf("slow subscriber: %v, want ErrSlowConsumer", err)
	}
	if got := b.Count(); got != clients {
		t.Errorf("subscribers = %d, want %d", got, clients)
	}
	t.Logf("%d events to %d clients in %v", events, clients, d)
}

var pad = strings.Repeat("x", 1<<10)

// pipeStream returns a stream writing to a pipe that is never read.
func pipeStream(t *testing.T) *Stream {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return &Stream{nc: a, timeout: time.Minute, done: make(chan struct{}), drain: &drain{streams: map[*Stream]struct{}{}}}
}
