//go:build unix

package process

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRestartUnderLoad starts the example in the background, runs 50
// connections of load against both servers for 10 s, mixing fast and
// one-second requests, restarts it three times meanwhile, then stops it. No
// request may fail or answer other than 2xx.
func TestRestartUnderLoad(t *testing.T) {
	a := newApp(t)
	out := a.mustRun("start")
	pid := parsePID(t, out)
	a.checkStatus(pid)

	ld := startLoad(a, 50, 10*time.Second)
	pids := []int{pid}
	for i := range 3 {
		time.Sleep(2500 * time.Millisecond)
		began := time.Now()
		out := a.mustRun("restart")
		next := parsePID(t, out)
		t.Logf("restart %d: pid %d -> %d in %v", i+1, pid, next, time.Since(began).Round(time.Millisecond))
		if next == pid {
			t.Fatalf("restart kept pid %d", pid)
		}
		if alive(pid) {
			t.Errorf("old pid %d still alive after restart returned", pid)
		}
		if got := a.pid(); got != next {
			t.Errorf("pid file holds %d, want %d", got, next)
		}
		a.checkStatus(next)
		pid = next
		pids = append(pids, pid)
	}
	r := ld.wait()

	out = a.mustRun("stop")
	if got := parsePID(t, out); got != pid {
		t.Errorf("stop reported pid %d, want %d", got, pid)
	}
	for _, p := range pids {
		if alive(p) {
			t.Errorf("pid %d alive after stop", p)
		}
	}
	if _, err := os.Stat(a.pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left after stop: %v", err)
	}
	if out, code := a.run("status"); code != 3 {
		t.Errorf("status after stop: exit %d (%s), want 3", code, out)
	}

	t.Logf("load: %d requests (%d slow), %d failed, %d non-2xx; longest accept pause %v over %d probes",
		r.ok+r.failed+r.bad, r.slow, r.failed, r.bad, r.longestPause.Round(time.Millisecond), r.probes)
	if r.failed != 0 || r.bad != 0 {
		t.Errorf("%d failed and %d non-2xx requests, want none; first: %s", r.failed, r.bad, r.firstErr)
	}
	if r.ok < 1000 {
		t.Errorf("only %d requests succeeded; the load did not run", r.ok)
	}
}

// checkStatus checks that status names pid and both servers' addresses.
func (a *app) checkStatus(pid int) {
	a.t.Helper()
	out := a.mustRun("status")
	if got := parsePID(a.t, out); got != pid {
		a.t.Errorf("status pid = %d, want %d\n%s", got, pid, out)
	}
	for _, addr := range []string{a.pub, a.adm} {
		if !strings.Contains(out, addr) {
			a.t.Errorf("status lacks %s:\n%s", addr, out)
		}
	}
	res, err := ask(strings.TrimSuffix(a.pidFile, ".pid")+".sock", "status", 5*time.Second)
	if err != nil || res.Status == nil {
		a.t.Fatalf("status over the control socket: %v %+v", err, res)
	}
	if len(res.Status.Servers) != 2 || res.Status.Servers[0].Name != "public" || res.Status.Servers[1].Name != "admin" {
		b, _ := json.Marshal(res.Status)
		a.t.Errorf("status servers = %s, want public and admin", b)
	}
}

// load is a running load test.
type load struct {
	wg  sync.WaitGroup
	ok  atomic.Int64
	bad atomic.Int64
	slw atomic.Int64
	err atomic.Int64

	mu       sync.Mutex
	firstErr string
	pause    time.Duration
	probes   int
}

type loadResult struct {
	ok, failed, bad, slow int64
	firstErr              string
	longestPause          time.Duration
	probes                int
}

// startLoad runs conns keep-alive connections, half on each server, for d;
// every fifth public request takes a second. A prober opens a fresh
// connection every 20 ms and records the longest time to an answer, the
// longest pause in accepting.
func startLoad(a *app, conns int, d time.Duration) *load {
	ld := &load{}
	end := time.Now().Add(d)
	for i := range conns {
		ld.wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for n := 0; time.Now().Before(end); n++ {
				url, auth := a.target(i, n)
				ld.record(get(c, url, auth))
				if strings.Contains(url, "slow") {
					ld.slw.Add(1)
				}
			}
			c.CloseIdleConnections()
		})
	}
	ld.wg.Go(func() { ld.probe(a, end) })
	return ld
}

func (a *app) target(i, n int) (url, auth string) {
	if i%2 == 1 {
		if n%2 == 0 {
			return "http://" + a.adm + "/readyz", ""
		}
		return "http://" + a.adm + "/admin/stats", "Bearer t0ken"
	}
	if n%5 == 4 {
		return "http://" + a.pub + "/api/public/slow?ms=1000", ""
	}
	return "http://" + a.pub + "/api/public/hello", ""
}

func (ld *load) record(code int, body string, err error) {
	switch {
	case err != nil:
		ld.err.Add(1)
		ld.noteErr(err.Error())
	case code < 200 || code > 299:
		ld.bad.Add(1)
		ld.noteErr(fmt.Sprintf("status %d: %s", code, body))
	default:
		ld.ok.Add(1)
	}
}

func (ld *load) noteErr(s string) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if ld.firstErr == "" {
		ld.firstErr = s
	}
}

// probe measures how long a new connection waits for an answer.
func (ld *load) probe(a *app, end time.Time) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Now().Before(end) {
		began := time.Now()
		ld.record(get(c, "http://"+a.pub+"/api/public/hello", ""))
		took := time.Since(began)
		ld.mu.Lock()
		ld.pause = max(ld.pause, took)
		ld.probes++
		ld.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}

func (ld *load) wait() loadResult {
	ld.wg.Wait()
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return loadResult{
		ok: ld.ok.Load(), failed: ld.err.Load(), bad: ld.bad.Load(), slow: ld.slw.Load(),
		firstErr: ld.firstErr, longestPause: ld.pause, probes: ld.probes,
	}
}

var _ net.Listener = (*net.TCPListener)(nil)
