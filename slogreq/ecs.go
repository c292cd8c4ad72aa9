package slogreq

import (
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ECSVersion is the Elastic Common Schema version whose field names and
// types the ECS format follows; it is written as "ecs.version".
const ECSVersion = "9.4.0"

// ECS keys of the built-in fields, as ReplaceAttr sees them.
const (
	ECSTimestampKey = "@timestamp"
	ECSLevelKey     = "log.level"
	ECSMessageKey   = "message"
	ECSVersionKey   = "ecs.version"
	ECSOriginKey    = "log.origin" // AddSource: a *slog.Source
)

// ecsLeaf is one value of an ECS line at a path of object keys, kept in
// ecsScratch.segs[start:end].
type ecsLeaf struct {
	start, end int
	head       uint32 // hash of the first path part: a cheap filter before comparing paths
	val        slog.Value
	dotted     string // for a built-in written as a top-level dotted key
	dead       bool   // replaced by a later leaf at, above or below its path
	done       bool   // emitted
}

// ecsScratch is the per-record working memory of the ECS encoder, pooled so
// that encoding does not allocate.
type ecsScratch struct {
	segs   []string
	leaves []ecsLeaf
	prefix []string // the current group path, split on '.'
}

var ecsPool = sync.Pool{New: func() any {
	return &ecsScratch{segs: make([]string, 0, 64), leaves: make([]ecsLeaf, 0, 32), prefix: make([]string, 0, 8)}
}}

// reset empties x, dropping its references to the record's strings and
// values so that the pool does not keep them alive.
func (x *ecsScratch) reset() {
	clear(x.segs)
	clear(x.leaves)
	x.segs, x.leaves, x.prefix = x.segs[:0], x.leaves[:0], x.prefix[:0]
}

func (x *ecsScratch) path(l *ecsLeaf) []string { return x.segs[l.start:l.end] }

// appendSplit appends the dot-separated parts of key to segs. An empty part
// becomes "_": Elasticsearch rejects empty field names. Invalid UTF-8 is
// replaced here, byte by byte as the escaper does, so that two keys that
// would be written alike are also merged alike.
func appendSplit(segs []string, key string) []string {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			if !utf8.ValidString(key[i:]) {
				key = validUTF8(key)
			}
			break
		}
	}
	for {
		part, rest, more := strings.Cut(key, ".")
		segs = appendPart(segs, part)
		if !more {
			return segs
		}
		key = rest
	}
}

func appendPart(segs []string, part string) []string {
	if part == "" {
		part = "_"
	}
	return append(segs, part)
}

// validUTF8 replaces each byte of s that is not part of valid UTF-8 with
// U+FFFD (strings.ToValidUTF8 would replace a run of them with one).
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// add records v at the current group path plus key, replacing every earlier
// leaf it conflicts with: the same path, a path above it (a value where v
// needs an object) or below it (an object v replaces). Like assigning into
// nested maps, the last value wins.
func (x *ecsScratch) add(key string, v slog.Value, dotted string) {
	start := len(x.segs)
	x.segs = append(x.segs, x.prefix...)
	x.segs = appendSplit(x.segs, key)
	l := ecsLeaf{start: start, end: len(x.segs), val: v, dotted: dotted}
	p := x.path(&l)
	l.head = headHash(p[0])
	for i := range x.leaves {
		e := &x.leaves[i]
		if e.dead || e.head != l.head {
			continue
		}
		q := x.path(e)
		n := min(len(p), len(q))
		if !slices.Equal(p[:n], q[:n]) {
			continue
		}
		if e.dotted != "" && len(p) == len(q) {
			// A built-in keeps its place at the front; only its value
			// changes. No other live leaf can conflict with its path.
			e.val = v
			x.segs = x.segs[:start]
			return
		}
		e.dead = true
	}
	x.leaves = append(x.leaves, l)
}

// headHash is a cheap fingerprint of a path's first part: equal parts have
// equal fingerprints, and most different ones differ.
func headHash(s string) uint32 {
	if s == "" {
		return 0
	}
	return uint32(len(s)) | uint32(s[0])<<8 | uint32(s[len(s)-1])<<16 | uint32(s[len(s)/2])<<24
}

// collect adds a, resolved and passed through ReplaceAttr, to the leaves;
// groups add their key to the path. An error value becomes the two ECS
// fields error.type and error.message under its key (for a top-level "err"
// or "error", under "error").
func (s *encodeState) collect(x *ecsScratch, a slog.Attr) {
	if a.Value.Kind() == slog.KindLogValuer {
		a.Value = a.Value.Resolve()
	}
	if rep := s.e.replace; rep != nil && a.Value.Kind() != slog.KindGroup {
		var gs []string
		if s.groups != nil {
			gs = *s.groups
		}
		a = rep(gs, a)
		a.Value = a.Value.Resolve()
	}
	s.place(x, a)
}

