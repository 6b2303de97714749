package main

import (
	"bytes"
	"testing"
)

func TestAnswer(t *testing.T) {
	const get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	const getJSON = "GET /json HTTP/1.1\r\nHost: a\r\n\r\n"
	const getClose = "GET / HTTP/1.1\r\nConnection: close\r\nHost: a\r\n\r\n"
	plain, js := string(plainResponse), string(jsonResponse)
	plainClose, jsClose := string(plainCloseResponse), string(jsonCloseResponse)

	tests := []struct {
		name      string
		in        string
		wantOut   string
		wantRest  string
		wantClose bool
	}{
		{"empty", "", "", "", false},
		{"one head", get, plain, "", false},
		{"json", getJSON, js, "", false},
		{"unfinished head", "GET / HTTP/1.1\r\nHo", "", "GET / HTTP/1.1\r\nHo", false},
		{"head ends in the next read", get[:len(get)-1], "", get[:len(get)-1], false},
		{"pipelined", get + getJSON + get, plain + js + plain, "", false},
		{"pipelined with a tail", get + get + "GET /", plain + plain, "GET /", false},
		{"close", getClose, plainClose, "", true},
		{"close drops what follows", getClose + get, plainClose, "", true},
		{"close as the last line", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", plainClose, "", true},
		{"close after pipelined json", getJSON + "GET /json HTTP/1.1\r\nConnection: close\r\n\r\n", js + jsClose, "", true},
		{"close value differs", "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", plain, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rest, closing := answer(nil, []byte(tt.in))
			if string(out) != tt.wantOut {
				t.Errorf("out: got %q, want %q", out, tt.wantOut)
			}
			if string(rest) != tt.wantRest {
				t.Errorf("rest: got %q, want %q", rest, tt.wantRest)
			}
			if closing != tt.wantClose {
				t.Errorf("close: got %v, want %v", closing, tt.wantClose)
			}
		})
	}
}

func TestAnswerReusesOut(t *testing.T) {
	out := make([]byte, 0, 1024)
	got, _, _ := answer(out, []byte("GET / HTTP/1.1\r\n\r\n"))
	if !bytes.Equal(got, plainResponse) {
		t.Fatalf("got %q, want %q", got, plainResponse)
	}
	if &got[0] != &out[:1][0] {
		t.Error("answer allocated a new slice although out had room")
	}
}
