// Command nethttp is the benchmark server on the standard library's
// net/http, with default server settings.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"

	"github.com/lanehttp/lane/bench/internal/serve"
)

func main() { serve.Main(run) }

// run serves the two benchmark routes on addr until ctx is cancelled.
func run(ctx context.Context, addr string, ready func(net.Addr)) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// Setting the type spares net/http from sniffing the body.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(serve.Hello))
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(serve.Message{Message: serve.Hello})
	})

	ln, err := serve.Listen(addr, ready)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	return serve.Until(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown, isClosed)
}

func isClosed(err error) bool { return errors.Is(err, http.ErrServerClosed) }
