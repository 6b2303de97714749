//go:build unix

package process

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lanehttp/lane"
	"golang.org/x/sys/unix"
)

// instance is a serving process: its servers, their sockets, the pid file
// and the control socket.
type instance struct {
	c       Config
	exe     string
	servers []*lane.Server
	lns     []net.Listener  // one per server, in order
	gates   []*gateListener // what the servers accept from, over lns
	ctls    []*lane.Control
	pf      *pidFile     // nil in a worker
	ctl     net.Listener // the control socket; nil in a worker
	started time.Time

	restarting atomic.Bool
	stopping   atomic.Bool
	handedOff  chan int // the new instance's pid, once a restart succeeded
	done       chan struct{}
	workers    *workers      // nil unless Config.Workers > 1
	master     net.Conn      // a worker's link to its master; nil otherwise
	linkClosed chan struct{} // closed when the master link ends
}

// serve runs the servers until a signal, ctx's end or a failure, then
// drains them. A parent waiting for readiness learns how starting went.
func (c Config) serve(ctx context.Context, servers []*lane.Server) error {
	ready := inheritedFD(envReadyFD)
	in := &instance{
		c: c, exe: executable(), servers: servers, started: time.Now(),
		handedOff: make(chan int, 1), done: make(chan struct{}),
		linkClosed: make(chan struct{}),
	}
	if err := in.open(); err != nil {
		in.abort()
		reportReady(ready, err)
		return err
	}
	reportReady(ready, nil)
	if in.master == nil && in.pf != nil {
		notify(fmt.Sprintf("READY=1\nMAINPID=%d", os.Getpid()))
	}
	go watchdog(in.done)
	return in.loop(ctx)
}

// open takes the pid file, the sockets and the control socket, and starts
// serving: in this process, or in workers.
func (in *instance) open() error {
	if f := inheritedFD(envWorker); f != nil {
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("master link: %w", err)
		}
		in.master = c
	} else if err := in.lockPIDFile(); err != nil {
		return err
	}
	if err := in.listen(); err != nil {
		return err
	}
	if in.master == nil {
		if err := in.listenControl(); err != nil {
			return err
		}
	}
	if err := in.startServing(); err != nil {
		return err
	}
	if in.pf != nil {
		return in.pf.write(os.Getpid())
	}
	return nil
}

// lockPIDFile adopts the pid file a restarting parent passes, still
// locked, or creates and locks it.
func (in *instance) lockPIDFile() error {
	if f := inheritedFD(envPIDFD); f != nil {
		in.pf = &pidFile{path: in.c.PIDFile, f: f}
		return nil
	}
	pf, err := lockPIDFile(in.c.PIDFile)
	if err != nil {
		return err
	}
	in.pf = pf
	return nil
}

// listen takes the sockets systemd or a restarting parent passed, matched
// by server name, and binds the others.
func (in *instance) listen() error {
	files, err := inherited()
	if err != nil {
		return err
	}
	names := make([]string, len(in.servers))
	for i, s := range in.servers {
		names[i] = s.Name()
	}
	byName, rest := match(files, names)
	for _, f := range rest {
		if f.name == controlName && in.master == nil {
			l, err := net.FileListener(f.f)
			f.f.Close()
			if err != nil {
				return fmt.Errorf("inherited control socket: %w", err)
			}
			in.ctl = l
			continue
		}
		in.c.Logger.Warn("lane: inherited socket matches no server; closed", "name", f.name)
		f.f.Close()
	}
	for _, s := range in.servers {
		l, err := listenFor(s, byName[s.Name()])
		if err != nil {
			return fmt.Errorf("server %s: %w", s.Name(), err)
		}
		in.lns = append(in.lns, l)
	}
	return nil
}

// listenFor returns a listener on the inherited socket f, or binds the
// server's address when f is nil.
func listenFor(s *lane.Server, f *os.File) (net.Listener, error) {
	if f != nil {
		defer f.Close()
		return net.FileListener(f)
	}
	cfg := s.Config()
	lc := net.ListenConfig{Control: func(network, _ string, rc syscall.RawConn) error {
		return socketOptions(cfg, network, rc)
	}}
	return lc.Listen(context.Background(), "tcp", cfg.Address)
}

// listenControl opens the control socket unless a restarting parent passed
// it. A leftover socket file is removed: holding the pid file's lock proves
// no instance uses it.
func (in *instance) listenControl() error {
	if in.ctl != nil {
		return nil
	}
	os.Remove(in.c.socket)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: in.c.socket, Net: "unix"})
	if err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	// The new instance keeps using the path after this one closes its copy.
	l.SetUnlinkOnClose(false)
	os.Chmod(in.c.socket, 0o600)
	in.ctl = l
	return nil
}

