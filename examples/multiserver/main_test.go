package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestExample builds the program, runs it on free ports and checks both
// servers, then that SIGTERM drains a slow request and exits 0.
func TestExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example program")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "multiserver")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	pub := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	adm := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cfg := fmt.Sprintf(`{"public": {"address": %q}, "admin": {"address": %q, "request": {"preset": "high_security"}}}`, pub, adm)
	cfgPath := filepath.Join(dir, "servers.json")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "-config", cfgPath, "-token", "t0ken", "run", "-lane.pidfile", filepath.Join(dir, "ms.pid"))
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("program output:\n%s", logs.String())
		}
	}()
	waitListening(t, pub)
	waitListening(t, adm)

	client := &http.Client{Timeout: 5 * time.Second}
	status, body := fetch(t, client, "http://"+pub+"/api/public/hello", "")
	if status != 200 || !strings.Contains(body, `"message":"hello from lane"`) {
		t.Errorf("public hello: %d %s", status, body)
	}
	if status, _ := fetch(t, client, "http://"+adm+"/admin/stats", ""); status != 401 {
		t.Errorf("admin without token: %d, want 401", status)
	}
	if status, _ := fetch(t, client, "http://"+adm+"/admin/stats", "Bearer wrong"); status != 401 {
		t.Errorf("admin with a wrong token: %d, want 401", status)
	}
	status, body = fetch(t, client, "http://"+adm+"/admin/stats", "Bearer t0ken")
	var stats struct {
		Servers []struct {
			Name     string `json:"name"`
			Requests uint64 `json:"requests"`
		} `json:"servers"`
	}
	if err := json.Unmarshal([]byte(body), &stats); status != 200 || err != nil {
		t.Fatalf("admin stats: %d %s (%v)", status, body, err)
	}
	if len(stats.Servers) != 2 || stats.Servers[0].Name != "public" || stats.Servers[0].Requests != 1 {
		t.Errorf("stats = %+v, want public with 1 request first", stats.Servers)
	}

	slow := make(chan string, 1)
	go func() {
		status, body := fetch(t, client, "http://"+pub+"/api/public/slow?ms=1500", "")
		slow <- fmt.Sprint(status, " ", body)
	}()
	time.Sleep(300 * time.Millisecond)
	began := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if got := <-slow; !strings.HasPrefix(got, "200 ") {
		t.Errorf("slow request during shutdown: %s, want 200", got)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v, want status 0", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5s after SIGTERM")
	}
	t.Logf("exited %v after SIGTERM", time.Since(began).Round(time.Millisecond))
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not listening", addr)
}

func fetch(t *testing.T, client *http.Client, url, auth string) (int, string) {
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0, ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
