package lane_test

import (
	"strings"
	"testing"

	"github.com/lanehttp/lane"
)

func TestReload(t *testing.T) {
	old := newServer()
	entered, release := make(chan struct{}), make(chan struct{})
	old.GET("/slow", func(c *lane.Context) lane.Status {
		close(entered)
		<-release
		return c.String(200, "old slow")
	})
	old.GET("/v", func(c *lane.Context) lane.Status { return c.String(200, "v1") })
	ctl := start(t, old)

	inflight := dial(t, ctl)
	inflight.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered

	next := lane.New(lane.Config{Request: lane.RequestConfig{MaxBodySize: 3}})
	next.GET("/v", func(c *lane.Context) lane.Status { return c.String(200, "v2") })
	next.POST("/v", func(c *lane.Context) lane.Status { return c.String(200, "posted") })
	if err := old.Reload(next); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	close(release)
	if _, body := inflight.response("GET"); body != "old slow" {
		t.Errorf("in-flight request got %q, want the old handler's answer", body)
	}

	rc := dial(t, ctl)
	rc.send("GET /v HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := rc.response("GET"); body != "v2" {
		t.Errorf("after Reload: %q, want v2", body)
	}
	rc.send("POST /v HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd")
	if res, _ := rc.response("POST"); res.StatusCode != 413 {
		t.Errorf("body over the new limit: %d, want 413", res.StatusCode)
	}
	if got := old.Routes(); len(got) != 2 || got[0].Pattern != "/v" {
		t.Errorf("Routes after Reload = %v", got)
	}

	if err := old.Reload(next); err == nil || !strings.Contains(err.Error(), "never started") {
		t.Errorf("reusing a server for Reload: %v", err)
	}
	if err := lane.New(lane.Config{}).Reload(lane.New(lane.Config{})); err == nil {
		t.Errorf("Reload of a server that is not running succeeded")
	}
}
