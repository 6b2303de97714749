// Command lane is the benchmark server on lane, with the default
// configuration apart from the per-connection request cap, which is lifted
// so that long keep-alive runs are not cut.
package main

import (
	"context"
	"errors"
	"net"

	"github.com/lanehttp/lane"

	"github.com/lanehttp/lane/bench/internal/serve"
)

func main() { serve.Main(run) }

// newServer returns a lane server for addr with the two benchmark routes.
func newServer(addr string) *lane.Server {
	srv := lane.New(lane.Config{
		Address: addr,
		Request: lane.RequestConfig{MaxRequestsPerConn: lane.NoLimit},
	})
	srv.GET("/", func(c *lane.Context) lane.Status {
		return c.String(200, serve.Hello)
	})
	srv.GET("/json", func(c *lane.Context) lane.Status {
		return c.JSON(200, serve.Message{Message: serve.Hello})
	})
	return srv
}

// run serves on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	ctl, err := newServer(addr).Start()
	if err != nil {
		return err
	}
	ready(ctl.Addr())
	return serve.Until(ctx, ctl.Wait, ctl.Shutdown, isClosed)
}

func isClosed(err error) bool { return errors.Is(err, lane.ErrServerClosed) }
