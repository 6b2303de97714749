package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestChromium loads the page in headless Chromium, which sends a chat
// message through /ws (taken from the URL's fragment) and shows the clock
// from /events; the dumped DOM must hold both.
func TestChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	srv := newServer("127.0.0.1:0")
	ctl, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ctl.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url := "http://" + ctl.Addr().String() + "/#hello-from-chromium"
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--no-first-run", "--disable-sync",
		"--disable-component-update", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=3000", "--dump-dom", url)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	if !strings.Contains(dom, "<li>hello-from-chromium</li>") {
		t.Errorf("chat message missing from the page:\n%s", dom)
	}
	if strings.Contains(dom, `id="clock">waiting<`) {
		t.Errorf("clock never ticked:\n%s", dom)
	}
}
