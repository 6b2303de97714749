//go:build unix

package process

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

// serveInProcess runs the run command on srv in this process until the
// returned cancel is called; wait returns run's error.
func serveInProcess(t *testing.T, c Config, srv ...*lane.Server) (cancel func(), wait func() error) {
	t.Helper()
	c.PIDFile = filepath.Join(t.TempDir(), "x.pid")
	c.Output = io.Discard
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Command(ctx, []string{"run"}, srv...) }()
	t.Cleanup(cancel)
	addr := srv[0].Config().Address
	hc := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if res, err := hc.Get("http://" + addr + "/"); err == nil {
			res.Body.Close()
			break
		}
	}
	return cancel, func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return")
			return nil
		}
	}
}

// TestReadinessBeforeDrain checks that readiness turns 503 when a shutdown
// begins while the server still serves for DrainDelay, and that liveness
// stays 200.
func TestReadinessBeforeDrain(t *testing.T) {
	h := new(Health)
	srv := lane.New(lane.Config{Name: "web", Address: freeAddr(t)})
	srv.GET("/readyz", h.Ready)
	srv.GET("/livez", h.Live)
	cancel, wait := serveInProcess(t, Config{Health: h, DrainDelay: 600 * time.Millisecond}, srv)
	base := "http://" + srv.Config().Address
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	if code, _, err := get(c, base+"/readyz", ""); code != 200 || err != nil {
		t.Fatalf("readyz before shutdown: %d %v, want 200", code, err)
	}
	began := time.Now()
	cancel()
	time.Sleep(100 * time.Millisecond)
	if code, _, err := get(c, base+"/readyz", ""); code != 503 || err != nil {
		t.Errorf("readyz during the drain delay: %d %v, want 503", code, err)
	}
	if code, _, err := get(c, base+"/livez", ""); code != 200 || err != nil {
		t.Errorf("livez during the drain delay: %d %v, want 200", code, err)
	}
	if err := wait(); err != nil {
		t.Errorf("run: %v", err)
	}
	if took := time.Since(began); took < 600*time.Millisecond {
		t.Errorf("stopped %v after the shutdown began, before the 600ms DrainDelay", took)
	}
	if _, _, err := get(c, base+"/livez", ""); err == nil {
		t.Errorf("server still answers after run returned")
	}
}

// TestHotSwap swaps routes on SIGUSR1 while a request is in flight: it
// finishes on the old routes, the next request uses the new ones.
func TestHotSwap(t *testing.T) {
	addr := freeAddr(t)
	build := func(answer string, delay time.Duration) *lane.Server {
		s := lane.New(lane.Config{Name: "web", Address: addr})
		s.GET("/v", func(c *lane.Context) lane.Status {
			time.Sleep(delay)
			return c.String(200, answer)
		})
		return s
	}
	cfg := Config{Reload: func() ([]*lane.Server, error) {
		return []*lane.Server{build("new", 0)}, nil
	}}
	cancel, wait := serveInProcess(t, cfg, build("old", 500*time.Millisecond))
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	inFlight := make(chan string, 1)
	go func() {
		_, body, err := get(c, "http://"+addr+"/v", "")
		inFlight <- body + errString(err)
	}()
	time.Sleep(100 * time.Millisecond)
	syscall.Kill(syscall.Getpid(), syscall.SIGUSR1)

	var body string
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && body != "new"; {
		_, body, _ = get(c, "http://"+addr+"/v", "")
	}
	if body != "new" {
		t.Errorf("after SIGUSR1: %q, want new", body)
	}
	if got := <-inFlight; got != "old" {
		t.Errorf("request in flight: %q, want old", got)
	}
	cancel()
	if err := wait(); err != nil {
		t.Errorf("run: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " " + strings.TrimSpace(err.Error())
}
