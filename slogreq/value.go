// Portions of this file are adapted from Go's log/slog and encoding/json
// packages. Copyright 2022 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the Go source distribution's LICENSE file.

package slogreq

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
)

// appendValue appends v, already resolved, as JSON. It never fails: like
// log/slog, an encoding error becomes the string "!ERROR:…".
func appendValue(buf []byte, v slog.Value) []byte {
	return appendValueOfKind(buf, v, v.Kind())
}

// appendValueOfKind is appendValue for a caller that already has v.Kind()
// (a type switch: worth not repeating on the hot path).
func appendValueOfKind(buf []byte, v slog.Value, kind slog.Kind) []byte {
	switch kind {
	case slog.KindString:
		return appendQuoted(buf, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(buf, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(buf, v.Uint64(), 10)
	case slog.KindFloat64:
		return appendFloat(buf, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(buf, v.Bool())
	case slog.KindDuration:
		// What json.Marshal does: integer nanoseconds.
		return strconv.AppendInt(buf, int64(v.Duration()), 10)
	case slog.KindTime:
		return appendTime(buf, v.Time())
	case slog.KindAny:
		return appendAnyGuarded(buf, v.Any())
	default:
		// Groups and LogValuers never reach here: callers resolve values
		// and open groups first.
		panic(fmt.Sprintf("bad kind: %s", kind))
	}
}

// appendAnyGuarded is appendAny with log/slog's guard around user code
// (Error, MarshalJSON): a panic becomes "<nil>" for a nil pointer receiver,
// or "!PANIC: …".
func appendAnyGuarded(buf []byte, a any) (out []byte) {
	start := len(buf)
	defer func() {
		if r := recover(); r != nil {
			out = buf[:start]
			if v := reflect.ValueOf(a); v.Kind() == reflect.Pointer && v.IsNil() {
				out = appendQuoted(out, "<nil>")
				return
			}
			out = appendQuoted(out, fmt.Sprintf("!PANIC: %v", r))
		}
	}()
	return appendAny(buf, a)
}

// appendAny encodes an arbitrary value the way log/slog's JSONHandler does:
// an error that is not a json.Marshaler is its Error() string, everything
// else goes through encoding/json with HTML escaping off. The common types
// take a fast path that produces identical bytes without reflection.
func appendAny(buf []byte, a any) []byte {
	switch x := a.(type) {
	case slog.Level:
		// Level.MarshalJSON is strconv.Quote(l.String()); level names are
		// plain ASCII, so quoting equals JSON escaping.
		return appendQuoted(buf, x.String())
	case json.Marshaler:
	case error:
		return appendQuoted(buf, x.Error())
	}
	return appendJSONMarshal(buf, a)
}

// appendFloat formats f as encoding/json does (ES6 number conversion).
// NaN and ±Inf have no JSON form: like log/slog, they become an error string.
func appendFloat(buf []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return appendError(buf, &json.UnsupportedValueError{
			Value: reflect.ValueOf(f),
			Str:   strconv.FormatFloat(f, 'g', -1, 64),
		})
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9.
		n := len(buf)
		if n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf
}

// appendTime writes t as time.RFC3339Nano in quotes, as log/slog does.
//
// For years outside [0, 9999] log/slog writes an error string followed by the
// time string, which is not valid JSON. We write only the time string (its
// year has more than four digits or a sign), which keeps the line valid and
// the instant readable.
func appendTime(buf []byte, t time.Time) []byte {
	buf = append(buf, '"')
	buf = appendRFC3339(buf, t, false)
	return append(buf, '"')
}

func appendError(buf []byte, err error) []byte {
	return appendQuoted(buf, fmt.Sprintf("!ERROR:%v", err))
}

type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonEncoderPool = sync.Pool{New: func() any {
	e := new(jsonEncoder)
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// appendJSONMarshal appends a's encoding/json form, minus the encoder's
// trailing newline, or an "!ERROR:" string if encoding fails.
func appendJSONMarshal(buf []byte, a any) []byte {
	e := jsonEncoderPool.Get().(*jsonEncoder)
	defer func() {
		// Keep only small buffers, so one huge value does not pin memory.
		if e.buf.Cap() <= 16<<10 {
			e.buf.Reset()
			jsonEncoderPool.Put(e)
		}
	}()
	if err := e.enc.Encode(a); err != nil {
		return appendError(buf, err)
	}
	b := e.buf.Bytes()
	return append(buf, b[:len(b)-1]...)
}