// startServing starts each server on its socket, or the workers.
func (in *instance) startServing() error {
	if in.ctl != nil {
		go in.serveControl(in.ctl)
	}
	if in.c.Workers > 1 && in.master == nil {
		w, err := startWorkers(in)
		in.workers = w
		return err
	}
	for i, s := range in.servers {
		g := newGate(in.lns[i])
		in.gates = append(in.gates, g)
		ctl, err := s.StartOn(g)
		if err != nil {
			return fmt.Errorf("server %s: %w", s.Name(), err)
		}
		in.ctls = append(in.ctls, ctl)
	}
	if in.master != nil {
		go func() {
			in.serveConn(in.master)
			close(in.linkClosed)
		}()
	}
	return nil
}

// abort undoes a failed open.
func (in *instance) abort() {
	for _, c := range in.ctls {
		c.Close()
	}
	for _, l := range in.lns[len(in.ctls):] {
		l.Close()
	}
	if in.workers != nil {
		in.workers.stop(true)
	}
	if in.ctl != nil {
		in.ctl.Close()
	}
	if in.pf != nil {
		os.Remove(in.c.socket)
		in.pf.remove()
	}
}

// loop waits for the reason to stop and handles the signals that do not
// stop: SIGHUP restarts, SIGUSR1 swaps routes.
func (in *instance) loop(ctx context.Context) error {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	failed := in.failures()
	masterGone := in.masterGone()
	for {
		select {
		case <-ctx.Done():
			return in.drain(sigs, false, nil)
		case err := <-failed:
			return in.drain(sigs, false, err)
		case <-masterGone:
			return in.drain(sigs, false, nil)
		case <-in.handedOff:
			return in.drain(sigs, true, nil)
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP:
				go in.restartLogged()
			case syscall.SIGUSR1:
				in.swap()
			default:
				return in.drain(sigs, false, nil)
			}
		}
	}
}

// failures returns a channel that yields the error of a server that
// stopped on its own.
func (in *instance) failures() <-chan error {
	failed := make(chan error, len(in.ctls)+1)
	for _, c := range in.ctls {
		go func() {
			if err := c.Wait(); !errors.Is(err, lane.ErrServerClosed) {
				failed <- err
			}
		}()
	}
	return failed
}

func (in *instance) restartLogged() {
	pid, err := in.restart()
	if err != nil {
		in.c.Logger.Error("lane: restart failed; still serving", "err", err)
		return
	}
	in.c.Logger.Info("lane: restarted; draining", "pid", pid)
}

