// Command echo is the benchmark server on echo v4, with no middleware,
// served by net/http.
package main

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lanehttp/lane/bench/internal/serve"
)

func main() { serve.Main(run) }

// run serves the two benchmark routes on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/", func(c echo.Context) error {
		return c.String(http.StatusOK, serve.Hello)
	})
	e.GET("/json", func(c echo.Context) error {
		return c.JSON(http.StatusOK, serve.Message{Message: serve.Hello})
	})

	ln, err := serve.Listen(addr, ready)
	if err != nil {
		return err
	}
	// The same net/http server that e.Start would build, on our listener.
	srv := &http.Server{Handler: e}
	return serve.Until(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown, isClosed)
}

func isClosed(err error) bool { return errors.Is(err, http.ErrServerClosed) }
