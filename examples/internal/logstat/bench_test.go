package logstat

import (
	"strings"
	"testing"
)

func BenchmarkParseLine(b *testing.B) {
	line := []byte(ecsPut)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLine(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead reads a stream of call records in both formats, as a
// rotated directory holds them.
func BenchmarkRead(b *testing.B) {
	input := strings.Repeat(ecsPut+"\n"+ecsNoSuchKey+"\n"+jsonThrottled+"\n"+jsonRefused+"\n", 250)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		var s Summary
		if err := s.Read(strings.NewReader(input)); err != nil {
			b.Fatal(err)
		}
		if s.Calls != 1000 {
			b.Fatalf("%d calls", s.Calls)
		}
	}
}
