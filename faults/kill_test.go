//go:build linux

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// TestFault5Kill9 kills a child that logs at a steady rate with SIGKILL at
// a random moment, several times over, all runs appending to the same log
// directory as a restarted service does. Afterwards every line of every file
// must be whole JSON, each run's records must be on disk in order with no
// gap except at the end, and the records lost, those the child had
// acknowledged as accepted but that are not on disk, must be within the
// documented bound: what the ring can hold (BufferSize bytes) and what was
// accepted within the last FlushInterval.
func TestFault5Kill9(t *testing.T) {
	const rate = 2000 // records per second
	configs := []struct {
		bufferSize int
		flush      time.Duration
	}{
		// The flush interval bounds the loss: 100ms of records.
		{slogreq.DefaultBufferSize, 100 * time.Millisecond},
		// The ring bounds it: 16 KiB is about 100 records, a twentieth of a
		// second at this rate; the flush interval would allow a second's.
		{16 << 10, time.Second},
	}
	runs := pick(4, 12)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	dir := t.TempDir()

	var sent, onDisk, lostAll uint64
	worst := make([]struct{ lost, bound int64 }, len(configs)) // per config
	for run := range runs {
		cf := configs[run%len(configs)]
		cfg := childConfig{
			Dir:           dir,
			Run:           run,
			Rate:          rate,
			BufferSize:    cf.bufferSize,
			FlushInterval: cf.flush,
			MaxSize:       64 << 10, // a rotation every 400 records: kills land in rotations too
		}
		c, err := startChild(t, "steady", cfg, childOpts{})
		if err != nil {
			t.Fatal(err)
		}
		c.waitAcks(10*time.Second, run, 1)
		after := time.Duration(300+rng.IntN(pick(1200, 2700))) * time.Millisecond
		time.Sleep(after)
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = c.wait(10 * time.Second)
		if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: child exited with %v; want killed by SIGKILL\nstderr:\n%s", run, err, c.stderr.String())
		}

		d := readLogDir(t, dir, "steady")
		acked := c.acks()[run]
		r := d.run(run)
		if r.Gaps != 0 || r.Disorder != 0 || r.Count != r.Next {
			t.Errorf("run %d: records on disk %d, numbered up to %d, %d missing, %d duplicated or out of order; want 0..n-1 in order",
				run, r.Count, r.Next, r.Gaps, r.Disorder)
		}
		// One record may be on disk whose acknowledgement the kill cut off.
		if r.Count > acked+1 {
			t.Errorf("run %d: %d records on disk but only %d acknowledged", run, r.Count, acked)
		}
		lost := max(acked-r.Count, 0)
		ringBound := int64(cfg.BufferSize / minLineLen(run))
		timeBound := int64(rate * cf.flush / time.Second)
		bound := min(ringBound, timeBound)
		t.Logf("run %d (BufferSize %d, FlushInterval %v): killed after %v; %d acknowledged, %d on disk, %d lost; bound %d (ring %d, flush interval %d)",
			run, cf.bufferSize, cf.flush, after, acked, r.Count, lost, bound, ringBound, timeBound)
		// The ring bound is exact: a record Handle accepted is in the ring
		// or written. The interval bound allows for the write in progress
		// and for the writer goroutine being scheduled late.
		if lost > ringBound {
			t.Errorf("run %d: %d records lost; the ring holds at most %d", run, lost, ringBound)
		}
		if slack := int64(rate * killSlack / time.Second); lost > timeBound+slack {
			t.Errorf("run %d: %d records lost; %d were accepted in the last FlushInterval (+%d for %v of slack)", run, lost, timeBound, slack, killSlack)
		}
		if w := &worst[run%len(configs)]; lost >= w.lost {
			w.lost, w.bound = lost, bound
		}
		sent += uint64(acked)
		onDisk += uint64(r.Count)
		lostAll += uint64(lost)
	}
	addRow(t, row{
		fault:  fmt.Sprintf("5 kill -9 at random, %d runs, %d records/s", runs, rate),
		sent:   sent,
		onDisk: onDisk,
		dropped: fmt.Sprintf("lost %d in all; worst run %d of bound %d (1 MiB ring, 100ms interval), %d of bound %d (16 KiB ring)",
			lostAll, worst[0].lost, worst[0].bound, worst[1].lost, worst[1].bound),
	})
}

// killSlack is the time added to FlushInterval in the bound on what kill -9
// loses: the write in progress and a late wake-up of the writer goroutine
// on a busy machine.
const killSlack = 50 * time.Millisecond

// minLineLen is the length of the shortest record line of a run: record 0.
func minLineLen(run int) int {
	return len(fmt.Sprintf(`{"time":"2026-11-25T10:00:00Z","level":"INFO","msg":"steady","p":%d,"i":0,"pad":"%s"}`+"\n", run, pad))
}

