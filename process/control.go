//go:build unix

package process

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/lanehttp/lane"
)

// Status is what a running instance reports about itself, as status
// prints it (in JSON with -lane.json).
type Status struct {
	PID     int          `json:"pid"`
	Started time.Time    `json:"started"`
	Servers []lane.Stats `json:"servers"`
	Workers []int        `json:"workers,omitempty"` // worker pids
}

// request and response are the control socket's protocol: one JSON object
// per line each way.
type request struct {
	Cmd string `json:"cmd"` // "status" or "restart"
}

type response struct {
	Error  string  `json:"error,omitempty"`
	PID    int     `json:"pid,omitempty"` // the new pid after a restart
	Status *Status `json:"status,omitempty"`
}

// serveControl answers commands on the control socket until it closes.
func (in *instance) serveControl(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			in.serveConn(c)
		}()
	}
}

// serveConn answers requests on c until it ends.
func (in *instance) serveConn(c net.Conn) {
	sc := bufio.NewScanner(c)
	enc := json.NewEncoder(c)
	for sc.Scan() {
		var req request
		var res response
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			res.Error = "bad request: " + err.Error()
		} else {
			res = in.answer(req.Cmd)
		}
		if enc.Encode(res) != nil {
			return
		}
	}
}

func (in *instance) answer(cmd string) response {
	switch cmd {
	case "status":
		st := in.status()
		return response{Status: &st}
	case "restart":
		pid, err := in.restart()
		if err != nil {
			return response{Error: err.Error()}
		}
		return response{PID: pid}
	}
	return response{Error: fmt.Sprintf("unknown command %q", cmd)}
}

func (in *instance) status() Status {
	st := Status{PID: os.Getpid(), Started: in.started}
	for _, s := range in.servers {
		st.Servers = append(st.Servers, s.Stats())
	}
	if in.workers != nil {
		in.workers.addStats(&st, in.lns)
	}
	return st
}

// ask sends one command over the control socket at path and returns the
// answer.
func ask(path, cmd string, timeout time.Duration) (response, error) {
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return response{}, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	return askConn(c, cmd)
}

func askConn(c net.Conn, cmd string) (response, error) {
	var res response
	if err := json.NewEncoder(c).Encode(request{Cmd: cmd}); err != nil {
		return res, err
	}
	sc := bufio.NewScanner(c)
	if !sc.Scan() {
		if sc.Err() != nil {
			return res, sc.Err()
		}
		return res, errors.New("control socket closed without an answer")
	}
	err := json.Unmarshal(sc.Bytes(), &res)
	return res, err
}
