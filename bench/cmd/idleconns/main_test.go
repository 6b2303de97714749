package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")

	tests := []struct {
		path    string
		n       int
		wantErr bool
	}{
		{"/", 1, false},
		{"/", 100, false},
		{"/missing", 3, true},
		{"/close", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conns, err := open(ctx, addr, tt.path, tt.n)
			defer closeAll(conns)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if conns != nil {
					t.Errorf("conns on error: got %d, want nil", len(conns))
				}
				return
			}
			if len(conns) != tt.n {
				t.Fatalf("conns: got %d, want %d", len(conns), tt.n)
			}
			for i, nc := range conns {
				if nc == nil {
					t.Fatalf("conns[%d]: got nil, want a connection", i)
				}
			}
		})
	}
}

func TestOpenRefused(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(ts.URL, "http://")
	ts.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := open(ctx, addr, "/", 2); err == nil {
		t.Error("dialing a closed port: got nil error, want one")
	}
}
