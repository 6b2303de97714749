//go:build unix

package process

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// exampleBinary builds examples/multiserver once per test run and returns
// a copy of it in a directory of the test's own, so that a test may replace
// the file.
func exampleBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the example program")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "lane-process-")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, "multiserver"), "../examples/multiserver").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	bin := filepath.Join(t.TempDir(), "multiserver")
	copyFile(t, filepath.Join(buildDir, "multiserver"), bin)
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	// Write a new file, not over the old one: a running program's binary
	// cannot be opened for writing (ETXTBSY).
	tmp := to + ".new"
	if err := os.WriteFile(tmp, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

// app is the example program under test: its binary, configuration, pid
// file and addresses.
type app struct {
	t        *testing.T
	bin, dir string
	cli      string // a copy of bin for the commands but start, which tests may leave alone
	cfg      string
	pidFile  string
	pub, adm string
}

func newApp(t *testing.T) *app {
	t.Helper()
	a := &app{t: t, bin: exampleBinary(t)}
	a.dir = filepath.Dir(a.bin)
	a.cli = a.bin + "-cli"
	copyFile(t, a.bin, a.cli)
	a.pub = freeAddr(t)
	a.adm = freeAddr(t)
	a.cfg = filepath.Join(a.dir, "servers.json")
	cfg := fmt.Sprintf(`{"public": {"address": %q, "shutdown_grace_ms": 5000}, "admin": {"address": %q, "request": {"preset": "high_security"}}}`, a.pub, a.adm)
	if err := os.WriteFile(a.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	a.pidFile = filepath.Join(a.dir, "ms.pid")
	t.Cleanup(a.kill)
	return a
}

// run runs a command of the program and returns its output and exit code.
func (a *app) run(command string) (string, int) {
	a.t.Helper()
	bin := a.cli
	if command == "start" {
		bin = a.bin // the instance restarts whatever file is at its path
	}
	cmd := exec.Command(bin, "-config", a.cfg, "-token", "t0ken", command, "-lane.pidfile", a.pidFile)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET=")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		a.t.Fatalf("%s: %v", command, err)
	}
	return string(out), code
}

// mustRun runs a command that must succeed.
func (a *app) mustRun(command string) string {
	a.t.Helper()
	out, code := a.run(command)
	if code != 0 {
		a.t.Fatalf("%s: exit %d\n%s\nlog:\n%s", command, code, out, a.log())
	}
	return out
}

func (a *app) log() string {
	b, _ := os.ReadFile(strings.TrimSuffix(a.pidFile, ".pid") + ".log")
	return string(b)
}

// pid returns the pid in the pid file, 0 without one.
func (a *app) pid() int {
	pid, _ := readPID(a.pidFile)
	return pid
}

// kill kills every process started with this app's pid file: whatever the
// pid file names, and on Linux any other instance or worker.
func (a *app) kill() {
	pids := []int{a.pid()}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if strings.Contains(string(cmdline), a.pidFile) {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if pid > 0 && alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			waitExit(pid, 2*time.Second)
		}
	}
}

// parsePID returns the number after "pid " in s.
func parsePID(t *testing.T, s string) int {
	t.Helper()
	_, rest, ok := strings.Cut(s, "pid ")
	if !ok {
		t.Fatalf("no pid in %q", s)
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	pid, err := strconv.Atoi(rest[:end])
	if err != nil {
		t.Fatalf("no pid in %q", s)
	}
	return pid
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// get fetches url and returns the status and body.
func get(c *http.Client, url, auth string) (int, string, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, "", err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}
