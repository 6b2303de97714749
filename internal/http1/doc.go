// Package http1 is lane's HTTP/1.1 wire layer: a strict, incremental parser
// for request heads, a decoder for chunked request bodies and the helpers
// that write response heads.
//
// # Strictness
//
// The parser follows RFC 9112 and RFC 9110 to the letter wherever a lax
// reading could let a proxy in front of lane and lane itself disagree about
// where a request ends. It refuses, among others: bare CR or LF, obs-fold,
// whitespace before a colon, control bytes in field values, a Content-Length
// that is repeated, signed, a list or out of range, any Transfer-Encoding
// other than a single "chunked", Transfer-Encoding together with
// Content-Length or in an HTTP/1.0 request, and an HTTP/1.1 request without
// exactly one valid Host field. A refusal is an [*Error] that carries the
// status to answer with; the connection must be closed after it.
//
// # Limits
//
// Every [Limits] field is checked while bytes arrive, on the incomplete line
// too, so a client cannot make the server buffer a line longer than its
// limit. Parsing is resumable and does each byte's work once: a head sent
// one byte at a time costs the same as a head sent whole.
//
// # Ownership
//
// A parsed [Request] holds views into the caller's buffer, not copies: they
// stay valid only while that buffer is unchanged. The *Error values returned
// by [Parser.Parse] and [ChunkedReader.Read] are shared and must not be
// modified.
//
// # Allocation
//
// Parse, Read and the Append helpers do not allocate on their normal paths,
// nor when they refuse input. [AppendDate] formats the date once per second.
package http1
