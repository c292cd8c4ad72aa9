package slogreq

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Backoff between retries of a failed Write.
const (
	minRetryBackoff = 10 * time.Millisecond
	maxRetryBackoff = time.Second
)

// core is what a Handler and all handlers derived from it share: the ring,
// the writer goroutine and the counters. One mutex guards all its state;
// the hand-off holds it only to copy a line into the ring.
type core struct {
	w    io.Writer
	opts Options
	root *encoder // for the writer's own report records

	mu      sync.Mutex
	ring    ring
	notFull sync.Cond // Block callers wait here for room
	blocked int       // callers waiting on notFull

	wake   chan struct{} // capacity 1: a token asks the writer to look
	parked bool          // the writer waits for wake with an empty ring
	kicked bool          // a token for the current batch was already sent
	wakeAt int           // bytes in the ring that make the writer write now

	closed    bool          // Close was called: accept nothing more
	failing   bool          // the last Write failed and is being retried
	flushing  int           // Flush calls waiting; the writer does not linger
	progress  chan struct{} // closed when written advances, if anyone waits
	abandon   chan struct{} // closed when Shutdown's context ends
	closeOnce sync.Once
	closeErr  error         // the first Close or Shutdown's result
	done      chan struct{} // closed when the writer goroutine returns

	accepted, dropped, written, writeErrors, truncated, reports uint64

	// Not yet reported in the output.
	newDrops, newErrors uint64
	lastErr             error
}

func newCore(w io.Writer, o Options, root *encoder) *core {
	c := &core{
		w:       w,
		opts:    o,
		root:    root,
		ring:    ring{buf: make([]byte, o.BufferSize)},
		wake:    make(chan struct{}, 1),
		wakeAt:  o.BufferSize / 4,
		abandon: make(chan struct{}),
		done:    make(chan struct{}),
	}
	c.notFull.L = &c.mu
	go c.run()
	return c
}

// signal hands the writer a wake token unless one is already waiting.
// Called with mu held.
func (c *core) signal() {
	c.parked = false
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// enqueue copies line into the ring, waiting for room under Block.
func (c *core) enqueue(line []byte, truncated bool) error {
	c.mu.Lock()
	for {
		if c.closed {
			c.dropped++
			c.mu.Unlock()
			return ErrClosed
		}
		if c.ring.push(line) {
			c.accepted++
			if truncated {
				c.truncated++
			}
			switch {
			case c.parked:
				// Wake the writer, which lingers to gather a batch: a
				// caller never pays a goroutine switch per record.
				c.signal()
			case !c.kicked && c.ring.used >= c.wakeAt:
				// Enough for a batch: write it now.
				c.kicked = true
				c.signal()
			}
			c.mu.Unlock()
			return nil
		}
		// No room: whatever the bytes in use, the writer must not linger
		// (a wrapped ring can be full with little in use).
		if !c.kicked {
			c.kicked = true
			c.signal()
		}
		if c.opts.OnFull == DropNewest || c.failing {
			c.dropped++
			c.newDrops++
			c.mu.Unlock()
			return nil
		}
		c.blocked++
		c.notFull.Wait()
		c.blocked--
	}
}

// run is the writer goroutine: it waits for lines, lingers up to
// FlushInterval to gather a batch, writes each run of whole lines with one
// Write, and reports drops and errors once writing works.
func (c *core) run() {
	defer close(c.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	// since is when the oldest record in the ring can have been accepted at
	// the earliest: when the writer woke for it, or took the last batch.
	// Lingering until since+FlushInterval bounds every record's wait by
	// FlushInterval plus one Write, whatever the load.
	since := time.Now()
	rest := false // the last batch left older lines behind (the ring had wrapped)
	for {
		for c.ring.used == 0 && !c.closed {
			c.parked = true
			c.mu.Unlock()
			<-c.wake
			since = time.Now()
			c.mu.Lock()
		}
		if c.ring.used == 0 { // closed and drained
			return
		}
		if !rest && !c.closed && c.flushing == 0 && c.blocked == 0 && !c.kicked && c.ring.used < c.wakeAt {
			if d := c.opts.FlushInterval - time.Since(since); d > 0 {
				c.mu.Unlock()
				timer.Reset(d)
				select {
				case <-c.wake:
				case <-timer.C:
				}
				timer.Stop()
				c.mu.Lock()
			}
		}
		c.kicked = false
		batch := c.ring.peek()
		rest = c.ring.wrapped // region B waits behind this batch: write it next, at once
		if !rest {
			since = time.Now()
		}
		c.mu.Unlock()
		n, ok := c.write(batch)
		lines := bytes.Count(batch[:n], newline)
		c.mu.Lock()
		c.ring.consume(n, lines)
		c.written += uint64(lines)
		if c.blocked > 0 {
			c.notFull.Broadcast()
		}
		if c.progress != nil {
			close(c.progress)
			c.progress = nil
		}
		if !ok {
			return
		}
		if c.newDrops > 0 || c.newErrors > 0 {
			c.report()
		}
	}
}

var newline = []byte{'\n'}

// write writes p whole, completing short writes and retrying errors with
// backoff, until it succeeds or Shutdown gives up (ok false). It returns how
// many bytes were written.
func (c *core) write(p []byte) (n int, ok bool) {
	backoff := minRetryBackoff
	var retry *time.Timer
	for n < len(p) {
		select {
		case <-c.abandon:
			return n, false
		default:
		}
		m, err := safeWrite(c.w, p[n:])
		n += m
		if err == nil && m == 0 {
			err = io.ErrShortWrite // a Writer that neither writes nor fails
		}
		if err == nil {
			continue // a short write with no error: write the rest
		}
		c.mu.Lock()
		c.writeErrors++
		c.newErrors++
		c.lastErr = err
		if !c.failing {
			c.failing = true
			// Block callers waiting for room drop instead while writes fail.
			c.notFull.Broadcast()
		}
		c.mu.Unlock()
		if c.opts.OnError != nil {
			c.opts.OnError(err)
		}
		if retry == nil {
			retry = time.NewTimer(backoff)
		} else {
			retry.Reset(backoff)
		}
		select {
		case <-retry.C:
		case <-c.abandon:
			return n, false
		}
		backoff = min(2*backoff, maxRetryBackoff)
	}
	if retry != nil {
		c.mu.Lock()
		c.failing = false
		c.mu.Unlock()
	}
	return n, true
}

// safeWrite calls w.Write, turning a panic or an impossible count into an
// error so that a broken Writer cannot kill the writer goroutine.
func safeWrite(w io.Writer, p []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("slogreq: Write panicked: %v", r)
		}
	}()
	n, err = w.Write(p)
	if n < 0 || n > len(p) {
		return 0, fmt.Errorf("slogreq: Write returned count %d for %d bytes", n, len(p))
	}
	return n, err
}

