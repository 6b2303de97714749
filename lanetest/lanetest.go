// Package lanetest runs a lane server in memory for tests: requests go
// through the real engine over in-memory connections, and come back as
// *http.Response values from a standard client.
//
//	srv := lane.New(lane.Config{})
//	srv.GET("/hello", hello)
//	ts := lanetest.Start(srv)
//	defer ts.Close()
//	res, err := ts.Client().Get(ts.URL + "/hello")
package lanetest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/lanehttp/lane"
)

// Server is a lane server serving in-memory connections.
type Server struct {
	// URL is the base URL for requests, "http://lane.test"; the host is
	// never resolved.
	URL string

	ctl    *lane.Control
	l      *pipeListener
	client *http.Client
}

// Start starts s on an in-memory listener. It panics if s cannot start (an
// invalid configuration, or a server already started), as a test setup
// mistake.
func Start(s *lane.Server) *Server {
	l := &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
	ctl, err := s.StartOn(l)
	if err != nil {
		panic("lanetest: starting server: " + err.Error())
	}
	ts := &Server{URL: "http://lane.test", ctl: ctl, l: l}
	ts.client = &http.Client{Transport: &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return l.dial(ctx) },
		MaxIdleConnsPerHost: 16,
	}}
	return ts
}

// Client returns an HTTP client whose connections all go to the server,
// whatever the URL's host.
func (ts *Server) Client() *http.Client { return ts.client }

// Do sends req to the server, whatever req.URL's host.
func (ts *Server) Do(req *http.Request) (*http.Response, error) { return ts.client.Do(req) }

// Get sends a GET for path (e.g. "/api/x?q=1") to the server.
func (ts *Server) Get(path string) (*http.Response, error) { return ts.client.Get(ts.URL + path) }

// Dial opens a raw connection to the server, for tests that write bytes
// themselves.
func (ts *Server) Dial() (net.Conn, error) { return ts.l.dial(context.Background()) }

// Control returns the running server's handle.
func (ts *Server) Control() *lane.Control { return ts.ctl }

// Close shuts the server down, waiting up to five seconds for requests in
// flight, then closes what remains.
func (ts *Server) Close() {
	ts.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts.ctl.Shutdown(ctx)
}

// pipeListener hands out one end of in-memory connection pairs whose other
// ends are dialed by the client.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var errClosed = errors.New("lanetest: server closed")

func (l *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	server, client, err := connPair()
	if err != nil {
		return nil, err
	}
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, ctx.Err()
	}
	client.Close()
	server.Close()
	return nil, errClosed
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "lane.test:80" }
