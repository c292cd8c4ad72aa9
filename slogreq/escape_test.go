package slogreq

import (
	"encoding/json"
	"strings"
	"testing"
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

func TestEscapeMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "a long plain ascii string of many words", "tab\there", "q\"uote",
		"back\\slash", "ctl\x01\x1f\x7f", "héllo wörld and more", "bad\xff\xfe utf8 in a longer string", "\u2028\u2029",
		strings.Repeat("x", 63) + "\n" + strings.Repeat("y", 17)} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want := strings.TrimSuffix(b.String(), "\n")
		if got := string(appendQuoted(nil, s)); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
