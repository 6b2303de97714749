package http1

import "encoding/binary"

// The scanners below find the end of a run of valid bytes. Field values
// and targets are most of a head's bytes, so they are checked eight at a
// time while no byte needs a closer look, then byte by byte through the
// table. The word tests are exact about whether some byte qualifies, not
// about which: a hit only hands the word to the byte loop.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasLess reports whether some byte of x is below n, for n <= 0x80.
func hasLess(x uint64, n byte) bool {
	return (x-lsb*uint64(n))&^x&msb != 0
}

// hasByte reports whether some byte of x equals c.
func hasByte(x uint64, c byte) bool {
	y := x ^ lsb*uint64(c)
	return (y-lsb)&^y&msb != 0
}

// valueEnd returns the index of the first byte at or after i that is not
// a field value byte: HTAB, SP, VCHAR or obs-text. A word is passed whole
// when it holds no control byte and no DEL; HTAB, rare in values, is left
// to the byte loop.
func valueEnd(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if hasLess(x, ' ') || hasByte(x, 0x7f) {
			break
		}
	}
	for i < len(b) && class[b[i]]&cValue != 0 {
		i++
	}
	return i
}

// targetEnd returns the index of the first byte at or after i that is not
// a request-target byte: VCHAR except '#'.
func targetEnd(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if hasLess(x, '!') || x&msb != 0 || hasByte(x, 0x7f) || hasByte(x, '#') {
			break
		}
	}
	for i < len(b) && class[b[i]]&cTarget != 0 {
		i++
	}
	return i
}

// tokenEnd returns the index of the first byte at or after i that is not
// a tchar. Tokens are short and their set is irregular: the table is best.
func tokenEnd(b []byte, i int) int {
	for i < len(b) && class[b[i]]&cToken != 0 {
		i++
	}
	return i
}
