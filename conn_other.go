//go:build !unix

package lane

// setupRaw leaves c on plain reads: outside Unix the buffer stays with the
// connection while it idles.
func (c *conn) setupRaw() {}
