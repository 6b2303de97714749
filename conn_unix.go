//go:build unix

package lane

import (
	"net"
	"os"
	"syscall"
)

// setupRaw enables reads through the RawConn on plain TCP sockets, so that an
// idle connection can give its buffer back while it waits.
func (c *conn) setupRaw() {
	tc, ok := c.nc.(*net.TCPConn)
	if !ok {
		return
	}
	if raw, err := tc.SyscallConn(); err == nil {
		c.raw = raw
		c.rawRead = c.readRaw
	}
}

// readNow reads what the client has already sent, without waiting, and
// reports whether anything came.
func (c *conn) readNow() bool {
	if c.raw == nil {
		return false
	}
	c.rn, c.rerr = 0, nil
	err := c.raw.Read(func(fd uintptr) bool {
		if c.rbufp == nil {
			c.rbufp = getBuf(c.cfg.BufferSize)
			c.rbuf = *c.rbufp
		}
		n, err := syscall.Read(int(fd), c.rbuf[c.w:])
		if err == nil && n > 0 {
			c.rn = n
		}
		return true // never wait
	})
	if err != nil || c.rn == 0 {
		return false
	}
	c.w += c.rn
	return true
}

// readRaw is the RawConn callback: a non-blocking read into the pooled
// buffer. On EAGAIN with nothing buffered it returns the buffers to the pool
// before the goroutine parks, so a waiting connection holds none.
func (c *conn) readRaw(fd uintptr) bool {
	if c.rbufp == nil {
		c.rbufp = getBuf(c.cfg.BufferSize)
		c.rbuf = *c.rbufp
	}
	for {
		n, err := syscall.Read(int(fd), c.rbuf[c.w:])
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			if c.w == 0 {
				c.releaseIdle() // nothing buffered: park without buffers
			}
			return false
		case nil:
			c.rn, c.rerr = n, nil
		default:
			c.rn, c.rerr = 0, os.NewSyscallError("read", err)
		}
		return true
	}
}
