// Command fiber is the benchmark server on gofiber/fiber v3, with the
// default settings and no middleware.
package main

import (
	"context"
	"net"

	"github.com/gofiber/fiber/v3"

	"github.com/lanehttp/lane/bench/internal/serve"
)

func main() { serve.Main(run) }

// run serves the two benchmark routes on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		return c.SendString(serve.Hello)
	})
	app.Get("/json", func(c fiber.Ctx) error {
		return c.JSON(serve.Message{Message: serve.Hello})
	})

	ln, err := serve.Listen(addr, ready)
	if err != nil {
		return err
	}
	listen := func() error {
		return app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	}
	return serve.Until(ctx, listen, app.ShutdownWithContext, nil)
}
