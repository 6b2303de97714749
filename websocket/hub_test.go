package websocket

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lanehttp/lane"
)

// hubServer serves h at /ws; the client's id is the query parameter id and
// it joins the room in the query parameter room.
func hubServer(t *testing.T, h *Hub) string {
	return serve(t, func(c *lane.Context) lane.Status {
		id, room := c.Query("id"), c.Query("room")
		conn, err := Accept(c, nil)
		if err != nil {
			return lane.Continue
		}
		h.Join(id, room) // not yet in the hub: must be a no-op
		go func() {
			for h.Join(id, room) == false {
				time.Sleep(time.Millisecond)
			}
		}()
		h.Serve(c.Context(), conn, id)
		return lane.Continue
	})
}

func dialID(t *testing.T, addr, id, room string) *client {
	t.Helper()
	c := rawDial(t, addr)
	res := c.request("GET /ws?id=" + id + "&room=" + room + " HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n" +
		"Connection: Upgrade\r\nSec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if res.StatusCode != 101 {
		t.Fatalf("status %d, want 101", res.StatusCode)
	}
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHubRooms(t *testing.T) {
	var disconnects atomic.Int32
	h := NewHub(&HubOptions{
		OnMessage: func(cl *Client, typ MessageType, msg []byte) {
			cl.hub.Broadcast("a", typ, append([]byte(cl.ID()+": "), msg...))
		},
		OnDisconnect: func(*Client, error) { disconnects.Add(1) },
	})
	addr := hubServer(t, h)
	a1, a2 := dialID(t, addr, "a1", "a"), dialID(t, addr, "a2", "a")
	b1 := dialID(t, addr, "b1", "b")
	waitFor(t, "rooms", func() bool { return h.RoomCount("a") == 2 && h.RoomCount("b") == 1 })

	if got := fmt.Sprint(h.Rooms()); got != "[a b]" {
		t.Errorf("rooms = %s, want [a b]", got)
	}
	a1.write(data(1, []byte("hi")))
	for _, c := range []*client{a1, a2} {
		if f := c.read(); string(f.p) != "a1: hi" {
			t.Errorf("room member got %q, want %q", f.p, "a1: hi")
		}
	}
	if !h.SendTo("b1", MessageText, []byte("direct")) {
		t.Fatal("SendTo b1 = false, want true")
	}
	if f := b1.read(); string(f.p) != "direct" {
		t.Errorf("b1 got %q, want %q (and nothing from room a)", f.p, "direct")
	}
	if h.SendTo("nobody", MessageText, nil) {
		t.Error("SendTo unknown id = true, want false")
	}

	b1.write(data(8, closePayload(1000, "")))
	waitFor(t, "empty room removed", func() bool { return h.RoomCount("b") == 0 && len(h.Rooms()) == 1 })
	waitFor(t, "count", func() bool { return h.Count() == 2 && disconnects.Load() == 1 })
}

func TestHubSlowConsumer(t *testing.T) {
	dropped := make(chan error, 1)
	h := NewHub(&HubOptions{QueueSize: 4, OnDisconnect: func(cl *Client, err error) {
		if cl.ID() == "slow" {
			dropped <- err
		}
	}})
	addr := hubServer(t, h)
	slow := dialID(t, addr, "slow", "r")
	fast := dialID(t, addr, "fast", "r")
	waitFor(t, "room", func() bool { return h.RoomCount("r") == 2 })

	// The slow client never reads; 1 MiB messages fill its socket buffers,
	// then its queue.
	big := make([]byte, 1<<20)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; h.RoomCount("r") == 2; i++ {
		if ctx.Err() != nil {
			t.Fatal("slow client never dropped")
		}
		start := time.Now()
		h.Broadcast("r", MessageBinary, big)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("Broadcast blocked for %v", d)
		}
		if f := fast.read(); len(f.p) != len(big) {
			t.Fatalf("fast client got %d bytes, want %d", len(f.p), len(big))
		}
	}
	if err := <-dropped; err != ErrSlowConsumer {
		t.Errorf("slow client ended with %v, want ErrSlowConsumer", err)
	}
	_ = slow
}
