package slogreq

import (
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The ECS fast path. Most records need none of the general encoder's
// merging: their keys have no dots, no two keys of one object are equal,
// and nothing collides with the built-in fields. Such a record is written
// in one pass, like the JSON format, into the same bytes the general path
// would produce (TestECSFastMatchesGeneral and FuzzECS check that). Anything
// else — dotted keys, duplicates, LogValuers, ReplaceAttr, AddSource,
// truncation — takes the general path.

// simpleECSKey reports whether key can be written as an object key as it
// is: not empty, no dot, valid UTF-8.
func simpleECSKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == '.':
			return false
		case c >= utf8.RuneSelf:
			return utf8.ValidString(key[i:]) && strings.IndexByte(key[i:], '.') < 0
		}
	}
	return true
}

// plainKeyByte is plainASCII without '.': the bytes an ECS key can hold
// and be written as they are.
var plainKeyByte = func() (t [256]bool) {
	t = plainASCII
	t['.'] = false
	return t
}()

// appendECSKey writes key, and the separator before it, if key can be an
// object key as it is (see simpleECSKey). It checks and copies plain keys in
// one pass.
func (s *encodeState) appendECSKey(key string) bool {
	i := 0
	for i < len(key) && plainKeyByte[key[i]] {
		i++
	}
	if i < len(key) || key == "" {
		if !simpleECSKey(key) {
			return false
		}
		s.appendKey(key) // escapes what needs it
		return true
	}
	if s.sep {
		s.buf = append(s.buf, ',')
	}
	s.buf = append(s.buf, '"')
	s.buf = append(s.buf, key...)
	s.buf = append(s.buf, '"', ':')
	s.sep = true
	return true
}

// prepareECSFast writes out the merged WithAttrs fields of x for the fast
// path, when they are at the top level (With before any WithGroup).
func (e *encoder) prepareECSFast(x *ecsScratch) {
	e.ecsPrefix, e.ecsPreHeads = nil, nil
	if !e.ecsFast {
		return
	}
	if len(e.groups) > 0 {
		e.ecsFast = false
		return
	}
	s := encodeState{e: e, buf: []byte{'{'}}
	for i := range x.leaves {
		s.appendECSTree(x, i, 0)
	}
	e.ecsPrefix = s.buf[1:]
	for i := range x.leaves {
		l := &x.leaves[i]
		if l.dead {
			continue
		}
		head := x.path(l)[0]
		if isECSReserved(head) {
			e.ecsFast = false // a With field replaces a built-in: merge each time
		}
		if !slices.Contains(e.ecsPreHeads, head) {
			e.ecsPreHeads = append(e.ecsPreHeads, head)
		}
	}
}

// appendECSFast writes r in one pass and reports whether it could: on a
// record that needs merging it stops, and the caller takes back what it
// wrote and uses the general path.
func (s *encodeState) appendECSFast(r *slog.Record) bool {
	e := s.e
	s.depth = 1
	if !r.Time.IsZero() {
		s.buf = append(s.buf, `{"`+ECSTimestampKey+`":"`...)
		s.buf = appendRFC3339(s.buf, r.Time.UTC(), true)
		s.buf = append(s.buf, `","`+ECSLevelKey+`":"`...)
	} else {
		s.buf = append(s.buf, `{"`+ECSLevelKey+`":"`...)
	}
	s.buf = append(s.buf, ecsLevel(r.Level)...) // plain ASCII names
	s.buf = append(s.buf, `","`+ECSMessageKey+`":`...)
	s.buf = appendQuoted(s.buf, r.Message)
	s.buf = append(s.buf, `,"`+ECSVersionKey+`":"`+ECSVersion+`"`...)
	s.sep = true
	if !isNamedLevel(r.Level) {
		s.buf = append(s.buf, `,"slog":{"level":`...)
		s.buf = strconv.AppendInt(s.buf, int64(r.Level), 10)
		s.buf = append(s.buf, '}')
	}
	if len(e.ecsPrefix) > 0 {
		s.buf = append(s.buf, ',')
		s.buf = append(s.buf, e.ecsPrefix...)
	}
	if r.NumAttrs() > 0 {
		top := len(e.groups) == 0
		if !top && !ecsTopKeyFree(e, e.groups[0]) {
			return false
		}
		// WithGroup objects open only once a field is written in them.
		pending := len(e.groups)
		var keys [24]string // keys written at the record's level
		level := keys[:0]
		var seen uint64 // a one-word Bloom filter of level, to skip most comparisons
		ok := true
		r.Attrs(func(a slog.Attr) bool {
			var key string
			var wrote bool
			if key, wrote, ok = s.appendECSFastAttr(a, &pending, top); ok && wrote {
				bit := uint64(1) << (headHash(key) % 64)
				if seen&bit != 0 && slices.Contains(level, key) || len(level) == cap(level) || top && !ecsTopKeyFree(e, key) {
					ok = false
				}
				seen |= bit
				level = append(level, key)
			}
			return ok
		})
		if !ok {
			return false
		}
		if pending == 0 {
			for range e.groups {
				s.buf = append(s.buf, '}')
			}
		}
	}
	s.buf = append(s.buf, '}', '\n')
	return true
}

