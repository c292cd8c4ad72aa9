//go:build linux

package faults

import (
	"fmt"
	"math/rand/v2"
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
