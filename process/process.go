//go:build unix

package process

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/lanehttp/lane"
)

// Config says how [Config.Main] manages the process. The zero value works;
// every field's doc gives its default. Main copies the Config.
type Config struct {
	// PIDFile is the pid file's path; the control socket lives beside it
	// with the extension ".sock". Default: "<program>.pid" in the working
	// directory. The flag -lane.pidfile overrides it.
	PIDFile string

	// LogFile receives the standard output and error of an instance put in
	// the background by start. Default: the pid file's path with the
	// extension ".log". The flag -lane.logfile overrides it.
	LogFile string

	// ReadyTimeout bounds how long start and restart wait for a new
	// instance to accept on every server. Default 30s.
	ReadyTimeout time.Duration

	// StopTimeout bounds how long stop and restart wait for an instance to
	// exit. Default: the longest ShutdownGrace of the servers plus
	// DrainDelay plus 5s.
	StopTimeout time.Duration

	// DrainDelay is how long, after SIGTERM, Health reports not ready
	// before the servers stop accepting, so that load balancers notice.
	// Default 0.
	DrainDelay time.Duration

	// Health, when set, turns not ready when a shutdown begins.
	Health *Health

	// Workers is the number of worker processes serving on the shared
	// sockets; 0 or 1 serves in the instance itself.
	Workers int

	// Reload, when set, is called on SIGUSR1; each server it returns
	// replaces the routes of the running server of the same name (see
	// [lane.Server.Reload]). Servers it returns must not be started.
	Reload func() ([]*lane.Server, error)

	// Logger receives the instance's own messages. Default slog.Default().
	Logger *slog.Logger

	// Output receives the commands' reports to the user. Default os.Stdout.
	Output io.Writer

	// prefix is the program's own part of the command line, repeated when
	// the program starts itself again.
	prefix     []string
	socket     string // the control socket's path
	jsonStatus bool   // -lane.json
}

// Main is Config{}.Main(servers...).
func Main(servers ...*lane.Server) {
	Config{}.Main(servers...)
}

// MainGroup is Config{}.Main(g.Servers()...).
func MainGroup(g *lane.Group) {
	Config{}.Main(g.Servers()...)
}

// Main runs the command on the program's command line with the servers and
// exits: 0 on success, 3 when status finds no instance, 1 on error, with
// the reason on standard error. The command line is what [flag.Parse] left
// ([flag.Args]), or os.Args[1:] when the program parsed no flags. Servers
// must not be started and need distinct names.
func (c Config) Main(servers ...*lane.Server) {
	args := os.Args[1:]
	if flag.Parsed() {
		args = flag.Args()
		c.prefix = os.Args[1 : len(os.Args)-len(args)]
	}
	err := c.Command(context.Background(), args, servers...)
	if err == nil {
		os.Exit(0)
	}
	code := 1
	var ee *ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	}
	if !errors.Is(err, errNotRunning) || code != 3 { // status said it already
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName(), err)
	}
	os.Exit(code)
}

// ExitError is an error that asks for a particular exit status, such as 3
// from status when no instance runs.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Command runs one command line, args being the command and Main's flags,
// and returns when the command is done: for run, when the servers have
// stopped, which ctx's end also causes. It is Main without the exit.
func (c Config) Command(ctx context.Context, args []string, servers ...*lane.Server) error {
	cmd, err := c.parse(args)
	if err != nil {
		return err
	}
	if err := checkNames(servers); err != nil {
		return err
	}
	c = c.resolved(servers)
	switch cmd {
	case "", "run":
		return c.serve(ctx, servers)
	case "start":
		return c.start()
	case "stop":
		return c.stop()
	case "status":
		return c.status()
	case "restart", "reload":
		return c.restartCmd()
	}
	return fmt.Errorf("unknown command %q (want run, start, stop, status, restart or reload)", cmd)
}

// parse reads the command and Main's flags, which may come before or
// after the command.
func (c *Config) parse(args []string) (string, error) {
	fs := flag.NewFlagSet("lane", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.PIDFile, "lane.pidfile", c.PIDFile, "pid file")
	fs.StringVar(&c.LogFile, "lane.logfile", c.LogFile, "log file of start")
	json := fs.Bool("lane.json", false, "status in JSON")
	if err := fs.Parse(args); err != nil {
		return "", fmt.Errorf("command line: %w", err)
	}
	var cmd string
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return "", fmt.Errorf("command line: %w", err)
		}
		if fs.NArg() > 0 {
			return "", fmt.Errorf("command line: unexpected %q after %s", fs.Arg(0), cmd)
		}
	}
	c.jsonStatus = *json
	return cmd, nil
}

// resolved returns c with its defaults filled in and its paths absolute,
// since a background instance may not share the working directory's
// meaning.
func (c Config) resolved(servers []*lane.Server) Config {
	if c.PIDFile == "" {
		c.PIDFile = progName() + ".pid"
	}
	c.PIDFile = absPath(c.PIDFile)
	base := c.PIDFile[:len(c.PIDFile)-len(filepath.Ext(c.PIDFile))]
	if c.LogFile == "" {
		c.LogFile = base + ".log"
	}
	c.LogFile = absPath(c.LogFile)
	c.socket = base + ".sock"
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = 30 * time.Second
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = longestGrace(servers) + c.DrainDelay + 5*time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Output == nil {
		c.Output = os.Stdout
	}
	return c
}

// longestGrace returns the longest ShutdownGrace of the servers; a server
// without a limit counts as a minute, so that stop still ends.
func longestGrace(servers []*lane.Server) time.Duration {
	var d time.Duration
	for _, s := range servers {
		g := s.Config().ShutdownGrace
		if g < 0 {
			g = time.Minute
		}
		d = max(d, g)
	}
	return d
}

func checkNames(servers []*lane.Server) error {
	seen := make(map[string]bool)
	for _, s := range servers {
		if s == nil {
			return errors.New("nil server")
		}
		if seen[s.Name()] {
			return fmt.Errorf("two servers named %q: restarts match sockets by name", s.Name())
		}
		seen[s.Name()] = true
	}
	if len(servers) == 0 {
		return errors.New("no servers")
	}
	return nil
}

func progName() string {
	return filepath.Base(os.Args[0])
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func (c Config) printf(format string, args ...any) {
	fmt.Fprintf(c.Output, format, args...)
}
