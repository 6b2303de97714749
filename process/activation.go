//go:build unix

package process

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// listenFDsStart is the first inherited descriptor, after standard input,
// output and error (sd_listen_fds(3)).
const listenFDsStart = 3

// Names of the descriptors a restarting instance passes besides the
// servers' sockets.
const (
	controlName = "lane.control" // the control socket's listener
	envPIDFD    = "LANE_PIDFILE_FD"
	envReadyFD  = "LANE_READY_FD"
	envWorker   = "LANE_WORKER_FD"
)

// inheritedFile is a descriptor passed by systemd or a restarting parent.
type inheritedFile struct {
	name string
	f    *os.File
}

// inherited returns the descriptors named by LISTEN_FDS and LISTEN_FDNAMES
// when LISTEN_PID is this process, and unsets the three variables so that
// no child takes them for its own.
func inherited() ([]inheritedFile, error) {
	names, err := listenNames(os.Getenv, os.Getpid())
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if err != nil {
		return nil, err
	}
	files := make([]inheritedFile, len(names))
	for i, name := range names {
		fd := listenFDsStart + i
		// Children get the sockets they need explicitly, never by leak.
		syscall.CloseOnExec(fd)
		files[i] = inheritedFile{name: name, f: os.NewFile(uintptr(fd), name)}
	}
	return files, nil
}

// listenNames returns one name per passed descriptor ("" when unnamed), or
// none when LISTEN_PID is not pid.
func listenNames(getenv func(string) string, pid int) ([]string, error) {
	if lp, err := strconv.Atoi(getenv("LISTEN_PID")); err != nil || lp != pid {
		return nil, nil // unset, or meant for another process
	}
	n, err := strconv.Atoi(getenv("LISTEN_FDS"))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("LISTEN_FDS=%q is not a count", getenv("LISTEN_FDS"))
	}
	var given []string
	if s := getenv("LISTEN_FDNAMES"); s != "" {
		given = strings.Split(s, ":")
	}
	names := make([]string, n)
	copy(names, given)
	return names, nil
}

// inheritedFD returns the descriptor named by the environment variable, or
// nil when it is unset, and unsets it.
func inheritedFD(key string) *os.File {
	v := os.Getenv(key)
	os.Unsetenv(key)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < listenFDsStart {
		return nil
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), key)
}

// match assigns inherited sockets to server names: by name, or a single
// unnamed socket (systemd names it after the socket unit) to a single
// server. It returns the sockets by server name and those left over.
func match(files []inheritedFile, servers []string) (map[string]*os.File, []inheritedFile) {
	byName := make(map[string]*os.File)
	want := make(map[string]bool)
	for _, s := range servers {
		want[s] = true
	}
	var rest []inheritedFile
	for _, f := range files {
		if want[f.name] && byName[f.name] == nil {
			byName[f.name] = f.f
			continue
		}
		rest = append(rest, f)
	}
	if len(servers) == 1 && len(byName) == 0 && len(rest) == 1 && rest[0].name != controlName {
		byName[servers[0]] = rest[0].f
		rest = nil
	}
	return byName, rest
}
