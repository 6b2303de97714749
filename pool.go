package lane

import (
	"math/bits"
	"sync"
)

// Buffers are pooled by power-of-two size class, from 1 KiB to 1 MiB, so
// servers with different buffer sizes share pools without mixing sizes.
// Larger buffers are left to the garbage collector.
const (
	minBufShift = 10
	maxBufShift = 20
)

var bufPools [maxBufShift - minBufShift + 1]sync.Pool

// bufClass returns the pool index for a buffer of at least n bytes, or -1
// when n is too large to pool.
func bufClass(n int) int {
	if n <= 1<<minBufShift {
		return 0
	}
	shift := bits.Len(uint(n - 1))
	if shift > maxBufShift {
		return -1
	}
	return shift - minBufShift
}

// getBuf returns a pooled buffer whose length is at least n (a power of two
// when pooled). Its contents are undefined. Pointers are pooled, not slices,
// so that getting and putting allocate nothing.
func getBuf(n int) *[]byte {
	i := bufClass(n)
	if i < 0 {
		b := make([]byte, n)
		return &b
	}
	if p, _ := bufPools[i].Get().(*[]byte); p != nil {
		return p
	}
	b := make([]byte, 1<<(i+minBufShift))
	return &b
}

// putBuf gives a buffer from getBuf back to its pool. It must not be used
// afterwards.
func putBuf(p *[]byte) {
	n := cap(*p)
	i := bufClass(n)
	if i < 0 || n != 1<<(i+minBufShift) {
		return
	}
	*p = (*p)[:n]
	bufPools[i].Put(p)
}
