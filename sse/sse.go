// Package sse streams Server-Sent Events (the HTML Living Standard's
// text/event-stream) from lane handlers.
//
//	srv.GET("/events", func(c *lane.Context) lane.Status {
//		s, err := sse.New(c, nil)
//		if err != nil {
//			return lane.Continue
//		}
//		defer s.Close()
//		tick := time.NewTicker(time.Second)
//		defer tick.Stop()
//		for {
//			select {
//			case t := <-tick.C:
//				if s.Send(sse.Event{Data: t.Format(time.RFC3339)}) != nil {
//					return lane.Continue
//				}
//			case <-s.Done():
//				return lane.Continue
//			}
//		}
//	})
//
// # Lifetime
//
// A [Stream] ends when the client goes away, when its server begins a
// graceful shutdown, or when the server closes; [Stream.Done] is closed then,
// and Send fails. Handlers select on Done and return, so that
// [lane.Control.Shutdown] completes within its deadline.
//
// # Deadlines
//
// Each write (an event or a heartbeat) has its own deadline,
// [Options.WriteTimeout], so a long stream is bounded per event rather than
// as a whole, and the server's write timeout does not apply.
//
// # How it is served
//
// lane's Context offers no per-write deadline and no signal that the client
// has gone, so New takes the connection over with [lane.Context.Hijack] and
// writes the response itself: chunked for HTTP/1.1, delimited by the close
// for HTTP/1.0, and always closing the connection at the end. A goroutine per
// stream reads the connection to notice the client leaving at once and sends
// the heartbeats. Because of the hijack, headers set on the Context before
// New, and response middleware, do not reach the client; put extra headers
// in [Options.Header].
package sse

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lanehttp/lane"
)

// Defaults of [Options].
const (
	DefaultHeartbeat    = 15 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Off turns [Options.Heartbeat] off.
const Off = -1

// Options configures [New]. The zero value works; New copies it.
type Options struct {
	// Heartbeat is the longest the stream stays silent: when nothing was sent
	// for this long a comment line is sent, which keeps proxies from closing
	// the connection and finds dead clients. Zero means DefaultHeartbeat;
	// Off disables heartbeats.
	Heartbeat time.Duration

	// WriteTimeout bounds each write: one event, or one heartbeat. A client
	// that does not take an event within it ends the stream. Zero means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration

	// Retry, when positive, is sent first as the client's reconnection delay.
	Retry time.Duration

	// Header holds extra response headers. Values with CR, LF or NUL are
	// dropped.
	Header http.Header
}

// Event is one message. Fields left empty are not sent.
type Event struct {
	// ID sets the client's last event ID, sent back in the Last-Event-ID
	// header when the client reconnects.
	ID string
	// Event is the event type; empty means "message".
	Event string
	// Data is the payload. Each of its lines (split at CR LF, CR or LF)
	// becomes one data line; the client joins them with LF.
	Data string
	// Retry, when positive, changes the client's reconnection delay.
	Retry time.Duration
}

// Errors that end a stream, returned by Send and [Stream.Err].
var (
	ErrClientGone   = errors.New("sse: client went away")
	ErrShuttingDown = errors.New("sse: server shutting down")
	ErrClosed       = errors.New("sse: stream closed")
)

// Stream is an open event stream. Send, Comment, Done, Err and Close are safe
// for concurrent use.
type Stream struct {
	nc        net.Conn
	chunked   bool
	timeout   time.Duration
	heartbeat time.Duration
	lastID    string

	mu    sync.Mutex // serialises writes; guards the fields below
	buf   []byte
	last  time.Time // time of the last write
	err   error     // why the stream ended; nil while open
	done  chan struct{}
	drain *drain
}

// New starts an event stream in answer to the request in c: it sends the
// 200 response head and takes the connection over. opts may be nil. After
// New the handler uses only the Stream (and c.Context, c.ShuttingDown), and
// must call Close before it returns.
func New(c *lane.Context, opts *Options) (*Stream, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Stream{
		chunked:   c.Proto() != "HTTP/1.0",
		timeout:   o.WriteTimeout,
		heartbeat: o.Heartbeat,
		lastID:    c.Header("Last-Event-ID"),
		done:      make(chan struct{}),
	}
	if s.timeout <= 0 {
		s.timeout = DefaultWriteTimeout
	}
	if s.heartbeat == 0 {
		s.heartbeat = DefaultHeartbeat
	}

	nc, err := c.Hijack()
	if err != nil {
		return nil, err
	}
	s.nc = nc
	nc.SetReadDeadline(time.Time{}) // lane's request deadlines end here

	s.mu.Lock()
	err = s.writeLocked(s.appendHead(s.buf[:0], c.Proto(), o.Header), 0)
	if err == nil && o.Retry > 0 {
		err = s.frameLocked(func(b []byte) []byte {
			b = append(b, "retry: "...)
			b = strconv.AppendInt(b, o.Retry.Milliseconds(), 10)
			return append(b, "\n\n"...)
		})
	}
	s.mu.Unlock()
	if err != nil {
		nc.Close()
		return nil, err
	}

	s.drain = track(c, s)
	go s.watch()
	return s, nil
}

// appendHead appends the response head. The body of an HTTP/1.1 response is
// chunked, so that a client can tell a finished stream from a cut one.
func (s *Stream) appendHead(b []byte, proto string, extra http.Header) []byte {
	b = append(b, proto...)
	b = append(b, " 200 OK\r\nContent-Type: text/event-stream\r\n"+
		"Cache-Control: no-cache\r\nConnection: close\r\n"+
		"X-Accel-Buffering: no\r\n"...) // no buffering by nginx
	if s.chunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	for k, vs := range extra {
		for _, v := range vs {
			if !strings.ContainsAny(k+v, "\r\n\x00") && k != "" {
				b = append(b, http.CanonicalHeaderKey(k)+": "+v+"\r\n"...)
			}
		}
	}
	return append(b, "\r\n"...)
}

// LastEventID returns the Last-Event-ID header of the request: the ID of the
// last event the client saw before it reconnected, or "".
func (s *Stream) LastEventID() string { return s.lastID }

// Done returns a channel closed when the stream has ended: the client went
// away, the server is shutting down, a write failed, or Close was called.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Err returns why the stream ended, or nil while it is open.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Send writes ev and sends it at once. CR, LF and NUL in ev.ID and ev.Event
// would end the field early or corrupt the stream, so they are removed;
// multi-line Data is split into data lines. Send returns an error, and sends
// nothing, once the stream has ended.
func (s *Stream) Send(ev Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	return s.frameLocked(func(b []byte) []byte { return appendEvent(b, ev) })
}

// frameLocked writes what add appends, as one chunk when the stream is
// chunked, reusing the stream's buffer.
func (s *Stream) frameLocked(add func([]byte) []byte) error {
	b := s.buf[:0]
	if s.chunked {
		b = append(b, "00000000\r\n"...) // chunk size, filled in by writeLocked
	}
	start := len(b)
	b = add(b)
	err := s.writeLocked(b, len(b)-start)
	s.buf = b[:0]
	return err
}

// Comment sends a comment line, which clients ignore. CR, LF and NUL in text
// are removed.
func (s *Stream) Comment(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	return s.commentLocked(text)
}

func (s *Stream) commentLocked(text string) error {
	return s.frameLocked(func(b []byte) []byte {
		b = append(b, ':', ' ')
		b = appendClean(b, text)
		return append(b, "\n\n"...)
	})
}

// appendEvent appends ev in the text/event-stream format.
func appendEvent(b []byte, ev Event) []byte {
	if ev.Event != "" {
		b = append(b, "event: "...)
		b = appendClean(b, ev.Event)
		b = append(b, '\n')
	}
	if ev.ID != "" {
		b = append(b, "id: "...)
		b = appendClean(b, ev.ID)
		b = append(b, '\n')
	}
	if ev.Retry > 0 {
		b = append(b, "retry: "...)
		b = strconv.AppendInt(b, ev.Retry.Milliseconds(), 10)
		b = append(b, '\n')
	}
	data := ev.Data
	for {
		line, rest, more := cutLine(data)
		b = append(b, "data: "...)
		b = append(b, line...)
		b = append(b, '\n')
		if !more {
			break
		}
		data = rest
	}
	return append(b, '\n')
}

// cutLine splits s at its first line end: CR LF, CR or LF, the three the
// event stream format accepts.
func cutLine(s string) (line, rest string, found bool) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s, "", false
	}
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		return s[:i], s[i+2:], true
	}
	return s[:i], s[i+1:], true
}

