package slogreq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var testTime = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("X", 3600))

// jsonM implements json.Marshaler.
type jsonM struct{ s string }

func (j jsonM) MarshalJSON() ([]byte, error) { return []byte(`{"m": ` + j.s + `}`), nil }

// jsonErr is an error that is also a json.Marshaler: slog marshals it.
type jsonErr struct{}

func (jsonErr) Error() string                { return "as error" }
func (jsonErr) MarshalJSON() ([]byte, error) { return []byte(`"as json"`), nil }

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot marshal") }

type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

type panicker struct{}

func (panicker) MarshalJSON() ([]byte, error) { panic("boom") }

type valuer struct{ v slog.Value }

func (v valuer) LogValue() slog.Value { return v.v }

type deepValuer struct{ n int }

func (v deepValuer) LogValue() slog.Value {
	if v.n == 0 {
		return slog.StringValue("bottom")
	}
	return slog.AnyValue(deepValuer{v.n - 1})
}

// jsonCase is one record, with the handler derivations applied before it.
type jsonCase struct {
	name  string
	opts  slog.HandlerOptions
	with  func(slog.Handler) slog.Handler
	time  time.Time
	level slog.Level
	msg   string
	attrs []slog.Attr
}

func jsonCases() []jsonCase {
	dropTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	return []jsonCase{
		{name: "empty message"},
		{name: "every kind", attrs: []slog.Attr{
			slog.String("s", "str"), slog.Int("i", -7), slog.Int64("i64", math.MinInt64),
			slog.Uint64("u", math.MaxUint64), slog.Float64("f", 3.25), slog.Bool("b", true),
			slog.Duration("d", 1500*time.Millisecond), slog.Time("t", testTime),
			slog.Any("err", errors.New("oops")), slog.Any("nil", nil),
			slog.Any("bytes", []byte("hi\x00there")), slog.Any("map", map[string]int{"b": 2, "a": 1}),
			slog.Any("slice", []any{1, "x", nil}), slog.Any("addr", netip.MustParseAddr("10.1.2.3")),
			slog.Any("struct", struct{ A int }{3}), slog.Any("level", slog.LevelWarn+2),
		}},
		{name: "floats", attrs: []slog.Attr{
			slog.Float64("nan", math.NaN()), slog.Float64("inf", math.Inf(1)),
			slog.Float64("-inf", math.Inf(-1)), slog.Float64("-0", math.Copysign(0, -1)),
			slog.Float64("1e21", 1e21), slog.Float64("1e20", 1e20), slog.Float64("1e-7", 1e-7),
			slog.Float64("1e-6", 1e-6), slog.Float64("max", math.MaxFloat64),
			slog.Float64("small", math.SmallestNonzeroFloat64), slog.Float64("third", 1.0/3),
		}},
		{name: "strings", msg: "a\"b\\c\nd\re\tf\x00g\x1f\x7fh<&>", attrs: []slog.Attr{
			slog.String("invalid utf8", "a\xffb\xc3"), slog.String("separators", "x\u2028y\u2029z"),
			slog.String("unicode", "héllo, 世界 🎉"), slog.String("", "empty key"),
			slog.String("key\"with\nescapes\u2028", "v"), slog.String("html", "<script>&amp;</script>"),
		}},
		{name: "zero time", time: time.Time{}.Add(-1)},
		{name: "year 0 and 9999", attrs: []slog.Attr{
			slog.Time("y0", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)),
			slog.Time("y9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)),
		}},
		{name: "monotonic time stripped", time: time.Now()},
		{name: "levels", level: slog.LevelError + 3},
		{name: "debug minus", level: slog.LevelDebug - 1, opts: slog.HandlerOptions{Level: slog.LevelDebug - 4}},
		{name: "groups", attrs: []slog.Attr{
			slog.Group("g", slog.Int("a", 1), slog.Group("h", slog.Int("b", 2))),
			slog.Group("empty"), slog.Group("", slog.Int("inlined", 3)),
			slog.Group("g2", slog.Group("e")), slog.Int("after", 4),
		}},
		{name: "with attrs and groups", with: func(h slog.Handler) slog.Handler {
			h = h.WithAttrs([]slog.Attr{slog.String("w1", "x")})
			h = h.WithGroup("G")
			h = h.WithAttrs([]slog.Attr{slog.Int("w2", 2), slog.Group("wg", slog.Bool("t", true))})
			return h.WithGroup("H")
		}, attrs: []slog.Attr{slog.Int("r", 1)}},
		{name: "with group, record without attrs", with: func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("G")
		}},
		{name: "with group then attrs, record without attrs", with: func(h slog.Handler) slog.Handler {
			return h.WithGroup("G").WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("H")
		}},
		{name: "with only empty groups", with: func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.Group("e")}).WithGroup("G")
		}, attrs: []slog.Attr{slog.Int("a", 1)}},
		{name: "logvaluers", attrs: []slog.Attr{
			slog.Any("v", valuer{slog.IntValue(5)}),
			slog.Any("group", valuer{slog.GroupValue(slog.String("x", "y"), slog.Int("z", 1))}),
			slog.Any("emptygroup", valuer{slog.GroupValue()}),
			slog.Any("deep", deepValuer{3}), slog.Any("toodeep", deepValuer{200}),
		}},
		{name: "logvaluer empty group in WithGroup", with: func(h slog.Handler) slog.Handler {
			return h.WithGroup("G")
		}, attrs: []slog.Attr{slog.Any("e", valuer{slog.GroupValue()})}},
		{name: "marshalers and errors", attrs: []slog.Attr{
			slog.Any("jm", jsonM{`"x"`}), slog.Any("je", jsonErr{}), slog.Any("bad", badMarshaler{}),
			slog.Any("nilptr err", (*nilErr)(nil)), slog.Any("panic", panicker{}),
			slog.Any("wrapped", fmt.Errorf("wrap: %w", errors.New("inner"))),
			slog.Any("chan", make(chan int)),
		}},
		{name: "replace attr drops time and renames", opts: slog.HandlerOptions{ReplaceAttr: func(g []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey:
				return slog.Attr{}
			case slog.LevelKey:
				return slog.String("severity", a.Value.String())
			case slog.MessageKey:
				a.Key = "message"
			case "secret":
				return slog.String("secret", "***")
			case "n":
				return slog.Any("n", valuer{slog.Int64Value(a.Value.Int64() * 10)})
			}
			if len(g) > 0 {
				a.Key = strings.Join(g, ".") + "." + a.Key
			}
			return a
		}}, with: func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("secret", "hunter2")}).WithGroup("G")
		}, attrs: []slog.Attr{slog.Int("n", 4), slog.Group("inner", slog.Int("x", 1))}},
		{name: "replace attr drops everything", opts: slog.HandlerOptions{ReplaceAttr: func([]string, slog.Attr) slog.Attr {
			return slog.Attr{}
		}}, with: func(h slog.Handler) slog.Handler {
			return h.WithGroup("G").WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("H")
		}, attrs: []slog.Attr{slog.Int("b", 2)}},
		{name: "replace attr on level value", opts: slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			return a
		}}, level: slog.LevelInfo + 1, attrs: []slog.Attr{slog.Time("t", testTime)}},
		{name: "replace attr empties a group, then more", opts: slog.HandlerOptions{ReplaceAttr: dropTime}, attrs: []slog.Attr{
			slog.Group("g", slog.Group("h", slog.String("ok", "v"))), slog.Int("after", 1),
		}},
		{name: "source", opts: slog.HandlerOptions{AddSource: true}},
		{name: "source renamed", opts: slog.HandlerOptions{AddSource: true, ReplaceAttr: func(g []string, a slog.Attr) slog.Attr {
			if a.Key == "file" {
				a.Value = slog.StringValue("F")
			}
			return a
		}}},
		{name: "big", msg: strings.Repeat("m", 5000), attrs: []slog.Attr{slog.String("s", strings.Repeat("é", 3000))}},
	}
}

