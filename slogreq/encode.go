// Portions of this file are adapted from Go's log/slog package.
// Copyright 2022 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the Go source distribution's LICENSE file.

package slogreq

import (
	"log/slog"
	"runtime"
	"slices"
	"sync"
)

// encoder holds what formatting needs from a Handler: the options and the
// state built by WithAttrs and WithGroup. It is immutable once built, so
// derived handlers can share prefixes safely.
type encoder struct {
	replace   func(groups []string, a slog.Attr) slog.Attr
	addSource bool

	// preformatted holds the WithAttrs attributes, already encoded, as in
	// log/slog: `"a":1,"g":{"b":2` (groups opened there stay open).
	preformatted []byte
	groups       []string // every group from WithGroup
	nOpenGroups  int      // how many of groups preformatted opened

	format   Format
	ecsAttrs []ecsAttr // the WithAttrs fields, for the ECS format

	// For the ECS fast path (ecsfast.go): whether it may be tried, the
	// WithAttrs fields already written out, and their top-level keys.
	ecsFast     bool
	ecsPrefix   []byte
	ecsPreHeads []string
}

// encodeState carries the buffer through the encoding of one record.
// It mirrors log/slog's handleState for the JSON case.
type encodeState struct {
	e      *encoder
	buf    []byte
	sep    bool      // write a ',' before the next key
	groups *[]string // open groups, only when ReplaceAttr is set

	// limit, when non-zero, is the size the line must not exceed; the
	// attribute that would cross it and all after it are left out (strings
	// are cut to fit first). See truncate.go.
	limit     int
	depth     int // groups open in buf, for the closing braces limit reserves
	truncated bool
	origLen   int // the untruncated line's size, for the marker
}

var groupPool = sync.Pool{New: func() any {
	s := make([]string, 0, 10)
	return &s
}}

func (e *encoder) newState(buf []byte, sep bool) encodeState {
	s := encodeState{e: e, buf: buf, sep: sep}
	if e.replace != nil {
		s.groups = groupPool.Get().(*[]string)
		*s.groups = append(*s.groups, e.groups[:e.nOpenGroups]...)
	}
	return s
}

func (s *encodeState) free() {
	if gs := s.groups; gs != nil {
		clear(*gs)
		*gs = (*gs)[:0]
		groupPool.Put(gs)
	}
}

// appendLine appends r as one line in the encoder's format.
func (s *encodeState) appendLine(r *slog.Record) {
	if s.e.format == ECS {
		s.appendECSRecord(r)
		return
	}
	s.appendRecord(r)
}

// appendRecord appends r as one JSON object and a newline: time, level,
// source, msg, then the handler's and the record's attributes, exactly as
// slog.JSONHandler orders and formats them.
func (s *encodeState) appendRecord(r *slog.Record) {
	if s.e.replace == nil && s.limit == 0 {
		// The common case: the built-ins with their keys pre-encoded.
		if !r.Time.IsZero() {
			s.buf = append(s.buf, `{"time":"`...)
			s.buf = appendRFC3339(s.buf, r.Time, false)
			s.buf = append(s.buf, `","level":`...)
		} else {
			s.buf = append(s.buf, `{"level":`...)
		}
		s.buf = appendLevel(s.buf, r.Level)
		if s.e.addSource {
			s.sep = true
			s.depth = 1
			stateGroups := s.groups
			s.groups = nil
			s.appendAttr(slog.Any(slog.SourceKey, recordSource(r)))
			s.groups = stateGroups
		}
		s.buf = append(s.buf, `,"msg":`...)
		s.appendString(r.Message)
		s.sep = true
		s.depth = 1
		s.appendNonBuiltIns(r)
		s.buf = append(s.buf, '\n')
		return
	}
	s.buf = append(s.buf, '{')
	s.depth = 1
	// Built-in attributes are in no group, and ReplaceAttr sees none.
	stateGroups := s.groups
	s.groups = nil
	if !r.Time.IsZero() {
		// Strip the monotonic reading, as slog.Time does.
		s.appendAttr(slog.Time(slog.TimeKey, r.Time.Round(0)))
	}
	s.appendAttr(slog.Any(slog.LevelKey, r.Level))
	if s.e.addSource {
		s.appendAttr(slog.Any(slog.SourceKey, recordSource(r)))
	}
	s.appendAttr(slog.String(slog.MessageKey, r.Message))
	s.groups = stateGroups
	s.appendNonBuiltIns(r)
	s.buf = append(s.buf, '\n')
}

