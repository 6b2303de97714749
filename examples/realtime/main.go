// Command realtime serves a chat room over WebSocket at /ws and a clock over
// Server-Sent Events at /events, with a page at / that uses both.
//
//	go run ./examples/realtime   # then open http://127.0.0.1:8090/
package main

import (
	"context"
	"log"
	"os/signal"
	"syscall"
	"time"

	"github.com/lanehttp/lane"
	"github.com/lanehttp/lane/sse"
	"github.com/lanehttp/lane/websocket"
)

func main() {
	srv := newServer("127.0.0.1:8090")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := lane.NewGroup(srv).Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// newServer returns the server with its three routes.
func newServer(addr string) *lane.Server {
	srv := lane.New(lane.Config{Address: addr})
	hub := websocket.NewHub(&websocket.HubOptions{
		OnConnect: func(cl *websocket.Client) { cl.Join("lobby") },
		// Every message goes to the whole room, sender included.
		OnMessage: func(cl *websocket.Client, _ websocket.MessageType, msg []byte) {
			cl.Hub().Broadcast("lobby", websocket.MessageText, msg)
		},
	})
	srv.GET("/", func(c *lane.Context) lane.Status { return c.HTML(200, page) })
	srv.GET("/ws", func(c *lane.Context) lane.Status {
		conn, err := websocket.Accept(c, nil)
		if err != nil {
			return lane.Continue
		}
		hub.Serve(c.Context(), conn, c.RemoteAddr().String())
		return lane.Continue
	})
	srv.GET("/events", clock)
	return srv
}

// clock sends the time every second until the client leaves or the server
// shuts down.
func clock(c *lane.Context) lane.Status {
	s, err := sse.New(c, &sse.Options{Retry: 2 * time.Second})
	if err != nil {
		return lane.Continue
	}
	defer s.Close()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for now := time.Now(); ; {
		if s.Send(sse.Event{Event: "tick", Data: now.Format(time.TimeOnly)}) != nil {
			return lane.Continue
		}
		select {
		case now = <-tick.C:
		case <-s.Done():
			return lane.Continue
		}
	}
}
