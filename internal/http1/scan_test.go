package http1

import "testing"

// TestScanners puts every byte value at every offset of a run of valid
// bytes and checks each scanner stops at the first byte outside its class,
// as a plain byte loop over the table would.
func TestScanners(t *testing.T) {
	scanners := []struct {
		name string
		end  func([]byte, int) int
		bit  uint8
	}{
		{"valueEnd", valueEnd, cValue},
		{"targetEnd", targetEnd, cTarget},
		{"tokenEnd", tokenEnd, cToken},
	}
	for _, sc := range scanners {
		for c := 0; c < 256; c++ {
			for at := 0; at < 20; at++ {
				b := []byte("abcdefghijklmnopqrstuvwxyz")
				b[at] = byte(c)
				want := len(b)
				if class[c]&sc.bit == 0 {
					want = at
				}
				for start := 0; start <= at; start += 3 {
					if got := sc.end(b, start); got != want {
						t.Fatalf("%s(%q, %d) = %d, want %d", sc.name, b, start, got, want)
					}
				}
			}
		}
	}
}

func TestWordTests(t *testing.T) {
	for c := 0; c < 256; c++ {
		for at := 0; at < 8; at++ {
			x := uint64(0x4141414141414141) // "AAAAAAAA"
			x = x&^(0xff<<(8*at)) | uint64(c)<<(8*at)
			if got, want := hasLess(x, ' '), c < ' '; got != want {
				t.Errorf("hasLess(%#x, ' ') = %v, want %v", x, got, want)
			}
			if got, want := hasByte(x, 0x7f), c == 0x7f; got != want {
				t.Errorf("hasByte(%#x, 0x7f) = %v, want %v", x, got, want)
			}
		}
	}
}
