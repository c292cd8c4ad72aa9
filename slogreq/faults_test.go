package slogreq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// gateWriter is an io.Writer whose test can stall it, make it fail, or
// make it write a few bytes at a time.
type gateWriter struct {
	mu       sync.Mutex
	cond     *sync.Cond
	stalled  bool
	inWrite  bool
	failures int   // fail this many Writes more
	err      error // what they return
	maxWrite int   // write at most this many bytes per call (0: all)
	panics   int   // panic in this many Writes more
	buf      bytes.Buffer
	writes   int
}

func newGateWriter() *gateWriter {
	g := &gateWriter{err: syscall.ENOSPC}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *gateWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inWrite = true
	g.cond.Broadcast()
	for g.stalled {
		g.cond.Wait()
	}
	g.inWrite = false
	g.writes++
	if g.panics > 0 {
		g.panics--
		panic("disk on fire")
	}
	if g.failures > 0 {
		g.failures--
		return 0, g.err
	}
	if g.maxWrite > 0 && len(p) > g.maxWrite {
		p = p[:g.maxWrite]
	}
	return g.buf.Write(p)
}

func (g *gateWriter) stall() {
	g.mu.Lock()
	g.stalled = true
	g.mu.Unlock()
}

// waitInWrite waits until the writer goroutine is stuck in a stalled Write.
func (g *gateWriter) waitInWrite() {
	g.mu.Lock()
	for !g.inWrite {
		g.cond.Wait()
	}
	g.mu.Unlock()
}

func (g *gateWriter) unstall() {
	g.mu.Lock()
	g.stalled = false
	g.cond.Broadcast()
	g.mu.Unlock()
}

func (g *gateWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

type logLine struct {
	Msg         string `json:"msg"`
	Level       string `json:"level"`
	P, I        int
	Dropped     uint64 `json:"dropped"`
	WriteErrors uint64 `json:"write_errors"`
	LastError   string `json:"last_error"`
}

func parseLines(t testing.TB, out string) (records []logLine, reports []logLine) {
	t.Helper()
	for _, l := range mustValidLines(t, out) {
		var ll logLine
		if err := json.Unmarshal([]byte(l), &ll); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(ll.Msg, "slogreq: ") {
			reports = append(reports, ll)
		} else {
			records = append(records, ll)
		}
	}
	return records, reports
}

func TestDropNewestNeverWaitsAndReportsDrops(t *testing.T) {
	g := newGateWriter()
	h := NewHandler(g, &Options{OnFull: DropNewest, BufferSize: MinBufferSize, FlushInterval: time.Millisecond})
	l := slog.New(h)
	l.Info("first")
	mustFlush(t, h)
	g.stall()
	l.Info("stuck") // the writer takes this batch and stalls in Write
	g.waitInWrite()
	const n = 2000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			l.Info("r", "i", i, "pad", strings.Repeat("x", 100))
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("DropNewest callers waited for a stalled writer")
	}
	s := h.Stats()
	if s.Dropped == 0 || s.Accepted+s.Dropped != n+2 {
		t.Fatalf("stats %+v: want drops and Accepted+Dropped = %d", s, n+2)
	}
	g.unstall()
	mustClose(t, h)
	records, reports := parseLines(t, g.String())
	if uint64(len(records)) != s.Accepted {
		t.Fatalf("%d records on output, %d accepted", len(records), s.Accepted)
	}
	var reported uint64
	for _, r := range reports {
		if r.Msg != "slogreq: dropped records" || r.Level != "WARN" {
			t.Errorf("unexpected report %+v", r)
		}
		reported += r.Dropped
	}
	if reported != s.Dropped {
		t.Fatalf("reports say %d dropped, stats say %d", reported, s.Dropped)
	}
	if final := h.Stats(); final.Reports != uint64(len(reports)) || final.Written != s.Accepted {
		t.Fatalf("final stats %+v, %d reports", final, len(reports))
	}
}

