// Command server is the lane server the slow-client checks attack: short
// timeouts set by flags, so that each check finishes in seconds.
//
// It prints "listening on ADDR" on stdout once it accepts connections,
// logs lane's records on stderr, and stops on SIGINT or SIGTERM. Routes:
//
//	GET  /        "ok"
//	POST /upload  reads the body, answers its length
//	GET  /big     a body of -big bytes, for slow readers
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/lanehttp/lane"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	header := flag.Duration("header", 2*time.Second, "header timeout")
	read := flag.Duration("read", 3*time.Second, "read timeout")
	idle := flag.Duration("idle", 2*time.Second, "idle timeout")
	write := flag.Duration("write", 2*time.Second, "write timeout")
	maxConns := flag.Int("max-conns", 0, "max connections (0: lane's default)")
	big := flag.Int("big", 32<<20, "bytes of the /big response")
	flag.Parse()

	cfg := lane.Config{
		Address:        *addr,
		MaxConnections: *maxConns,
		Logger:         slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Request: lane.RequestConfig{
			HeaderTimeout: *header,
			ReadTimeout:   *read,
			IdleTimeout:   *idle,
			WriteTimeout:  *write,
		},
	}
	if err := run(cfg, bytes.Repeat([]byte("x"), *big)); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(cfg lane.Config, big []byte) error {
	s := lane.New(cfg)
	s.GET("/", func(c *lane.Context) lane.Status { return c.String(200, "ok") })
	s.POST("/upload", func(c *lane.Context) lane.Status {
		b, err := c.ReadBody()
		if err != nil {
			return c.String(500, err.Error())
		}
		return c.String(200, strconv.Itoa(len(b)))
	})
	s.GET("/big", func(c *lane.Context) lane.Status {
		// Streamed from the shared slice: a slow reader costs no copy.
		return c.Stream(200, "application/octet-stream", int64(len(big)), bytes.NewReader(big))
	})

	ctl, err := s.Start()
	if err != nil {
		return err
	}
	fmt.Println("listening on", ctl.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-ctl.Done():
		return ctl.Wait()
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return ctl.Shutdown(sctx)
}
