//go:build linux

package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// stallWriter passes writes to w except while stalled, when a Write waits
// until the stall ends: a disk that hangs (an NFS server gone, a device
// resetting) without failing.
type stallWriter struct {
	w       io.Writer
	mu      sync.Mutex
	cond    sync.Cond
	stalled bool
	held    bool // a Write is waiting for the stall to end
}

func newStallWriter(w io.Writer) *stallWriter {
	s := &stallWriter{w: w}
	s.cond.L = &s.mu
	return s
}

func (s *stallWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	for s.stalled {
		s.held = true
		s.cond.Broadcast()
		s.cond.Wait()
	}
	s.held = false
	s.mu.Unlock()
	return s.w.Write(p)
}

func (s *stallWriter) stall() {
	s.mu.Lock()
	s.stalled = true
	s.mu.Unlock()
}

func (s *stallWriter) resume() {
	s.mu.Lock()
	s.stalled = false
	s.cond.Broadcast()
	s.mu.Unlock()
}

// waitHeld waits until the handler's writer is stuck in a stalled Write.
func (s *stallWriter) waitHeld(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.held {
		if time.Now().After(deadline) {
			t.Fatalf("the handler did not write within %v", d)
		}
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
		s.mu.Lock()
	}
}

// stallRun is one run of the stalled-disk fault: two producers log as fast
// as they can into a handler over a stallWriter over a rotate.Writer; after
// a warm-up the disk stalls for the stall time, then runs again for a while.
type stallRun struct {
	t      *testing.T
	dir    string
	rw     *rotate.Writer
	sw     *stallWriter
	h      *slogreq.Handler
	ps     []*producer
	during latHist // latencies of the calls that overlapped the stall

	base, peak memUse
	stallStart time.Time
	stallEnd   time.Time
	elapsed    time.Duration
	statsAt    [2]slogreq.Stats // at the start and the end of the stall
}

