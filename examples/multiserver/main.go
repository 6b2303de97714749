// Command multiserver runs two independent lane servers in one process: a
// public API on 127.0.0.1:8080 and an admin API on 127.0.0.1:8081 behind a
// bearer token. Addresses and limits come from servers.json beside this
// file (built in; -config loads another). Ctrl-C or SIGTERM drains both and
// exits 0.
//
//	go run ./examples/multiserver
//	curl localhost:8080/api/public/hello
//	curl -H 'Authorization: Bearer change-me' localhost:8081/admin/stats
//
// The one-call main of package process gives it the commands start, stop,
// status and restart after its own flags:
//
//	go build -o multiserver ./examples/multiserver
//	./multiserver -config servers.json start   # background; multiserver.pid, .log, .sock
//	./multiserver status
//	./multiserver restart                      # zero downtime; also kill -HUP
//	./multiserver stop
//
// SIGUSR1 reloads the routes and request limits from the config file
// without closing a socket. The admin server answers Kubernetes probes on
// /readyz and /livez without a token.
package main

import (
	"crypto/subtle"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/process"
)

//go:embed servers.json
var builtinConfig []byte

// running holds the servers that serve. A reload builds new servers only
// to lend their routes to these, so handlers count on these.
var running []*lane.Server

func main() {
	configPath := flag.String("config", "", "JSON file of server configs (default: the built-in servers.json)")
	token := flag.String("token", envOr("ADMIN_TOKEN", "change-me"), "bearer token of the admin API (env ADMIN_TOKEN)")
	flag.Parse() // what is left is process's command line

	health := new(process.Health)
	servers, err := build(*configPath, *token, health)
	if err != nil {
		fmt.Fprintln(os.Stderr, "multiserver:", err)
		os.Exit(1)
	}
	running = servers
	process.Config{
		Health: health,
		Reload: func() ([]*lane.Server, error) { return build(*configPath, *token, health) },
	}.Main(servers...)
}

// build returns the public and the admin server, configured from the file
// at configPath, with their routes.
func build(configPath, token string, health *process.Health) ([]*lane.Server, error) {
	cfgs, err := loadConfigs(configPath)
	if err != nil {
		return nil, err
	}
	pub := lane.New(cfgs["public"])
	admin := lane.New(cfgs["admin"])

	pub.GET("/api/public/hello", func(c *lane.Context) lane.Status {
		return c.JSON(200, map[string]string{"message": "hello from lane", "server": c.Server().Name()})
	})
	pub.GET("/api/public/items/{id:[0-9]+}", func(c *lane.Context) lane.Status {
		return c.JSON(200, map[string]string{"id": c.Param("id")})
	})
	pub.GET("/api/public/slow", slow)

	admin.GET("/readyz", health.Ready)
	admin.GET("/livez", health.Live)
	adm := admin.Group("/admin", bearer(token))
	adm.GET("/stats", func(c *lane.Context) lane.Status {
		return c.JSON(200, map[string]any{"servers": []lane.Stats{running[0].Stats(), running[1].Stats()}})
	})

	return []*lane.Server{pub, admin}, nil
}

// slow answers after ?ms= milliseconds (default 1000, at most 10000), to
// watch a request in flight survive a graceful shutdown.
func slow(c *lane.Context) lane.Status {
	ms, err := strconv.Atoi(c.Query("ms"))
	if err != nil || ms < 0 || ms > 10000 {
		ms = 1000
	}
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return c.JSON(200, map[string]int{"slept_ms": ms})
	case <-c.Context().Done():
		return c.Error(503)
	}
}

// bearer rejects requests without "Authorization: Bearer <token>".
func bearer(token string) lane.Handler {
	want := []byte("Bearer " + token)
	return func(c *lane.Context) lane.Status {
		if subtle.ConstantTimeCompare(c.HeaderBytes("Authorization"), want) == 1 {
			return lane.Continue
		}
		c.SetHeader("WWW-Authenticate", `Bearer realm="admin"`)
		c.Error(401)
		return lane.Reject
	}
}

func loadConfigs(path string) (map[string]lane.Config, error) {
	var cfgs map[string]lane.Config
	var err error
	if path == "" {
		cfgs, err = lane.ParseConfigs(builtinConfig)
	} else {
		cfgs, err = lane.LoadConfigs(path)
	}
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"public", "admin"} {
		if _, ok := cfgs[name]; !ok {
			return nil, fmt.Errorf("config has no %q server", name)
		}
	}
	return cfgs, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
