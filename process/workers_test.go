//go:build unix

package process

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

// workersProgram is the file name under which this test binary is the
// program under test of TestWorkers rather than the tests. The example
// program has no way to ask for workers and no route that tells which
// process answered, so the test runs a copy of its own binary instead.
// Workers are started from the master's path, so they take the same turn.
const workersProgram = "laneworkers"

func init() {
	if strings.HasPrefix(filepath.Base(os.Args[0]), workersProgram) {
		workersMain()
	}
}

// workersMain is the program under test: the example's public and admin
// servers, read from the same -config file, each answering GET /pid with
// the pid of the process that served it, run by two workers. It does not
// return.
func workersMain() {
	configPath := flag.String("config", "", "JSON file of server configs")
	flag.String("token", "", "accepted for the example's command line; unused")
	flag.Parse()

	cfgs, err := lane.LoadConfigs(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var servers []*lane.Server
	for _, name := range []string{"public", "admin"} {
		s := lane.New(cfgs[name])
		s.GET("/pid", func(c *lane.Context) lane.Status {
			return c.String(200, strconv.Itoa(os.Getpid()))
		})
		servers = append(servers, s)
	}
	Config{Workers: 2}.Main(servers...)
}

// workersGrace is the ShutdownGrace of both servers of newWorkersApp.
const workersGrace = 5 * time.Second

// newWorkersApp is newApp running the program of workersMain, a copy of
// this test binary, instead of the example.
func newWorkersApp(t *testing.T) *app {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the program in the background with workers")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A binary built with -race sleeps a second as it exits by default;
	// the master and each worker would add theirs to every stop.
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))

	a := &app{t: t, dir: t.TempDir(), pub: freeAddr(t), adm: freeAddr(t)}
	a.bin = filepath.Join(a.dir, workersProgram)
	a.cli = a.bin + "-cli"
	copyFile(t, exe, a.bin)
	copyFile(t, exe, a.cli)
	a.cfg = filepath.Join(a.dir, "servers.json")
	ms := workersGrace.Milliseconds()
	cfg := fmt.Sprintf(`{"public": {"address": %q, "shutdown_grace_ms": %d}, "admin": {"address": %q, "shutdown_grace_ms": %d}}`, a.pub, ms, a.adm, ms)
	if err := os.WriteFile(a.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	a.pidFile = filepath.Join(a.dir, "ms.pid")
	t.Cleanup(a.kill)
	return a
}

// TestWorkers starts a program with Workers: 2 in the background and
// checks that both workers serve both servers and are counted by status;
// that a worker killed with SIGKILL is replaced while requests keep
// succeeding; and that stop ends the master and every worker by draining
// them, well within the servers' ShutdownGrace, also right after a start.
func TestWorkers(t *testing.T) {
	a := newWorkersApp(t)
	deadline := time.Now().Add(25 * time.Second)

	master := parsePID(t, a.mustRun("start"))
	if got := a.pid(); got != master {
		t.Errorf("pid file holds %d, want the master %d", got, master)
	}
	first := a.workerPIDs()
	if len(first) != 2 || first[0] == first[1] || slices.Contains(first, master) {
		t.Fatalf("status workers = %v, want 2 distinct pids besides the master %d", first, master)
	}
	for _, p := range first {
		if !alive(p) {
			t.Errorf("worker %d named by status is not alive", p)
		}
	}

	// Both workers accept from the same sockets: fresh connections reach
	// either, and only the workers answer, never the master.
	var n int
	for _, addr := range []string{a.pub, a.adm} {
		seen := a.collectPIDs(addr, first, first, deadline)
		n += seen.requests
		if seen.bad != "" {
			t.Errorf("%s before the kill: %s", addr, seen.bad)
		}
		if len(seen.pids) != 2 {
			t.Errorf("%s answered from pids %v, want both workers %v", addr, seen.pids, first)
		}
	}
	t.Logf("master %d, workers %v answered %d requests", master, first, n)
	a.checkStatus(master)
	a.expectRequestsCounted(n, deadline)
	if out := a.mustRun("status"); !strings.Contains(out, fmt.Sprintf("workers [%d %d]", first[0], first[1])) {
		t.Errorf("status does not list workers %v:\n%s", first, out)
	}

	// The survivor serves alone until the master replaces the victim.
	victim, survivor := first[0], first[1]
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !waitExit(victim, 5*time.Second) {
		t.Fatalf("worker %d alive 5s after SIGKILL", victim)
	}
	began := time.Now()
	next := a.awaitReplacement(victim, survivor, deadline)
	t.Logf("worker %d killed; replaced by %d in %v", victim, next, time.Since(began).Round(time.Millisecond))
	if !alive(master) {
		t.Fatalf("master %d died with its worker", master)
	}
	now := []int{survivor, next}
	for _, addr := range []string{a.pub, a.adm} {
		seen := a.collectPIDs(addr, now, []int{next}, deadline)
		if seen.bad != "" {
			t.Errorf("%s after the replacement: %s", addr, seen.bad)
		}
		if !slices.Contains(seen.pids, next) {
			t.Errorf("%s answered from pids %v, never from the new worker %d", addr, seen.pids, next)
		}
	}
	a.checkStatus(master)

	a.stopWorkers(master, []int{victim, survivor, next})

	// Stop right after start, with no request to wake a worker's accept:
	// each worker must still drain at once. Starting a worker while
	// another serves is a race, so it is tried a few times.
	for i := range 4 {
		if time.Now().After(deadline) {
			t.Fatalf("out of time after %d start and stop cycles", i)
		}
		master := parsePID(t, a.mustRun("start"))
		a.stopWorkers(master, a.workerPIDs())
		if t.Failed() {
			t.Fatalf("cycle %d of start and stop failed", i+1)
		}
	}
}

