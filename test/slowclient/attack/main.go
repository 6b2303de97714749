//go:build linux

// Command attack opens many slow connections to a server and measures how
// long the server lets each live. Modes:
//
//	slowloris  a request head that never ends: a field line every -gap
//	slowbody   a request body of 1 MB sent a byte every -gap (R-U-Dead-Yet)
//	slowread   a large response read 64 bytes every -gap through a 4 KiB
//	           receive buffer, for -hold
//	idle       one request, then nothing: a keep-alive connection left idle
//	hold       connections that send nothing, held open for -hold
//
// For slowloris, slowbody and idle, each connection's life is measured
// from its first byte (for idle, from the end of the response) to the
// server's close. A slow reader cannot see the close, which the kernel
// queues behind the unsent response: with -pid, attack watches the server
// process's open files instead and measures how long after the last
// connection opened the server was back to the files it had before. It
// prints its figures and exits 1 when a connection outlives -bound, ends
// before -min or fails to start, or when the server keeps its files for
// longer than -bound.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	mode, addr string
	conns      int
	rate       int
	gap        time.Duration
	bound, min time.Duration
	hold       time.Duration
	pid, base  int
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "slowloris", "slowloris, slowbody, slowread, idle or hold")
	flag.StringVar(&o.addr, "addr", "", "server address, host:port")
	flag.IntVar(&o.conns, "conns", 1000, "connections to open")
	flag.IntVar(&o.rate, "rate", 2000, "connections opened per second")
	flag.DurationVar(&o.gap, "gap", 500*time.Millisecond, "pause between slow bytes")
	flag.DurationVar(&o.bound, "bound", 4*time.Second, "longest a connection may live")
	flag.DurationVar(&o.min, "min", 0, "shortest a connection may live")
	flag.DurationVar(&o.hold, "hold", 5*time.Second, "how long hold and slowread keep connections")
	flag.IntVar(&o.pid, "pid", 0, "server process to watch (Linux)")
	flag.IntVar(&o.base, "base", 0, "the server's open files before any attack (0: count them)")
	flag.Parse()
	if o.addr == "" {
		fmt.Fprintln(os.Stderr, "attack: -addr is required")
		os.Exit(2)
	}
	if o.mode == "hold" {
		os.Exit(hold(o))
	}
	os.Exit(measure(o))
}

// measure runs the attack and reports the lives of its connections, and
// what the server held meanwhile.
func measure(o options) int {
	var w *watcher
	if o.pid > 0 {
		w = watch(o.pid, o.base)
	}
	lives, errs, last := attack(o)
	status := 0
	if o.mode != "slowread" {
		status = report(o, lives, errs)
	}
	if w != nil && w.report(o, last) != 0 {
		status = 1
	}
	return status
}

// report prints the lives of the connections and checks them.
func report(o options, lives []time.Duration, errs []error) int {
	slices.Sort(lives)
	fmt.Printf("attack %s: %d connections, %d closed by the server, life p50 %s p99 %s max %s"+
		" (bound %s)\n", o.mode, o.conns, len(lives),
		sec(pct(lives, 50)), sec(pct(lives, 99)), sec(pct(lives, 100)), sec(o.bound))
	for i, err := range errs {
		if i == 5 {
			fmt.Printf("attack: ... %d more\n", len(errs)-5)
			break
		}
		fmt.Println("attack:", err)
	}
	if len(errs) > 0 || len(lives) != o.conns {
		fmt.Printf("attack %s: FAIL: %d of %d connections broke a bound\n",
			o.mode, o.conns-len(lives), o.conns)
		return 1
	}
	return 0
}

// attack opens o.conns connections at o.rate a second, runs the mode on
// each, and returns the lives within bounds, the errors of the others and
// when the last connection opened.
func attack(o options) ([]time.Duration, []error, time.Time) {
	var (
		mu    sync.Mutex
		lives []time.Duration
		errs  []error
		wg    sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(o.rate))
	defer tick.Stop()
	var last time.Time
	for range o.conns {
		last = <-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			life, err := one(o)
			if err == nil && (life > o.bound || life < o.min) {
				err = fmt.Errorf("closed after %s, want between %s and %s",
					sec(life), sec(o.min), sec(o.bound))
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			lives = append(lives, life)
		}()
	}
	wg.Wait()
	return lives, errs, last
}

// one runs the mode on one connection and returns its life.
func one(o options) (time.Duration, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if o.mode == "slowread" {
		d.Control = smallWindow
	}
	nc, err := d.Dial("tcp", o.addr)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(max(o.bound, o.hold) + 10*time.Second))

	switch o.mode {
	case "slowloris":
		return trickle(nc, "GET / HTTP/1.1\r\nHost: attack\r\n", "X-a: b\r\n", o.gap)
	case "slowbody":
		head := "POST /upload HTTP/1.1\r\nHost: attack\r\nContent-Length: 1000000\r\n\r\n"
		return trickle(nc, head, "b", o.gap)
	case "slowread":
		return slowRead(nc, o.gap, o.hold)
	case "idle":
		return idle(nc)
	}
	return 0, fmt.Errorf("unknown mode %q", o.mode)
}

