package serve

import (
	"context"
	"errors"
	"testing"
)

var (
	errClosed = errors.New("closed")
	errFailed = errors.New("failed")
)

func isClosed(err error) bool { return errors.Is(err, errClosed) }

func TestUntil(t *testing.T) {
	tests := []struct {
		name        string
		cancel      bool  // cancel ctx before serve returns
		serveErr    error // what serve returns once stopped or on its own
		shutdownErr error
		want        error
	}{
		{"serve fails", false, errFailed, nil, errFailed},
		{"serve reports closed", false, errClosed, nil, nil},
		{"cancelled, clean", true, errClosed, nil, nil},
		{"cancelled, serve returns nil", true, nil, nil, nil},
		{"cancelled, shutdown fails", true, errClosed, errFailed, errFailed},
		{"cancelled, serve fails late", true, errFailed, nil, errFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stopped := make(chan struct{})
			serve := func() error {
				if tt.cancel {
					<-stopped
				}
				return tt.serveErr
			}
			shutdowns := 0
			shutdown := func(context.Context) error {
				shutdowns++
				close(stopped)
				return tt.shutdownErr
			}
			if tt.cancel {
				cancel()
			}

			err := Until(ctx, serve, shutdown, isClosed)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.cancel]; shutdowns != want {
				t.Errorf("shutdown calls: got %d, want %d", shutdowns, want)
			}
		})
	}
}
