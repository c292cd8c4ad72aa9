//go:build linux

package faults

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/slogreq/slogreq/slogreq"
)

// ageWriter is a disk that takes a while per write and notes, for each line
// it writes, how long ago the record was made (its "time" field).
type ageWriter struct {
	delay time.Duration
	mu    sync.Mutex
	ages  latHist
}

func (a *ageWriter) Write(p []byte) (int, error) {
	time.Sleep(a.delay)
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for l := range bytes.Lines(p) {
		var r struct {
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal(l, &r); err != nil {
			return 0, err
		}
		a.ages.add(now.Sub(r.Time))
	}
	return len(p), nil
}

var _ io.Writer = (*ageWriter)(nil)

// TestFlushIntervalBoundsWait checks the promise behind the kill -9 bound:
// while the disk keeps up, a record waits in the ring at most
// FlushInterval, then for the write that takes it (and for the write just
// before, when the ring has wrapped and is written in two runs). A steady
// trickle of records, well under what the disk can take, goes through a
// disk whose writes take a few milliseconds, for long enough that the ring
// wraps around several times: a writer that lingered a second interval
// after the first run of a wrapped ring made percents of the records wait
// up to twice the interval.
func TestFlushIntervalBoundsWait(t *testing.T) {
	const (
		flush = 250 * time.Millisecond
		delay = 5 * time.Millisecond  // per write
		every = 2 * time.Millisecond  // between records
		slack = 40 * time.Millisecond // scheduling
	)
	a := &ageWriter{delay: delay}
	// A flush interval's records (about 12 KiB) stay under a quarter of the
	// ring, so that the interval, not the ring's fill level, decides when
	// the writer writes; the ring wraps every second or so.
	h := slogreq.NewHandler(a, &slogreq.Options{BufferSize: 64 << 10, FlushInterval: flush})
	l := slog.New(h)
	run := pick(4*time.Second, 10*time.Second)
	pace := newPacer(int(time.Second / every))
	for i, start := int64(0), time.Now(); time.Since(start) < run; i++ {
		pace.wait(i)
		l.Info("steady", "i", i)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	limit := flush + 2*delay + slack
	t.Logf("%d records: wait p50 %v, p99 %v, max %v (FlushInterval %v, %v per write)",
		a.ages.n, a.ages.quantile(0.5), a.ages.quantile(0.99), a.ages.max, flush, delay)
	// The 99th percentile rather than the maximum, so that one late
	// wake-up on a busy machine does not fail the test.
	if p99 := a.ages.quantile(0.99); p99 > limit {
		t.Errorf("records waited up to %v to be written (99th percentile; max %v); FlushInterval is %v and a write takes %v: want at most %v",
			p99, a.ages.max, flush, delay, limit)
	}
}
