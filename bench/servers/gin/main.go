// Command gin is the benchmark server on gin in release mode, with no
// middleware, served by net/http.
package main

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lanehttp/lane/bench/internal/serve"
)

func main() { serve.Main(run) }

// run serves the two benchmark routes on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // gin.Default would add the logger
	r.GET("/", func(c *gin.Context) {
		c.String(http.StatusOK, serve.Hello)
	})
	r.GET("/json", func(c *gin.Context) {
		c.JSON(http.StatusOK, serve.Message{Message: serve.Hello})
	})

	ln, err := serve.Listen(addr, ready)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: r}
	return serve.Until(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown, isClosed)
}

func isClosed(err error) bool { return errors.Is(err, http.ErrServerClosed) }