// place adds a, already resolved and replaced, to the leaves.
func (s *encodeState) place(x *ecsScratch, a slog.Attr) {
	if isEmptyAttr(a) {
		return
	}
	v := a.Value
	switch v.Kind() {
	case slog.KindGroup:
		attrs := v.Group()
		if len(attrs) == 0 {
			return
		}
		n := len(x.prefix)
		if a.Key != "" {
			x.prefix = appendSplit(x.prefix, a.Key)
			if s.groups != nil {
				*s.groups = append(*s.groups, a.Key)
			}
		}
		for _, m := range attrs {
			s.collect(x, m)
		}
		if a.Key != "" && s.groups != nil {
			*s.groups = (*s.groups)[:len(*s.groups)-1]
		}
		x.prefix = x.prefix[:n]
		return
	case slog.KindAny:
		switch val := v.Any().(type) {
		case *slog.Source:
			if val == nil || *val == (slog.Source{}) {
				return
			}
			n := len(x.prefix)
			x.prefix = appendSplit(x.prefix, a.Key)
			if val.Function != "" {
				x.add("function", slog.StringValue(val.Function), "")
			}
			if val.File != "" {
				x.add("file.name", slog.StringValue(val.File), "")
			}
			if val.Line != 0 {
				x.add("file.line", slog.IntValue(val.Line), "")
			}
			x.prefix = x.prefix[:n]
			return
		case error:
			key := a.Key
			if len(x.prefix) == 0 && (key == "err" || key == "error") {
				key = "error"
			}
			n := len(x.prefix)
			x.prefix = appendSplit(x.prefix, key)
			x.add("type", slog.StringValue(errorType(val)), "")
			x.add("message", slog.StringValue(safeError(val)), "")
			x.prefix = x.prefix[:n]
			return
		}
	}
	x.add(a.Key, v, "")
}

// errorType is fmt's %T of err, without allocating.
func errorType(err error) string { return reflect.TypeOf(err).String() }

// builtIn passes a built-in field through ReplaceAttr and adds it, as a
// top-level dotted key if its key is unchanged.
func (s *encodeState) builtIn(x *ecsScratch, a slog.Attr) {
	key := a.Key
	if rep := s.e.replace; rep != nil {
		a = rep(nil, a)
		a.Value = a.Value.Resolve()
	}
	if a.Key == key && a.Value.Kind() != slog.KindGroup && !isEmptyAttr(a) {
		x.add(key, a.Value, key)
		return
	}
	s.place(x, a) // renamed or turned into a group: an ordinary field
}

// appendECSRecord appends r as one ECS JSON line: @timestamp, log.level,
// message and ecs.version first, then every other field in one nested tree.
func (s *encodeState) appendECSRecord(r *slog.Record) {
	if s.limit == 0 && s.e.ecsFast {
		start, sep := len(s.buf), s.sep
		if s.appendECSFast(r) {
			return
		}
		s.buf, s.sep, s.depth = s.buf[:start], sep, 0
	}
	x := ecsPool.Get().(*ecsScratch)
	defer func() {
		x.reset()
		ecsPool.Put(x)
	}()
	stateGroups := s.groups
	s.groups = nil // built-ins are in no group
	if !r.Time.IsZero() {
		s.builtIn(x, slog.Time(ECSTimestampKey, r.Time.Round(0).UTC()))
	}
	s.builtIn(x, slog.Any(ECSLevelKey, r.Level))
	s.builtIn(x, slog.String(ECSMessageKey, r.Message))
	x.add(ECSVersionKey, slog.StringValue(ECSVersion), ECSVersionKey)
	if !isNamedLevel(r.Level) {
		x.add("slog.level", slog.IntValue(int(r.Level)), "")
	}
	if s.e.addSource {
		s.collect(x, slog.Any(ECSOriginKey, recordSource(r)))
	}
	s.groups = stateGroups

	// WithAttrs fields, already resolved and replaced.
	for i := range s.e.ecsAttrs {
		p := &s.e.ecsAttrs[i]
		x.prefix = append(x.prefix[:0], p.path[:len(p.path)-1]...)
		x.add(p.path[len(p.path)-1], p.val, "")
	}
	x.prefix = x.prefix[:0]
	for _, g := range s.e.groups {
		x.prefix = appendSplit(x.prefix, g)
	}
	if s.groups != nil {
		*s.groups = append((*s.groups)[:0], s.e.groups...)
	}
	r.Attrs(func(a slog.Attr) bool {
		s.collect(x, a)
		return true
	})

	s.buf = append(s.buf, '{')
	s.depth = 1
	for i := range x.leaves {
		l := &x.leaves[i]
		if l.dotted != "" && !l.dead && !s.truncated {
			if l.dotted == ECSTimestampKey && l.val.Kind() == slog.KindTime {
				s.appendKey(ECSTimestampKey)
				s.buf = appendECSTime(s.buf, l.val.Time())
			} else {
				s.appendECSLeaf(l.dotted, l.val)
			}
			l.done = true
		}
	}
	for i := range x.leaves {
		if !s.truncated {
			s.appendECSTree(x, i, 0)
		}
	}
	if s.truncated {
		s.appendTruncationMarker()
	}
	s.buf = append(s.buf, '}', '\n')
}

