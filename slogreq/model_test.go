package slogreq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRingModel drives the ring with random pushes and consumes and checks
// it against a plain FIFO of lines: same content, same order, bounded, and
// an empty ring takes any line up to its size.
func TestRingModel(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		size := 64 + rng.IntN(512)
		r := newRing(size)
		var model [][]byte
		modelBytes := 0
		for step := range 2000 {
			if rng.IntN(3) > 0 {
				line := bytes.Repeat([]byte{byte('a' + step%26)}, rng.IntN(size))
				line = append(line, '\n')
				empty := len(model) == 0
				if r.push(line) {
					model = append(model, line)
					modelBytes += len(line)
				} else if empty && len(line) <= size {
					t.Fatalf("seed %d step %d: empty ring refused a %d-byte line (size %d)", seed, step, len(line), size)
				}
			} else if run := r.peek(); run != nil {
				// Consume a prefix of whole lines, as a partial Write would.
				k := 1 + rng.IntN(bytes.Count(run, newline))
				n := 0
				for i := 0; i < k; i++ {
					if !bytes.HasPrefix(run[n:], model[i]) {
						t.Fatalf("seed %d step %d: run does not start with the oldest lines", seed, step)
					}
					n += len(model[i])
				}
				r.consume(n, k)
				model = model[k:]
				modelBytes -= n
			} else if len(model) != 0 {
				t.Fatalf("seed %d step %d: ring empty, model holds %d lines", seed, step, len(model))
			}
			if r.used != modelBytes || r.lines != len(model) || r.used > size {
				t.Fatalf("seed %d step %d: used %d lines %d, model %d bytes %d lines, size %d", seed, step, r.used, r.lines, modelBytes, len(model), size)
			}
		}
	}
}

// TestHandlerModel runs random sequences of Handle, Flush, stall, unstall
// and Close against a reference model: the list of records the handler
// accepted. Whatever the interleaving, the output is exactly the accepted
// records in order, drops are counted and reported, and Flush and Close
// keep their promises.
func TestHandlerModel(t *testing.T) {
	seeds := uint64(60)
	if testing.Short() {
		seeds = 15
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runHandlerModel(t, seed) })
	}
}

func runHandlerModel(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	policy := Policy(rng.IntN(2))
	g := newGateWriter()
	h := NewHandler(g, &Options{
		OnFull:        policy,
		BufferSize:    MinBufferSize,
		FlushInterval: time.Duration(1+rng.IntN(20)) * time.Millisecond,
		ReplaceAttr:   dropTimeAttr,
	})
	l := slog.New(h)
	var accepted []int // the model: ids of accepted records, in order
	handled, stalled := 0, false
	check := func(what string) {
		s := h.Stats()
		if s.Accepted != uint64(len(accepted)) || s.Accepted+s.Dropped != uint64(handled) {
			t.Fatalf("%s: stats %+v, model accepted %d of %d", what, s, len(accepted), handled)
		}
	}
	outputIDs := func() []int {
		records, _ := parseLines(t, g.String())
		ids := make([]int, len(records))
		for i, r := range records {
			ids[i] = r.I
		}
		return ids
	}
	for step := 0; step < 300; step++ {
		switch op := rng.IntN(10); {
		case op < 7: // Handle; under Block, only while the writer can drain
			if stalled && policy == Block {
				continue
			}
			before := h.Stats().Accepted
			l.Info("r", "i", handled, "pad", strings.Repeat("x", rng.IntN(600)))
			if h.Stats().Accepted > before {
				accepted = append(accepted, handled)
			}
			handled++
			check("handle")
		case op == 7: // Flush
			if stalled {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
				err := h.Flush(ctx)
				cancel()
				pending := len(accepted) - len(outputIDs())
				if (err != nil) != (pending > 0) {
					t.Fatalf("stalled Flush = %v with %d pending", err, pending)
				}
				if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%d records not yet written", pending)) {
					t.Fatalf("stalled Flush error %q, want %d pending", err, pending)
				}
				continue
			}
			mustFlush(t, h)
			if got := outputIDs(); !slices.Equal(got, accepted) {
				t.Fatalf("after Flush the output holds %v, the model %v", got, accepted)
			}
		case op == 8:
			if !stalled {
				g.stall()
			}
			stalled = true
		case op == 9:
			g.unstall()
			stalled = false
		}
	}
	g.unstall()
	mustClose(t, h)
	if err := l.Handler().Handle(context.Background(), slog.NewRecord(time.Time{}, slog.LevelInfo, "late", 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Handle after Close = %v", err)
	}
	handled++
	check("close")
	if got := outputIDs(); !slices.Equal(got, accepted) {
		t.Fatalf("after Close the output holds %v, the model %v", got, accepted)
	}
	_, reports := parseLines(t, g.String())
	var reported uint64
	for _, r := range reports {
		reported += r.Dropped
	}
	if s := h.Stats(); reported != s.Dropped-1 { // the late record is refused, not reported
		t.Fatalf("reported %d drops, stats %+v", reported, s)
	}
}
