//go:build unix

package process

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// replaceBinary puts a shell script where the program's binary was, so
// that the next restart runs it.
func (a *app) replaceBinary(script string) (restore func()) {
	a.t.Helper()
	orig := a.bin + ".orig"
	copyFile(a.t, a.bin, orig)
	if err := os.WriteFile(a.bin+".new", []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.Rename(a.bin+".new", a.bin); err != nil {
		a.t.Fatal(err)
	}
	return func() { copyFile(a.t, orig, a.bin) }
}

func (a *app) expectServing() {
	a.t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	if code, body, err := get(c, "http://"+a.pub+"/api/public/hello", ""); err != nil || code != 200 {
		a.t.Errorf("public after failed restart: %d %q %v", code, body, err)
	}
}

func TestRestartFailures(t *testing.T) {
	a := newApp(t)
	pid := parsePID(t, a.mustRun("start"))

	t.Run("new binary fails", func(t *testing.T) {
		restore := a.replaceBinary("echo cannot start >&2; exit 1")
		out, code := a.run("restart")
		restore()
		if code == 0 || !strings.Contains(out, "exited before it was ready") {
			t.Errorf("restart with a failing binary: exit %d, %q; want an error", code, out)
		}
		if got := a.pid(); got != pid || !alive(pid) {
			t.Errorf("pid file %d (alive %v), want the old pid %d serving", got, alive(pid), pid)
		}
		a.checkStatus(pid)
		a.expectServing()
	})

	t.Run("second restart refused", func(t *testing.T) {
		restore := a.replaceBinary("sleep 1; exit 1")
		var wg sync.WaitGroup
		var first string
		wg.Go(func() { first, _ = a.run("restart") })
		time.Sleep(300 * time.Millisecond)
		out, code := a.run("restart")
		wg.Wait()
		restore()
		if code == 0 || !strings.Contains(out, "a restart is already in progress") {
			t.Errorf("second restart: exit %d, %q; want it refused", code, out)
		}
		if !strings.Contains(first, "exited before it was ready") {
			t.Errorf("first restart: %q, want the failing binary's error", first)
		}
		a.checkStatus(pid)
		a.expectServing()
	})

	t.Run("restart after failures", func(t *testing.T) {
		next := parsePID(t, a.mustRun("restart"))
		if next == pid || alive(pid) {
			t.Errorf("restart: pid %d -> %d, old alive %v", pid, next, alive(pid))
		}
		a.checkStatus(next)
	})
	a.mustRun("stop")
}

func TestStalePIDFile(t *testing.T) {
	a := newApp(t)
	// A pid file nobody locks, as a killed instance leaves it.
	if err := os.WriteFile(a.pidFile, []byte("999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := a.run("status")
	if code != 3 || !strings.Contains(out, "stale pid file of pid 999999") {
		t.Errorf("status: exit %d, %q; want 3 and the stale file named", code, out)
	}
	if _, err := os.Stat(a.pidFile); !os.IsNotExist(err) {
		t.Errorf("stale pid file not removed: %v", err)
	}

	os.WriteFile(a.pidFile, []byte("999999\n"), 0o644)
	if out := a.mustRun("stop"); !strings.Contains(out, "stale") {
		t.Errorf("stop: %q, want the stale file reported", out)
	}

	os.WriteFile(a.pidFile, []byte("999999\n"), 0o644)
	pid := parsePID(t, a.mustRun("start"))
	if out, code := a.run("start"); code == 0 || !strings.Contains(out, "already running") {
		t.Errorf("second start: exit %d, %q; want refused", code, out)
	}
	a.mustRun("stop")
	if alive(pid) {
		t.Errorf("pid %d alive after stop", pid)
	}
}

func TestPIDFileLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.pid")
	pf, err := lockPIDFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pf.write(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := lockPIDFile(path); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second lock: %v, want already running", err)
	}
	if pid, st, err := probe(path); pid != os.Getpid() || st != pidRunning || err != nil {
		t.Errorf("probe = %d, %v, %v; want %d, running", pid, st, err, os.Getpid())
	}
	pf.remove()
	if _, st, _ := probe(path); st != pidNone {
		t.Errorf("probe after remove = %v, want none", st)
	}
}
