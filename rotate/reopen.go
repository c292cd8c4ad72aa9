package rotate

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Reopen closes the current file and opens Filename again, creating it (with
// FileMode) if it is missing. Call it after an external tool such as
// logrotate has renamed the file: until then the Writer keeps appending to
// the renamed file. A file that logrotate created keeps the mode and owner
// logrotate gave it. As in New, a partial line at the end of the file is cut
// off.
//
// If the open fails, no file is open, and the next Write tries again and
// returns the error until it succeeds.
func (w *Writer) Reopen() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.errClosed()
	}
	cerr := w.closeLocked()
	return errors.Join(cerr, w.openLocked(nil))
}

// ReopenOn starts a goroutine that calls Reopen whenever the process receives
// one of sig (syscall.SIGHUP when none is given, the signal a logrotate
// postrotate script usually sends). Close stops the goroutine and the signal
// delivery. It may be called once per Writer.
//
// The goroutine has no caller to return errors to. A reopen whose open
// fails leaves no file open, so the next Write retries the open and returns
// its error; nothing is lost or hidden.
func (w *Writer) ReopenOn(sig ...os.Signal) error {
	if len(sig) == 0 {
		sig = []os.Signal{syscall.SIGHUP}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.errClosed()
	}
	if w.sigStop != nil {
		return fmt.Errorf("rotate: ReopenOn already called for %s", w.opts.Filename)
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sig...)
	w.sigStop, w.sigDone = make(chan struct{}), make(chan struct{})
	go w.reopenLoop(ch, w.sigStop, w.sigDone)
	return nil
}

// reopenLoop reopens on every signal on ch until stop is closed.
func (w *Writer) reopenLoop(ch chan os.Signal, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer signal.Stop(ch)
	for {
		select {
		case <-stop:
			return
		case <-ch:
			_ = w.Reopen()
		}
	}
}
