package slogreq

import (
	"sync/atomic"
	"time"
)

// appendRFC3339 appends t in time.RFC3339Nano layout, byte-for-byte what
// t.AppendFormat(buf, time.RFC3339Nano) writes, several times faster. With
// fixed9 the fraction always has nine digits (the ECS @timestamp). Years
// outside [0, 9999] fall back to AppendFormat.
func appendRFC3339(buf []byte, t time.Time, fixed9 bool) []byte {
	start := len(buf)
	_, offset := t.Zone()
	sec := t.Unix() + int64(offset)
	days := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		days--
		rem += 86400
	}
	date, ok := dateOf(days)
	if !ok {
		return appendFormatSlow(buf, t, fixed9)
	}
	hh, mm, ss := rem/3600, rem/60%60, rem%60
	buf = append(buf, date[:]...)
	buf = append(buf, 'T',
		byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10), ':',
		byte('0'+ss/10), byte('0'+ss%10))
	if ns := t.Nanosecond(); ns != 0 || fixed9 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		if !fixed9 {
			for frac[n-1] == '0' {
				n--
			}
		}
		buf = append(buf, frac[:n]...)
	}
	if offset == 0 {
		return append(buf, 'Z')
	}
	zone := offset / 60
	sign := byte('+')
	if zone < 0 {
		sign, zone = '-', -zone
	}
	zh, zm := zone/60, zone%60
	if zh > 99 { // only with made-up zones; keep AppendFormat's output
		return appendFormatSlow(buf[:start], t, fixed9)
	}
	return append(buf, sign, byte('0'+zh/10), byte('0'+zh%10), ':', byte('0'+zm/10), byte('0'+zm%10))
}

func appendFormatSlow(buf []byte, t time.Time, fixed9 bool) []byte {
	if fixed9 {
		return t.AppendFormat(buf, "2006-01-02T15:04:05.000000000Z07:00")
	}
	return t.AppendFormat(buf, time.RFC3339Nano)
}

// lastDate caches the most recent day's "YYYY-MM-DD", packed with its day
// number, so that records of the same day skip the calendar arithmetic. One
// atomic word: readers never block, and a stale value is only a miss.
var lastDate atomic.Uint64

// dateOf returns the "YYYY-MM-DD" of a day number (days since 1970-01-01),
// and false for years outside [0, 9999].
func dateOf(days int64) (date [10]byte, ok bool) {
	const bias = 1 << 23 // day numbers of years 0..9999 fit in 24 bits with it
	if c := lastDate.Load(); c != 0 && int64(c>>40)-bias == days {
		return unpackDate(c), true
	}
	y, m, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		return date, false
	}
	lastDate.Store(uint64(days+bias)<<40 | uint64(y)<<16 | uint64(m)<<8 | uint64(d))
	return formatDate(y, m, d), true
}

func unpackDate(c uint64) [10]byte {
	return formatDate(int64(c>>16&0xffff), int64(c>>8&0xff), int64(c&0xff))
}

func formatDate(y, m, d int64) [10]byte {
	return [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func civilFromDays(z int64) (year, month, day int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
