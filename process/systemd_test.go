//go:build unix

package process

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSocketActivation passes the example's two sockets the way systemd
// does, with the config naming the very addresses they hold, so the
// program serves only if it takes them; it also collects the sd_notify
// messages it sends.
func TestSocketActivation(t *testing.T) {
	a := newApp(t)
	var sockets []inheritedFile
	for _, name := range []string{"admin", "public"} { // order must not matter
		l, err := net.Listen("tcp", map[string]string{"public": a.pub, "admin": a.adm}[name])
		if err != nil {
			t.Fatal(err)
		}
		f, _ := l.(*net.TCPListener).File()
		l.Close()
		sockets = append(sockets, inheritedFile{name: name, f: f})
	}
	ns := notifySocket(t)
	t.Setenv("NOTIFY_SOCKET", ns.LocalAddr().String())
	t.Setenv("WATCHDOG_USEC", "200000")

	sp := spawnSpec{exe: a.bin, args: []string{"-config", a.cfg, "run", "-lane.pidfile", a.pidFile}, sockets: sockets}
	cmd, err := spawn(sp, 10*time.Second)
	for _, s := range sockets {
		s.f.Close()
	}
	if err != nil {
		t.Fatalf("spawn: %v\nlog:\n%s", err, a.log())
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid

	c := &http.Client{Timeout: 5 * time.Second}
	for _, url := range []string{"http://" + a.pub + "/api/public/hello", "http://" + a.adm + "/readyz"} {
		if code, body, err := get(c, url, ""); code != 200 || err != nil {
			t.Errorf("GET %s: %d %q %v", url, code, body, err)
		}
	}
	expectNotify(t, ns, fmt.Sprintf("READY=1\nMAINPID=%d", pid))
	expectNotify(t, ns, "WATCHDOG=1")

	cmd.Process.Signal(syscall.SIGTERM)
	expectNotify(t, ns, "STOPPING=1")
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", err)
	}
}

func notifySocket(t *testing.T) *net.UnixConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectNotify reads messages until want arrives, for at most 5 s.
func expectNotify(t *testing.T, c *net.UnixConn, want string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []string
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			t.Errorf("notify: got %q, want %q (%v)", got, want, err)
			return
		}
		if string(buf[:n]) == want {
			return
		}
		got = append(got, string(buf[:n]))
	}
}

func TestNotify(t *testing.T) {
	ns := notifySocket(t)
	t.Setenv("NOTIFY_SOCKET", ns.LocalAddr().String())
	if err := notify("RELOADING=1"); err != nil {
		t.Fatal(err)
	}
	expectNotify(t, ns, "RELOADING=1")

	t.Setenv("NOTIFY_SOCKET", "")
	if err := notify("READY=1"); err != nil {
		t.Errorf("notify without NOTIFY_SOCKET: %v, want nil", err)
	}
}

func TestWatchdogInterval(t *testing.T) {
	me := fmt.Sprint(os.Getpid())
	tests := []struct {
		usec, pid string
		want      time.Duration
	}{
		{"", "", 0},
		{"1000000", "", 500 * time.Millisecond},
		{"1000000", me, 500 * time.Millisecond},
		{"1000000", "1", 0}, // meant for another process
		{"junk", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.usec+"/"+tt.pid, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tt.usec)
			t.Setenv("WATCHDOG_PID", tt.pid)
			if got := watchdogInterval(); got != tt.want {
				t.Errorf("watchdogInterval() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInheritedEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // names, nil for none
	}{
		{"unset", map[string]string{}, nil},
		{"other pid", map[string]string{"LISTEN_PID": "1", "LISTEN_FDS": "2"}, nil},
		{"named", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "public:admin"}, []string{"public", "admin"}},
		{"unnamed", map[string]string{"LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "a"}, []string{"a", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := listenNames(func(k string) string { return tt.env[k] }, 42)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || (got == nil) != (tt.want == nil) {
				t.Errorf("names = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	f := func(name string) inheritedFile { return inheritedFile{name: name, f: os.NewFile(0, name)} }
	tests := []struct {
		name    string
		files   []inheritedFile
		servers []string
		matched string
		rest    int
	}{
		{"by name", []inheritedFile{f("admin"), f("public"), f(controlName)}, []string{"public", "admin"}, "admin,public", 1},
		{"single unnamed", []inheritedFile{f("web.socket")}, []string{"public"}, "public", 0},
		{"unknown name", []inheritedFile{f("web.socket"), f("x")}, []string{"public", "admin"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			byName, rest := match(tt.files, tt.servers)
			var got []string
			for _, s := range []string{"admin", "public"} {
				if byName[s] != nil {
					got = append(got, s)
				}
			}
			if strings.Join(got, ",") != tt.matched || len(rest) != tt.rest {
				t.Errorf("matched %v with %d left, want %q with %d", got, len(rest), tt.matched, tt.rest)
			}
		})
	}
}
