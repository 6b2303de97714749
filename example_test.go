package lane_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/lanetest"
)

func Example() {
	srv := lane.New(lane.Config{Address: "127.0.0.1:0"})
	srv.GET("/hello/{name}", func(c *lane.Context) lane.Status {
		return c.String(200, "hello, "+c.Param("name"))
	})
	ctl, err := srv.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := http.Get("http://" + ctl.Addr().String() + "/hello/lane")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, string(body))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println(ctl.Shutdown(ctx))
	// Output:
	// 200 hello, lane
	// <nil>
}

func ExampleServer_Group() {
	srv := lane.New(lane.Config{})
	admin := srv.Group("/admin", func(c *lane.Context) lane.Status {
		if c.Header("Authorization") != "Bearer s3cret" {
			c.Error(401)
			return lane.Reject
		}
		return lane.Continue
	})
	admin.GET("/stats", func(c *lane.Context) lane.Status {
		return c.JSON(200, map[string]int{"users": 3})
	})
	ts := lanetest.Start(srv)
	defer ts.Close()

	for _, auth := range []string{"", "Bearer s3cret"} {
		req, _ := http.NewRequest("GET", ts.URL+"/admin/stats", nil)
		req.Header.Set("Authorization", auth)
		res, err := ts.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(res.StatusCode, strings.TrimSpace(string(body)))
	}
	// Output:
	// 401 Unauthorized
	// 200 {"users":3}
}

func ExampleServer_OnError() {
	srv := lane.New(lane.Config{Request: lane.RequestConfig{MaxBodySize: 4}})
	srv.OnError(func(c *lane.Context, err *lane.RequestError) lane.Status {
		return c.JSON(err.Status, map[string]string{"error": err.Reason})
	})
	srv.POST("/upload", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return lane.Reject // lane answers the body's error
		}
		return c.String(200, string(b))
	})
	ts := lanetest.Start(srv)
	defer ts.Close()

	res, err := ts.Client().Post(ts.URL+"/upload", "text/plain", &slowReader{data: "far too long"})
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Printf("%d %s", res.StatusCode, body)
	// Output:
	// 413 {"error":"request body too large"}
}

// slowReader hides its length, so the client sends the body chunked.
type slowReader struct{ data string }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func ExampleKey() {
	user := lane.NewKey[string]("user")
	srv := lane.New(lane.Config{})
	srv.Use(func(c *lane.Context) lane.Status {
		user.Set(c, "ann")
		return lane.Continue
	})
	srv.GET("/me", func(c *lane.Context) lane.Status {
		name, _ := user.Get(c)
		return c.String(200, "you are "+name)
	})
	ts := lanetest.Start(srv)
	defer ts.Close()

	res, err := ts.Get("/me")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(string(body))
	// Output: you are ann
}

func ExampleGroup_Run() {
	public := lane.New(lane.Config{Address: "127.0.0.1:0", Name: "public"})
	admin := lane.New(lane.Config{Address: "127.0.0.1:0", Name: "admin"})
	public.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "public") })
	admin.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "admin") })

	// Run serves until SIGINT, SIGTERM or, here, the context's end.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := lane.NewGroup(public, admin).Run(ctx)
	fmt.Println("stopped:", err)
	// Output: stopped: <nil>
}
