package bench

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/slogreq/slogreq/slogreq"
	"gopkg.in/natefinch/lumberjack.v2"
)

// Every benchmark has one sub-benchmark per peer, named peer=<name>, so that
// `benchstat -col /peer` puts the peers side by side.
//
// slogreq's timings include its Close: the loop hands lines to the writer
// goroutine, which writes them while the loop runs, and Close waits for the
// last of them. A run therefore ends only when every line has been written,
// as it does for the synchronous peers, and closeSlogreq fails the benchmark
// if any line was dropped.

// BenchmarkAttrs is (a): one call with the message and eight attributes,
// written to io.Discard.
func BenchmarkAttrs(b *testing.B) {
	benchPeers(b, func(l logger) func() { return l.attrs })
}

// BenchmarkWith is (b): the eight attributes attached beforehand with the
// logger's With, then a call with the message alone.
func BenchmarkWith(b *testing.B) {
	benchPeers(b, func(l logger) func() { return l.with })
}

// BenchmarkAttrsParallel is (c): BenchmarkAttrs from GOMAXPROCS goroutines
// logging through one logger, the case where a shared lock shows.
func BenchmarkAttrsParallel(b *testing.B) {
	for _, p := range peers {
		b.Run("peer="+p.name, func(b *testing.B) {
			l := p.new(io.Discard)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					l.attrs()
				}
			})
			if err := l.close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func benchPeers(b *testing.B, call func(logger) func()) {
	for _, p := range peers {
		b.Run("peer="+p.name, func(b *testing.B) {
			l := p.new(io.Discard)
			log := call(l)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				log()
			}
			if err := l.close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkFile is (d): the line of BenchmarkAttrs written to a real file
// through lumberjack. The synchronous peers make one write system call per
// line on the caller's goroutine; slogreq's writer goroutine writes runs of
// lines. The timing includes closing the logger and the file, so slogreq's
// lines/s counts only lines that reached the file.
func BenchmarkFile(b *testing.B) {
	for _, p := range peers {
		if p.name == "slog.frontend" {
			continue // writes nothing
		}
		b.Run("peer="+p.name, func(b *testing.B) {
			lj := newLumberjack(b.TempDir())
			l := p.new(lj)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				l.attrs()
			}
			if err := l.close(); err != nil {
				b.Fatal(err)
			}
			if err := lj.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// newLumberjack returns a lumberjack.Logger writing aws.json in dir. It
// rotates at 100 MB, as a service would; old files are kept (MaxBackups 0)
// so that lumberjack's background cleanup never races the removal of dir.
func newLumberjack(dir string) *lumberjack.Logger {
	return &lumberjack.Logger{Filename: filepath.Join(dir, "aws.json"), MaxSize: 100}
}

// tinyRecord has a one-byte message, no time and no attributes: formatting
// it is a few appends (`{"level":"INFO","msg":"x"}`), so Handle's time is
// mostly what it costs to pass the line on.
var tinyRecord = slog.NewRecord(time.Time{}, slog.LevelInfo, "x", 0)

// BenchmarkHandoff is (e): Handle of tinyRecord, called directly, without
// the slog.Logger front end. slogreq exposes no way to format without
// handing off, so its figure is an upper bound on the hand-off (buffer from
// the pool, mutex, copy into the ring, waking the writer when it sleeps).
// slog.JSONHandler's figure is the synchronous equivalent: format, then its
// mutex and a Write to io.Discard.
func BenchmarkHandoff(b *testing.B) {
	benchHandle(b, func(b *testing.B, h slog.Handler) {
		ctx := context.Background()
		for range b.N {
			if err := h.Handle(ctx, tinyRecord); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHandoffParallel is BenchmarkHandoff from GOMAXPROCS goroutines:
// what contention on the ring's mutex adds.
func BenchmarkHandoffParallel(b *testing.B) {
	benchHandle(b, func(b *testing.B, h slog.Handler) {
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if err := h.Handle(ctx, tinyRecord); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func benchHandle(b *testing.B, loop func(*testing.B, slog.Handler)) {
	for _, p := range peers {
		if p.name != "slog.JSONHandler" && p.name != "slogreq" {
			continue
		}
		b.Run("peer="+p.name, func(b *testing.B) {
			h := p.slog(io.Discard)
			b.ReportAllocs()
			b.ResetTimer()
			loop(b, h)
			if sh, ok := h.(*slogreq.Handler); ok {
				if err := closeSlogreq(sh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
