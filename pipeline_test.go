package lane_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/lanetest"
)

// trace records the order in which handlers ran.
type trace struct {
	mu    sync.Mutex
	steps []string
}

func (tr *trace) step(name string, st lane.Status) lane.Handler {
	return func(c *lane.Context) lane.Status {
		tr.mu.Lock()
		tr.steps = append(tr.steps, name)
		tr.mu.Unlock()
		return st
	}
}

func (tr *trace) take() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	s := strings.Join(tr.steps, ",")
	tr.steps = nil
	return s
}

func get(t *testing.T, ts *lanetest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, nil)
	res, err := ts.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestPipelineOrderAndReject(t *testing.T) {
	tr := &trace{}
	s := lane.New(lane.Config{})
	s.Use(tr.step("use1", lane.Continue), tr.step("use2", lane.Continue))
	s.After(tr.step("after1", lane.Continue))
	s.GET("/ok", func(c *lane.Context) lane.Status {
		tr.step("route", lane.Continue)(c)
		return c.String(200, "ok")
	})
	api := s.Group("/api", tr.step("group", lane.Continue))
	api.GET("/x", tr.step("apiroute", lane.Continue))
	deny := s.Group("/deny", func(c *lane.Context) lane.Status {
		tr.step("guard", lane.Continue)(c)
		c.String(401, "no")
		return lane.Reject
	})
	deny.GET("/x", tr.step("never", lane.Continue))
	ts := lanetest.Start(s)
	defer ts.Close()

	tests := []struct {
		path   string
		status int
		steps  string
	}{
		{"/ok", 200, "use1,use2,route,after1"},
		{"/api/x", 200, "use1,use2,group,apiroute,after1"},
		{"/deny/x", 401, "use1,use2,guard,after1"},
		{"/missing", 404, "use1,use2,after1"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, _ := get(t, ts, "GET", tt.path)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			if got := tr.take(); got != tt.steps {
				t.Errorf("steps = %s, want %s", got, tt.steps)
			}
		})
	}
}

func TestRequestMiddlewareReject(t *testing.T) {
	tr := &trace{}
	s := lane.New(lane.Config{})
	s.Use(func(c *lane.Context) lane.Status {
		tr.step("auth", lane.Continue)(c)
		c.String(403, "forbidden")
		return lane.Reject
	}, tr.step("use2", lane.Continue))
	s.After(tr.step("after1", lane.Reject), tr.step("after2", lane.Continue))
	s.GET("/", tr.step("route", lane.Continue))
	ts := lanetest.Start(s)
	defer ts.Close()
	res, body := get(t, ts, "GET", "/")
	if res.StatusCode != 403 || body != "forbidden" {
		t.Errorf("got %d %q, want 403 forbidden", res.StatusCode, body)
	}
	if got, want := tr.take(), "auth,after1"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
}

func TestAutomaticMethods(t *testing.T) {
	s := lane.New(lane.Config{})
	s.GET("/item/{id}", func(c *lane.Context) lane.Status { return c.String(200, "item "+c.Param("id")) })
	s.DELETE("/item/{id}", func(c *lane.Context) lane.Status { return c.NoContent(204) })
	ts := lanetest.Start(s)
	defer ts.Close()

	res, body := get(t, ts, "HEAD", "/item/7")
	if res.StatusCode != 200 || body != "" || res.ContentLength != int64(len("item 7")) {
		t.Errorf("HEAD: %d %q length %d", res.StatusCode, body, res.ContentLength)
	}
	res, _ = get(t, ts, "POST", "/item/7")
	if res.StatusCode != 405 || res.Header.Get("Allow") == "" {
		t.Errorf("POST: %d Allow=%q, want 405 with Allow", res.StatusCode, res.Header.Get("Allow"))
	}
	allow := res.Header.Get("Allow")
	for _, m := range []string{"GET", "HEAD", "DELETE", "OPTIONS"} {
		if !strings.Contains(allow, m) {
			t.Errorf("Allow %q lacks %s", allow, m)
		}
	}
	res, _ = get(t, ts, "OPTIONS", "/item/7")
	if res.StatusCode != 204 || res.Header.Get("Allow") != allow {
		t.Errorf("OPTIONS: %d Allow=%q, want 204 Allow=%q", res.StatusCode, res.Header.Get("Allow"), allow)
	}
	res, _ = get(t, ts, "GET", "/nothing")
	if res.StatusCode != 404 {
		t.Errorf("GET /nothing: %d, want 404", res.StatusCode)
	}
}