// drain stops serving: after a restart, at once, since the new instance
// accepts already; on a signal, after marking Health not ready and waiting
// DrainDelay. Requests in flight get the longest ShutdownGrace; a further
// signal closes everything at once.
func (in *instance) drain(sigs <-chan os.Signal, handoff bool, cause error) error {
	in.stopping.Store(true)
	defer close(in.done)
	var forced atomic.Bool
	if !handoff {
		notify("STOPPING=1")
		if in.c.Health != nil {
			in.c.Health.drain()
		}
		if in.ctl != nil {
			in.ctl.Close()
		}
		if d := in.c.DrainDelay; d > 0 {
			select {
			case <-time.After(d):
			case <-sigs:
				forced.Store(true)
			}
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	if g := grace(in.servers); g >= 0 {
		ctx, cancel = context.WithTimeout(context.Background(), g)
	}
	defer cancel()
	if forced.Load() {
		in.closeAll()
	}
	settle(in.gates)
	go func() {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGINT || sig == syscall.SIGTERM {
				forced.Store(true)
				in.closeAll()
			}
		case <-ctx.Done():
		}
	}()
	err := in.shutdownAll(ctx)

	if handoff {
		in.pf.f.Close() // the new instance holds the lock through its copy
	} else if in.pf != nil {
		os.Remove(in.c.socket)
		in.pf.remove()
	}
	if forced.Load() {
		err = errors.New("closed at once on a second signal")
	}
	return errors.Join(cause, err)
}

// grace returns the longest ShutdownGrace, or -1 when one has no limit.
func grace(servers []*lane.Server) time.Duration {
	var d time.Duration
	for _, s := range servers {
		g := s.Config().ShutdownGrace
		if g < 0 {
			return -1
		}
		d = max(d, g)
	}
	return d
}

func (in *instance) shutdownAll(ctx context.Context) error {
	if in.workers != nil {
		return in.workers.shutdown(ctx)
	}
	errs := make([]error, len(in.ctls))
	var wg sync.WaitGroup
	for i, c := range in.ctls {
		wg.Go(func() { errs[i] = c.Shutdown(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (in *instance) closeAll() {
	if in.workers != nil {
		in.workers.stop(true)
	}
	for _, c := range in.ctls {
		c.Close()
	}
}

// restart starts the program again on this instance's sockets and, once
// the new instance is ready, hands over: it returns the new pid and the
// loop drains this instance. On failure this instance keeps serving.
func (in *instance) restart() (int, error) {
	if in.master != nil {
		return 0, errors.New("a worker does not restart; its master does")
	}
	if in.stopping.Load() {
		return 0, errors.New("shutting down")
	}
	if !in.restarting.CompareAndSwap(false, true) {
		return 0, errors.New("a restart is already in progress")
	}
	notify(fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", monotonicUsec()))
	cmd, err := in.spawnSuccessor()
	if err == nil && in.stopping.Load() {
		cmd.Process.Kill()
		cmd.Wait()
		err = errors.New("shutting down")
	}
	if err != nil {
		in.pf.write(os.Getpid()) // in case the failed one wrote its own
		notify("READY=1\nSTATUS=restart failed: " + err.Error())
		in.restarting.Store(false)
		return 0, err
	}
	pid := cmd.Process.Pid
	cmd.Process.Release()
	in.ctl.Close() // further commands reach the new instance
	notify(fmt.Sprintf("MAINPID=%d\nREADY=1", pid))
	in.handedOff <- pid
	return pid, nil
}

// spawnSuccessor starts the new instance with the sockets, the control
// socket and the locked pid file.
func (in *instance) spawnSuccessor() (*exec.Cmd, error) {
	var sockets []inheritedFile
	defer func() {
		for _, s := range sockets {
			s.f.Close()
		}
	}()
	for i, s := range in.servers {
		f, err := fileOf(in.lns[i])
		if err != nil {
			return nil, fmt.Errorf("server %s: %w", s.Name(), err)
		}
		sockets = append(sockets, inheritedFile{name: s.Name(), f: f})
	}
	f, err := fileOf(in.ctl)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	sockets = append(sockets, inheritedFile{name: controlName, f: f})
	sp := spawnSpec{
		exe:     in.exe,
		args:    in.c.childArgs(),
		sockets: sockets,
		extra:   []envFile{{envPIDFD, in.pf.f}},
		out:     os.Stdout,
	}
	return spawn(sp, in.c.ReadyTimeout)
}

// childArgs returns the command line of a new instance: the program's own
// flags as given, then run with this instance's paths.
func (c Config) childArgs() []string {
	args := append([]string(nil), c.prefix...)
	return append(args, "run", "-lane.pidfile="+c.PIDFile, "-lane.logfile="+c.LogFile)
}

// fileOf returns a duplicate of a listener's descriptor, for a child
// process. It duplicates the descriptor itself rather than calling the
// listener's File method: a file from File switches the socket, which this
// process and its other children share, to blocking mode when exec asks
// for its descriptor, and an accept then blocks a thread outside the poller
// where closing the listener cannot wake it. A file from os.NewFile keeps
// the socket non-blocking.
func fileOf(l net.Listener) (*os.File, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("a %T cannot be passed on", l)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, os.NewSyscallError("fcntl", derr)
	}
	return os.NewFile(uintptr(fd), "listener"), nil
}

func monotonicUsec() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Nano() / 1000
}

// swap hands freshly built servers to the running ones of the same name.
func (in *instance) swap() {
	if in.workers != nil {
		in.workers.signal(syscall.SIGUSR1)
		return
	}
	if in.c.Reload == nil {
		in.c.Logger.Warn("lane: SIGUSR1 ignored: Config.Reload is not set")
		return
	}
	next, err := in.c.Reload()
	if err != nil {
		in.c.Logger.Error("lane: reload failed; routes unchanged", "err", err)
		return
	}
	for _, n := range next {
		if err := in.swapOne(n); err != nil {
			in.c.Logger.Error("lane: reload failed", "server", n.Name(), "err", err)
		}
	}
}

func (in *instance) swapOne(n *lane.Server) error {
	for _, s := range in.servers {
		if s.Name() == n.Name() {
			return s.Reload(n)
		}
	}
	return errors.New("no running server of that name")
}

// masterGone returns a channel closed when a worker's master has exited,
// nil when this instance is no worker.
func (in *instance) masterGone() <-chan struct{} {
	if in.master == nil {
		return nil
	}
	return in.linkClosed
}