// appendLevel writes a level's name, quoted; the four named levels are
// constants.
func appendLevel(buf []byte, l slog.Level) []byte {
	switch l {
	case slog.LevelDebug:
		return append(buf, `"DEBUG"`...)
	case slog.LevelInfo:
		return append(buf, `"INFO"`...)
	case slog.LevelWarn:
		return append(buf, `"WARN"`...)
	case slog.LevelError:
		return append(buf, `"ERROR"`...)
	}
	return appendQuoted(buf, l.String())
}

func (s *encodeState) appendNonBuiltIns(r *slog.Record) {
	e := s.e
	nOpen := e.nOpenGroups // groups open in buf that must be closed
	if pfa := e.preformatted; len(pfa) > 0 {
		if s.fits(len(pfa)+1, e.nOpenGroups) {
			if s.sep {
				s.buf = append(s.buf, ',')
			}
			s.buf = append(s.buf, pfa...)
			s.sep = pfa[len(pfa)-1] != '{'
			s.depth += e.nOpenGroups
		} else {
			// Only when truncating: the preformatted attributes are left
			// out whole, and so is everything after them.
			s.truncated = true
			nOpen = 0
		}
	}
	// The record's attributes are in the groups from WithGroup. A record
	// with no attributes opens no groups.
	if r.NumAttrs() > 0 && !s.truncated {
		// ReplaceAttr may delete every attribute: remember where we are, so
		// that groups opened for nothing can be taken back.
		pos, depth, sep := len(s.buf), s.depth, s.sep
		for _, g := range e.groups[e.nOpenGroups:] {
			s.openGroup(g)
		}
		empty := true
		r.Attrs(func(a slog.Attr) bool {
			if s.appendAttr(a) {
				empty = false
			}
			return !s.truncated
		})
		if empty {
			s.buf, s.depth, s.sep = s.buf[:pos], depth, sep
		} else {
			nOpen = len(e.groups)
		}
	}
	for range nOpen {
		s.buf = append(s.buf, '}')
	}
	if s.truncated {
		s.appendTruncationMarker()
	}
	s.buf = append(s.buf, '}')
}

// openGroup starts a nested object named name.
func (s *encodeState) openGroup(name string) {
	s.appendKey(name)
	s.buf = append(s.buf, '{')
	s.sep = false
	s.depth++
	if s.groups != nil {
		*s.groups = append(*s.groups, name)
	}
}

func (s *encodeState) closeGroup() {
	s.buf = append(s.buf, '}')
	s.sep = true
	s.depth--
	if s.groups != nil {
		*s.groups = (*s.groups)[:len(*s.groups)-1]
	}
}

// appendAttrs appends as and reports whether anything was appended.
func (s *encodeState) appendAttrs(as []slog.Attr) bool {
	nonEmpty := false
	for _, a := range as {
		if s.appendAttr(a) {
			nonEmpty = true
		}
		if s.truncated {
			break
		}
	}
	return nonEmpty
}