// encodeBoth runs c through slog.NewJSONHandler and through our Handler and
// returns both outputs.
func encodeBoth(t testing.TB, c jsonCase) (want, got string) {
	t.Helper()
	var sb strings.Builder
	var sh slog.Handler = slog.NewJSONHandler(&sb, &c.opts)
	var ob syncBuffer
	oh := NewHandler(&ob, &Options{Level: c.opts.Level, AddSource: c.opts.AddSource, ReplaceAttr: c.opts.ReplaceAttr})
	defer mustClose(t, oh)
	var h slog.Handler = oh
	if c.with != nil {
		sh, h = c.with(sh), c.with(h)
	}
	tm := c.time
	if tm.IsZero() && c.name != "zero time" {
		tm = testTime
	} else if c.name == "zero time" {
		tm = time.Time{}
	}
	var pcs [1]uintptr
	pc := uintptr(0)
	if c.opts.AddSource {
		pc = callerPC(&pcs)
	}
	r := slog.NewRecord(tm, c.level, c.msg, pc)
	r.AddAttrs(c.attrs...)
	ctx := context.Background()
	if sh.Enabled(ctx, c.level) != h.Enabled(ctx, c.level) {
		t.Fatalf("Enabled(%v) differs", c.level)
	}
	if err := sh.Handle(ctx, r.Clone()); err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(ctx, r); err != nil {
		t.Fatal(err)
	}
	mustFlush(t, oh)
	return sb.String(), ob.String()
}

