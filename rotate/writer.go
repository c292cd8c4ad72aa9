package rotate

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// lumberjackMaxSize is the MaxSize, in megabytes, handed to lumberjack: the
// largest value whose byte count (MaxSize<<20) still fits in an int64. With it
// lumberjack never rotates on its own and never fails a write with "write
// length exceeds maximum file size"; the Writer does all size accounting in
// bytes.
const lumberjackMaxSize = min(math.MaxInt, math.MaxInt64>>20)

// Writer is an io.WriteCloser that appends whole lines to Options.Filename
// and rotates it by size, by time and on request. It is safe for concurrent
// use. Create it with New.
type Writer struct {
	opts Options
	now  func() time.Time // the clock for Every and backup names
	loc  *time.Location   // UTC, or the local zone with LocalTime

	mu  sync.Mutex
	lj  *lumberjack.Logger
	out io.Writer // lj; tests wrap it to inject write failures
	// f is a second descriptor on the file lj writes to. lumberjack keeps
	// its own private, so f serves Stat, Sync and cutting back a torn write.
	f          *os.File
	truncate   func(f *os.File, size int64) error
	size       int64     // bytes in the current file
	boundary   time.Time // next time rotation; zero when Every is 0
	lastBackup time.Time // time in the newest backup name
	torn       bool      // a failed write left part of a line that could not be cut back
	closed     bool

	sigStop chan struct{} // closed by Close to stop the ReopenOn goroutine
	sigDone chan struct{} // closed by that goroutine when it returns
}

var _ io.WriteCloser = (*Writer)(nil)

// New validates opts, creates the directory of Filename if it is missing,
// and opens (or creates, with FileMode) Filename for appending. A partial
// line at the end of an existing file, left by a process killed in the
// middle of a write (kill -9 stops a large write(2) between pages), is cut
// off first, so that the first line written does not join it. The error
// says which option is wrong or which file operation failed on which path.
func New(opts Options) (*Writer, error) {
	return newWriter(opts, time.Now, time.Local)
}

