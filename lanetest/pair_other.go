//go:build !unix

package lanetest

import "net"

// connPair returns the two ends of an in-memory pipe.
func connPair() (server, client net.Conn, err error) {
	server, client = net.Pipe()
	return server, client, nil
}