func TestBlockWaitsForStalledWriterAndLosesNothing(t *testing.T) {
	g := newGateWriter()
	h := NewHandler(g, &Options{BufferSize: MinBufferSize, FlushInterval: time.Millisecond})
	l := slog.New(h)
	g.stall()
	l.Info("stuck")
	g.waitInWrite()
	const n = 500
	var handled atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			l.Info("r", "i", i, "pad", strings.Repeat("x", 100))
			handled.Add(1)
		}
	}()
	// The ring holds about 30 such records: the caller must be waiting.
	deadline := time.Now().Add(10 * time.Second)
	for h.Stats().Accepted < 20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if handled.Load() == n {
		t.Fatal("all records were accepted while the writer was stalled: Block did not wait")
	}
	g.unstall()
	<-done
	mustClose(t, h)
	records, reports := parseLines(t, g.String())
	if len(records) != n+1 || len(reports) != 0 {
		t.Fatalf("%d records and %d reports, want %d and 0", len(records), len(reports), n+1)
	}
	for i, r := range records[1:] {
		if r.I != i {
			t.Fatalf("record %d has i=%d: out of order or lost", i, r.I)
		}
	}
	if s := h.Stats(); s.Dropped != 0 || s.Written != n+1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestWriteErrorsAreRetriedCountedAndReported(t *testing.T) {
	g := newGateWriter()
	g.failures = 3
	var mu sync.Mutex
	var seen []error
	h := NewHandler(g, &Options{FlushInterval: time.Millisecond, OnError: func(err error) {
		mu.Lock()
		seen = append(seen, err)
		mu.Unlock()
	}})
	l := slog.New(h)
	for i := range 10 {
		l.Info("r", "i", i)
	}
	mustClose(t, h)
	records, reports := parseLines(t, g.String())
	if len(records) != 10 {
		t.Fatalf("%d records written, want 10 (errors must be retried)", len(records))
	}
	if len(reports) != 1 || reports[0].WriteErrors != 3 || !strings.Contains(reports[0].LastError, "no space left") {
		t.Fatalf("reports %+v: want one report of 3 write errors", reports)
	}
	if s := h.Stats(); s.WriteErrors != 3 || s.Written != 10 || s.Dropped != 0 {
		t.Fatalf("stats %+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || !errors.Is(seen[0], syscall.ENOSPC) {
		t.Fatalf("OnError saw %v, want 3 ENOSPC", seen)
	}
}

func TestBlockDoesNotHangWhileWritesFail(t *testing.T) {
	g := newGateWriter()
	g.failures = 1 << 30 // the disk stays full
	h := NewHandler(g, &Options{BufferSize: MinBufferSize, FlushInterval: time.Millisecond})
	l := slog.New(h)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			l.Info("r", "i", i, "pad", strings.Repeat("x", 100))
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Block callers hang while every Write fails")
	}
	s := h.Stats()
	if s.Dropped == 0 || s.Accepted+s.Dropped != 1000 {
		t.Fatalf("stats %+v", s)
	}
	// Space returns: everything accepted is written, and the drops reported.
	g.mu.Lock()
	g.failures = 0
	g.mu.Unlock()
	mustClose(t, h)
	records, reports := parseLines(t, g.String())
	if uint64(len(records)) != s.Accepted || len(reports) == 0 {
		t.Fatalf("%d records, %d reports; accepted %d", len(records), len(reports), s.Accepted)
	}
	var dropped uint64
	for _, r := range reports {
		dropped += r.Dropped
	}
	if dropped != s.Dropped {
		t.Fatalf("reported %d drops, counted %d", dropped, s.Dropped)
	}
}

func TestShortWritesAreCompleted(t *testing.T) {
	g := newGateWriter()
	g.maxWrite = 7
	h := NewHandler(g, nil)
	l := slog.New(h)
	for i := range 50 {
		l.Info("short", "i", i)
	}
	mustClose(t, h)
	records, _ := parseLines(t, g.String())
	if len(records) != 50 {
		t.Fatalf("%d records, want 50", len(records))
	}
	if s := h.Stats(); s.WriteErrors != 0 {
		t.Fatalf("short writes counted as errors: %+v", s)
	}
}

func TestWriterPanicIsAnError(t *testing.T) {
	g := newGateWriter()
	g.panics = 1
	h := NewHandler(g, &Options{FlushInterval: time.Millisecond})
	slog.New(h).Info("survives")
	mustClose(t, h)
	records, reports := parseLines(t, g.String())
	if len(records) != 1 || len(reports) != 1 || !strings.Contains(reports[0].LastError, "panicked") {
		t.Fatalf("records %+v reports %+v", records, reports)
	}
}

