package lane

import (
	"errors"
	"fmt"
)

var (
	// ErrServerClosed is returned by [Control.Wait] and [Server.Start] once
	// the server has been shut down or closed.
	ErrServerClosed = errors.New("lane: server closed")

	// ErrHijacked is returned by Context methods that write a response after
	// the connection was taken over with [Context.Hijack].
	ErrHijacked = errors.New("lane: connection hijacked")

	// ErrBodyTooLarge is returned while reading a request body longer than
	// the server's max_body_size.
	ErrBodyTooLarge = errors.New("lane: request body too large")

	// ErrAlreadyStarted is returned by Start when the server is running or
	// has run before.
	ErrAlreadyStarted = errors.New("lane: server already started")
)

// RequestError describes a request the server refused: a malformed head, a
// limit that was exceeded, a timeout or a broken body. Status is the response
// status lane sends when the error hook writes no response of its own.
type RequestError struct {
	Status int    // 400, 408, 413, 414, 417, 431, 501 or 505
	Reason string // short lower-case phrase, safe to show the client
	Err    error  // the underlying error, if any
}

func (e *RequestError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("lane: request error %d: %s: %v", e.Status, e.Reason, e.Err)
	}
	return fmt.Sprintf("lane: request error %d: %s", e.Status, e.Reason)
}

func (e *RequestError) Unwrap() error { return e.Err }

// Panic is a panic recovered from a handler or middleware.
type Panic struct {
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

func (p *Panic) Error() string { return fmt.Sprintf("lane: handler panic: %v", p.Value) }
