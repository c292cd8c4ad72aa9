package slogreq

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"
)

// fuzzInput turns fuzz data into handler derivations and one record. Each
// byte of ops picks the next step; keys and values come from the strings
// and numbers, sliced by position so that one input yields many shapes.
type fuzzInput struct {
	msg, key, str string
	num           int64
	flt           float64
	ops           []byte
}

// replaceModes are ReplaceAttr functions that depend only on the attribute
// (log/slog passes stale group names after an emptied group; see Handler).
var replaceModes = []func([]string, slog.Attr) slog.Attr{
	nil,
	func(_ []string, a slog.Attr) slog.Attr { return a },
	func(_ []string, a slog.Attr) slog.Attr {
		switch {
		case a.Key == slog.TimeKey:
			return slog.Attr{}
		case strings.HasPrefix(a.Key, "d"):
			return slog.Attr{} // drop
		case strings.HasPrefix(a.Key, "r"):
			a.Key = "renamed." + a.Key
		case a.Value.Kind() == slog.KindInt64:
			// A LogValuer returning a group; its member is a string, so
			// that this case does not apply to it again.
			return slog.Any(a.Key, valuer{slog.GroupValue(slog.String("n", a.Value.String()))})
		}
		return a
	},
}

// build applies in to h and returns the handler to use and the record.
func (in fuzzInput) build(h slog.Handler) (slog.Handler, slog.Record) {
	piece := func(s string, i int) string {
		if s == "" {
			return ""
		}
		i %= len(s) + 1
		return s[i:] + s[:i]
	}
	var stack [][]slog.Attr
	cur := []slog.Attr{}
	tm := time.Unix(0, in.num).In(time.FixedZone("Z", int(in.num%50000)))
	for i, op := range in.ops {
		k := piece(in.key, i)
		switch op % 14 {
		case 0:
			cur = append(cur, slog.String(k, piece(in.str, int(op))))
		case 1:
			cur = append(cur, slog.Int64(k, in.num>>(op%64)))
		case 2:
			cur = append(cur, slog.Uint64(k, uint64(in.num)*uint64(op)))
		case 3:
			f := in.flt
			switch op / 14 % 6 {
			case 1:
				f = math.NaN()
			case 2:
				f = math.Inf(1)
			case 3:
				f = math.Copysign(0, -1)
			case 4:
				f *= 1e21
			case 5:
				f /= 1e7
			}
			cur = append(cur, slog.Float64(k, f))
		case 4:
			cur = append(cur, slog.Bool(k, op&16 != 0))
		case 5:
			cur = append(cur, slog.Duration(k, time.Duration(in.num)))
		case 6:
			cur = append(cur, slog.Time(k, tm))
		case 7:
			cur = append(cur, slog.Any(k, errors.New(piece(in.str, i))))
		case 8:
			cur = append(cur, slog.Any(k, []byte(piece(in.str, i))))
		case 9: // open a group
			stack = append(stack, cur)
			cur = []slog.Attr{}
		case 10: // close a group under key k (empty key inlines it)
			if len(stack) > 0 {
				g := slog.Attr{Key: k, Value: slog.GroupValue(cur...)}
				cur = append(stack[len(stack)-1], g)
				stack = stack[:len(stack)-1]
			}
		case 11:
			h = h.WithAttrs(cur)
			cur = []slog.Attr{}
		case 12:
			if k != "" { // slog.Logger never passes "" (see Handler's doc)
				h = h.WithGroup(k)
			}
		case 13:
			cur = append(cur, slog.Any(k, valuer{slog.StringValue(piece(in.str, i))}))
		}
	}
	for len(stack) > 0 {
		g := slog.Group(piece(in.key, len(stack)), anys(cur)...)
		cur = append(stack[len(stack)-1], g)
		stack = stack[:len(stack)-1]
	}
	r := slog.NewRecord(tm, slog.Level(in.num%13-4), in.msg, 0)
	r.AddAttrs(cur...)
	return h, r
}

