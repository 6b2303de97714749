//go:build unix

package lanetest

import (
	"net"
	"os"
	"syscall"
)

// connPair returns the two ends of a connected Unix socket pair: buffered by
// the kernel like TCP, and able to half-close, unlike net.Pipe.
func connPair() (server, client net.Conn, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	server, err = fileConn(fds[0], "lanetest-server")
	if err != nil {
		syscall.Close(fds[1])
		return nil, nil, err
	}
	client, err = fileConn(fds[1], "lanetest-client")
	if err != nil {
		server.Close()
		return nil, nil, err
	}
	return server, client, nil
}

func fileConn(fd int, name string) (net.Conn, error) {
	syscall.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), name)
	defer f.Close() // FileConn holds its own duplicate
	return net.FileConn(f)
}
