package rotate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// dirMode is the mode of a directory New creates for Filename, as lumberjack
// uses; the umask applies, since a log directory is usually made by the
// package manager or the service unit rather than by the program.
const dirMode = 0o755

// openLocked opens Filename as the current file: it creates the directory
// and the file as needed, then has lumberjack open the same file, which also
// starts or wakes lumberjack's mill. owner, when not nil, is the file being
// replaced by a rotation; a new file takes its owner.
func (w *Writer) openLocked(owner os.FileInfo) error {
	name := w.opts.Filename
	if err := os.MkdirAll(w.dir(), dirMode); err != nil {
		return fmt.Errorf("rotate: create directory for %s: %w", name, err)
	}
	// Refuse before opening: opening a FIFO for writing blocks, and a
	// rotation would rename a device such as /dev/null.
	if fi, err := os.Stat(name); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("rotate: %s is not a regular file (mode %v)", name, fi.Mode())
	}
	f, created, err := openOrCreate(name, w.opts.FileMode, owner)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("rotate: %w", err)
	}
	// lumberjack opens the file on a Write, even an empty one. It creates
	// the file (mode 0600) if missing or renames it away if it cannot open
	// it; neither happens here since the file exists and is writable, and
	// the check below catches a change in between.
	if _, err := w.lj.Write(nil); err != nil {
		f.Close()
		return fmt.Errorf("rotate: open %s: %w", name, err)
	}
	if now, err := os.Stat(name); err != nil || !os.SameFile(fi, now) {
		f.Close()
		w.lj.Close()
		return fmt.Errorf("rotate: %s was replaced while being opened; the next write retries", name)
	}
	w.f = f
	w.size = fi.Size()
	if !created && w.size > 0 {
		w.size = w.cutPartialLineLocked(fi)
	}
	if w.opts.Every > 0 {
		// A file left from earlier belongs to the period of its last write,
		// so that a restart on the next day still rotates yesterday's lines.
		from := w.now()
		if !created && fi.Size() > 0 && fi.ModTime().Before(from) {
			from = fi.ModTime()
		}
		w.boundary = nextBoundary(from, w.opts.Every, w.loc)
	}
	return nil
}

// openOrCreate opens name for appending, creating it if missing. A file it
// creates gets mode by chmod, because the umask narrowed the mode given to
// open, and the owner of owner (best effort, as lumberjack does on rotation).
// An existing file keeps its mode and owner.
func openOrCreate(name string, mode os.FileMode, owner os.FileInfo) (f *os.File, created bool, err error) {
	f, err = os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, mode)
	if err == nil {
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("rotate: set mode of new file: %w", err)
		}
		if owner != nil {
			copyOwner(f, owner)
		}
		return f, true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, false, fmt.Errorf("rotate: create log file: %w", err)
	}
	f, err = os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, false, fmt.Errorf("rotate: open log file: %w", err)
	}
	return f, false, nil
}