func TestErrorHook(t *testing.T) {
	s := lane.New(lane.Config{})
	var seen lane.RequestError
	var mu sync.Mutex
	s.OnError(func(c *lane.Context, err *lane.RequestError) lane.Status {
		mu.Lock()
		seen = *err
		mu.Unlock()
		return c.JSON(err.Status, map[string]string{"error": err.Reason})
	})
	ts := lanetest.Start(s)
	defer ts.Close()
	nc, err := ts.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	go io.WriteString(nc, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
	b, _ := io.ReadAll(nc)
	got := string(b)
	if !strings.HasPrefix(got, "HTTP/1.1 400 ") || !strings.Contains(got, `{"error":`) || !strings.Contains(got, "Connection: close") {
		t.Errorf("response = %q, want the hook's JSON 400 with Connection: close", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen.Status != 400 || seen.Reason == "" {
		t.Errorf("hook saw %+v", seen)
	}
}

func TestPanicHookAndOtherServer(t *testing.T) {
	bad := newServer()
	bad.GET("/boom", func(c *lane.Context) lane.Status {
		c.SetHeader("X-Partial", "1")
		panic("kaboom")
	})
	var got *lane.Panic
	var mu sync.Mutex
	bad.OnPanic(func(c *lane.Context, p *lane.Panic) lane.Status {
		mu.Lock()
		got = p
		mu.Unlock()
		return c.String(503, "recovered")
	})
	plain := newServer()
	plain.GET("/boom", func(c *lane.Context) lane.Status { panic(fmt.Errorf("no hook")) })
	good := newServer()
	good.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "alive") })
	g := lane.NewGroup(bad, plain, good)
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctls := g.Controls()

	rc := dial(t, ctls[0])
	rc.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
	res, body := rc.response("GET")
	if res.StatusCode != 503 || body != "recovered" || res.Header.Get("X-Partial") != "" || !res.Close {
		t.Errorf("hooked panic: %d %q %v", res.StatusCode, body, res.Header)
	}
	mu.Lock()
	if got == nil || got.Value != "kaboom" || !strings.Contains(string(got.Stack), "pipeline_test.go") {
		t.Errorf("hook got %+v", got)
	}
	mu.Unlock()

	rc = dial(t, ctls[1])
	rc.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, _ := rc.response("GET"); res.StatusCode != 500 {
		t.Errorf("default panic answer %d, want 500", res.StatusCode)
	}

	for i := range 3 {
		rc = dial(t, ctls[2])
		rc.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if _, body := rc.response("GET"); body != "alive" {
			t.Errorf("other server request %d: %q", i, body)
		}
	}
}

func TestContextRequestView(t *testing.T) {
	s := lane.New(lane.Config{})
	s.GET("/files/{path...}", func(c *lane.Context) lane.Status {
		q := c.QueryValues()
		return c.JSON(200, map[string]any{
			"path":    c.Path(),
			"raw":     c.RawPath(),
			"param":   c.Param("path"),
			"tags":    q["tag"],
			"name":    c.Query("name"),
			"agent":   c.Header("user-agent"),
			"multi":   c.HeaderValues("X-Multi"),
			"cookie":  c.Cookie("session"),
			"method":  c.Method(),
			"pattern": c.Pattern(),
			"host":    c.Host(),
		})
	})
	ts := lanetest.Start(s)
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/files/a%20b/c.txt?tag=x&tag=y&name=J%C3%BCrgen", nil)
	req.Header.Set("User-Agent", "lane-test")
	req.Header.Add("X-Multi", "1")
	req.Header.Add("X-Multi", "2")
	req.AddCookie(&http.Cookie{Name: "session", Value: "abc"})
	res, err := ts.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := `{"agent":"lane-test","cookie":"abc","host":"lane.test","method":"GET","multi":["1","2"],"name":"Jürgen","param":"a b/c.txt","path":"/files/a b/c.txt","pattern":"/files/{path...}","raw":"/files/a%20b/c.txt","tags":["x","y"]}` + "\n"
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