func TestFlushDeadlineSaysHowManyArePending(t *testing.T) {
	g := newGateWriter()
	h := NewHandler(g, nil)
	l := slog.New(h)
	g.stall()
	for i := range 5 {
		l.Info("r", "i", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := h.Flush(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "5 records not yet written") {
		t.Fatalf("Flush = %v, want a deadline error naming 5 records", err)
	}
	g.unstall()
	mustFlush(t, h)
	mustClose(t, h)
}

func TestShutdownDeadlineWithStuckWriter(t *testing.T) {
	g := newGateWriter()
	h := NewHandler(g, nil)
	l := slog.New(h)
	g.stall()
	for i := range 3 {
		l.Info("r", "i", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := h.Shutdown(ctx)
	if err == nil || !strings.Contains(err.Error(), "3 accepted records not written") {
		t.Fatalf("Shutdown = %v, want an error naming 3 records", err)
	}
	if err := l.Handler().Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "late", 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Handle after Shutdown = %v", err)
	}
	// The goroutine leaves as soon as the stuck Write returns (goleak in
	// TestMain checks that nothing is left).
	g.unstall()
	<-h.core.done
	// Idempotent: a later Close returns the first call's result.
	if again := h.Close(); again == nil || again.Error() != err.Error() || !errors.Is(again, context.DeadlineExceeded) {
		t.Fatalf("Close after Shutdown = %v, want %v", again, err)
	}
}

// TestNothingLost is the promise in numbers: N goroutines × M records, then
// Close; every accepted record is on the output exactly once, in each
// producer's order, and Accepted + Dropped = N×M.
func TestNothingLost(t *testing.T) {
	for _, policy := range []Policy{Block, DropNewest} {
		t.Run(policy.String(), func(t *testing.T) {
			const producers, perProducer = 4, 5000
			g := newGateWriter()
			g.maxWrite = 4096 // a slow-ish writer, so that DropNewest drops
			h := NewHandler(g, &Options{OnFull: policy, BufferSize: 16 << 10})
			l := slog.New(h)
			var wg sync.WaitGroup
			for p := range producers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perProducer {
						l.Info("r", "p", p, "i", i)
					}
				}()
			}
			wg.Wait()
			mustClose(t, h)
			s := h.Stats()
			if s.Accepted+s.Dropped != producers*perProducer {
				t.Fatalf("Accepted %d + Dropped %d != %d", s.Accepted, s.Dropped, producers*perProducer)
			}
			if policy == Block && s.Dropped != 0 {
				t.Fatalf("Block dropped %d", s.Dropped)
			}
			records, reports := parseLines(t, g.String())
			if uint64(len(records)) != s.Accepted || s.Written != s.Accepted {
				t.Fatalf("%d lines, stats %+v", len(records), s)
			}
			last := make([]int, producers)
			for i := range last {
				last[i] = -1
			}
			for _, r := range records {
				if r.I <= last[r.P] {
					t.Fatalf("producer %d: record %d after %d (duplicate or reordered)", r.P, r.I, last[r.P])
				}
				if policy == Block && r.I != last[r.P]+1 {
					t.Fatalf("producer %d: record %d missing", r.P, last[r.P]+1)
				}
				last[r.P] = r.I
			}
			var reported uint64
			for _, r := range reports {
				reported += r.Dropped
			}
			if reported != s.Dropped {
				t.Fatalf("reported %d drops, counted %d", reported, s.Dropped)
			}
			t.Logf("%s: accepted %d, dropped %d, %d writes", policy, s.Accepted, s.Dropped, g.writes)
		})
	}
}

func TestTruncation(t *testing.T) {
	var buf syncBuffer
	const max = 1000
	h := NewHandler(&buf, &Options{MaxRecordSize: max, ReplaceAttr: dropTimeAttr})
	l := slog.New(h)
	big := strings.Repeat("é\"", 2000)
	l.Info("small", "a", 1)
	l.Info("long value", "a", 1, "big", big, "after", 2)
	l.Info(big)
	l.With("w", big).Info("long prefix", "r", 1)
	l.WithGroup("g").Info("in group", "x", 1, slog.Group("h", "big", big))
	l.Info("long non-string", "list", make([]int, 1000))
	mustClose(t, h)
	ls := mustValidLines(t, buf.String())
	if len(ls) != 6 {
		t.Fatalf("%d lines, want 6", len(ls))
	}
	for i, l := range ls {
		if len(l)+1 > max {
			t.Errorf("line %d is %d bytes, over %d", i, len(l)+1, max)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(l), &m)
		size, marked := m[TruncatedKey].(float64)
		if marked != (i > 0) || marked && size <= max {
			t.Errorf("line %d: marker %v (%v), want one with the full size iff truncated: %s", i, marked, size, l)
		}
	}
	if !strings.HasPrefix(ls[1], `{"level":"INFO","msg":"long value","a":1,"big":"é\"`) || strings.Contains(ls[1], `"after"`) {
		t.Errorf("long value not cut in place: %s", ls[1])
	}
	if !strings.Contains(ls[4], `"g":{"x":1,"h":{"big":"`) || !strings.Contains(ls[4], fmt.Sprintf(`"}},"%s":`, TruncatedKey)) {
		t.Errorf("group not closed before the marker: %s", ls[4])
	}
	if s := h.Stats(); s.Truncated != 5 || s.Written != 6 {
		t.Fatalf("stats %+v", s)
	}
}
