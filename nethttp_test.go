package lane_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/lanetest"
)

func TestHTTPHandler(t *testing.T) {
	s := lane.New(lane.Config{})
	s.Route("/std/{rest...}", lane.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Std", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, r.Method+" "+r.URL.Path+" q="+r.URL.Query().Get("q")+" body="+string(body))
	})))
	s.GET("/empty", lane.HTTPHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	ts := lanetest.Start(s)
	defer ts.Close()

	res, err := ts.Client().Post(ts.URL+"/std/a%20b?q=1", "text/plain", strings.NewReader("hi"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || string(b) != "POST /std/a b q=1 body=hi" {
		t.Errorf("got %d %q", res.StatusCode, b)
	}
	if res.Header.Get("X-Std") != "yes" || len(res.Header.Values("Set-Cookie")) != 2 {
		t.Errorf("headers = %v", res.Header)
	}

	res, err = ts.Get("/empty")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.ContentLength != 0 {
		t.Errorf("empty handler: %d length %d, want 200 and 0", res.StatusCode, res.ContentLength)
	}
}
