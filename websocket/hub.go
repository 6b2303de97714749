package websocket

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// Defaults of [HubOptions].
const (
	DefaultQueueSize    = 64
	DefaultWriteTimeout = 10 * time.Second
)

// dropGrace is how long a dropped client's writer has to send the close frame
// before the connection is cut.
const dropGrace = time.Second

// ErrSlowConsumer is the error a [Hub] hands to OnDisconnect for a client it
// dropped because the client's send queue was full.
var ErrSlowConsumer = errors.New("websocket: send queue full; slow consumer dropped")

// HubOptions configures a [Hub]. The zero value works; NewHub copies it.
type HubOptions struct {
	// QueueSize is the number of messages each client's send queue holds.
	// Zero means [DefaultQueueSize].
	QueueSize int

	// WriteTimeout bounds the write of one message to one client; a client
	// that takes longer is closed. Zero means [DefaultWriteTimeout].
	WriteTimeout time.Duration

	// OnConnect runs when a client has joined the hub, before its first
	// message is read; it may join rooms.
	OnConnect func(cl *Client)

	// OnMessage runs for each data message a client sends, in that client's
	// reading goroutine: a slow hook delays only that client. msg is the
	// hook's to keep.
	OnMessage func(cl *Client, typ MessageType, msg []byte)

	// OnDisconnect runs once when a client has left the hub, with the error
	// that ended it: a read error, ErrSlowConsumer, or nil for a clean close.
	OnDisconnect func(cl *Client, err error)
}

// Hub routes messages between WebSocket clients: to rooms (Broadcast), to one
// client (SendTo), or to every client. Its methods are safe for concurrent
// use.
//
// # Slow consumers
//
// Every client has a bounded send queue drained by its own writer goroutine.
// Sending never blocks: when a client's queue is full the client is dropped
// at once: removed from the hub and its rooms, then closed with 1008 (policy
// violation), or without a close frame when its writer is still blocked a
// second later. So one slow reader never delays the others or grows memory
// without bound. A client whose single write takes longer than WriteTimeout
// is closed as well.
//
// Rooms exist while they have members: joining creates a room, and the last
// member leaving removes it.
type Hub struct {
	queue   int
	timeout time.Duration
	onConn  func(*Client)
	onMsg   func(*Client, MessageType, []byte)
	onDisc  func(*Client, error)

	mu      sync.RWMutex
	clients map[string]*Client
	rooms   map[string]map[*Client]struct{}
}

// Client is one connection served by a [Hub].
type Client struct {
	id   string
	conn *Conn
	hub  *Hub
	send chan message
	kick chan struct{} // closed when the hub drops the client
	drop sync.Once

	rooms map[string]struct{} // guarded by hub.mu
	gone  bool                // guarded by hub.mu; left the hub
	err   error               // guarded by hub.mu; why it was dropped
}

type message struct {
	typ MessageType
	p   []byte
}

// NewHub returns an empty hub. opts may be nil.
func NewHub(opts *HubOptions) *Hub {
	var o HubOptions
	if opts != nil {
		o = *opts
	}
	h := &Hub{
		queue:   o.QueueSize,
		timeout: o.WriteTimeout,
		onConn:  o.OnConnect,
		onMsg:   o.OnMessage,
		onDisc:  o.OnDisconnect,
		clients: make(map[string]*Client),
		rooms:   make(map[string]map[*Client]struct{}),
	}
	if h.queue <= 0 {
		h.queue = DefaultQueueSize
	}
	if h.timeout <= 0 {
		h.timeout = DefaultWriteTimeout
	}
	return h
}

// ErrDuplicateID is returned by [Hub.Serve] when a client with the same id
// is already connected.
var ErrDuplicateID = errors.New("websocket: client id already in the hub")

// Serve runs conn as the client id until the connection ends, ctx ends, or the
// hub drops it; the caller is usually the handler that accepted conn. It
// reads messages into OnMessage in the calling goroutine and writes queued
// messages from a second one. When Serve returns the client has left every
// room and conn is closed. An id already in use is refused with
// ErrDuplicateID and conn closed with 1008.
func (h *Hub) Serve(ctx context.Context, conn *Conn, id string) error {
	cl := &Client{
		id: id, conn: conn, hub: h,
		send:  make(chan message, h.queue),
		kick:  make(chan struct{}),
		rooms: make(map[string]struct{}),
	}
	if !h.add(cl) {
		conn.Close(StatusPolicyViolation, "duplicate client id")
		return ErrDuplicateID
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		cl.writeLoop(ctx)
	}()
	if h.onConn != nil {
		h.onConn(cl)
	}

	err := cl.readLoop(ctx)
	cancel()
	<-wrote
	if dropped := h.remove(cl); dropped != nil {
		err = dropped
	}
	if CloseStatus(err) == StatusNormalClosure || CloseStatus(err) == StatusGoingAway {
		err = nil
	}
	conn.CloseNow()
	if h.onDisc != nil {
		h.onDisc(cl, err)
	}
	return err
}

func (cl *Client) readLoop(ctx context.Context) error {
	for {
		typ, msg, err := cl.conn.Read(ctx)
		if err != nil {
			return err
		}
		if cl.hub.onMsg != nil {
			cl.hub.onMsg(cl, typ, msg)
		}
	}
}

// writeLoop sends queued messages until ctx ends or the client is dropped.
// Closing the connection is what ends the reading side in both cases.
func (cl *Client) writeLoop(ctx context.Context) {
	for {
		select {
		case m := <-cl.send:
			wctx, cancel := context.WithTimeout(ctx, cl.hub.timeout)
			err := cl.conn.Write(wctx, m.typ, m.p)
			cancel()
			if err != nil {
				cl.conn.CloseNow()
				return
			}
		case <-cl.kick:
			cl.conn.Close(StatusPolicyViolation, "slow consumer")
			return
		case <-ctx.Done():
			return
		}
	}
}

