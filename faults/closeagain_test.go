//go:build linux

package faults

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slogreq/slogreq/slogreq"
)

// syncBuffer is a bytes.Buffer for the handler's writer goroutine and the
// test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// TestCloseAfterTimedOutShutdown: Close is documented as idempotent, later
// calls returning the first call's result. After a Shutdown whose deadline
// passed while the disk was stalled, a later Close must return that same
// error, which wraps context.DeadlineExceeded, and never a message with a
// nil cause.
func TestCloseAfterTimedOutShutdown(t *testing.T) {
	sw := newStallWriter(&syncBuffer{})
	h := slogreq.NewHandler(sw, &slogreq.Options{FlushInterval: time.Millisecond})
	l := slog.New(h)
	sw.stall()
	l.Info("first") // the writer takes it and waits in the stalled Write
	sw.waitHeld(t, 5*time.Second)
	l.Info("second") // stays in the ring behind the stalled Write

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	first := h.Shutdown(ctx)
	if first == nil || !errors.Is(first, context.DeadlineExceeded) {
		t.Fatalf("Shutdown during the stall = %v; want an error wrapping context.DeadlineExceeded", first)
	}

	sw.resume() // the stalled Write returns; the writer stops without writing "second"
	time.Sleep(50 * time.Millisecond)
	for i, again := range []error{h.Close(), h.Shutdown(context.Background())} {
		switch {
		case again == nil:
			t.Errorf("call %d after Shutdown = nil; want the first call's result %q", i+2, first)
		case strings.Contains(again.Error(), "%!"):
			t.Errorf("call %d after Shutdown = %q: a malformed message; want the first call's result %q", i+2, again, first)
		case again.Error() != first.Error() || !errors.Is(again, context.DeadlineExceeded):
			t.Errorf("call %d after Shutdown = %q; want the first call's result %q", i+2, again, first)
		}
	}
}
