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
	"testing"
	"testing/slogtest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestSlogtest(t *testing.T) {
	type state struct {
		h   *Handler
		buf *syncBuffer
	}
	var mu sync.Mutex
	states := map[*testing.T]state{}
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		buf := &syncBuffer{}
		h := NewHandler(buf, nil)
		t.Cleanup(func() { mustClose(t, h) })
		mu.Lock()
		states[t] = state{h, buf}
		mu.Unlock()
		return h
	}, func(t *testing.T) map[string]any {
		mu.Lock()
		st := states[t]
		mu.Unlock()
		mustFlush(t, st.h)
		ls := mustValidLines(t, st.buf.String())
		if len(ls) != 1 {
			t.Fatalf("want 1 line, got %d: %q", len(ls), ls)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ls[0]), &m); err != nil {
			t.Fatal(err)
		}
		return m
	})
}

// Sibling loggers derived from one parent must each keep their own
// attributes, even when the parent's prefix has spare capacity.
func TestSiblingsDoNotShareAttrs(t *testing.T) {
	var buf syncBuffer
	h := NewHandler(&buf, &Options{ReplaceAttr: dropTimeAttr})
	defer mustClose(t, h)
	parent := slog.New(h).With("p", 1).WithGroup("g").With("q", 2)
	a := parent.With("child", "a")
	b := parent.With("child", "b")
	a.Info("m")
	b.Info("m")
	a.Info("m", "x", 1)
	mustFlush(t, h)
	want := `{"level":"INFO","msg":"m","p":1,"g":{"q":2,"child":"a"}}
{"level":"INFO","msg":"m","p":1,"g":{"q":2,"child":"b"}}
{"level":"INFO","msg":"m","p":1,"g":{"q":2,"child":"a","x":1}}
`
	if got := buf.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func dropTimeAttr(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}

// Derivations and records on many goroutines at once: run with -race.
func TestConcurrentWithAndHandle(t *testing.T) {
	var buf syncBuffer
	h := NewHandler(&buf, &Options{BufferSize: 8 << 10})
	root := slog.New(h).With("root", true)
	const goroutines, records = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := root.WithGroup(fmt.Sprint("g", g))
			for i := range records {
				l = l.With("i", i)
				l.Info("m", "g", g)
			}
		}()
	}
	wg.Wait()
	mustClose(t, h)
	ls := mustValidLines(t, buf.String())
	if len(ls) != goroutines*records {
		t.Fatalf("got %d lines, want %d", len(ls), goroutines*records)
	}
	for _, l := range ls {
		var m map[string]any
		_ = json.Unmarshal([]byte(l), &m)
		if m["root"] != true {
			t.Fatalf("line lost its root attribute: %s", l)
		}
	}
}

func TestHandleAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector (CI runs this test without -race)")
	}
	h := NewHandler(discard{}, &Options{BufferSize: 1 << 20})
	defer mustClose(t, h)
	l := slog.New(h)
	err := errors.New("boom")
	ctx := context.Background()
	attrs := []slog.Attr{
		slog.String("s", "v"), slog.Int("i", 1), slog.Int64("i64", 2), slog.Uint64("u", 3),
		slog.Float64("f", 1.5), slog.Bool("b", true), slog.Duration("d", time.Second),
		slog.Time("t", testTime), slog.Any("err", err),
	}
	r := slog.NewRecord(testTime, slog.LevelInfo, "msg", 0)
	r.AddAttrs(attrs[:5]...) // inline in the Record
	r.AddAttrs(attrs[5:]...)
	with := h.WithAttrs(attrs).WithGroup("g")
	for name, f := range map[string]func(){
		"Handle":             func() { _ = h.Handle(ctx, r) },
		"Handle with prefix": func() { _ = with.Handle(ctx, r) },
		"ReplaceAttr":        nil,
	} {
		if f == nil {
			continue
		}
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocs per record, want 0", name, n)
		}
	}
	// The same through slog.Logger: only slog's own Record attrs slice may
	// allocate (it holds more than five attributes inline).
	if n := testing.AllocsPerRun(1000, func() {
		l.LogAttrs(ctx, slog.LevelInfo, "msg", attrs[:5]...)
	}); n != 0 {
		t.Errorf("Logger.LogAttrs with 5 attrs: %v allocs, want 0", n)
	}
	rh := NewHandler(discard{}, &Options{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return a }})
	defer mustClose(t, rh)
	if n := testing.AllocsPerRun(1000, func() { _ = rh.Handle(ctx, r) }); n != 0 {
		t.Errorf("Handle with ReplaceAttr: %v allocs, want 0", n)
	}
}

