package rotate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// backupTimeFormat is lumberjack's layout for the time in a backup name. The
// Writer names backups itself, in the same form, so that lumberjack's mill
// recognizes them for compression and pruning.
const backupTimeFormat = "2006-01-02T15-04-05.000"

// compressSuffix is what lumberjack appends to a compressed backup.
const compressSuffix = ".gz"

// maxNameTries bounds the search for a free backup name.
const maxNameTries = 1000

// rotateLocked closes the current file, renames it to a backup and opens a
// new, empty Filename.
//
// The Writer renames instead of calling lumberjack's Rotate because
// lumberjack names a backup after the current millisecond and renames over
// whatever has that name: two rotations within a millisecond would silently
// drop a file of logs. Here each backup name is later than the previous one
// and not taken.
//
// On failure no file is open and the next Write tries again: it reopens the
// old file, whose size (or age) asks for a rotation again.
func (w *Writer) rotateLocked() error {
	if err := w.closeLocked(); err != nil {
		return err
	}
	name := w.opts.Filename
	owner, err := os.Stat(name)
	switch {
	case err == nil:
		backup, t, err := w.backupName(w.now())
		if err != nil {
			return err
		}
		if err := os.Rename(name, backup); err != nil {
			return fmt.Errorf("rotate: %w", err)
		}
		w.lastBackup = t
		if w.opts.Compress {
			prepareGzip(backup+compressSuffix, w.opts.FileMode)
		}
	case errors.Is(err, fs.ErrNotExist):
		// Removed from outside; there is nothing to move aside.
		owner = nil
	default:
		return fmt.Errorf("rotate: %w", err)
	}
	w.torn = false
	return w.openLocked(owner)
}

// backupName returns a free backup path for a rotation at now and the time
// written in it: lumberjack's form (aws.json → aws-2026-11-25T10-00-00.000.json),
// at least a millisecond after the previous backup's time, and neither it nor
// its .gz already present.
func (w *Writer) backupName(now time.Time) (string, time.Time, error) {
	base := filepath.Base(w.opts.Filename)
	ext := filepath.Ext(base)
	prefix := base[:len(base)-len(ext)]
	t := now.Truncate(time.Millisecond)
	if !t.After(w.lastBackup) {
		t = w.lastBackup.Add(time.Millisecond)
	}
	for range maxNameTries {
		path := filepath.Join(w.dir(), prefix+"-"+t.In(w.loc).Format(backupTimeFormat)+ext)
		if free(path) && free(path+compressSuffix) {
			return path, t, nil
		}
		t = t.Add(time.Millisecond)
	}
	return "", time.Time{}, fmt.Errorf("rotate: no free backup name for %s in %d tries after %s", w.opts.Filename, maxNameTries, now.Format(time.RFC3339Nano))
}

// free reports whether nothing exists at path.
func free(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// prepareGzip creates the compressed backup's file, empty, with mode, before
// lumberjack's mill writes it. The mill would create it with the backup's mode
// narrowed by the umask; finding it present, the mill truncates and fills it,
// and the mode stays. In every order of the two the result has mode, so this
// is best effort and its errors are dropped: the mill still compresses.
func prepareGzip(path string, mode os.FileMode) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, mode)
	if err != nil {
		return
	}
	_ = f.Chmod(mode)
	_ = f.Close()
}
