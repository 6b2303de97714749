// Command fasthttp is the benchmark server on valyala/fasthttp, with the
// default server settings.
package main

import (
	"context"
	"encoding/json"
	"net"

	"github.com/valyala/fasthttp"

	"github.com/lanehttp/lane/bench/internal/serve"
)

func main() { serve.Main(run) }

// handle answers the two benchmark routes; fasthttp has no router.
func handle(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Path()) {
	case "/":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.WriteString(serve.Hello)
	case "/json":
		ctx.SetContentType("application/json")
		json.NewEncoder(ctx).Encode(serve.Message{Message: serve.Hello})
	default:
		ctx.Error("not found", fasthttp.StatusNotFound)
	}
}

// run serves on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := serve.Listen(addr, ready)
	if err != nil {
		return err
	}
	srv := &fasthttp.Server{Handler: handle}
	// Serve returns nil once Shutdown has closed the listener.
	return serve.Until(ctx, func() error { return srv.Serve(ln) }, srv.ShutdownWithContext, nil)
}
