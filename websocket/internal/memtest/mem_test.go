// Package memtest measures the server-side cost of idle WebSocket
// connections and of broadcasts. Its benchmarks are run by hand:
//
//	go test -run XXX -bench . ./websocket/internal/memtest
package memtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/websocket"
)

func start(b *testing.B, h lane.Handler) *lane.Control {
	srv := lane.New(lane.Config{Address: "127.0.0.1:0", MaxConnections: lane.NoLimit})
	srv.GET("/ws", h)
	ctl, err := srv.Start()
	if err != nil {
		b.Fatal(err)
	}
	return ctl
}

func dial(b *testing.B, addr string) (net.Conn, *bufio.Reader) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(nc)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 101 {
		b.Fatalf("handshake: %v", err)
	}
	return nc, br
}

func stackInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}

// inUse returns the heap and stack memory in use after a collection.
func inUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkIdle opens 2,000 idle connections, each with a handler blocked in
// Read, and reports the server's memory per connection (Go heap and stacks)
// beyond that of a bare TCP connection pair, measured first and subtracted
// since the clients live in the same process. Kernel socket buffers are not
// counted.
func BenchmarkIdle(b *testing.B) {
	const n = 2000
	for i := 0; i < b.N; i++ {
		// The cost of a bare TCP connection pair (both ends in this process,
		// no goroutines, no buffers), to subtract from the measurement.
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		held := make(chan []net.Conn)
		go func() {
			var cs []net.Conn
			for len(cs) < n {
				c, err := l.Accept()
				if err != nil {
					break
				}
				cs = append(cs, c)
			}
			held <- cs
		}()
		base := inUse()
		var raw []net.Conn
		for j := 0; j < n; j++ {
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			raw = append(raw, c)
		}
		accepted := <-held
		clientCost := inUse() - base
		for _, c := range append(raw, accepted...) {
			c.Close()
		}
		l.Close()
		time.Sleep(100 * time.Millisecond)

		ctl := start(b, func(c *lane.Context) lane.Status {
			conn, err := websocket.Accept(c, nil)
			if err != nil {
				return lane.Continue
			}
			defer conn.CloseNow()
			for {
				if _, _, err := conn.Read(c.Context()); err != nil {
					return lane.Continue
				}
			}
		})
		base = inUse()
		stack0 := stackInUse()
		var conns []net.Conn
		for j := 0; j < n; j++ {
			nc, _ := dial(b, ctl.Addr().String()) // the client's reader is dropped
			conns = append(conns, nc)
		}
		time.Sleep(200 * time.Millisecond)
		total := inUse() - base
		per := float64(total-clientCost) / n / 1024
		b.ReportMetric(per, "KiB/conn")
		b.ReportMetric(float64(stackInUse()-stack0)/n/1024, "stack-KiB/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		for _, c := range conns {
			c.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ctl.Shutdown(ctx)
		cancel()
	}
}

// BenchmarkBroadcast sends 100-byte messages through a Hub room of 1,000
// clients and reports deliveries per second.
func BenchmarkBroadcast(b *testing.B) {
	const n = 1000
	hub := websocket.NewHub(&websocket.HubOptions{QueueSize: 1024})
	ctl := start(b, func(c *lane.Context) lane.Status {
		conn, err := websocket.Accept(c, nil)
		if err != nil {
			return lane.Continue
		}
		id := fmt.Sprint(c.RemoteAddr())
		go func() {
			for !hub.Join(id, "all") {
				time.Sleep(time.Millisecond)
			}
		}()
		hub.Serve(c.Context(), conn, id)
		return lane.Continue
	})
	defer ctl.Shutdown(context.Background())

	done := make(chan int, n)
	for j := 0; j < n; j++ {
		nc, br := dial(b, ctl.Addr().String())
		defer nc.Close()
		go func() {
			got := 0
			for {
				var h [2]byte
				if _, err := io.ReadFull(br, h[:]); err != nil {
					done <- got
					return
				}
				if _, err := br.Discard(int(h[1] & 0x7f)); err != nil {
					done <- got
					return
				}
				got++
				if got == b.N {
					done <- got
					return
				}
			}
		}()
	}
	for hub.RoomCount("all") < n {
		time.Sleep(time.Millisecond)
	}
	msg := make([]byte, 100)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for hub.Broadcast("all", websocket.MessageBinary, msg) < n {
			b.Fatal("a client was dropped")
		}
	}
	for j := 0; j < n; j++ {
		<-done
	}
	d := time.Since(start)
	b.ReportMetric(float64(b.N*n)/d.Seconds(), "deliveries/s")
}
