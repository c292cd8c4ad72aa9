package slogreq

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

var errBench = errors.New("fail")

// benchAttrs is the bench record: msg + 8 attributes of the common kinds.
func benchAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("operation", "PutObject"), slog.String("region", "us-west-2"),
		slog.Int("status", 200), slog.Duration("duration", 1234567*time.Nanosecond),
		slog.Time("start", testTime), slog.Bool("retried", false), slog.Float64("ratio", 0.25),
		slog.Any("error", errBench),
	}
}

// dottedAttrs is the bench record with ECS dotted keys, which the ECS format
// merges into nested objects (its general path).
func dottedAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("event.action", "PutObject"), slog.String("cloud.target.region", "us-west-2"),
		slog.Int("http.response.status_code", 200), slog.Duration("event.duration", 1234567*time.Nanosecond),
		slog.Time("event.start", testTime), slog.Bool("event.retried", false), slog.Float64("ratio", 0.25),
		slog.Any("error", errBench),
	}
}

// BenchmarkHandler compares one LogAttrs call (msg + 8 attrs) through our
// handler, in each format, with slog.JSONHandler, all writing to io.Discard.
// Ours includes the hand-off to the ring; its writer drains concurrently.
func BenchmarkHandler(b *testing.B) {
	attrs := benchAttrs()
	ctx := context.Background()
	run := func(b *testing.B, h slog.Handler) {
		l := slog.New(h)
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "aws call", attrs...)
		}
	}
	b.Run("h=slogreq", func(b *testing.B) {
		h := NewHandler(io.Discard, &Options{BufferSize: 4 << 20})
		run(b, h)
		b.StopTimer()
		h.Close()
	})
	b.Run("h=slogreq-ecs", func(b *testing.B) {
		h := NewHandler(io.Discard, &Options{BufferSize: 4 << 20, Format: ECS})
		run(b, h)
		b.StopTimer()
		h.Close()
	})
	b.Run("h=slog.JSONHandler", func(b *testing.B) {
		run(b, slog.NewJSONHandler(io.Discard, nil))
	})
}

// BenchmarkHandoff measures the hand-off alone: copying a formatted 300-byte
// line into the ring, with the writer draining to io.Discard.
func BenchmarkHandoff(b *testing.B) {
	h := NewHandler(io.Discard, &Options{BufferSize: 4 << 20})
	defer h.Close()
	line := make([]byte, 300)
	line[len(line)-1] = '\n'
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		_ = h.core.enqueue(line, false)
	}
}

// BenchmarkEncode measures formatting alone, without the hand-off.
func BenchmarkEncode(b *testing.B) {
	for _, c := range []struct {
		name  string
		f     Format
		attrs []slog.Attr
	}{
		{"format=JSON", JSON, benchAttrs()},
		{"format=ECS", ECS, benchAttrs()},
		{"format=ECS-dotted", ECS, dottedAttrs()},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := NewHandler(io.Discard, &Options{Format: c.f})
			defer h.Close()
			r := slog.NewRecord(testTime, slog.LevelInfo, "aws call", 0)
			r.AddAttrs(c.attrs...)
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				s := h.enc.newState(buf[:0], false)
				s.appendLine(&r)
				s.free()
			}
		})
	}
}
