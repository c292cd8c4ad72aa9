package slogreq

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestNeedsCare(t *testing.T) {
	for b := 0; b < 256; b++ {
		for pos := range 8 {
			w := []byte("abcdefgh")
			w[pos] = byte(b)
			want := b < 0x20 || b == '"' || b == '\\' || b >= 0x80
			if got := needsCare(string(w)); got != want {
				t.Fatalf("byte %#x at %d: needsCare = %v, want %v", b, pos, got, want)
			}
		}
	}
}

// slogQuoted is how log/slog's JSONHandler writes s as a string value.
func slogQuoted(s string) string {
	var b strings.Builder
	h := slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: func(g []string, a slog.Attr) slog.Attr {
		if len(g) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
			return slog.Attr{}
		}
		return a
	}})
	_ = h.Handle(context.Background(), slog.NewRecord(time.Time{}, 0, "", 0))
	b.Reset()
	r := slog.NewRecord(time.Time{}, 0, "", 0)
	r.AddAttrs(slog.String("k", s))
	_ = h.Handle(context.Background(), r)
	out := strings.TrimSuffix(b.String(), "}\n")
	return strings.TrimPrefix(out, `{"k":`)
}

func TestEscapeMatchesSlog(t *testing.T) {
	for _, s := range []string{"", "plain", "a long plain ascii string of many words", "tab\there", "q\"uote",
		"back\\slash", "ctl\x01\x1f\x7f\b\f", "héllo wörld and more", "bad\xff\xfe utf8 in a longer string", "\u2028\u2029",
		strings.Repeat("x", 63) + "\n" + strings.Repeat("y", 17)} {
		if got, want := string(appendQuoted(nil, s)), slogQuoted(s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

// FuzzEscape checks the escaper against log/slog's for any bytes, and that
// the result decodes to the input with each invalid byte as U+FFFD.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain ascii text", "a\"b\\c\n\x00\x7f", "é\xff\u2028世", strings.Repeat("ab", 20) + "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendQuoted(nil, s)
		if want := slogQuoted(s); string(got) != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != validUTF8(s) {
			t.Fatalf("%q: %s decodes to %q (%v)", s, got, back, err)
		}
	})
}
