// Package serve holds what the benchmark servers share: the responses every
// one of them must give, and the main function that runs one until SIGINT or
// SIGTERM.
//
// Each server under servers/ is a main package with a [Run] function; its
// main is a single call to [Main]. Keeping the framework code in Run lets the
// tests start the very same server on 127.0.0.1:0.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// The two routes every server answers, and what they answer.
const (
	// Hello is the body of GET /, sent as text/plain.
	Hello = "Hello, World!"

	// HelloJSON is the body of GET /json, sent as application/json. Servers
	// encode it per request from a [Message]; encoders that end the value
	// with a newline may do so.
	HelloJSON = `{"message":"Hello, World!"}`
)

// DefaultAddr is the address a server listens on when -addr is not given.
const DefaultAddr = "127.0.0.1:8080"

// ShutdownGrace bounds how long a server drains after it is told to stop.
const ShutdownGrace = 5 * time.Second

// Message is the value each server encodes for GET /json.
type Message struct {
	Message string `json:"message"`
}

// Run serves on addr until ctx is cancelled, then stops within
// [ShutdownGrace]. It calls ready once with the bound address before it
// serves, so a caller that asked for port 0 learns the port. Run returns nil
// after a clean stop.
type Run func(ctx context.Context, addr string, ready func(net.Addr)) error

// Main is a server's main function: it reads -addr, runs run until the
// process receives SIGINT or SIGTERM, and exits with status 0 after a clean
// stop or 1 after an error. It prints nothing on success. With -cpuprofile
// it writes a CPU profile of the whole run, for go tool pprof.
func Main(run Run) {
	addr := flag.String("addr", DefaultAddr, "`host:port` to listen on")
	profile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	flag.Parse()

	if err := mainErr(run, *addr, *profile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func mainErr(run Run, addr, profile string) error {
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, addr, func(net.Addr) {})
}

// Until runs serve in the background until it fails or ctx is cancelled. On
// cancellation it calls shutdown with a context bounded by [ShutdownGrace]
// and returns its error. Errors that only say the server was closed count as
// a clean stop, so the caller passes isClosed for its framework's sentinel
// (nil when serve returns nil after a shutdown).
func Until(ctx context.Context, serve func() error, shutdown func(context.Context) error,
	isClosed func(error) bool) error {
	served := make(chan error, 1)
	go func() { served <- serve() }()

	select {
	case err := <-served:
		return clean(err, isClosed)
	case <-ctx.Done():
	}

	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	// serve returns once the listener is closed; wait for it so that the
	// process does not exit under a goroutine still holding the socket.
	select {
	case err := <-served:
		return clean(err, isClosed)
	case <-sctx.Done():
		return errors.New("server did not stop within the shutdown grace")
	}
}

// clean maps a closed-server error to nil.
func clean(err error, isClosed func(error) bool) error {
	if err == nil || (isClosed != nil && isClosed(err)) {
		return nil
	}
	return err
}

// Listen binds addr on TCP and tells ready the bound address.
func Listen(addr string, ready func(net.Addr)) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	ready(ln.Addr())
	return ln, nil
}
