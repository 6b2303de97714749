// Command probe is the legitimate client of the slow-client checks: it
// sends requests at a steady rate, each on a new connection, while an
// attack runs, and reports the success rate and latency percentiles.
//
// It prints one line of figures and exits 1 when fewer requests than
// -min-success succeed or the 99th percentile is over -p99.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "", "server address, host:port")
	duration := flag.Duration("duration", 5*time.Second, "how long to send requests")
	rate := flag.Int("rate", 100, "requests per second")
	timeout := flag.Duration("timeout", 2*time.Second, "deadline of one request")
	p99Bound := flag.Duration("p99", 50*time.Millisecond, "highest acceptable 99th percentile")
	minSuccess := flag.Float64("min-success", 100, "lowest acceptable success rate, in percent")
	path := flag.String("path", "/", "path to request")
	flag.Parse()
	if *addr == "" {
		fmt.Fprintln(os.Stderr, "probe: -addr is required")
		os.Exit(2)
	}

	lat, failures, slow := run(*addr, *path, *duration, *rate, *timeout)
	total := len(lat) + len(failures)
	ok := 100 * float64(len(lat)) / float64(max(total, 1))
	slices.Sort(lat)
	p50, p99, top := pct(lat, 50), pct(lat, 99), pct(lat, 100)
	fmt.Printf("probe: %d requests, %d ok (%.2f%%), p50 %s, p99 %s, max %s\n",
		total, len(lat), ok, ms(p50), ms(p99), ms(top))
	if len(slow) > 0 {
		fmt.Printf("probe: slowest at %s into the run\n", slow)
	}
	for i, err := range failures {
		if i == 5 {
			fmt.Printf("probe: ... %d more failures\n", len(failures)-5)
			break
		}
		fmt.Println("probe: failure:", err)
	}
	if ok < *minSuccess || p99 > *p99Bound || total == 0 {
		fmt.Printf("probe: FAIL: want at least %.2f%% ok and p99 at most %s\n",
			*minSuccess, ms(*p99Bound))
		os.Exit(1)
	}
}

// run sends rate requests a second for d, each in its own goroutine so a
// slow answer does not delay the next, and returns the latencies of those
// that succeeded, the errors of the others, and when the slowest began.
func run(addr, path string, d time.Duration, rate int, timeout time.Duration) (
	[]time.Duration, []error, string,
) {
	var (
		mu       sync.Mutex
		lat      []time.Duration
		failures []error
		wg       sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	start := time.Now()
	end := start.Add(d)
	var worst [3]struct{ at, took time.Duration }
	for time.Now().Before(end) {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			err := request(addr, path, timeout)
			took := time.Since(began)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			lat = append(lat, took)
			for i := range worst {
				if took > worst[i].took {
					copy(worst[i+1:], worst[i:])
					worst[i].at, worst[i].took = began.Sub(start), took
					break
				}
			}
		}()
	}
	wg.Wait()
	var slow []string
	for _, w := range worst {
		if w.took > 0 {
			slow = append(slow, fmt.Sprintf("%s (%s)", sec(w.at), ms(w.took)))
		}
	}
	return lat, failures, strings.Join(slow, ", ")
}

// request dials, sends one GET and reads its response whole.
func request(addr, path string, timeout time.Duration) error {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(timeout))
	req := "GET " + path + " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		return err
	}
	res, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
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

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