// discard is io.Discard without the io package's ReadFrom fast paths.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestHandleAfterClose(t *testing.T) {
	h := NewHandler(&syncBuffer{}, nil)
	mustClose(t, h)
	mustClose(t, h) // idempotent
	err := slog.New(h).Handler().Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "late", 0))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Handle after Close = %v, want ErrClosed", err)
	}
	if s := h.Stats(); s.Dropped != 1 || s.Accepted != 0 {
		t.Fatalf("stats %+v, want 1 dropped", s)
	}
}

func TestEnabled(t *testing.T) {
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelWarn)
	h := NewHandler(&syncBuffer{}, &Options{Level: lv})
	defer mustClose(t, h)
	ctx := context.Background()
	if h.Enabled(ctx, slog.LevelInfo) || !h.Enabled(ctx, slog.LevelWarn) {
		t.Fatal("Enabled does not follow Options.Level")
	}
	lv.Set(slog.LevelDebug)
	if !h.Enabled(ctx, slog.LevelDebug) {
		t.Fatal("Enabled does not follow a LevelVar change")
	}
	d := NewHandler(&syncBuffer{}, nil)
	defer mustClose(t, d)
	if d.Enabled(ctx, slog.LevelDebug) || !d.Enabled(ctx, slog.LevelInfo) {
		t.Fatal("default level is not Info")
	}
}

func TestFlushWritesWithoutWaitingForInterval(t *testing.T) {
	var buf syncBuffer
	h := NewHandler(&buf, &Options{FlushInterval: time.Hour})
	defer mustClose(t, h)
	slog.New(h).Info("one")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"msg":"one"`) {
		t.Fatalf("Flush returned before the record was written: %q", buf.String())
	}
}

func TestFlushIntervalWritesOnItsOwn(t *testing.T) {
	var buf syncBuffer
	h := NewHandler(&buf, &Options{FlushInterval: 10 * time.Millisecond})
	defer mustClose(t, h)
	slog.New(h).Info("one")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "one") {
		if time.Now().After(deadline) {
			t.Fatal("the record was not written within 5s with a 10ms FlushInterval")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWritesAreWholeLines(t *testing.T) {
	w := &lineChecker{}
	h := NewHandler(w, &Options{BufferSize: MinBufferSize, MaxRecordSize: 1000})
	l := slog.New(h)
	for i := range 5000 {
		l.Info("m", "i", i, "pad", strings.Repeat("x", i%700))
	}
	mustClose(t, h)
	if w.err != nil {
		t.Fatal(w.err)
	}
	if w.lines != 5000 {
		t.Fatalf("got %d lines, want 5000", w.lines)
	}
	if w.writes >= 5000 {
		t.Errorf("%d writes for 5000 lines: the writer does not batch", w.writes)
	}
}

// lineChecker fails if a Write holds anything but whole lines.
type lineChecker struct {
	mu                   sync.Mutex
	writes, lines, bytes int
	err                  error
}

func (c *lineChecker) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	if len(p) == 0 || p[len(p)-1] != '\n' {
		c.err = fmt.Errorf("write %d does not end in a newline: %q", c.writes, p)
	}
	for _, l := range bytes.Split(p[:len(p)-1], []byte{'\n'}) {
		if !json.Valid(l) {
			c.err = fmt.Errorf("write %d holds a partial line: %q", c.writes, l)
		}
		c.lines++
	}
	c.bytes += len(p)
	return len(p), nil
}