// childSteady logs Rate records a second, acknowledging each on stdout as
// soon as Handle returns, until it is killed.
func childSteady(c *childProc) error {
	cfg := c.cfg
	w, err := rotate.New(rotate.Options{Filename: logPath(cfg.Dir), MaxSize: cfg.MaxSize})
	if err != nil {
		return err
	}
	h := slogreq.NewHandler(w, &slogreq.Options{BufferSize: cfg.BufferSize, FlushInterval: cfg.FlushInterval})
	p := newProducer(cfg.Run, h)
	pace := newPacer(cfg.Rate)
	deadline := time.Now().Add(time.Minute)
	for i := int64(0); time.Now().Before(deadline); i++ {
		pace.wait(i)
		if err := p.log("steady", i); err != nil {
			return err
		}
		c.ack(cfg.Run, i)
	}
	return fmt.Errorf("not killed within a minute")
}

// TestFault5Kill9MidWrite kills, with SIGKILL, a child whose two producers
// log 4 KiB records as fast as they can through a ring of several MiB, so
// that the handler's writes are megabytes long and the kill often lands in
// the middle of one: the kernel copies a write page by page and stops at a
// fatal signal, leaving the start of a line at the end of the file. Each
// run restarts on the same directory, as a service does; a last run ends
// with Shutdown. Every line of every file must then be whole JSON (the
// rotate.Writer cuts a partial line off when it opens the file), and each
// run's records must be on disk in order with no gap except at the end.
func TestFault5Kill9MidWrite(t *testing.T) {
	const recordPad = 4 << 10
	runs := pick(3, 8)
	bufferSize := pick(8<<20, 16<<20)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 2))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	lineLen := int64(recordPad + 100)

	torn := 0
	var last childEvent // the result of the clean run
	for run := range runs + 1 {
		cfg := childConfig{Dir: dir, Run: run, Producers: 2, BufferSize: bufferSize, MaxSize: 64 << 20, Pad: recordPad}
		c, err := startChild(t, "flood", cfg, childOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if run == runs {
			// The last run writes a little and shuts down cleanly.
			c.waitEvent(30*time.Second, "records written", func(e childEvent) bool { return e.Ev == "progress" && e.Stats.Written >= 100 })
			c.send("stop")
			last = c.result(time.Minute)
			if last.Err != "" {
				t.Errorf("Shutdown: %s", last.Err)
			}
			break
		}
		// Kill after a random amount written, a few times the ring.
		target := (int64(bufferSize) + rng.Int64N(int64(2*bufferSize))) / lineLen
		c.waitEvent(60*time.Second, "records written", func(e childEvent) bool { return e.Ev == "progress" && int64(e.Stats.Written) >= target })
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.wait(10 * time.Second)
		data, err := os.ReadFile(logPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 0 && data[len(data)-1] != '\n' {
			torn++
		}
	}

	d := readLogDir(t, dir, "flood")
	for run := range runs + 1 {
		for k := range 2 {
			if r := d.run(run*2 + k); r.Gaps != 0 || r.Disorder != 0 {
				t.Errorf("run %d, producer %d: %d records on disk, numbered up to %d, %d missing, %d duplicated or out of order; want 0..n-1 in order",
					run, k, r.Count, r.Next, r.Gaps, r.Disorder)
			}
		}
	}
	for k, sent := range last.Sent {
		checkExactlyOnce(t, d, runs*2+k, sent)
	}
	t.Logf("%d kills, %d of them in the middle of a write (a partial line at the end of the file); %d files, %d lines, %d bytes after the last run",
		runs, torn, d.Files, d.Lines, d.Bytes)
	addRow(t, row{
		fault:   fmt.Sprintf("5 kill -9 in the middle of large writes (%d MiB ring, 4 KiB records), %d runs then a clean one", bufferSize>>20, runs),
		onDisk:  uint64(d.records()),
		dropped: fmt.Sprintf("%d kills left a partial line; cut on restart, every line whole", torn),
	})
}

// childFlood has Producers goroutines log as fast as they can, records
// numbered per producer (run*Producers + k), reporting progress every few
// milliseconds, until it is killed or told to stop.
func childFlood(c *childProc) error {
	cfg := c.cfg
	w, err := rotate.New(rotate.Options{Filename: logPath(cfg.Dir), MaxSize: cfg.MaxSize})
	if err != nil {
		return err
	}
	h := slogreq.NewHandler(w, &slogreq.Options{BufferSize: cfg.BufferSize})
	var stop atomic.Bool
	var wg sync.WaitGroup
	ps := make([]*producer, cfg.Producers)
	for k := range ps {
		p := newProducer(cfg.Run*cfg.Producers+k, h)
		p.pad = strings.Repeat("x", cfg.Pad)
		ps[k] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); !stop.Load(); i++ {
				p.log("flood", i)
			}
		}()
	}
	for c.command(5*time.Millisecond) != "stop" {
		c.emit(childEvent{Ev: "progress", Stats: h.Stats()})
	}
	stop.Store(true)
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serr := h.Shutdown(ctx)
	if err := w.Close(); err != nil {
		return err
	}
	res := childEvent{Ev: "result", Sent: sentOf(ps), Stats: h.Stats()}
	if serr != nil {
		res.Err = serr.Error()
	}
	c.emit(res)
	return nil
}
