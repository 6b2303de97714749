// Package process runs a program's lane servers as a managed process: one
// call in main gives it the commands run, start, stop, status, restart and
// reload, a pid file under an exclusive lock, restarts that hand the
// listening sockets to the new binary and drop nothing, systemd socket
// activation and notification, Kubernetes health endpoints and supervised
// worker processes.
//
// # The one-call main
//
//	func main() {
//		flag.Parse() // the program's own flags come first
//		pub, admin := build()
//		process.Main(pub, admin)
//	}
//
// The command line is then
//
//	prog [own flags] [command] [-lane.pidfile path] [-lane.logfile path] [-lane.json]
//
// Main reads its command and flags from what the program's flag parsing
// left over ([flag.Args]), or from os.Args when the program parses no flags,
// so its flags, all prefixed "lane.", never collide with the program's own.
// A background instance and a restarted one are started with the program's
// own flags as they were given, so a changed configuration file is read
// again on restart.
//
//   - run, or no command: serve in the foreground. SIGINT or SIGTERM drain
//     every server within the longest ShutdownGrace and exit 0; a second
//     signal closes everything at once.
//   - start: serve in the background, detached in a session of its own with
//     standard output and error appended to the log file; start returns
//     once every server accepts, or fails with the reason.
//   - stop: send SIGTERM to the running instance and wait until it has
//     exited. A pid file whose lock nobody holds is stale and is removed.
//   - status: whether an instance runs, its pid, uptime, and each server's
//     address and counters, asked of the instance over a Unix socket beside
//     the pid file. Exit status 3 when none runs.
//   - restart, or reload (for systemd's ExecReload): a zero-downtime
//     restart, below. SIGHUP does the same.
//
// # Zero-downtime restart
//
// The running instance starts the program's binary again (the file at the
// path it was started from, so a new build takes over) and passes it every
// listening socket as an inherited descriptor, named by server
// ([lane.Server.Name]) with the systemd convention LISTEN_FDS,
// LISTEN_FDNAMES and LISTEN_PID, plus the control socket and the locked pid
// file. The new instance serves on the inherited sockets, writes its pid
// and reports ready over a pipe; only then does the old one stop accepting
// and drain its requests in flight. Connections waiting in the kernel's
// queue belong to the socket, not to a process, so none is lost. When the
// new instance fails or is not ready within ReadyTimeout, it is killed and
// the old one keeps serving and reports why. One restart runs at a time; a
// second is refused.
//
// # systemd
//
// Sockets passed by systemd socket activation are taken by the server
// whose name matches the socket's FileDescriptorName (a single unnamed
// socket goes to a single server). With NOTIFY_SOCKET set, the instance
// sends READY=1 once it serves, RELOADING=1 and then MAINPID= and READY=1
// around a restart, STOPPING=1 when it drains, and WATCHDOG=1 every half
// WATCHDOG_USEC. examples/systemd has unit files.
//
// # Kubernetes
//
// A [Health] mounted on any server answers readiness and liveness probes.
// On SIGTERM readiness turns 503 at once, the instance waits
// Config.DrainDelay so that load balancers stop sending, and only then
// drains; liveness answers 200 until the process exits.
// examples/kubernetes has a Deployment whose preStop and
// terminationGracePeriodSeconds match.
//
// # Hot swap
//
// SIGUSR1 calls Config.Reload for a fresh set of servers and hands each to
// the running server of the same name with [lane.Server.Reload]: routes,
// middleware and request limits change without closing a listener, and
// requests in flight finish on the old set.
//
// # Workers
//
// With Config.Workers above 1 the instance binds the sockets and runs that
// many worker processes that serve on them, all accepting from the same
// inherited sockets (not SO_REUSEPORT, so restarts stay lossless). A worker
// that dies is replaced. One Go runtime already uses every core through
// GOMAXPROCS; prefer workers only when one process per core pays: very
// large heaps whose garbage collection pauses should be split, isolation
// of a crash to a share of the connections, or cgo-bound work.
// Counters in status are summed over the workers.
//
// # Limits
//
// Linux is the target; the package builds on other Unix systems, where a
// zombie process cannot be told from a live one. TTL and ReusePort of a
// server's Config apply to sockets the package binds on Linux only.
package process
