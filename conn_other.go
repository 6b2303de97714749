//go:build !unix

package lane

// setupRaw leaves c on plain reads: outside Unix the buffer stays with the
// connection while it idles.
func (c *conn) setupRaw() {}

// readNow reports false: without raw reads lane cannot look for input
// without waiting for it.
func (c *conn) readNow() bool { return false }