func TestJSONMatchesSlog(t *testing.T) {
	for _, c := range jsonCases() {
		t.Run(c.name, func(t *testing.T) {
			want, got := encodeBoth(t, c)
			if got != want {
				t.Errorf("output differs from slog.JSONHandler\nwant %s\n got %s", want, got)
			}
			mustValidLines(t, got)
		})
	}
}

// TestJSONValidWhereSlogIsNot covers the cases where log/slog writes
// invalid JSON: we write valid JSON with the same information.
func TestJSONValidWhereSlogIsNot(t *testing.T) {
	cases := []struct {
		c    jsonCase
		want string
	}{
		{jsonCase{name: "year 10000", attrs: []slog.Attr{slog.Time("t", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}},
			`,"t":"10000-01-01T00:00:00Z"}`},
		{jsonCase{name: "negative year", attrs: []slog.Attr{slog.Time("t", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC))}},
			`,"t":"-0001-01-01T00:00:00Z"}`},
		{jsonCase{name: "emptied group", opts: slog.HandlerOptions{ReplaceAttr: func(g []string, a slog.Attr) slog.Attr {
			if a.Key == "x" {
				return slog.Attr{}
			}
			if a.Key == "b" {
				return slog.String("b", strings.Join(g, "/"))
			}
			return a
		}}, with: func(h slog.Handler) slog.Handler { return h.WithGroup("w") },
			attrs: []slog.Attr{slog.Int("a", 1), slog.Group("g", slog.Int("x", 2)), slog.Int("b", 3)}},
			`"msg":"","w":{"a":1,"b":"w"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.c.name, func(t *testing.T) {
			slogOut, got := encodeBoth(t, tc.c)
			mustValidLines(t, got)
			if !strings.HasSuffix(strings.TrimSpace(got), tc.want) {
				t.Errorf("got %s, want it to end in %s", got, tc.want)
			}
			if slogOut == got {
				t.Errorf("log/slog now writes %s: the documented difference is gone", slogOut)
			}
		})
	}
}

func TestWithGroupEmptyReturnsReceiver(t *testing.T) {
	h := NewHandler(&syncBuffer{}, nil)
	defer mustClose(t, h)
	if h.WithGroup("") != slog.Handler(h) {
		t.Fatal(`WithGroup("") must return the receiver`)
	}
}