// appendECSTree writes leaf i, if not written yet, at depth: as a value if
// its path ends there, otherwise as an object holding every later leaf that
// shares its path down to depth.
func (s *encodeState) appendECSTree(x *ecsScratch, i, depth int) {
	l := &x.leaves[i]
	if l.dead || l.done {
		return
	}
	p := x.path(l)
	if len(p) == depth+1 {
		s.appendECSLeaf(p[depth], l.val)
		l.done = true
		return
	}
	pos, sep := len(s.buf), s.sep
	s.appendKey(p[depth])
	s.buf = append(s.buf, '{')
	s.sep = false
	s.depth++
	if !s.fits(0, 0) {
		s.buf, s.sep, s.depth, s.truncated = s.buf[:pos], sep, s.depth-1, true
		return
	}
	for j := i; j < len(x.leaves) && !s.truncated; j++ {
		m := &x.leaves[j]
		if m.dead || m.done || (depth == 0 && m.head != l.head) {
			continue
		}
		if q := x.path(m); len(q) > depth+1 && slices.Equal(q[:depth+1], p[:depth+1]) {
			s.appendECSTree(x, j, depth+1)
		}
	}
	if s.buf[len(s.buf)-1] == '{' { // everything in it was cut
		s.buf, s.sep = s.buf[:pos], sep
		s.depth--
		return
	}
	s.buf = append(s.buf, '}')
	s.sep = true
	s.depth--
}

// appendECSLeaf writes one field. A slog.Level is written as an ECS level
// name; everything else as in the JSON format.
func (s *encodeState) appendECSLeaf(key string, v slog.Value) {
	if v.Kind() == slog.KindAny {
		if l, ok := v.Any().(slog.Level); ok {
			v = slog.StringValue(ecsLevel(l))
		}
	}
	if s.limit > 0 {
		s.appendLimited(slog.Attr{Key: key, Value: v})
		return
	}
	s.appendKey(key)
	s.buf = appendValue(s.buf, v)
}

// appendECSTime writes @timestamp: RFC 3339 in UTC with exactly nine
// fractional digits (RFC3339Nano drops trailing zeros, and ECS wants at
// least milliseconds). Go's time.RFC3339 layout parses it. It always fits:
// MinRecordSize leaves room for the built-ins.
func appendECSTime(buf []byte, t time.Time) []byte {
	buf = append(buf, '"')
	buf = appendRFC3339(buf, t.UTC(), true)
	return append(buf, '"')
}

// ecsLevel names l in lowercase, as ECS log.level values are: a level
// between the named ones takes the name below it (its number is kept in
// "slog.level").
func ecsLevel(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	}
	return "error"
}

func isNamedLevel(l slog.Level) bool {
	return l == slog.LevelDebug || l == slog.LevelInfo || l == slog.LevelWarn || l == slog.LevelError
}

// ecsAttr is a WithAttrs field kept for the ECS format: its full path and
// its value, resolved and passed through ReplaceAttr when With was called.
type ecsAttr struct {
	path []string
	val  slog.Value
}

// withECSAttrs sets e's WithAttrs fields for the ECS format: the earlier
// ones and as, merged (last value wins), resolved and replaced now. It also
// prepares what the fast path needs (see ecsfast.go).
func (e *encoder) withECSAttrs(as []slog.Attr) {
	x := &ecsScratch{}
	for _, p := range e.ecsAttrs {
		x.prefix = append(x.prefix[:0], p.path[:len(p.path)-1]...)
		x.add(p.path[len(p.path)-1], p.val, "")
	}
	x.prefix = x.prefix[:0]
	for _, g := range e.groups {
		x.prefix = appendSplit(x.prefix, g)
	}
	s := e.newState(nil, false)
	if s.groups != nil {
		*s.groups = append((*s.groups)[:0], e.groups...)
	}
	for _, a := range as {
		s.collect(x, a)
	}
	s.free()
	var out []ecsAttr
	for i := range x.leaves {
		l := &x.leaves[i]
		if !l.dead {
			out = append(out, ecsAttr{path: append([]string(nil), x.path(l)...), val: l.val})
		}
	}
	e.ecsAttrs = out
	e.prepareECSFast(x)
}