// appendAttr appends a's key and value, after resolving it and passing it
// through ReplaceAttr. It reports whether something was appended, with
// log/slog's quirk that a group with no attributes counts as appended.
func (s *encodeState) appendAttr(a slog.Attr) bool {
	kind := a.Value.Kind()
	if kind == slog.KindLogValuer {
		a.Value = a.Value.Resolve()
		kind = a.Value.Kind()
	}
	if rep := s.e.replace; rep != nil && kind != slog.KindGroup {
		var gs []string
		if s.groups != nil {
			gs = *s.groups
		}
		a = rep(gs, a)
		// ReplaceAttr may return an unresolved value.
		a.Value = a.Value.Resolve()
		kind = a.Value.Kind()
	}
	if kind == slog.KindAny {
		if isEmptyAttr(a) {
			return false
		}
		if src, ok := a.Value.Any().(*slog.Source); ok {
			if src == nil || *src == (slog.Source{}) {
				return false
			}
			a.Value, kind = sourceGroup(src), slog.KindGroup
		}
	}
	if kind != slog.KindGroup {
		if s.limit > 0 {
			return s.appendLimited(a)
		}
		s.appendKey(a.Key)
		s.buf = appendValueOfKind(s.buf, a.Value, kind)
		return true
	}
	attrs := a.Value.Group()
	if len(attrs) == 0 {
		return true
	}
	pos, sep := len(s.buf), s.sep
	if a.Key != "" { // a group with an empty key is inlined
		s.openGroup(a.Key)
	}
	if !s.appendAttrs(attrs) {
		s.buf, s.sep = s.buf[:pos], sep
		if a.Key != "" {
			s.depth--
			if s.groups != nil {
				*s.groups = (*s.groups)[:len(*s.groups)-1]
			}
		}
		return false
	}
	if a.Key != "" {
		s.closeGroup()
	}
	return true
}

// isEmptyAttr reports whether a is the zero Attr (or an Any("", nil)),
// which log/slog elides.
func isEmptyAttr(a slog.Attr) bool {
	return a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil
}

// recordSource is what Record.Source (Go 1.25) returns, but never nil:
// the location of r's PC, or an empty Source.
func recordSource(r *slog.Record) *slog.Source {
	if r.PC == 0 {
		return &slog.Source{}
	}
	f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
	return &slog.Source{Function: f.Function, File: f.File, Line: f.Line}
}

// sourceGroup is slog's JSON form of a Source: function, file, line, each
// only when set.
func sourceGroup(src *slog.Source) slog.Value {
	as := make([]slog.Attr, 0, 3)
	if src.Function != "" {
		as = append(as, slog.String("function", src.Function))
	}
	if src.File != "" {
		as = append(as, slog.String("file", src.File))
	}
	if src.Line != 0 {
		as = append(as, slog.Int("line", src.Line))
	}
	return slog.GroupValue(as...)
}

func (s *encodeState) appendKey(key string) {
	if s.sep {
		s.buf = append(s.buf, ',')
	}
	s.buf = appendQuoted(s.buf, key)
	s.buf = append(s.buf, ':')
	s.sep = true
}

func (s *encodeState) appendString(str string) {
	s.buf = appendQuoted(s.buf, str)
}

// withAttrs returns a copy of e with as encoded after its preformatted
// attributes, inside the groups not yet opened there (log/slog's
// commonHandler.withAttrs).
func (e *encoder) withAttrs(as []slog.Attr) *encoder {
	e2 := e.clone()
	if e.format == ECS {
		e2.withECSAttrs(as)
		return e2
	}
	pfa := e2.preformatted
	s := e2.newState(pfa, len(pfa) > 0 && pfa[len(pfa)-1] != '{')
	defer s.free()
	pos := len(s.buf)
	for _, g := range e2.groups[e2.nOpenGroups:] {
		s.openGroup(g)
	}
	if !s.appendAttrs(as) {
		e2.preformatted = s.buf[:pos]
		return e2
	}
	e2.preformatted = s.buf
	e2.nOpenGroups = len(e2.groups)
	return e2
}

// withGroup returns a copy of e whose later attributes are in group name.
func (e *encoder) withGroup(name string) *encoder {
	e2 := e.clone()
	e2.groups = append(e2.groups, name)
	if e2.format == ECS && !simpleECSKey(name) {
		e2.ecsFast = false
	}
	return e2
}

// clone copies e with clipped slices, so that appending to the copy never
// writes into memory a sibling shares.
func (e *encoder) clone() *encoder {
	e2 := *e
	e2.preformatted = slices.Clip(e.preformatted)
	e2.groups = slices.Clip(e.groups)
	e2.ecsAttrs = slices.Clip(e.ecsAttrs)
	return &e2
}
