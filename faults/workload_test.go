//go:build linux

package faults

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// logName is the current file's name in a log directory; backups are
// aws-<time>.json next to it.
const logName = "aws.json"

func logPath(dir string) string { return filepath.Join(dir, logName) }

// pad makes a record the size of a small AWS call record (about 150 bytes).
var pad = strings.Repeat("x", 64)

// producer logs numbered records through a slog.Logger, as a service's
// request goroutines do, timing each call.
type producer struct {
	id   int
	l    *slog.Logger
	err  error // what the handler returned for the last record
	sent int64
	lat  latHist
	last time.Duration // how long the last call took
	pad  string
}

func newProducer(id int, h slog.Handler) *producer {
	p := &producer{id: id, pad: pad}
	p.l = slog.New(trap{h, &p.err})
	return p
}

// log logs record i with message msg and returns the handler's error:
// slog.Logger drops it, and the shutdown fault needs to know which records
// were refused after Close.
func (p *producer) log(msg string, i int64) error {
	t0 := time.Now()
	p.l.LogAttrs(context.Background(), slog.LevelInfo, msg, slog.Int("p", p.id), slog.Int64("i", i), slog.String("pad", p.pad))
	p.last = time.Since(t0)
	p.lat.add(p.last)
	p.sent++
	return p.err
}

// trap keeps the error of the last Handle.
type trap struct {
	slog.Handler
	err *error
}

func (t trap) Handle(ctx context.Context, r slog.Record) error {
	*t.err = t.Handler.Handle(ctx, r)
	return *t.err
}

func sentOf(ps []*producer) []int64 {
	s := make([]int64, len(ps))
	for i, p := range ps {
		s[i] = p.sent
	}
	return s
}

func latOf(ps []*producer) *latHist {
	var h latHist
	for _, p := range ps {
		h.merge(&p.lat)
	}
	return &h
}

// pacer spaces calls to a steady rate, catching up after a late wake-up
// so that the average rate holds.
type pacer struct {
	start  time.Time
	period time.Duration
}

func newPacer(rate int) *pacer {
	return &pacer{start: time.Now(), period: time.Second / time.Duration(rate)}
}

// wait returns when call i is due.
func (p *pacer) wait(i int64) {
	if d := time.Until(p.start.Add(time.Duration(i) * p.period)); d > 0 {
		time.Sleep(d)
	}
}

// slowWriter is a disk that takes delay for every write.
type slowWriter struct {
	w     io.Writer
	delay time.Duration
}

func (s slowWriter) Write(p []byte) (int, error) {
	time.Sleep(s.delay)
	return s.w.Write(p)
}
