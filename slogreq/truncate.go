package slogreq

import (
	"log/slog"
	"strconv"
	"unicode/utf8"
)

// TruncatedKey is the key of the marker added at the top level of a record
// that was cut to fit Options.MaxRecordSize. Its value is the size in bytes
// the whole line would have had.
const TruncatedKey = "!TRUNCATED"

// markerReserve is the room kept for `,"!TRUNCATED":<size>` and the newline.
const markerReserve = len(`,"`+TruncatedKey+`":`) + 20 + 1

// fits reports whether n more bytes, inside extraDepth more groups, leave
// room for closing every open object and for the truncation marker.
// Without a limit everything fits.
func (s *encodeState) fits(n, extraDepth int) bool {
	return s.limit == 0 || len(s.buf)+n+s.depth+extraDepth+markerReserve <= s.limit
}

// appendLimited appends a non-group attribute when truncating. If the whole
// attribute does not fit, a string value is cut to what fits (at a rune
// boundary); any other value is left out. Either way the record is marked
// truncated and nothing after it is written.
func (s *encodeState) appendLimited(a slog.Attr) bool {
	pos, sep := len(s.buf), s.sep
	s.appendKey(a.Key)
	s.buf = appendValue(s.buf, a.Value)
	if s.fits(0, 0) {
		return true
	}
	s.buf, s.sep = s.buf[:pos], sep
	s.truncated = true
	str, ok := stringOf(a.Value)
	if !ok {
		return false
	}
	s.appendKey(a.Key)
	s.buf = append(s.buf, '"')
	if !s.fits(1, 0) {
		s.buf, s.sep = s.buf[:pos], sep
		return false
	}
	max := s.limit - s.depth - markerReserve - 1 // the closing quote
	s.buf = appendEscapedPrefix(s.buf, str, max)
	s.buf = append(s.buf, '"')
	return true
}

// stringOf returns the text of a value written as a JSON string.
func stringOf(v slog.Value) (string, bool) {
	switch v.Kind() {
	case slog.KindString:
		return v.String(), true
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return safeError(err), true
		}
	}
	return "", false
}

// safeError returns err.Error(), or "<nil>" if that panics (a nil pointer
// receiver), matching what appendValue writes.
func safeError(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = "<nil>"
		}
	}()
	return err.Error()
}

// appendEscapedPrefix appends the longest prefix of str, escaped, that keeps
// buf at most max bytes long. It cuts only between runes, so the result is
// valid UTF-8 and never ends inside an escape sequence.
func appendEscapedPrefix(buf []byte, str string, max int) []byte {
	for i := 0; i < len(str); {
		_, size := utf8.DecodeRuneInString(str[i:])
		n := len(buf)
		buf = appendEscapedJSONString(buf, str[i:i+size])
		if len(buf) > max {
			return buf[:n]
		}
		i += size
	}
	return buf
}

func (s *encodeState) appendTruncationMarker() {
	if s.buf[len(s.buf)-1] != '{' {
		s.buf = append(s.buf, ',')
	}
	s.buf = appendQuoted(s.buf, TruncatedKey)
	s.buf = append(s.buf, ':')
	s.buf = strconv.AppendInt(s.buf, int64(s.origLen), 10)
}

// encodeLimited re-encodes r into buf so that the line, newline included,
// is at most limit bytes: attributes are kept in order until one does not
// fit, and a top-level TruncatedKey marker records the full size.
func (e *encoder) encodeLimited(buf []byte, r *slog.Record, limit, fullLen int) []byte {
	s := e.newState(buf[:0], false)
	s.limit, s.origLen = limit, fullLen
	s.appendLine(r)
	s.free()
	if len(s.buf) > limit {
		// Only reachable with extreme ReplaceAttr keys: fall back to the
		// marker alone, which always fits (MaxRecordSize ≥ minRecordSize).
		s.buf = append(s.buf[:0], '{')
		s.origLen = fullLen
		s.appendTruncationMarker()
		s.buf = append(s.buf, '}', '\n')
	}
	return s.buf
}
