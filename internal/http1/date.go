package http1

import (
	"sync/atomic"
	"time"
)

// dateLine is a formatted Date field line and the second it shows.
type dateLine struct {
	sec  int64
	line [len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n")]byte
}

// dateCache holds the line of the latest second seen. Readers never lock;
// the first caller in a new second formats a new line and publishes it.
// Two callers racing at a second boundary may both format one, which costs
// one extra allocation and is otherwise harmless.
var dateCache atomic.Pointer[dateLine]

// AppendDate appends "Date: <IMF-fixdate>\r\n" for now to b (RFC 9110
// section 6.6.1). The line is formatted once per second and shared;
// AppendDate is safe for concurrent use and does not allocate beyond
// growing b, except once a second. Callers pass a clock they already read:
// lane's engine passes its coarse clock.
func AppendDate(b []byte, now time.Time) []byte {
	d := dateCache.Load()
	if d == nil || d.sec != now.Unix() {
		d = newDateLine(now)
		dateCache.Store(d)
	}
	return append(b, d.line[:]...)
}

const (
	dayNames   = "SunMonTueWedThuFriSat"
	monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// newDateLine formats t as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT".
// Formatting by hand keeps the line at its fixed width for any year.
func newDateLine(t time.Time) *dateLine {
	t = t.UTC()
	d := &dateLine{sec: t.Unix()}
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	wd := int(t.Weekday())

	b := append(d.line[:0], "Date: "...)
	b = append(b, dayNames[3*wd:3*wd+3]...)
	b = append(b, ", "...)
	b = append2(b, day)
	b = append(b, ' ')
	b = append(b, monthNames[3*(month-1):3*month]...)
	b = append(b, ' ')
	b = append2(b, year/100%100)
	b = append2(b, year%100)
	b = append(b, ' ')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, min)
	b = append(b, ':')
	b = append2(b, sec)
	_ = append(b, " GMT\r\n"...)
	return d
}

// append2 appends n, 0 to 99, as two digits.
func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