// trickle sends head, then filler every gap, and returns how long after
// the first byte the server closed the connection. Whatever the server
// answers before closing (a 408) is read and dropped.
func trickle(nc net.Conn, head, filler string, gap time.Duration) (time.Duration, error) {
	began := time.Now()
	if _, err := io.WriteString(nc, head); err != nil {
		return 0, err
	}
	go func() {
		// Ends when a write fails, at the latest once one closes nc.
		for {
			time.Sleep(gap)
			if _, err := io.WriteString(nc, filler); err != nil {
				return
			}
		}
	}()
	err := untilClosed(nc)
	return time.Since(began), err
}

// untilClosed reads and drops bytes until the server closes the
// connection, which it reports as nil; a reset counts as a close too.
func untilClosed(nc net.Conn) error {
	_, err := io.Copy(io.Discard, nc)
	if err == nil || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return nil
	}
	return err
}

// smallWindow sets a 4 KiB receive buffer before connecting, so that the
// window the server sees stays small.
func smallWindow(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
	if err != nil {
		return err
	}
	return serr
}

// slowRead asks for the large response and reads it 64 bytes every gap
// for d, or until the connection ends.
func slowRead(nc net.Conn, gap, d time.Duration) (time.Duration, error) {
	began := time.Now()
	if _, err := io.WriteString(nc, "GET /big HTTP/1.1\r\nHost: attack\r\n\r\n"); err != nil {
		return 0, err
	}
	buf := make([]byte, 64)
	for time.Since(began) < d {
		time.Sleep(gap)
		if _, err := nc.Read(buf); err != nil {
			break
		}
	}
	return time.Since(began), nil
}

// idle sends one request, reads its response, and returns how long the
// server kept the idle connection after it.
func idle(nc net.Conn) (time.Duration, error) {
	if _, err := io.WriteString(nc, "GET / HTTP/1.1\r\nHost: attack\r\n\r\n"); err != nil {
		return 0, err
	}
	br := bufio.NewReader(nc)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	began := time.Now()
	n, err := br.Read(make([]byte, 1))
	switch {
	case n > 0:
		return 0, errors.New("the server sent bytes on an idle connection")
	case err == io.EOF || errors.Is(err, syscall.ECONNRESET):
		return time.Since(began), nil
	}
	return 0, err
}

// hold opens connections that send nothing and keeps them for o.hold.
func hold(o options) int {
	var conns []net.Conn
	failed := 0
	for range o.conns {
		nc, err := net.DialTimeout("tcp", o.addr, 2*time.Second)
		if err != nil {
			failed++
			continue
		}
		conns = append(conns, nc)
	}
	fmt.Printf("attack hold: %d connections open, %d failed to open; holding %s\n",
		len(conns), failed, sec(o.hold))
	time.Sleep(o.hold)
	for _, nc := range conns {
		nc.Close()
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// pct returns the p-th percentile of sorted, nearest rank.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func sec(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// watcher samples how many files a process has open.
type watcher struct {
	pid  int
	base int // before the attack

	mu      sync.Mutex
	samples []sample
}

type sample struct {
	at    time.Time
	files int
	tcp   int // kernel memory of all TCP sockets, in pages
}

// watch starts sampling pid's open files every 20ms. base is the count
// before the attack, or 0 to count it now.
func watch(pid, base int) *watcher {
	if base <= 0 {
		base = files(pid)
	}
	w := &watcher{pid: pid, base: base}
	go func() {
		for {
			n, m := files(pid), tcpPages()
			w.mu.Lock()
			w.samples = append(w.samples, sample{time.Now(), n, m})
			w.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return w
}

// files counts the open files of pid, -1 when it cannot.
func files(pid int) int {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(fds)
}

// tcpPages returns the pages of memory the kernel holds for TCP sockets,
// the "mem" of /proc/net/sockstat, or -1.
func tcpPages() int {
	b, err := os.ReadFile("/proc/net/sockstat")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "TCP:" && f[len(f)-2] == "mem" {
			n, _ := strconv.Atoi(f[len(f)-1])
			return n
		}
	}
	return -1
}

// report prints the server's peak of open files and how long after last
// it was back to its count from before the attack, give or take slack for
// other clients, and checks that against o.bound.
func (w *watcher) report(o options, last time.Time) int {
	const slack = 10
	deadline := last.Add(o.bound + 2*time.Second)
	for time.Now().Before(deadline) && files(w.pid) > w.base+slack {
		time.Sleep(20 * time.Millisecond)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	peak, tcp, back := 0, 0, time.Duration(-1)
	for _, s := range w.samples {
		peak, tcp = max(peak, s.files), max(tcp, s.tcp)
		if s.at.After(last) && s.files <= w.base+slack && back < 0 {
			back = s.at.Sub(last)
		}
	}
	if back < 0 && files(w.pid) <= w.base+slack {
		back = time.Since(last)
	}
	fmt.Printf("attack %s: server files %d before, %d at peak; back %s after the last connection"+
		" opened (bound %s); kernel TCP memory at most %d MiB\n",
		o.mode, w.base, peak, sec(back), sec(o.bound), tcp*os.Getpagesize()>>20)
	if back < 0 || back > o.bound || peak < w.base+o.conns/2 {
		fmt.Printf("attack %s: FAIL: the server held sockets too long, or never had them\n", o.mode)
		return 1
	}
	return 0
}
