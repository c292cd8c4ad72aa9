//go:build linux

package faults

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// burstMemSlack is the documented constant of the bound on peak memory:
// during a burst the heap in use grows over the idle process by less than
// BufferSize + burstMemSlack, whatever the number of records. Almost all of
// it is garbage not yet collected: Go's collector (GOGC=100) lets the heap
// reach 4 MiB before its first cycle, and rotations (file names, file
// objects) and, under the race detector, line buffers that sync.Pool gives
// up, produce garbage.
const burstMemSlack = 4 << 20

// raceMemSlack is added to burstMemSlack under the race detector, which
// makes sync.Pool drop the handler's line buffers at random: then every
// record leaves garbage, and the collector, slowed by the detector, lets the
// heap pass its goal while it marks.
const raceMemSlack = 2 << 20

// burstLiveSlack bounds what stays in use besides the ring after a burst,
// measured after a collection with the handler alive: pooled line buffers,
// the rotate.Writer, lumberjack. The same bound holds after four times the
// records, so nothing is kept per record.
const burstLiveSlack = 256 << 10

// TestFault1Burst has two producers log as fast as they can into a
// rotate.Writer whose small MaxSize makes it rotate every few thousand
// records, with OnFull Block. It runs twice, the second time with four times
// as many records: every accepted record must be on disk exactly once and in
// order; the peak heap must stay under BufferSize + burstMemSlack in both
// runs; and the heap still in use after the burst (measured after a
// collection, with the handler alive) must be BufferSize plus under
// burstLiveSlack in both, and no more after four times the records. (The
// two peaks are not compared: each is where the collector happened to run,
// and a longer burst leaves more garbage of rotations before the first
// collection.)
func TestFault1Burst(t *testing.T) {
	const bufferSize = slogreq.DefaultBufferSize // untyped: an int option, a uint64 bound
	n := pick[int64](50_000, 500_000)
	var live [2]uint64
	for k, records := range []int64{n, 4 * n} {
		dir := t.TempDir()
		cfg := childConfig{
			Dir:        dir,
			Records:    records,
			Producers:  2,
			BufferSize: bufferSize,
			MaxSize:    256 << 10,
			Phase:      pick(60*time.Second, 150*time.Second), // bound on the burst
		}
		c, err := startChild(t, "burst", cfg, childOpts{})
		if err != nil {
			t.Fatal(err)
		}
		res := c.result(cfg.Phase + time.Minute)
		d := readLogDir(t, dir, "burst")

		sent := res.totalSent()
		if sent != uint64(records) {
			t.Fatalf("the burst stopped at its time bound (%v) after %d of %d records", cfg.Phase, sent, records)
		}
		if res.Err != "" {
			t.Errorf("Shutdown: %s", res.Err)
		}
		st := res.Stats
		if st.Accepted != sent || st.Written != sent || st.Dropped != 0 || st.WriteErrors != 0 {
			t.Errorf("stats %+v; want all %d records accepted and written, none dropped, no write errors", st, sent)
		}
		for p, s := range res.Sent {
			checkExactlyOnce(t, d, p, s)
		}
		if len(d.Reports) != 0 {
			t.Errorf("report lines %+v; want none", d.Reports)
		}
		if min := d.Bytes / cfg.MaxSize; int64(d.Files) < min {
			t.Errorf("%d files for %d bytes; want at least %d rotations", d.Files, d.Bytes, min)
		}

		growth := res.HeapPeak.HeapInuse - min(res.HeapBase.HeapInuse, res.HeapPeak.HeapInuse)
		slack := uint64(burstMemSlack)
		if raceEnabled {
			slack += raceMemSlack
		}
		if limit := bufferSize + slack; growth >= limit {
			t.Errorf("%d records: heap in use grew by %s; want under BufferSize + %s = %s",
				records, fmtMiB(growth), fmtMiB(slack), fmtMiB(limit))
		}
		live[k] = res.HeapLive.HeapInuse
		retained := res.HeapLive.HeapInuse - min(res.HeapBase.HeapInuse, res.HeapLive.HeapInuse)
		if limit := uint64(bufferSize + burstLiveSlack); retained >= limit {
			t.Errorf("%d records: after the burst the heap in use is %s over the idle process; want under BufferSize + %s = %s",
				records, fmtMiB(retained), fmtMiB(burstLiveSlack), fmtMiB(limit))
		}
		secs := res.Elapsed.Seconds()
		t.Logf("%d records in %v, %d files, %d bytes; heap in use: %s idle, peak %s, after %s (ring + %d KiB); Sys peak %s, VmHWM %s",
			records, res.Elapsed.Round(time.Millisecond), d.Files, d.Bytes,
			fmtMiB(res.HeapBase.HeapInuse), fmtMiB(res.HeapPeak.HeapInuse), fmtMiB(res.HeapLive.HeapInuse),
			max(int64(retained)-bufferSize, 0)>>10, fmtMiB(res.HeapPeak.Sys), fmtMiB(res.VmHWM))
		addRow(t, row{
			fault:       fmt.Sprintf("1 burst, Block, 2 producers, %d records", records),
			sent:        sent,
			onDisk:      uint64(d.records()),
			dropped:     fmt.Sprintf("%d / %d", st.Dropped, sent-uint64(d.records())),
			latP99:      res.LatP99,
			latMax:      res.LatMax,
			mem:         memCell(res.HeapBase, res.HeapPeak, res.VmHWM),
			linesPerSec: float64(d.Lines) / secs,
			mbPerSec:    float64(d.Bytes) / (1 << 20) / secs,
		})
	}
	// Four times the records must not leave more memory in use.
	if live[1] > live[0]+burstLiveSlack {
		t.Errorf("heap live after the burst: %s with %d records, %s with %d; want within %s",
			fmtMiB(live[0]), n, fmtMiB(live[1]), 4*n, fmtMiB(burstLiveSlack))
	}
}

// childBurst is the burst: Producers goroutines log Records records in all
// as fast as they can (stopping at Phase if that comes first), then the
// handler is shut down. The heap is measured from before the handler is
// made until Shutdown returns.
func childBurst(c *childProc) error {
	cfg := c.cfg
	base := baselineMem()
	w, err := rotate.New(rotate.Options{Filename: logPath(cfg.Dir), MaxSize: cfg.MaxSize})
	if err != nil {
		return err
	}
	h := slogreq.NewHandler(w, &slogreq.Options{BufferSize: cfg.BufferSize})
	peak := startMemPeak()
	ps := make([]*producer, cfg.Producers)
	var budget atomic.Int64
	start := time.Now()
	deadline := start.Add(cfg.Phase)
	var wg sync.WaitGroup
	for k := range ps {
		p := newProducer(k, h)
		ps[k] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); budget.Add(1) <= cfg.Records; i++ {
				if i%4096 == 0 && time.Now().After(deadline) {
					return
				}
				p.log("burst", i)
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serr := h.Shutdown(ctx)
	elapsed := time.Since(start)
	mem := peak.Stop()
	live := baselineMem() // h and its ring are still reachable: see Stats below
	if err := w.Close(); err != nil {
		return err
	}
	lat := latOf(ps)
	res := childEvent{
		Ev: "result", Sent: sentOf(ps), Stats: h.Stats(), Elapsed: elapsed,
		LatP99: lat.quantile(0.99), LatMax: lat.max,
		HeapBase: base, HeapPeak: mem, HeapLive: live, VmHWM: vmHWM(),
	}
	if serr != nil {
		res.Err = serr.Error()
	}
	c.emit(res)
	return nil
}