// run does the run; midStall, if not nil, is called halfway through the
// stall.
func runStall(t *testing.T, policy slogreq.Policy, stall time.Duration, midStall func(*stallRun)) *stallRun {
	r := &stallRun{t: t, dir: t.TempDir()}
	r.base = baselineMem()
	var err error
	r.rw, err = rotate.New(rotate.Options{Filename: logPath(r.dir), MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	r.sw = newStallWriter(r.rw)
	r.h = slogreq.NewHandler(r.sw, &slogreq.Options{OnFull: policy, BufferSize: 256 << 10})
	mem := startMemPeak()

	var stop atomic.Bool
	// The stall's start and end in Unix nanoseconds, 0 until they happen,
	// for the producers to tell which calls overlapped the stall.
	var stallFrom, stallTo atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := time.Now()
	for k := range 2 {
		p := newProducer(k, r.h)
		r.ps = append(r.ps, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var during latHist
			for i := int64(0); !stop.Load(); i++ {
				t0 := time.Now().UnixNano()
				p.log("stall", i)
				t1 := t0 + int64(p.last)
				if from, to := stallFrom.Load(), stallTo.Load(); from != 0 && t1 > from && (to == 0 || t0 < to) {
					during.add(p.last)
				}
			}
			mu.Lock()
			r.during.merge(&during)
			mu.Unlock()
		}()
	}

	time.Sleep(200 * time.Millisecond)
	r.sw.stall()
	r.stallStart = time.Now()
	stallFrom.Store(r.stallStart.UnixNano())
	r.statsAt[0] = r.h.Stats()
	r.sw.waitHeld(t, 5*time.Second)
	time.Sleep(stall / 2)
	if midStall != nil {
		midStall(r)
	}
	time.Sleep(time.Until(r.stallStart.Add(stall)))
	r.statsAt[1] = r.h.Stats()
	r.stallEnd = time.Now()
	stallTo.Store(r.stallEnd.UnixNano())
	r.sw.resume()
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	if err := r.h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	r.elapsed = time.Since(start)
	r.peak = mem.Stop()
	if err := r.rw.Close(); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFault2Stall stalls the disk for seconds under two producers that log
// as fast as they can. DropNewest callers must never wait; every drop must
// be counted, match the records actually missing, and be reported in the
// file once the stall ends. Block callers must wait for the stall and then
// lose nothing; a Flush with a deadline during the stall must return on
// time saying how many records are pending.
func TestFault2Stall(t *testing.T) {
	stall := pick(time.Second, 5*time.Second)

	t.Run("DropNewest", func(t *testing.T) {
		r := runStall(t, slogreq.DropNewest, stall, nil)
		d := readLogDir(t, r.dir, "stall")
		st := r.h.Stats()
		sent := uint64(0)
		for _, p := range r.ps {
			sent += uint64(p.sent)
			checkInOrder(t, d, p.id, p.sent)
		}
		onDisk := uint64(d.records())
		if st.Accepted != onDisk || st.Written != onDisk {
			t.Errorf("stats %+v; want Accepted and Written equal to the %d records on disk", st, onDisk)
		}
		if st.Dropped != sent-onDisk {
			t.Errorf("Stats.Dropped = %d; %d of %d records are missing from the files", st.Dropped, sent-onDisk, sent)
		}
		reported, _ := d.reported()
		if reported != st.Dropped {
			t.Errorf("report lines say %d dropped; Stats.Dropped = %d", reported, st.Dropped)
		}
		inStall := r.statsAt[1].Dropped - r.statsAt[0].Dropped
		if inStall == 0 {
			t.Errorf("no record dropped during a %v stall of the disk", stall)
		}
		var after uint64
		var first *line
		for i, l := range d.Reports {
			if !l.Time.Before(r.stallStart) {
				after += l.Dropped
			}
			if first == nil && !l.Time.Before(r.stallEnd) && l.Dropped > 0 {
				first = &d.Reports[i]
			}
		}
		if first == nil {
			t.Errorf("no report line of dropped records after the stall ended; reports: %+v", d.Reports)
		} else {
			t.Logf("first report after the stall, %v after it ended: %d dropped", first.Time.Sub(r.stallEnd).Round(time.Microsecond), first.Dropped)
		}
		if after < inStall {
			t.Errorf("report lines from the stall on say %d dropped; %d were dropped during the stall", after, inStall)
		}
		// A caller that waited for the disk would wait about the stall.
		if limit := stall / 2; r.during.max >= limit {
			t.Errorf("a DropNewest call took %v during the stall; want under %v", r.during.max, limit)
		}
		t.Logf("during the %v stall: %d calls, p99 %v, max %v; %d dropped then", stall, r.during.n, r.during.quantile(0.99), r.during.max, inStall)
		addRow(t, row{
			fault:   fmt.Sprintf("2 stalled disk %v, DropNewest", stall),
			sent:    sent,
			onDisk:  onDisk,
			dropped: fmt.Sprintf("%d / %d", st.Dropped, sent-onDisk),
			latP99:  r.during.quantile(0.99),
			latMax:  r.during.max,
			mem:     memCell(r.base, r.peak, 0),
		})
	})

	t.Run("Block", func(t *testing.T) {
		const flushWait = 200 * time.Millisecond
		var flushErr error
		var flushTook time.Duration
		var pendingAfter uint64
		r := runStall(t, slogreq.Block, stall, func(r *stallRun) {
			ctx, cancel := context.WithTimeout(context.Background(), flushWait)
			defer cancel()
			t0 := time.Now()
			flushErr = r.h.Flush(ctx)
			flushTook = time.Since(t0)
			pendingAfter = r.h.Stats().Pending()
		})
		d := readLogDir(t, r.dir, "stall")
		st := r.h.Stats()
		sent := uint64(0)
		for _, p := range r.ps {
			sent += uint64(p.sent)
			checkExactlyOnce(t, d, p.id, p.sent)
		}
		if st.Accepted != sent || st.Written != sent || st.Dropped != 0 || st.WriteErrors != 0 {
			t.Errorf("stats %+v; want all %d records accepted and written, none dropped", st, sent)
		}
		if len(d.Reports) != 0 {
			t.Errorf("report lines %+v; want none", d.Reports)
		}
		// The callers waited for the disk, and went on as soon as it did.
		if r.during.max < stall/2 || r.during.max > stall+time.Second {
			t.Errorf("the longest Block call during the %v stall took %v; want between %v and %v", stall, r.during.max, stall/2, stall+time.Second)
		}

		// Flush during the stall: on time, with the number pending.
		if flushErr == nil {
			t.Errorf("Flush during the stall returned nil")
		} else {
			if !errors.Is(flushErr, context.DeadlineExceeded) {
				t.Errorf("Flush error %q does not wrap context.DeadlineExceeded", flushErr)
			}
			m := regexp.MustCompile(`(\d+) records not yet written`).FindStringSubmatch(flushErr.Error())
			if m == nil {
				t.Errorf("Flush error %q does not say how many records are pending", flushErr)
			} else if n, _ := strconv.ParseUint(m[1], 10, 64); n == 0 || n > pendingAfter {
				t.Errorf("Flush error says %d pending; Stats says %d pending after it", n, pendingAfter)
			}
		}
		if flushTook < flushWait || flushTook > flushWait+500*time.Millisecond {
			t.Errorf("Flush with a %v deadline returned after %v", flushWait, flushTook)
		}
		t.Logf("Flush(%v deadline) during the stall returned after %v: %v", flushWait, flushTook.Round(time.Microsecond), flushErr)
		t.Logf("during the %v stall: %d calls, p99 %v, max %v", stall, r.during.n, r.during.quantile(0.99), r.during.max)
		addRow(t, row{
			fault:   fmt.Sprintf("2 stalled disk %v, Block; Flush(%v) returned in %v with %d pending", stall, flushWait, flushTook.Round(time.Millisecond), pendingAfter),
			sent:    sent,
			onDisk:  uint64(d.records()),
			dropped: fmt.Sprintf("%d / %d", st.Dropped, sent-uint64(d.records())),
			latP99:  r.during.quantile(0.99),
			latMax:  r.during.max,
			mem:     memCell(r.base, r.peak, 0),
		})
	})
}

// TestFault2StallShutdown shuts the handler down with a deadline while the
// disk is stalled and Block callers wait for room: Shutdown must return on
// time with an error saying how many accepted records were not written,
// the waiting callers must be refused with ErrClosed rather than left
// waiting, and once the stalled Write returns the writer must write
// nothing more.
func TestFault2StallShutdown(t *testing.T) {
	const deadline = 300 * time.Millisecond
	dir := t.TempDir()
	rw, err := rotate.New(rotate.Options{Filename: logPath(dir), MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	sw := newStallWriter(rw)
	h := slogreq.NewHandler(sw, &slogreq.Options{BufferSize: 256 << 10})
	var wg sync.WaitGroup
	ps := make([]*producer, 2)
	for k := range ps {
		p := newProducer(k, h)
		ps[k] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); ; i++ {
				if err := p.log("stall", i); err != nil {
					if !errors.Is(err, slogreq.ErrClosed) {
						t.Errorf("Handle: %v", err)
					}
					return
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	sw.stall()
	sw.waitHeld(t, 5*time.Second)
	time.Sleep(100 * time.Millisecond) // the ring fills; the producers wait

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	t0 := time.Now()
	serr := h.Shutdown(ctx)
	took := time.Since(t0)
	atReturn := h.Stats()
	wg.Wait() // the waiting callers were refused

	if took < deadline || took > deadline+500*time.Millisecond {
		t.Errorf("Shutdown with a %v deadline returned after %v", deadline, took)
	}
	if serr == nil || !errors.Is(serr, context.DeadlineExceeded) {
		t.Errorf("Shutdown during the stall = %v; want an error wrapping context.DeadlineExceeded", serr)
	} else {
		m := regexp.MustCompile(`(\d+) accepted records not written`).FindStringSubmatch(serr.Error())
		if n, _ := strconv.ParseUint(m[len(m)-1], 10, 64); m == nil || n != atReturn.Pending() {
			t.Errorf("Shutdown error %q; want it to say the %d records pending", serr, atReturn.Pending())
		}
	}

	// The stalled Write completes; nothing is written after it.
	sw.resume()
	deadlineAt := time.Now().Add(5 * time.Second)
	for h.Stats().Written == atReturn.Written && time.Now().Before(deadlineAt) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	st := h.Stats()
	d := readLogDir(t, dir, "stall")
	sent := uint64(0)
	for _, p := range ps {
		sent += uint64(p.sent)
		checkInOrder(t, d, p.id, p.sent)
		if r := d.run(p.id); r.Gaps != 0 {
			t.Errorf("producer %d: %d records missing before the last one on disk", p.id, r.Gaps)
		}
	}
	if uint64(d.records()) != st.Written {
		t.Errorf("%d records on disk; Stats.Written = %d", d.records(), st.Written)
	}
	// Every call is accounted for: written, refused, or counted unwritten.
	if sent != st.Written+st.Dropped+st.Pending() {
		t.Errorf("%d records sent; %d written + %d refused + %d never written = %d", sent, st.Written, st.Dropped, st.Pending(), st.Written+st.Dropped+st.Pending())
	}
	if st.Accepted != atReturn.Accepted || st.Written <= atReturn.Written {
		t.Errorf("stats %+v after the stall, %+v when Shutdown returned; want the stalled write counted and nothing accepted after", st, atReturn)
	}
	t.Logf("Shutdown(%v) during the stall returned after %v: %v; the stalled write then took %d records, %d never written",
		deadline, took.Round(time.Microsecond), serr, st.Written-atReturn.Written, st.Pending())
	addRow(t, row{
		fault:   fmt.Sprintf("2 stalled disk, Block, Shutdown(%v) during the stall: returned in %v", deadline, took.Round(time.Millisecond)),
		sent:    sent,
		onDisk:  uint64(d.records()),
		dropped: fmt.Sprintf("%d refused after Close; %d accepted not written, as Shutdown said (%d) less the stalled write's %d", st.Dropped, st.Pending(), atReturn.Pending(), st.Written-atReturn.Written),
	})
}
