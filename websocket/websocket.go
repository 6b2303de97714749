// Package websocket upgrades lane requests to WebSocket connections (RFC
// 6455) and drains them when their server shuts down.
//
// The framing, masking, fragmentation, UTF-8 and close rules come from
// github.com/coder/websocket, which passes the Autobahn test suite; this
// package adds the lane integration: the handshake from a [lane.Context],
// safe defaults, a close with 1001 (going away) on [lane.Control.Shutdown],
// and a [Hub] for rooms and point-to-point messages.
//
// # Accepting
//
//	srv.GET("/ws", func(c *lane.Context) lane.Status {
//		conn, err := websocket.Accept(c, nil)
//		if err != nil {
//			return lane.Continue // the rejection has been answered
//		}
//		defer conn.CloseNow()
//		for {
//			typ, msg, err := conn.Read(c.Context())
//			if err != nil {
//				return lane.Continue
//			}
//			if err := conn.Write(c.Context(), typ, msg); err != nil {
//				return lane.Continue
//			}
//		}
//	})
//
// The zero [AcceptOptions] checks the Origin header against the request's
// Host, limits messages to 32 KiB and leaves compression off.
//
// # Shutdown
//
// When its server begins a graceful shutdown, every open [Conn] sends a close
// frame with status 1001 (going away) and waits briefly for the client's
// reply; the handler's blocked Read then returns an error, the handler
// returns, and Shutdown, which waits for hijacked handlers, completes. When
// the shutdown's deadline passes first, lane cancels [lane.Context.Context]
// and every Conn is closed at once.
//
// # Limits
//
// Each Conn keeps a read and a write buffer (see [AcceptOptions.BufferSize])
// and its handler's goroutine for as long as it is open. Headers that a
// handler set on the Context before Accept are not sent with the 101
// response; put them in [AcceptOptions.Header].
package websocket

import (
	cws "github.com/coder/websocket"
)

// MessageType is the type of a data message: [MessageText] or
// [MessageBinary].
type MessageType = cws.MessageType

// The data message types (RFC 6455 section 5.6).
const (
	MessageText   = cws.MessageText
	MessageBinary = cws.MessageBinary
)

// StatusCode is a close status code (RFC 6455 section 7.4).
type StatusCode = cws.StatusCode

// Close status codes that servers commonly send or receive.
const (
	StatusNormalClosure   = cws.StatusNormalClosure   // 1000
	StatusGoingAway       = cws.StatusGoingAway       // 1001
	StatusProtocolError   = cws.StatusProtocolError   // 1002
	StatusUnsupportedData = cws.StatusUnsupportedData // 1003
	StatusNoStatusRcvd    = cws.StatusNoStatusRcvd    // 1005
	StatusInvalidPayload  = cws.StatusInvalidFramePayloadData
	StatusPolicyViolation = cws.StatusPolicyViolation // 1008
	StatusMessageTooBig   = cws.StatusMessageTooBig   // 1009
	StatusInternalError   = cws.StatusInternalError   // 1011
	StatusTryAgainLater   = cws.StatusTryAgainLater   // 1013
)

// CloseError is the error a read returns after the peer sent a close frame;
// its Code and Reason are the peer's.
type CloseError = cws.CloseError

// CloseStatus returns the status code of the close frame that err carries, or
// -1 when err does not come from a close frame.
func CloseStatus(err error) StatusCode { return cws.CloseStatus(err) }
