package sse

import (
	"errors"
	"sync"
)

// DefaultQueueSize is the per-subscriber queue of a [Broker] made with size 0.
const DefaultQueueSize = 32

// ErrSlowConsumer is returned by [Broker.Serve] for a subscriber the broker
// dropped because its queue was full.
var ErrSlowConsumer = errors.New("sse: queue full; slow consumer dropped")

// Broker fans events out to many streams. Each subscriber has a bounded queue
// written by its own handler goroutine; Publish never blocks, and a
// subscriber whose queue is full is dropped (its Serve returns
// ErrSlowConsumer), so one slow client never delays the others. Its methods
// are safe for concurrent use.
type Broker struct {
	size int
	mu   sync.Mutex
	subs map[*sub]struct{}
}

type sub struct {
	s    *Stream
	ch   chan Event
	kick chan struct{} // closed when the broker drops the subscriber
}

// NewBroker returns a broker whose subscribers queue size events each; 0
// means DefaultQueueSize.
func NewBroker(size int) *Broker {
	if size <= 0 {
		size = DefaultQueueSize
	}
	return &Broker{size: size, subs: make(map[*sub]struct{})}
}

// Serve subscribes s and sends it every published event until the stream
// ends or the broker drops it. It returns why it stopped.
func (b *Broker) Serve(s *Stream) error {
	sb := &sub{s: s, ch: make(chan Event, b.size), kick: make(chan struct{})}
	b.mu.Lock()
	b.subs[sb] = struct{}{}
	b.mu.Unlock()
	defer b.unsubscribe(sb)

	for {
		select {
		case ev := <-sb.ch:
			if err := s.Send(ev); err != nil {
				return sb.why(err)
			}
		case <-sb.kick:
			return ErrSlowConsumer
		case <-s.Done():
			return s.Err()
		}
	}
}

// why returns ErrSlowConsumer when the broker dropped the subscriber, whose
// failed write was then cut short, and err otherwise.
func (sb *sub) why(err error) error {
	select {
	case <-sb.kick:
		return ErrSlowConsumer
	default:
		return err
	}
}

func (b *Broker) unsubscribe(sb *sub) {
	b.mu.Lock()
	delete(b.subs, sb)
	b.mu.Unlock()
}

// Publish queues ev for every subscriber and returns how many took it.
func (b *Broker) Publish(ev Event) int {
	var slow []*sub
	n := 0
	b.mu.Lock()
	for sb := range b.subs {
		select {
		case sb.ch <- ev:
			n++
		default:
			delete(b.subs, sb)
			close(sb.kick)
			slow = append(slow, sb)
		}
	}
	b.mu.Unlock()

	// Close the connections of the dropped, so that a write blocked on a
	// client returns now rather than at its deadline. This happens outside
	// b.mu, and without the stream's lock, which that write holds.
	for _, sb := range slow {
		sb.s.nc.Close()
	}
	return n
}

// Count returns the number of subscribers.
func (b *Broker) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
