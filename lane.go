// Package lane runs several independent HTTP servers in one process, each with
// its own address, configuration, routes, middleware, error and panic hooks,
// and a control handle for graceful shutdown.
//
// # Servers
//
// A [Server] is built from a [Config] (whose zero value works), given routes
// and middleware, and started:
//
//	pub := lane.New(lane.Config{Address: "127.0.0.1:8080"})
//	pub.GET("/api/public/{id}", func(c *lane.Context) lane.Status {
//		return c.JSON(200, map[string]string{"id": c.Param("id")})
//	})
//	ctl, err := pub.Start()
//	...
//	err = ctl.Shutdown(ctx) // drain within ctx's deadline
//
// Several servers run together through a [Group], which starts all or none
// and stops all on SIGINT, SIGTERM or context cancellation.
//
// # Handlers and middleware
//
// Handlers and middleware share one shape, [Handler]: a function of the
// request's [Context] that returns [Continue] or [Reject]. Request middleware
// ([Server.Use]) runs before the route, response middleware ([Server.After])
// after it. Reject stops the request stage (the remaining request middleware
// and the route); response middleware always runs, so an access log sees every
// response. The response is sent when the pipeline ends, unless the handler
// streamed it or hijacked the connection.
//
// # The engine
//
// lane serves HTTP/1.0 and HTTP/1.1 with its own engine: one goroutine per
// connection, pooled per-connection state, request heads parsed in place and
// without allocation, one write per response. Parsing is strict (RFC 9112):
// anything a proxy could read differently is refused with a 4xx or 5xx
// response and a closed connection. Limits and timeouts are on by default;
// see [RequestConfig].
package lane

// Status is what a handler or middleware returns: whether the pipeline goes on.
type Status int

const (
	// Continue lets the pipeline go on to the next middleware or the route.
	Continue Status = iota
	// Reject ends the current stage. Returned by request middleware or a
	// route, it skips the remaining request middleware and the route; by
	// response middleware, it skips the remaining response middleware. The
	// response built so far is sent either way.
	Reject
)

// Handler serves a request or acts as middleware. The Context is valid only
// until the handler returns and must not be used by other goroutines.
type Handler func(*Context) Status