// appendClean appends s without CR, LF and NUL: a line end would let the
// value start a field of its own, and browsers ignore an id holding NUL.
func appendClean(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\r' && c != '\n' && c != 0 {
			b = append(b, c)
		}
	}
	return b
}

// writeLocked writes b with its own deadline. When the stream is chunked and
// n > 0, b starts with an eight-digit chunk size placeholder for the n bytes
// that follow it, and a chunk end is appended.
func (s *Stream) writeLocked(b []byte, n int) error {
	if s.chunked && n > 0 {
		size := strconv.AppendUint(nil, uint64(n), 16)
		pad := bytes.Repeat([]byte{'0'}, 8-len(size))
		copy(b, append(pad, size...))
		b = append(b, "\r\n"...)
	}
	s.nc.SetWriteDeadline(time.Now().Add(s.timeout))
	_, err := s.nc.Write(b)
	s.last = time.Now()
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = errors.Join(ErrClientGone, err)
		}
		s.endLocked(err)
		s.nc.Close()
	}
	return err
}

// end marks the stream ended for err, unless it ended already.
func (s *Stream) end(err error) {
	s.mu.Lock()
	s.endLocked(err)
	s.mu.Unlock()
}

func (s *Stream) endLocked(err error) {
	if s.err == nil {
		s.err = err
		close(s.done)
	}
}

// watch reads the connection until it fails, which is how a client going away
// shows, and sends a heartbeat whenever the stream has been silent for the
// heartbeat interval.
func (s *Stream) watch() {
	var one [1]byte
	for {
		if s.heartbeat > 0 {
			s.mu.Lock()
			next := s.last.Add(s.heartbeat)
			s.mu.Unlock()
			s.nc.SetReadDeadline(next)
		}
		_, err := s.nc.Read(one[:])
		if err == nil {
			continue // the client has nothing to say; ignore what it says
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			s.end(ErrClientGone)
			return
		}
		s.mu.Lock()
		if s.err == nil && time.Since(s.last) >= s.heartbeat {
			s.commentLocked("")
		}
		stop := s.err != nil
		s.mu.Unlock()
		if stop {
			return
		}
	}
}

// Close ends the stream, sends the end of the chunked body and closes the
// connection. It returns nil, and repeat calls are harmless.
func (s *Stream) Close() error {
	s.mu.Lock()
	s.endLocked(ErrClosed)
	if s.chunked {
		// Best effort, and briefly: the client may be the reason we stop.
		s.nc.SetWriteDeadline(time.Now().Add(time.Second))
		s.nc.Write([]byte("0\r\n\r\n"))
	}
	s.mu.Unlock()
	s.drain.remove(s)
	s.nc.Close()
	return nil
}
