//go:build linux

package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// TestFault3FullDisk makes the disk full for real: the child sets its
// RLIMIT_FSIZE soft limit to a few hundred KiB (the hard limit stays
// unlimited), so that write(2) past it fails with EFBIG as it fails with
// ENOSPC on a full file system, and then raises the soft limit again: space
// returns. Two producers log as fast as they can with OnFull Block. The
// writer must survive, count the errors, report them in the file, write
// again once space returns, and leave no partial line (checked after every
// failed write, and in the files at the end); while writes fail, Block
// callers drop records instead of waiting, and every drop is counted.
func TestFault3FullDisk(t *testing.T) {
	dir := t.TempDir()
	cfg := childConfig{
		Dir:        dir,
		Producers:  2,
		BufferSize: 64 << 10,
		MaxSize:    64 << 20, // rotation must not make room: the limit is per file
		FileLimit:  256 << 10,
		Phase:      pick(time.Second, 5*time.Second), // how long the disk stays full
	}
	c, err := startChild(t, "fulldisk", cfg, childOpts{})
	if err != nil {
		t.Fatal(err)
	}
	res := c.result(cfg.Phase + time.Minute)
	d := readLogDir(t, dir, "fulldisk")

	if res.Err != "" {
		t.Errorf("Shutdown: %s", res.Err)
	}
	// The failure was the OS's: write(2) refused with EFBIG at the limit,
	// and the file held only whole lines while the disk was full.
	if syscall.Errno(res.WriteErrno) != syscall.EFBIG {
		t.Errorf("first write error %q (errno %d); want EFBIG from the file size limit", res.WriteErr, res.WriteErrno)
	}
	if res.Size > int64(cfg.FileLimit) || !res.Whole {
		t.Errorf("after failed writes the file had up to %d bytes (limit %d), ending in a whole line every time: %v", res.Size, cfg.FileLimit, res.Whole)
	}
	if d.Bytes <= int64(cfg.FileLimit) {
		t.Errorf("%d bytes on disk; want more than the %d of the limit once it was raised", d.Bytes, cfg.FileLimit)
	}

	st := res.Stats
	sent := res.totalSent()
	onDisk := uint64(d.records())
	for p, s := range res.Sent {
		checkInOrder(t, d, p, s)
	}
	checkFailedWrites(t, d, st, sent, "file too large")
	// Block callers do not wait for a disk that fails: they drop.
	if limit := cfg.Phase / 2; res.LatMax >= limit {
		t.Errorf("a Block call took %v while the disk was full; want under %v", res.LatMax, limit)
	}
	t.Logf("while the disk was full: p99 %v, max %v per call", res.LatP99, res.LatMax)
	t.Logf("disk full for %v: %d write errors (%s), %d dropped, %d reports; %d records written before and after",
		cfg.Phase, st.WriteErrors, res.WriteErr, st.Dropped, len(d.Reports), onDisk)
	addRow(t, row{
		fault:   fmt.Sprintf("3 full disk (RLIMIT_FSIZE, EFBIG) %v, Block", cfg.Phase),
		sent:    sent,
		onDisk:  onDisk,
		dropped: fmt.Sprintf("%d / %d; %d write errors reported", st.Dropped, sent-onDisk, st.WriteErrors), // equal to the reports' sum, checked above
		latP99:  res.LatP99,
		latMax:  res.LatMax,
		mem:     memCell(res.HeapBase, res.HeapPeak, res.VmHWM),
	})
}

// childFullDisk logs into a file whose size the process may not grow past
// FileLimit until the limit is raised, Phase after the first write error.
// rlimInfinity is RLIM_INFINITY as the uint64 of syscall.Rlimit.
const rlimInfinity = ^uint64(0)

func childFullDisk(c *childProc) error {
	cfg := c.cfg
	// Writes past the limit fail with EFBIG; the signal would kill us.
	signal.Ignore(syscall.SIGXFSZ)
	lim := syscall.Rlimit{Cur: cfg.FileLimit, Max: rlimInfinity}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return fmt.Errorf("setrlimit: %w", err)
	}
	base := baselineMem()
	w, err := rotate.New(rotate.Options{Filename: logPath(cfg.Dir), MaxSize: cfg.MaxSize})
	if err != nil {
		return err
	}
	var first atomic.Pointer[error]
	// After each failed write, the file must hold whole lines only: rotate
	// cuts back what a write that failed halfway put in. OnError runs on the
	// handler's writer goroutine between the failed Write and its retry, so
	// nothing writes the file while it is read. (During a Write the partial
	// line is there for an instant, before the cut.)
	var checks, partial, largest atomic.Int64
	h := slogreq.NewHandler(w, &slogreq.Options{
		BufferSize: cfg.BufferSize,
		OnError: func(err error) {
			first.CompareAndSwap(nil, &err)
			data, rerr := os.ReadFile(logPath(cfg.Dir))
			checks.Add(1)
			if rerr != nil || (len(data) > 0 && !bytes.HasSuffix(data, []byte("\n"))) {
				partial.Add(1)
			}
			if n := int64(len(data)); n > largest.Load() {
				largest.Store(n)
			}
		},
	})
	peak := startMemPeak()
	var stop, full atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	var during latHist // calls made while the disk was full
	ps := make([]*producer, cfg.Producers)
	for k := range ps {
		p := newProducer(k, h)
		ps[k] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat latHist
			for i := int64(0); !stop.Load(); i++ {
				in := full.Load()
				p.log("fulldisk", i)
				if in {
					lat.add(p.last)
				}
			}
			mu.Lock()
			during.merge(&lat)
			mu.Unlock()
		}()
	}
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()

	// Wait for the disk to be full.
	deadline := time.Now().Add(20 * time.Second)
	for h.Stats().WriteErrors == 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("no write error within 20s; stats %+v", h.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	full.Store(true)
	time.Sleep(cfg.Phase)

	// Space returns.
	full.Store(false)
	lim.Cur = rlimInfinity
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return fmt.Errorf("setrlimit: %w", err)
	}
	raised := h.Stats()
	deadline = time.Now().Add(20 * time.Second)
	for st := h.Stats(); st.Reports == 0 || st.Written < raised.Written+1000; st = h.Stats() {
		if time.Now().After(deadline) {
			return fmt.Errorf("writing did not resume within 20s of space returning; stats %+v", st)
		}
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serr := h.Shutdown(ctx)
	mem := peak.Stop()
	if err := w.Close(); err != nil {
		return err
	}
	res := childEvent{
		Ev: "result", Sent: sentOf(ps), Stats: h.Stats(),
		Size: largest.Load(), Whole: checks.Load() > 0 && partial.Load() == 0,
		LatP99: during.quantile(0.99), LatMax: during.max,
		HeapBase: base, HeapPeak: mem, VmHWM: vmHWM(),
	}
	if serr != nil {
		res.Err = serr.Error()
	}
	if e := first.Load(); e != nil {
		res.WriteErr = (*e).Error()
		var errno syscall.Errno
		if errors.As(*e, &errno) {
			res.WriteErrno = int(errno)
		}
	}
	c.emit(res)
	return nil
}
