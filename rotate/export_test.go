package rotate

import (
	"io"
	"os"
	"time"
)

// Hooks for the tests in package rotate_test.

// NewWithClock is New with now as the clock (for Every and backup names)
// and local as the zone used when Options.LocalTime is set.
func NewWithClock(opts Options, now func() time.Time, local *time.Location) (*Writer, error) {
	return newWriter(opts, now, local)
}

// WrapOut routes w's writes through wrap(the lumberjack.Logger), so tests can
// make them fail.
func WrapOut(w *Writer, wrap func(io.Writer) io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out = wrap(w.lj)
}

// SetTruncate replaces how w cuts back a file after a failed write.
func SetTruncate(w *Writer, truncate func(f *os.File, size int64) error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.truncate = truncate
}

// LumberjackMaxSize returns the MaxSize (megabytes) w gave lumberjack.
func LumberjackMaxSize(w *Writer) int { return w.lj.MaxSize }

// LumberjackMaxAge returns the MaxAge (days) w gave lumberjack.
func LumberjackMaxAge(w *Writer) int { return w.lj.MaxAge }

var (
	NextChunk    = nextChunk
	NextBoundary = nextBoundary
)

// MaxTailScan is how far back New and Reopen look for the end of the last
// whole line.
const MaxTailScan = maxTailScan
