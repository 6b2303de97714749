//go:build unix

package process

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// workers supervises the worker processes of a master instance. Each
// worker serves on the master's sockets and answers the control protocol
// over a socket pair, whose end also tells it when the master is gone.
type workers struct {
	in *instance

	mu       sync.Mutex
	procs    []*worker // by slot
	stopping bool
	exited   sync.WaitGroup
}

type worker struct {
	cmd  *exec.Cmd
	mu   sync.Mutex // one request at a time on link
	link net.Conn
	done chan struct{} // closed once the process is reaped
}

// startWorkers starts Config.Workers workers and waits until each is
// ready.
func startWorkers(in *instance) (*workers, error) {
	ws := &workers{in: in, procs: make([]*worker, in.c.Workers)}
	for i := range ws.procs {
		w, err := ws.spawn()
		if err != nil {
			return ws, fmt.Errorf("worker %d: %w", i, err)
		}
		ws.procs[i] = w
		ws.exited.Add(1)
		go ws.supervise(i, w)
	}
	return ws, nil
}

// spawn starts one worker on the master's sockets.
func (ws *workers) spawn() (*worker, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(fds[0])
	syscall.CloseOnExec(fds[1])
	mine, theirs := os.NewFile(uintptr(fds[0]), "link"), os.NewFile(uintptr(fds[1]), "link")
	defer theirs.Close()
	link, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		return nil, err
	}

	var sockets []inheritedFile
	defer func() {
		for _, s := range sockets {
			s.f.Close()
		}
	}()
	for i, s := range ws.in.servers {
		f, err := fileOf(ws.in.lns[i])
		if err != nil {
			link.Close()
			return nil, err
		}
		sockets = append(sockets, inheritedFile{name: s.Name(), f: f})
	}
	sp := spawnSpec{
		exe: ws.in.exe, args: ws.in.c.childArgs(), sockets: sockets,
		extra: []envFile{{envWorker, theirs}}, out: os.Stdout,
	}
	cmd, err := spawn(sp, ws.in.c.ReadyTimeout)
	if err != nil {
		link.Close()
		return nil, err
	}
	return &worker{cmd: cmd, link: link, done: make(chan struct{})}, nil
}

// supervise reaps the worker in slot i and replaces it unless the master
// stops. A worker that dies young is replaced after a pause, so a crash at
// start-up does not spin.
func (ws *workers) supervise(i int, w *worker) {
	defer ws.exited.Done()
	for {
		began := time.Now()
		err := w.cmd.Wait()
		w.link.Close()
		close(w.done)
		if ws.isStopping() {
			return
		}
		ws.in.c.Logger.Error("lane: worker exited; replacing it", "pid", w.cmd.Process.Pid, "err", err)
		if time.Since(began) < time.Second {
			time.Sleep(time.Second)
		}
		for {
			if ws.isStopping() {
				return
			}
			next, err := ws.spawn()
			if err == nil {
				w = next
				break
			}
			ws.in.c.Logger.Error("lane: starting a worker failed", "err", err)
			time.Sleep(time.Second)
		}
		ws.mu.Lock()
		ws.procs[i] = w
		stopping := ws.stopping
		ws.mu.Unlock()
		if stopping {
			w.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
}

func (ws *workers) isStopping() bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.stopping
}

// signal sends sig to every worker.
func (ws *workers) signal(sig os.Signal) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, w := range ws.procs {
		if w != nil {
			w.cmd.Process.Signal(sig)
		}
	}
}

// shutdown asks every worker to drain and waits until all have exited;
// when ctx ends first it kills them.
func (ws *workers) shutdown(ctx context.Context) error {
	ws.mu.Lock()
	ws.stopping = true
	ws.mu.Unlock()
	ws.signal(syscall.SIGTERM)
	all := make(chan struct{})
	go func() {
		ws.exited.Wait()
		close(all)
	}()
	select {
	case <-all:
		ws.closeSockets()
		return nil
	case <-ctx.Done():
		ws.signal(syscall.SIGKILL)
		<-all
		ws.closeSockets()
		return ctx.Err()
	}
}

// stop kills every worker at once.
func (ws *workers) stop(kill bool) {
	ws.mu.Lock()
	ws.stopping = true
	ws.mu.Unlock()
	if kill {
		ws.signal(syscall.SIGKILL)
	}
}

func (ws *workers) closeSockets() {
	for _, l := range ws.in.lns {
		l.Close()
	}
}

// addStats sums the workers' counters into st; addresses come from the
// master's sockets.
func (ws *workers) addStats(st *Status, lns []net.Listener) {
	ws.mu.Lock()
	procs := append([]*worker(nil), ws.procs...)
	ws.mu.Unlock()
	for i := range st.Servers {
		st.Servers[i].Addr = lns[i].Addr().String()
	}
	for _, w := range procs {
		if w == nil {
			continue
		}
		st.Workers = append(st.Workers, w.cmd.Process.Pid)
		ws.addWorker(st, w)
	}
}

func (ws *workers) addWorker(st *Status, w *worker) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.link.SetDeadline(time.Now().Add(2 * time.Second))
	res, err := askConn(w.link, "status")
	if err != nil || res.Status == nil {
		ws.in.c.Logger.Warn("lane: worker did not answer status", "pid", strconv.Itoa(w.cmd.Process.Pid), "err", err)
		return
	}
	for i, s := range res.Status.Servers {
		if i < len(st.Servers) {
			t := &st.Servers[i]
			t.Requests += s.Requests
			t.Panics += s.Panics
			t.Accepted += s.Accepted
			t.Connections += s.Connections
		}
	}
}
