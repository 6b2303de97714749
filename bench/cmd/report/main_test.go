package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"outlier", []float64{10, 11, 12, 1000}, 11.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.in...)
			if got := median(in); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("median reordered its input: got %v, want %v", in, tt.in)
				}
			}
		})
	}
}

const cpuCSV = `round,server,scenario,rps,cpu_us_per_req,errors
1,raw,keepalive,1000,2,0
1,fasthttp,keepalive,800,4,0
1,lane,keepalive,900,3,1
2,raw,keepalive,1200,2,0
2,fasthttp,keepalive,600,4,0
2,lane,keepalive,1100,3,2
1,lane,json,500,8,0
2,lane,json,0,,7
3,lane,json,400,9,0
`

func TestWriteCPU(t *testing.T) {
	recs, err := readRecords(strings.NewReader(cpuCSV))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeCPU(&b, recs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{
		"| keepalive | raw | 1100 | 2.00 | 0.50 | 1.00 | 2 | 0 |",
		"| keepalive | fasthttp | 700 | 4.00 | 1.00 | 2.00 | 2 | 0 |",
		"| keepalive | lane | 1000 | 3.00 | 0.75 | 1.50 | 2 | 3 |",
		"| json | lane | 400 | 8.50 | - | - | 3 | 7 |",
	}
	if len(lines) != 2+len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), 2+len(want), b.String())
	}
	for i, w := range want {
		if got := lines[2+i]; got != w {
			t.Errorf("row %d: got %q, want %q", i, got, w)
		}
	}
}

func TestWriteMemory(t *testing.T) {
	in := "server,conns,rss_before_kib,rss_after_kib\nlane,1000,5000,9000\nraw,0,10,10\n"
	recs, err := readRecords(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeMemory(&b, recs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| lane | 1000 | 5000 | 9000 | 4.00 |", "| raw | 0 | 10 | 10 | - |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got:\n%s\nwant a row %q", b.String(), want)
		}
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct{ name, in string }{
		{"missing column", "server,scenario,rps\nlane,keepalive,10\n"},
		{"not a number", "server,scenario,rps,cpu_us_per_req,errors\nlane,keepalive,x,1,0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readRecords(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := writeCPU(new(bytes.Buffer), recs); err == nil {
				t.Error("got nil error, want one")
			}
		})
	}
}
