//go:build unix

package process

import (
	"net"
	"os"
	"strconv"
	"time"
)

// notify sends state to the service manager at NOTIFY_SOCKET, as
// sd_notify(3) does; without NOTIFY_SOCKET it does nothing. A leading "@"
// names a Linux abstract socket, which package net understands as is.
func notify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// watchdogInterval returns how often to send WATCHDOG=1: half of
// WATCHDOG_USEC, when it is set for this process (WATCHDOG_PID absent or
// ours); zero otherwise.
func watchdogInterval() time.Duration {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0
	}
	if p := os.Getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(os.Getpid()) {
		return 0
	}
	return time.Duration(usec) * time.Microsecond / 2
}

// watchdog pings the service manager until stop closes.
func watchdog(stop <-chan struct{}) {
	d := watchdogInterval()
	if d == 0 {
		return
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		notify("WATCHDOG=1")
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}