// newWriter is New with the clock and the local zone as parameters, so that
// tests can move time.
func newWriter(opts Options, now func() time.Time, local *time.Location) (*Writer, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	loc := time.UTC
	if o.LocalTime {
		loc = local
	}
	lj := &lumberjack.Logger{
		Filename:   o.Filename,
		MaxSize:    lumberjackMaxSize,
		MaxBackups: o.MaxBackups,
		MaxAge:     maxAgeDays(o.MaxAge),
		Compress:   o.Compress,
		LocalTime:  o.LocalTime,
	}
	w := &Writer{
		opts:     o,
		now:      now,
		loc:      loc,
		lj:       lj,
		out:      lj,
		truncate: (*os.File).Truncate,
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.openLocked(nil); err != nil {
		return nil, err
	}
	return w, nil
}

// Write appends p, which must end in '\n', to the current file.
//
// Lines are never split across files. A p that fits in MaxSize lands whole
// in one file: when it would take the current file past MaxSize, or when an
// Every boundary has passed, the file is rotated first. A p longer than
// MaxSize is cut between lines into pieces of at most MaxSize, and each piece
// is written that way; a single line longer than MaxSize gets a file of its
// own rather than an error. An empty p writes nothing.
//
// A p that does not end in '\n' is refused whole with an error wrapping
// ErrPartialLine. Refusing, rather than holding the fragment until the rest
// arrives, keeps the Writer free of buffered state that concurrent callers
// could interleave or that Close could lose; slogreq's handler always writes
// whole lines.
//
// On error, n counts only the whole lines that reached a file; the next Write
// tries again (opening the file or rotating if that is what failed). A write
// that fails halfway (a full disk takes some bytes) is cut back so the
// partial line does not stay in the file; should even that fail, the
// fragment is left as the end of that file and the next Write starts a new
// one.
func (w *Writer) Write(p []byte) (n int, err error) {
	if len(p) > 0 && p[len(p)-1] != '\n' {
		return 0, fmt.Errorf("%w: %d bytes for %s, nothing written", ErrPartialLine, len(p), w.opts.Filename)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, w.errClosed()
	}
	for len(p) > 0 {
		k := nextChunk(p, w.opts.MaxSize)
		m, err := w.writeLocked(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

// writeLocked writes p, whole lines of at most MaxSize bytes or one longer
// line, into one file, rotating first if the limits ask for it.
func (w *Writer) writeLocked(p []byte) (int, error) {
	if w.f == nil {
		if err := w.openLocked(nil); err != nil {
			return 0, err
		}
	}
	if w.dueLocked(int64(len(p))) {
		if err := w.rotateLocked(); err != nil {
			return 0, err
		}
	}
	n, err := w.out.Write(p)
	if err != nil {
		return 0, w.undoLocked(n, err)
	}
	w.size += int64(n)
	return n, nil
}

// dueLocked reports whether the current file must be rotated before n more
// bytes go into it.
func (w *Writer) dueLocked(n int64) bool {
	if w.torn {
		return true
	}
	// An empty file takes any write, so an oversized line still lands.
	// (Subtracting cannot overflow, as adding could with MaxSize near
	// math.MaxInt64.)
	if w.size > 0 && n > w.opts.MaxSize-w.size {
		return true
	}
	if w.opts.Every > 0 {
		now := w.now()
		if now.Before(w.boundary) {
			return false
		}
		if w.size == 0 {
			// Nothing to move aside; an empty backup would be noise.
			w.boundary = nextBoundary(now, w.opts.Every, w.loc)
			return false
		}
		return true
	}
	return false
}

// undoLocked handles a failed write of which n bytes reached the file: it
// cuts the file back to its size before the write, so the caller can retry
// the whole batch without leaving a partial line behind. If the cut fails, the
// partial line stays as the last bytes of this file and the next write
// rotates first, so no line is glued to it.
func (w *Writer) undoLocked(n int, err error) error {
	err = fmt.Errorf("rotate: %w", err)
	if n <= 0 {
		return err
	}
	if terr := w.truncate(w.f, w.size); terr != nil {
		w.size += int64(n)
		w.torn = true
		return errors.Join(err, fmt.Errorf("rotate: remove partial line from %s: %w", w.opts.Filename, terr))
	}
	return err
}

// Rotate moves the current file aside to a timestamped backup and starts a
// new, empty file, even if the current one is empty. lumberjack then
// compresses and prunes backups in the background as configured.
func (w *Writer) Rotate() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.errClosed()
	}
	return w.rotateLocked()
}

// Sync commits the current file's contents to stable storage (fsync). Writes
// reach the operating system on return from Write; Sync is for callers that
// also need them to survive a machine crash.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.errClosed()
	}
	if w.f == nil {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	return nil
}

// Close closes the current file and stops the ReopenOn goroutine, if any.
// lumberjack's mill goroutine, which compresses and prunes backups, cannot be
// stopped and stays (see the package documentation); a compression it has
// started finishes after Close returns. Close is idempotent; other methods
// return an error wrapping ErrClosed after it.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	err := w.closeLocked()
	stop, done := w.sigStop, w.sigDone
	w.mu.Unlock()
	// Wait without the lock: the goroutine may be waiting for it in Reopen.
	if stop != nil {
		close(stop)
		<-done
	}
	return err
}

// closeLocked closes both descriptors of the current file, if open.
func (w *Writer) closeLocked() error {
	if w.f == nil {
		return nil
	}
	err := errors.Join(w.lj.Close(), w.f.Close())
	w.f = nil
	if err != nil {
		return fmt.Errorf("rotate: close %s: %w", w.opts.Filename, err)
	}
	return nil
}

func (w *Writer) errClosed() error {
	return fmt.Errorf("%w: %s", ErrClosed, w.opts.Filename)
}

// dir is the directory of the current file and its backups.
func (w *Writer) dir() string {
	return filepath.Dir(w.opts.Filename)
}