// stopWorkers runs stop and checks that it ended the master and its
// workers within the servers' ShutdownGrace: nothing is in flight, so a
// worker that needs the whole grace has missed the SIGTERM and was
// killed. No process of the program may be left, nor the pid file.
func (a *app) stopWorkers(master int, workers []int) {
	a.t.Helper()
	began := time.Now()
	out := a.mustRun("stop")
	took := time.Since(began)
	if got := parsePID(a.t, out); got != master {
		a.t.Errorf("stop reported pid %d, want the master %d", got, master)
	}
	log := a.log()
	if took >= workersGrace || strings.Contains(log, "deadline exceeded") {
		a.t.Errorf("stop of master %d with workers %v took %v, want well under the %v grace with no request in flight; log:\n%s",
			master, workers, took.Round(time.Millisecond), workersGrace, log)
	}
	for _, p := range append([]int{master}, workers...) {
		if alive(p) {
			a.t.Errorf("pid %d alive after stop", p)
		}
	}
	if left := a.processes(); len(left) > 0 {
		a.t.Errorf("processes of the program left after stop: %v", left)
	}
	if _, err := os.Stat(a.pidFile); !os.IsNotExist(err) {
		a.t.Errorf("pid file left after stop: %v", err)
	}
	if out, code := a.run("status"); code != 3 {
		a.t.Errorf("status after stop: exit %d (%s), want 3", code, out)
	}
}

// workerPIDs returns the worker pids status reports over the control
// socket.
func (a *app) workerPIDs() []int {
	a.t.Helper()
	res, err := ask(strings.TrimSuffix(a.pidFile, ".pid")+".sock", "status", 5*time.Second)
	if err != nil || res.Status == nil {
		a.t.Fatalf("status over the control socket: %v %+v", err, res)
	}
	return res.Status.Workers
}

// pidsSeen sums up collectPIDs: the requests made, the distinct pids that
// answered, and the first failure.
type pidsSeen struct {
	requests int
	pids     []int
	bad      string
}

// collectPIDs asks addr for /pid on fresh connections, four at a time,
// until every pid in want has answered, 400 requests were made or the
// deadline passed. Every request must answer 200 from a pid in allowed.
func (a *app) collectPIDs(addr string, allowed, want []int, deadline time.Time) pidsSeen {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer c.CloseIdleConnections()
	var (
		mu   sync.Mutex
		seen pidsSeen
	)
	done := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range want {
			if !slices.Contains(seen.pids, p) {
				return seen.bad != "" || seen.requests >= 400 || time.Now().After(deadline)
			}
		}
		return true
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !done() {
				code, body, err := get(c, "http://"+addr+"/pid", "")
				pid, perr := strconv.Atoi(body)
				mu.Lock()
				seen.requests++
				switch {
				case err != nil:
					seen.note(err.Error())
				case code != 200 || perr != nil:
					seen.note(fmt.Sprintf("status %d: %q", code, body))
				case !slices.Contains(allowed, pid):
					seen.note(fmt.Sprintf("answered by pid %d, want one of %v", pid, allowed))
				case !slices.Contains(seen.pids, pid):
					seen.pids = append(seen.pids, pid)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(seen.pids)
	return seen
}

func (s *pidsSeen) note(msg string) {
	if s.bad == "" {
		s.bad = msg
	}
}

// expectRequestsCounted checks that status sums the workers' counters:
// the two servers together counted n requests. A server counts a request
// once its head is read, before it answers, so no wait is needed.
func (a *app) expectRequestsCounted(n int, deadline time.Time) {
	a.t.Helper()
	res, err := ask(strings.TrimSuffix(a.pidFile, ".pid")+".sock", "status", time.Until(deadline))
	if err != nil || res.Status == nil {
		a.t.Fatalf("status over the control socket: %v %+v", err, res)
	}
	var got uint64
	for _, s := range res.Status.Servers {
		got += s.Requests
	}
	if got != uint64(n) {
		a.t.Errorf("status counts %d requests over both servers, want the %d made", got, n)
	}
}

// awaitReplacement polls status and the public server until status names
// survivor and one new worker, and returns the new worker's pid. Every
// request made meanwhile must succeed, answered by the survivor or the new
// worker.
func (a *app) awaitReplacement(victim, survivor int, deadline time.Time) int {
	a.t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer c.CloseIdleConnections()
	var got []int
	for time.Now().Before(deadline) {
		got = a.workerPIDs()
		var next int
		if len(got) == 2 && slices.Contains(got, survivor) && !slices.Contains(got, victim) {
			next = got[0] + got[1] - survivor
		}
		for _, addr := range []string{a.pub, a.adm} {
			code, body, err := get(c, "http://"+addr+"/pid", "")
			pid, _ := strconv.Atoi(body)
			if err != nil || code != 200 || (pid != survivor && (next == 0 || pid != next)) {
				a.t.Fatalf("%s while worker %d was replaced: %d %q %v; want 200 from %d or its replacement (status workers %v)",
					addr, victim, code, body, err, survivor, got)
			}
		}
		if next != 0 && next != survivor {
			if !alive(next) {
				a.t.Fatalf("replacement worker %d named by status is not alive", next)
			}
			return next
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.t.Fatalf("status workers %v: worker %d not replaced in time\nlog:\n%s", got, victim, a.log())
	return 0
}

// processes returns the live processes whose command line names this
// app's pid file: its instances and their workers.
func (a *app) processes() []int {
	var pids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if strings.Contains(string(cmdline), a.pidFile) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
