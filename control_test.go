package lane_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

func TestShutdownDrainsInFlight(t *testing.T) {
	s := newServer()
	entered := make(chan struct{})
	s.GET("/slow", func(c *lane.Context) lane.Status {
		close(entered)
		time.Sleep(300 * time.Millisecond)
		return c.String(200, "done")
	})
	s.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "ok") })
	ctl, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	idle := dial(t, ctl)
	idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	idle.response("GET")

	busy := dial(t, ctl)
	busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered

	shut := make(chan error, 1)
	began := time.Now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- ctl.Shutdown(ctx)
	}()

	if !idle.closed() {
		t.Errorf("idle keep-alive connection not closed by Shutdown")
	}
	if d := time.Since(began); d > 250*time.Millisecond {
		t.Errorf("idle connection closed after %v, want at once", d)
	}
	res, body := busy.response("GET")
	if res.StatusCode != 200 || body != "done" || !res.Close {
		t.Errorf("in-flight request: %d %q close=%v, want 200 done with close", res.StatusCode, body, res.Close)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := ctl.Wait(); !errors.Is(err, lane.ErrServerClosed) {
		t.Errorf("Wait = %v, want ErrServerClosed", err)
	}
	if _, err := net.DialTimeout("tcp", ctl.Addr().String(), time.Second); err == nil {
		t.Errorf("server still accepts after Shutdown")
	}
}

func TestShutdownDeadlineCloses(t *testing.T) {
	s := newServer()
	entered := make(chan struct{})
	cancelled := make(chan struct{})
	s.GET("/stuck", func(c *lane.Context) lane.Status {
		close(entered)
		<-c.Context().Done()
		close(cancelled)
		return lane.Continue
	})
	ctl, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	rc := dial(t, ctl)
	rc.send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := ctl.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want deadline exceeded", err)
	}
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("handler context not cancelled at the shutdown deadline")
	}
	if !rc.closed() {
		t.Errorf("connection of a stuck request not closed at the deadline")
	}
	select {
	case <-ctl.Done():
	case <-time.After(2 * time.Second):
		t.Errorf("server not done after the handler returned")
	}
}

func TestShuttingDownChannel(t *testing.T) {
	s := newServer()
	entered := make(chan struct{})
	s.GET("/stream", func(c *lane.Context) lane.Status {
		c.WriteString("tick\n")
		c.Flush()
		close(entered)
		<-c.ShuttingDown()
		c.WriteString("bye\n")
		return lane.Continue
	})
	ctl, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	rc := dial(t, ctl)
	rc.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ctl.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, body := rc.response("GET"); body != "tick\nbye\n" {
		t.Errorf("stream body = %q", body)
	}
}

func TestCloseIsHarmlessTwice(t *testing.T) {
	ctl := start(t, newServer())
	ctl.Close()
	ctl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := ctl.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown after Close: %v", err)
	}
	if err := ctl.Wait(); !errors.Is(err, lane.ErrServerClosed) {
		t.Errorf("Wait = %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	s := lane.New(lane.Config{Address: "127.0.0.1:0", TTL: 300})
	if _, err := s.Start(); err == nil || !strings.Contains(err.Error(), "ttl") {
		t.Errorf("Start with ttl 300 = %v, want an error naming ttl", err)
	}
	s = newServer()
	start(t, s)
	if _, err := s.Start(); !errors.Is(err, lane.ErrAlreadyStarted) {
		t.Errorf("second Start = %v, want ErrAlreadyStarted", err)
	}
}

func TestGroupFailsFast(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	first := newServer()
	second := lane.New(lane.Config{Address: taken.Addr().String(), Name: "second"})
	g := lane.NewGroup(first, second)
	err = g.Start()
	if err == nil || !strings.Contains(err.Error(), "second") {
		t.Fatalf("Start = %v, want an error naming the server that failed", err)
	}
	if st := first.Stats(); st.Addr == "" {
		t.Fatalf("first server never started")
	} else if c, err := net.DialTimeout("tcp", st.Addr, time.Second); err == nil {
		c.Close()
		t.Errorf("first server still accepting after the group failed to start")
	}
}

func TestGroupRunStopsOnContext(t *testing.T) {
	a, b := newServer(), newServer()
	a.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "a") })
	g := lane.NewGroup(a, b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	deadline := time.Now().Add(2 * time.Second)
	for g.Controls() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	rc := dial(t, g.Controls()[0])
	rc.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := rc.response("GET"); body != "a" {
		t.Fatalf("body = %q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	for _, ctl := range g.Controls() {
		select {
		case <-ctl.Done():
		default:
			t.Errorf("server %s not stopped", ctl.Addr())
		}
	}
}
