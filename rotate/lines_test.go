package rotate_test

import (
	"bytes"
	"testing"

	"github.com/slogreq/slogreq/rotate"
)

func TestNextChunk(t *testing.T) {
	tests := []struct {
		p     string
		limit int64
		want  int
	}{
		{"a\n", 10, 2},
		{"a\nb\n", 4, 4},
		{"a\nb\nc\n", 4, 4},
		{"a\nb\nc\n", 5, 4},
		{"aaaa\nb\n", 3, 5},
		{"aaaa\n", 1, 5},
		{"\n\n\n", 2, 2},
		{"ab\ncd\n", 2, 3}, // the first line is one byte over
	}
	for _, tt := range tests {
		if got := rotate.NextChunk([]byte(tt.p), tt.limit); got != tt.want {
			t.Errorf("NextChunk(%q, %d) = %d; want %d", tt.p, tt.limit, got, tt.want)
		}
	}
}

// FuzzNextChunk checks that cutting any text of lines into pieces keeps
// every byte once, in order, never cuts a line, and respects the limit except
// for a piece that is one long line.
func FuzzNextChunk(f *testing.F) {
	f.Fuzz(func(t *testing.T, p []byte, limit uint16) {
		if len(p) == 0 || p[len(p)-1] != '\n' {
			p = append(p, '\n')
		}
		max := int64(limit) + 1
		var joined []byte
		for rest := p; len(rest) > 0; {
			n := rotate.NextChunk(rest, max)
			if n <= 0 || n > len(rest) {
				t.Fatalf("NextChunk(%q, %d) = %d", rest, max, n)
			}
			piece := rest[:n]
			if piece[n-1] != '\n' {
				t.Fatalf("piece %q cuts a line", piece)
			}
			if int64(n) > max && bytes.Count(piece, []byte{'\n'}) != 1 {
				t.Fatalf("piece %q of %d bytes is over %d and holds more than one line", piece, n, max)
			}
			// Greedy: the piece could not take the next line as well.
			if next := rest[n:]; int64(n) <= max && len(next) > 0 {
				if i := bytes.IndexByte(next, '\n'); int64(n+i+1) <= max {
					t.Fatalf("piece %q stops before %q, which fits in %d", piece, next[:i+1], max)
				}
			}
			joined = append(joined, piece...)
			rest = rest[n:]
		}
		if !bytes.Equal(joined, p) {
			t.Fatalf("pieces join to %q; want %q", joined, p)
		}
	})
}