// report writes one record about the drops and write errors not yet
// reported. Called with mu held; it is released during the Write. A failed
// report is counted and the numbers are kept for the next one.
func (c *core) report() {
	drops, errs, last := c.newDrops, c.newErrors, c.lastErr
	c.mu.Unlock()
	msg := "slogreq: write errors"
	if drops > 0 {
		msg = "slogreq: dropped records"
	}
	r := slog.NewRecord(time.Now(), slog.LevelWarn, msg, 0)
	r.AddAttrs(slog.Uint64("dropped", drops), slog.Uint64("write_errors", errs))
	if last != nil {
		r.AddAttrs(slog.String("last_error", last.Error()))
	}
	s := c.root.newState(nil, false)
	s.appendLine(&r)
	s.free()
	_, err := safeWrite(c.w, s.buf)
	c.mu.Lock()
	if err != nil {
		c.writeErrors++
		c.newErrors++
		c.lastErr = err
		return
	}
	c.reports++
	c.newDrops -= drops
	c.newErrors -= errs
}

// flush waits until every record accepted before the call is written.
func (c *core) flush(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	target := c.accepted
	if c.written >= target {
		return nil
	}
	c.flushing++
	defer func() { c.flushing-- }()
	c.signal()
	for c.written < target {
		select {
		case <-c.done:
			return fmt.Errorf("slogreq: flush: writer stopped with %d records unwritten", target-c.written)
		default:
		}
		if c.progress == nil {
			c.progress = make(chan struct{})
		}
		progress := c.progress
		c.mu.Unlock()
		select {
		case <-progress:
			c.mu.Lock()
		case <-ctx.Done():
			c.mu.Lock()
			if c.written >= target {
				return nil
			}
			return fmt.Errorf("slogreq: flush: %d records not yet written: %w", target-c.written, context.Cause(ctx))
		}
	}
	return nil
}

// shutdown stops accepting records and waits for the writer to drain the
// ring and return, or for ctx to end. Only the first call does so; later
// calls (concurrent ones wait for it) return its result.
func (c *core) shutdown(ctx context.Context) error {
	c.closeOnce.Do(func() { c.closeErr = c.shutdownOnce(ctx) })
	return c.closeErr
}

func (c *core) shutdownOnce(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.notFull.Broadcast() // waiting callers give up with ErrClosed
	c.signal()
	c.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
		close(c.abandon)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lost := c.accepted - c.written
	switch {
	case lost == 0:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("slogreq: close: %d accepted records not written: %w", lost, context.Cause(ctx))
	default:
		return fmt.Errorf("slogreq: close: %d accepted records not written", lost)
	}
}
