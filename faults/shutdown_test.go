//go:build linux

package faults

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// TestFault6SIGTERM sends SIGTERM to a child in which two producers log
// as fast as they can; on the signal the child shuts the handler down with
// a deadline while the producers keep calling it, as request goroutines
// of a stopping service do. Every record the child acknowledged as
// accepted, before the signal and after it, must be on disk, once and in
// order, and Shutdown must return nil well before its deadline.
func TestFault6SIGTERM(t *testing.T) {
	runs := pick(2, 5)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	var sent, onDisk, refused uint64
	var took latHist
	for run := range runs {
		dir := t.TempDir()
		cfg := childConfig{
			Dir:        dir,
			Producers:  2,
			BufferSize: slogreq.DefaultBufferSize,
			MaxSize:    1 << 20,
			Deadline:   5 * time.Second,
			// A disk slower than the producers keeps the ring full, so that
			// Shutdown has a ring's worth of records to write.
			WriteDelay: 2 * time.Millisecond,
		}
		c, err := startChild(t, "sigterm", cfg, childOpts{})
		if err != nil {
			t.Fatal(err)
		}
		c.waitEvent(10*time.Second, "ready", func(e childEvent) bool { return e.Ev == "ready" })
		c.waitAcks(10*time.Second, 0, 1)
		time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		before := c.acks()
		if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		signaled := time.Now()
		res := c.result(cfg.Deadline + 10*time.Second)
		exited := time.Since(signaled)
		d := readLogDir(t, dir, "sigterm")
		after := c.acks()

		if res.Err != "" {
			t.Errorf("run %d: Shutdown: %s", run, res.Err)
		}
		if res.Took > cfg.Deadline/2 {
			t.Errorf("run %d: Shutdown took %v of its %v deadline", run, res.Took, cfg.Deadline)
		}
		st := res.Stats
		if st.Written != st.Accepted || uint64(d.records()) != st.Accepted {
			t.Errorf("run %d: stats %+v, %d records on disk; want every accepted record written", run, st, d.records())
		}
		for p := range cfg.Producers {
			// Accepted records are on disk from 0 on, in order, no gap.
			r := d.run(p)
			if r.Gaps != 0 || r.Disorder != 0 || r.Count != r.Next {
				t.Errorf("run %d, producer %d: %d records on disk numbered up to %d, %d missing, %d duplicated or out of order",
					run, p, r.Count, r.Next, r.Gaps, r.Disorder)
			}
			if before[p] > r.Count || after[p] > r.Count {
				t.Errorf("run %d, producer %d: %d records acknowledged before SIGTERM, %d in all, but %d on disk",
					run, p, before[p], after[p], r.Count)
			}
			if after[p] != r.Count {
				t.Errorf("run %d, producer %d: %d records on disk, %d acknowledged; want equal", run, p, r.Count, after[p])
			}
		}
		t.Logf("run %d: %d records acknowledged before SIGTERM, %d pending then; Shutdown took %v; child exited %v after the signal; %d on disk, %d refused after Close",
			run, sum(before), res.Pending, res.Took.Round(time.Microsecond), exited.Round(time.Millisecond), d.records(), st.Dropped)
		sent += res.totalSent()
		onDisk += uint64(d.records())
		refused += st.Dropped
		took.add(res.Took)
	}
	addRow(t, row{
		fault:   fmt.Sprintf("6 SIGTERM → Shutdown(5s deadline), Block, slow disk, %d runs; longest Shutdown %v", runs, fmtDur(took.max)),
		sent:    sent,
		onDisk:  onDisk,
		dropped: fmt.Sprintf("%d / %d (refused after Close); 0 accepted lost", refused, sent-onDisk),
	})
}

func sum(m map[int]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// childSigterm logs from Producers goroutines as fast as it can, each
// record acknowledged once accepted, until SIGTERM; then it shuts the
// handler down with a Deadline while the producers go on until the handler
// refuses them.
func childSigterm(c *childProc) error {
	cfg := c.cfg
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	w, err := rotate.New(rotate.Options{Filename: logPath(cfg.Dir), MaxSize: cfg.MaxSize})
	if err != nil {
		return err
	}
	h := slogreq.NewHandler(slowWriter{w, cfg.WriteDelay}, &slogreq.Options{BufferSize: cfg.BufferSize})
	ps := make([]*producer, cfg.Producers)
	var wg sync.WaitGroup
	errs := make(chan error, len(ps))
	for k := range ps {
		p := newProducer(k, h)
		ps[k] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); ; i++ {
				err := p.log("sigterm", i)
				if errors.Is(err, slogreq.ErrClosed) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				c.ack(k, i)
			}
		}()
	}
	c.emit(childEvent{Ev: "ready"})
	<-term
	pending := h.Stats().Pending()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Deadline)
	defer cancel()
	t0 := time.Now()
	serr := h.Shutdown(ctx)
	took := time.Since(t0)
	wg.Wait()
	if err := w.Close(); err != nil {
		return err
	}
	close(errs)
	for err := range errs {
		return fmt.Errorf("Handle: %w", err)
	}
	res := childEvent{Ev: "result", Sent: sentOf(ps), Stats: h.Stats(), Pending: pending, Took: took}
	if serr != nil {
		res.Err = serr.Error()
	}
	c.emit(res)
	return nil
}