func anys(as []slog.Attr) []any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = a
	}
	return out
}

func addFuzzSeeds(f *testing.F) {
	f.Add("hello", "key", "value", int64(1764064800123456789), 3.25, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 13})
	f.Add("", "", "", int64(0), 0.0, []byte{})
	f.Add("m\n\"\\", "k\u2028\xff", "v\x00\x7f\u2029", int64(-1), math.MaxFloat64, []byte{12, 11, 9, 0, 9, 1, 10, 10, 11, 3, 17, 31, 45, 59})
	f.Add("groups", "g", "x", int64(42), 1e-9, []byte{12, 9, 9, 10, 0, 10, 9, 7, 10, 11, 12, 13, 1})
	f.Add("é世", "abc", "<script>", int64(1<<40), math.Copysign(0, -1), []byte{9, 0, 10, 9, 10, 6, 5, 4, 2, 8, 3, 3})
}

// FuzzJSONMatchesSlog checks that our JSON equals slog.JSONHandler's for
// arbitrary keys, values, groups and derivations, and that it is valid JSON
// where slog's is not.
func FuzzJSONMatchesSlog(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, msg, key, str string, num int64, flt float64, ops []byte) {
		in := fuzzInput{msg, key, str, num, flt, ops}
		for mode, rep := range replaceModes {
			opts := &slog.HandlerOptions{Level: slog.LevelDebug - 10, ReplaceAttr: rep}
			var want strings.Builder
			sh, sr := in.build(slog.NewJSONHandler(&want, opts))
			var got syncBuffer
			oh := NewHandler(&got, &Options{Level: opts.Level, ReplaceAttr: rep, BufferSize: 64 << 10, MaxRecordSize: 64 << 10})
			h, r := in.build(oh)
			_ = sh.Handle(context.Background(), sr)
			_ = h.Handle(context.Background(), r)
			mustClose(t, oh)
			if !json.Valid([]byte(got.String())) {
				t.Fatalf("mode %d: invalid JSON: %s", mode, got.String())
			}
			if oh.Stats().Truncated > 0 {
				continue // FuzzTruncation covers lines over MaxRecordSize
			}
			if json.Valid([]byte(want.String())) && got.String() != want.String() {
				t.Fatalf("mode %d: differs from slog\nwant %s\n got %s", mode, want.String(), got.String())
			}
		}
	})
}

// FuzzTruncation checks that a line cut to MaxRecordSize is valid JSON,
// fits, and carries the marker exactly when it was cut.
func FuzzTruncation(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, msg, key, str string, num int64, flt float64, ops []byte) {
		in := fuzzInput{msg, key, str, num, flt, ops}
		max := MinRecordSize + int(uint64(num)%512)
		for mode, rep := range replaceModes {
			var full, cut syncBuffer
			fh := NewHandler(&full, &Options{ReplaceAttr: rep, BufferSize: 256 << 10, MaxRecordSize: 256 << 10})
			ch := NewHandler(&cut, &Options{ReplaceAttr: rep, MaxRecordSize: max})
			h1, r1 := in.build(fh)
			h2, r2 := in.build(ch)
			_ = h1.Handle(context.Background(), r1)
			_ = h2.Handle(context.Background(), r2)
			mustClose(t, fh)
			mustClose(t, ch)
			if fh.Stats().Truncated > 0 {
				t.Skip("input too large for the reference handler")
			}
			line := cut.String()
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("mode %d: invalid JSON (%v): %s", mode, err, line)
			}
			if len(line) > max {
				t.Fatalf("mode %d: %d bytes, over %d", mode, len(line), max)
			}
			_, marked := m[TruncatedKey]
			if needs := len(full.String()) > max; marked != needs {
				t.Fatalf("mode %d: marker %v, full size %d, max %d: %s", mode, marked, len(full.String()), max, line)
			}
			if !marked && line != full.String() {
				t.Fatalf("mode %d: a line that fits was changed", mode)
			}
		}
	})
}
