package slogreq

// ring is a fixed-size byte buffer of whole lines with one reader, laid out
// as a bip buffer: every line is stored contiguously (a line that does not
// fit before the end starts again at offset 0, and the gap is skipped), so
// the reader always sees runs of whole lines it can pass to Write without
// copying. It is not safe for concurrent use; the handler's mutex guards it,
// and the reader may read a run outside the mutex because writers never
// touch bytes that are still counted as used.
//
// Data lives in region A = buf[aStart:aEnd] and, once wrapped, in region
// B = buf[0:bEnd], which precedes aStart.
type ring struct {
	buf     []byte
	aStart  int
	aEnd    int
	bEnd    int
	wrapped bool
	used    int // bytes in A and B, not counting the skipped gap
	lines   int // lines stored
}

func newRing(size int) *ring { return &ring{buf: make([]byte, size)} }

// push copies line into the ring and reports whether there was room.
func (r *ring) push(line []byte) bool {
	n := len(line)
	var at int
	switch {
	case r.wrapped:
		if r.bEnd+n > r.aStart {
			return false
		}
		at = r.bEnd
		r.bEnd += n
	case r.aEnd+n <= len(r.buf):
		at = r.aEnd
		r.aEnd += n
	case n <= r.aStart:
		// Start region B at the front; the tail after aEnd is skipped.
		r.wrapped = true
		at = 0
		r.bEnd = n
	default:
		return false
	}
	copy(r.buf[at:], line)
	r.used += n
	r.lines++
	return true
}

// peek returns the oldest run of whole lines, or nil if the ring is empty.
// The run stays in the ring until consume.
func (r *ring) peek() []byte {
	if r.aStart == r.aEnd {
		return nil
	}
	return r.buf[r.aStart:r.aEnd]
}

// consume removes the first n bytes (lines lines) of the run peek returned.
func (r *ring) consume(n, lines int) {
	r.aStart += n
	r.used -= n
	r.lines -= lines
	if r.aStart < r.aEnd {
		return
	}
	if r.wrapped {
		r.aStart, r.aEnd = 0, r.bEnd
		r.bEnd, r.wrapped = 0, false
		return
	}
	// Empty: start over at the front, so any line up to len(buf) fits.
	r.aStart, r.aEnd = 0, 0
}