// ecsTopKeyFree reports whether key may be a top-level key: the built-ins
// and the With fields do not own it.
func ecsTopKeyFree(e *encoder, key string) bool {
	if isECSReserved(key) {
		return false
	}
	return len(e.ecsPreHeads) == 0 || !slices.Contains(e.ecsPreHeads, key)
}

// isECSReserved reports whether key is one of ecsReserved; a switch, which
// the compiler turns into a few length and byte comparisons.
func isECSReserved(key string) bool {
	switch key {
	case "@timestamp", "log", "message", "ecs", "slog":
		return true
	}
	return false
}

// appendECSFastAttr writes a and returns the key it wrote it under and
// whether it wrote anything; ok is false if a needs the general path.
// pending counts the WithGroup objects not yet opened.
func (s *encodeState) appendECSFastAttr(a slog.Attr, pending *int, top bool) (key string, wrote, ok bool) {
	v := a.Value
	kind := v.Kind()
	if kind == slog.KindLogValuer {
		return "", false, false
	}
	if isEmptyAttr(a) {
		return "", false, true
	}
	key = a.Key
	switch kind {
	case slog.KindGroup:
		pos, sep, wasPending := len(s.buf), s.sep, *pending
		s.openPending(pending)
		if !s.appendECSKey(key) {
			return "", false, false
		}
		s.buf = append(s.buf, '{')
		s.sep = false
		members := v.Group()
		for i, m := range members {
			mk, w, good := s.appendECSFastAttr(m, pending, false)
			if !good {
				return "", false, false
			}
			if !w {
				continue
			}
			wrote = true
			for _, prev := range members[:i] {
				// Conservative: an earlier member with the key, written or
				// not, sends the record to the general path.
				if prev.Key == mk {
					return "", false, false
				}
			}
		}
		if !wrote {
			s.buf, s.sep, *pending = s.buf[:pos], sep, wasPending
			return key, false, true
		}
		s.buf = append(s.buf, '}')
		s.sep = true
		return key, true, true
	case slog.KindAny:
		switch x := v.Any().(type) {
		case *slog.Source:
			return "", false, false
		case error:
			if top && (key == "err" || key == "error") {
				key = "error"
			}
			s.openPending(pending)
			if !s.appendECSKey(key) {
				return "", false, false
			}
			s.buf = append(s.buf, `{"type":`...)
			s.buf = appendQuoted(s.buf, errorType(x))
			s.buf = append(s.buf, `,"message":`...)
			s.buf = appendQuoted(s.buf, safeError(x))
			s.buf = append(s.buf, '}')
			return key, true, true
		case slog.Level:
			v, kind = slog.StringValue(ecsLevel(x)), slog.KindString
		}
	}
	s.openPending(pending)
	if !s.appendECSKey(key) {
		return "", false, false
	}
	s.buf = appendValueOfKind(s.buf, v, kind)
	return key, true, true
}

// openPending opens the WithGroup objects not opened yet.
func (s *encodeState) openPending(pending *int) {
	if *pending == 0 {
		return
	}
	for _, g := range s.e.groups[len(s.e.groups)-*pending:] {
		s.appendKey(g)
		s.buf = append(s.buf, '{')
		s.sep = false
	}
	*pending = 0
}
