// Command idleconns holds idle keep-alive connections open on a server, so
// that the server's memory per idle connection can be measured.
//
// It dials -n connections to -addr, sends one GET on each and reads the
// response, then prints "held N connections" on standard output, keeps the
// connections open for -hold, closes them and exits. It exits with status 1,
// closing everything it opened, if a connection cannot be opened or answered
// within -timeout.
//
// The process needs a file descriptor per connection: raise the soft limit
// with ulimit -n when -n comes near it.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server `host:port`")
	n := flag.Int("n", 10000, "number of connections")
	hold := flag.Duration("hold", 10*time.Second, "how long to hold the connections open")
	path := flag.String("path", "/", "path to GET on each connection")
	timeout := flag.Duration("timeout", 60*time.Second, "time allowed to open and answer them all")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	conns, err := open(ctx, *addr, *path, *n)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "idleconns:", err)
		os.Exit(1)
	}
	fmt.Printf("held %d connections\n", len(conns))
	time.Sleep(*hold)
	closeAll(conns)
}

// workers bounds the dials in flight, so that the server's listen backlog
// does not overflow.
const workers = 64

// open dials n connections to addr and completes one GET on each. On error
// it closes the connections it opened and returns the first error.
func open(ctx context.Context, addr, path string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	errs := make([]error, workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range next {
				if errs[w] != nil {
					continue // keep draining next; the error is kept
				}
				conns[i], errs[w] = openOne(ctx, addr, path)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()

	if err := errors.Join(errs...); err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

// openOne dials addr and completes one GET, leaving the connection idle.
func openOne(ctx context.Context, addr, path string) (net.Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	if err := get(nc, path); err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return nc, nil
}

// get sends GET path on nc and reads the whole response.
func get(nc net.Conn, path string) error {
	if _, err := fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: bench\r\n\r\n", path); err != nil {
		return err
	}
	res, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	if res.Close {
		return fmt.Errorf("GET %s: the server closes the connection", path)
	}
	return nil
}

// closeAll closes every connection in conns that is not nil.
func closeAll(conns []net.Conn) {
	for _, nc := range conns {
		if nc != nil {
			nc.Close()
		}
	}
}