func (h *Hub) add(cl *Client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[cl.id]; ok {
		return false
	}
	h.clients[cl.id] = cl
	return true
}

// remove takes cl out of the hub and its rooms, returning why it was dropped.
func (h *Hub) remove(cl *Client) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(cl)
	return cl.err
}

func (h *Hub) removeLocked(cl *Client) {
	if cl.gone {
		return
	}
	cl.gone = true
	delete(h.clients, cl.id)
	for room := range cl.rooms {
		h.leaveLocked(cl, room)
	}
}

func (h *Hub) leaveLocked(cl *Client, room string) {
	delete(cl.rooms, room)
	members := h.rooms[room]
	delete(members, cl)
	if len(members) == 0 {
		delete(h.rooms, room)
	}
}

// enqueue queues m for cl without blocking and reports whether it was queued.
// On false the caller drops cl with dropAll, once it has released h.mu.
func (cl *Client) enqueue(m message) bool {
	select {
	case cl.send <- m:
		return true
	default:
		return false
	}
}

// dropAll removes slow clients from the hub and tells their writers to close
// them. Called without h.mu held.
func (h *Hub) dropAll(slow []*Client) {
	if len(slow) == 0 {
		return
	}
	h.mu.Lock()
	for _, cl := range slow {
		if !cl.gone {
			cl.err = ErrSlowConsumer
			h.removeLocked(cl)
		}
	}
	h.mu.Unlock()
	for _, cl := range slow {
		cl.drop.Do(func() {
			close(cl.kick)
			// A writer blocked on the client cannot send the close frame;
			// cut the connection if it has not closed within dropGrace.
			time.AfterFunc(dropGrace, func() { cl.conn.CloseNow() })
		})
	}
}

// Broadcast queues msg for every member of room and returns how many
// clients it was queued for. Members whose queue is full are dropped (see
// [Hub]). msg is copied once and shared by the recipients.
func (h *Hub) Broadcast(room string, typ MessageType, msg []byte) int {
	m := message{typ, append([]byte(nil), msg...)}
	var slow []*Client
	n := 0
	h.mu.RLock()
	for cl := range h.rooms[room] {
		if cl.enqueue(m) {
			n++
		} else {
			slow = append(slow, cl)
		}
	}
	h.mu.RUnlock()
	h.dropAll(slow)
	return n
}

// BroadcastAll queues msg for every client of the hub, as Broadcast does for
// a room.
func (h *Hub) BroadcastAll(typ MessageType, msg []byte) int {
	m := message{typ, append([]byte(nil), msg...)}
	var slow []*Client
	n := 0
	h.mu.RLock()
	for _, cl := range h.clients {
		if cl.enqueue(m) {
			n++
		} else {
			slow = append(slow, cl)
		}
	}
	h.mu.RUnlock()
	h.dropAll(slow)
	return n
}

// SendTo queues msg for the client id and reports whether it was queued: false
// when there is no such client, or when its queue was full and it has been
// dropped.
func (h *Hub) SendTo(id string, typ MessageType, msg []byte) bool {
	h.mu.RLock()
	cl := h.clients[id]
	h.mu.RUnlock()
	if cl == nil {
		return false
	}
	return cl.Send(typ, msg)
}

// Join adds the client id to room and reports whether the client exists.
func (h *Hub) Join(id, room string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	cl := h.clients[id]
	if cl == nil {
		return false
	}
	h.joinLocked(cl, room)
	return true
}

// Leave removes the client id from room; an emptied room is removed.
func (h *Hub) Leave(id, room string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cl := h.clients[id]; cl != nil {
		h.leaveLocked(cl, room)
	}
}

func (h *Hub) joinLocked(cl *Client, room string) {
	if cl.gone {
		return
	}
	members := h.rooms[room]
	if members == nil {
		members = make(map[*Client]struct{})
		h.rooms[room] = members
	}
	members[cl] = struct{}{}
	cl.rooms[room] = struct{}{}
}

// Count returns the number of clients in the hub.
func (h *Hub) Count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

// RoomCount returns the number of members of room; 0 when it does not exist.
func (h *Hub) RoomCount(room string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms[room])
}

// Rooms returns the names of the rooms that have members, sorted.
func (h *Hub) Rooms() []string {
	h.mu.RLock()
	names := make([]string, 0, len(h.rooms))
	for r := range h.rooms {
		names = append(names, r)
	}
	h.mu.RUnlock()
	sort.Strings(names)
	return names
}

// ID returns the client's id.
func (cl *Client) ID() string { return cl.id }

// Conn returns the client's connection. Writing to it directly bypasses the
// queue and races with the hub's writer; use Send.
func (cl *Client) Conn() *Conn { return cl.conn }

// Join adds the client to room.
func (cl *Client) Join(room string) {
	cl.hub.mu.Lock()
	cl.hub.joinLocked(cl, room)
	cl.hub.mu.Unlock()
}

// Leave removes the client from room.
func (cl *Client) Leave(room string) {
	cl.hub.mu.Lock()
	cl.hub.leaveLocked(cl, room)
	cl.hub.mu.Unlock()
}

// Send queues msg for the client alone, as [Hub.SendTo] does.
func (cl *Client) Send(typ MessageType, msg []byte) bool {
	if cl.enqueue(message{typ, append([]byte(nil), msg...)}) {
		return true
	}
	cl.hub.dropAll([]*Client{cl})
	return false
}

// Hub returns the hub serving the client.
func (cl *Client) Hub() *Hub { return cl.hub }
