//go:build unix

package process

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// spawnSpec describes an instance of the program to start.
type spawnSpec struct {
	exe     string
	args    []string
	sockets []inheritedFile // passed with LISTEN_FDS and LISTEN_FDNAMES
	extra   []envFile       // passed by descriptor number in a variable
	out     *os.File        // standard output and error; nil for /dev/null
	setsid  bool
}

// envFile is a descriptor a child finds through an environment variable.
type envFile struct {
	key string
	f   *os.File
}

// setListenPID sets LISTEN_PID (and WATCHDOG_PID when the watchdog is on)
// to the child's own pid, which is unknown before it runs: the shell sets
// them and then replaces itself with the program, keeping the pid.
const setListenPID = `LISTEN_PID=$$; export LISTEN_PID
if [ -n "$WATCHDOG_USEC" ]; then WATCHDOG_PID=$$; export WATCHDOG_PID; fi
exec "$0" "$@"`

// spawn starts the instance and waits, at most timeout, until it reports
// ready over a pipe. It returns the running child, or the reason it is not
// ready, in which case the child has been killed and reaped.
func spawn(sp spawnSpec, timeout time.Duration) (*exec.Cmd, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := sp.command()
	env := cleanEnv()
	var files []*os.File
	if len(sp.sockets) > 0 {
		names := make([]string, len(sp.sockets))
		for i, s := range sp.sockets {
			files = append(files, s.f)
			names[i] = s.name
		}
		env = append(env, "LISTEN_FDS="+strconv.Itoa(len(names)), "LISTEN_FDNAMES="+strings.Join(names, ":"))
	}
	for _, e := range sp.extra {
		files = append(files, e.f)
		env = append(env, e.key+"="+strconv.Itoa(listenFDsStart+len(files)-1))
	}
	files = append(files, w)
	env = append(env, envReadyFD+"="+strconv.Itoa(listenFDsStart+len(files)-1))
	cmd.Env, cmd.ExtraFiles = env, files
	if sp.out != nil {
		cmd.Stdout, cmd.Stderr = sp.out, sp.out
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: sp.setsid}

	err = cmd.Start()
	w.Close()
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", sp.exe, err)
	}
	if err := awaitReady(r, cmd, timeout); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	return cmd, nil
}

func (sp spawnSpec) command() *exec.Cmd {
	if len(sp.sockets) == 0 {
		return exec.Command(sp.exe, sp.args...)
	}
	return exec.Command("/bin/sh", append([]string{"-c", setListenPID, sp.exe}, sp.args...)...)
}

// awaitReady reads the child's report: "ok" once it serves, or "error:"
// and the reason. The pipe closes without a report when the child exits.
func awaitReady(r *os.File, cmd *exec.Cmd, timeout time.Duration) error {
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case s := <-line:
		switch {
		case s == "ok":
			return nil
		case strings.HasPrefix(s, "error: "):
			return errors.New(strings.TrimPrefix(s, "error: "))
		}
		return fmt.Errorf("new instance, pid %d, exited before it was ready", cmd.Process.Pid)
	case <-time.After(timeout):
		r.Close() // ends the reader
		return fmt.Errorf("new instance, pid %d, not ready within %v", cmd.Process.Pid, timeout)
	}
}

// cleanEnv returns the environment without the variables that pass
// descriptors, which belong to this process only.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", envPIDFD, envReadyFD, envWorker:
			continue
		}
		env = append(env, kv)
	}
	return env
}

// reportReady tells the parent waiting in spawn how starting went; w may
// be nil when no parent waits.
func reportReady(w *os.File, err error) {
	if w == nil {
		return
	}
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		fmt.Fprintf(w, "error: %s\n", msg)
	} else {
		fmt.Fprintln(w, "ok")
	}
	w.Close()
}

// executable returns the absolute path the program was started from, so
// that a restart runs the file now at that path, a new build included.
func executable() string {
	p := os.Args[0]
	if !strings.Contains(p, "/") {
		if lp, err := exec.LookPath(p); err == nil {
			p = lp
		}
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	if e, err := os.Executable(); err == nil {
		return e
	}
	return p
}
