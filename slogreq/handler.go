package slogreq

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
)

// ErrClosed is returned by Handle after Close; the record is counted as
// dropped.
var ErrClosed = errors.New("slogreq: handler is closed")

// Handler is an asynchronous slog.Handler. Handle formats the record on the
// caller's goroutine into a pooled buffer, without allocating, and copies
// the line into a bounded ring buffer; one writer goroutine drains the ring
// into the io.Writer in batches of whole lines.
//
// Output is byte-for-byte what slog.NewJSONHandler writes for the same
// record and options, except where log/slog writes invalid JSON: a time
// with a year outside [0, 9999] is written as its RFC 3339 string alone
// (log/slog writes an error string before it with no comma), and a group
// whose attributes ReplaceAttr all removed leaves no trace (log/slog then
// omits the comma before the next attribute and keeps the group's name in
// the groups later ReplaceAttr calls see). WithGroup("") returns the
// receiver, as the slog.Handler contract says (slog.Logger never passes it).
//
// Handlers derived with WithAttrs and WithGroup share the ring, the writer,
// the statistics and Close. All methods are safe for concurrent use.
type Handler struct {
	enc  *encoder
	core *core
}

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns a Handler that writes to w and starts its writer
// goroutine. A nil opts means the defaults. Call Close to write everything
// accepted and stop the goroutine.
func NewHandler(w io.Writer, opts *Options) *Handler {
	o := opts.normalize()
	root := &encoder{replace: o.ReplaceAttr, addSource: o.AddSource, format: o.Format}
	root.ecsFast = o.Format == ECS && o.ReplaceAttr == nil && !o.AddSource
	return &Handler{enc: root, core: newCore(w, o, root)}
}

// Enabled reports whether level is at least Options.Level.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	minLevel := slog.LevelInfo
	if h.core.opts.Level != nil {
		minLevel = h.core.opts.Level.Level()
	}
	return level >= minLevel
}

// bufPool holds line buffers; lines over maxPooledBuffer are not kept, so
// one huge record does not pin memory.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

const maxPooledBuffer = 64 << 10

// Handle formats r as one line and hands it to the writer. It does not
// allocate (for attribute values that do not themselves allocate when
// formatted). With OnFull Block it waits while the ring is full; with
// DropNewest it drops the record instead. After Close it returns ErrClosed.
// The context is not used: nothing of it is kept after Handle returns.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	bp := bufPool.Get().(*[]byte)
	s := h.enc.newState((*bp)[:0], false)
	s.appendLine(&r)
	s.free()
	line := s.buf
	truncated := false
	if max := h.core.opts.MaxRecordSize; len(line) > max {
		line = h.enc.encodeLimited(line, &r, max, len(line))
		truncated = true
	}
	err := h.core.enqueue(line, truncated)
	if cap(line) <= maxPooledBuffer {
		*bp = line[:0]
		bufPool.Put(bp)
	}
	return err
}

// WithAttrs returns a Handler whose records also carry attrs, formatted
// once now rather than on every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if countEmptyGroups(attrs) == len(attrs) {
		return h
	}
	return &Handler{enc: h.enc.withAttrs(attrs), core: h.core}
}

// WithGroup returns a Handler that puts later attributes in group name.
// An empty name returns h.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &Handler{enc: h.enc.withGroup(name), core: h.core}
}

// Flush waits until every record accepted before the call is written to the
// io.Writer, asking the writer to write now rather than at its next
// interval. If ctx ends first it returns an error that says how many of
// those records were not yet written.
func (h *Handler) Flush(ctx context.Context) error { return h.core.flush(ctx) }

// Close stops accepting records, waits up to Options.CloseTimeout for every
// accepted record to be written, and stops the writer goroutine. It is
// idempotent: later calls, of Close or Shutdown, return the first call's
// result (and, while it runs, wait for it). See Shutdown.
func (h *Handler) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), h.core.opts.CloseTimeout)
	defer cancel()
	return h.core.shutdown(ctx)
}

// Shutdown is Close with a context: it returns when every accepted record
// is written and the writer goroutine has stopped, or when ctx ends, with
// an error saying how many accepted records were not written. If the
// io.Writer is stuck in a Write when ctx ends, the goroutine stops as soon
// as that Write returns and writes nothing more.
func (h *Handler) Shutdown(ctx context.Context) error { return h.core.shutdown(ctx) }

// Stats returns a snapshot of the handler's counters.
func (h *Handler) Stats() Stats { return h.core.stats() }

func countEmptyGroups(as []slog.Attr) int {
	n := 0
	for _, a := range as {
		if a.Value.Kind() == slog.KindGroup && len(a.Value.Group()) == 0 {
			n++
		}
	}
	return n
}
