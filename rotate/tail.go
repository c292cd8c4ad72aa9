package rotate

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// maxTailScan bounds how far back from the end of an existing file the
// Writer looks for the end of the last whole line. A partial line longer
// than this is not cut: the file is rotated first instead.
const maxTailScan = 1 << 20

// cutPartialLineLocked removes a partial line from the end of the current
// file, just opened and not created, whose FileInfo is fi, and returns the
// file's size after. A process killed in the middle of a write(2) (kill -9,
// the OOM killer) leaves the start of a line there: the kernel copies a
// large write page by page and stops at a fatal signal. Appending to it
// would join the next line to that fragment.
//
// When the fragment cannot be cut (too long to find the line end, or the
// truncation fails), the file keeps it as its last bytes and the next Write
// rotates first, as after a failed write. A file the Writer cannot read is
// left as it is.
func (w *Writer) cutPartialLineLocked(fi os.FileInfo) int64 {
	size := fi.Size()
	end, found, err := lastLineEnd(w.opts.Filename, fi)
	switch {
	case err != nil || end == size:
		return size
	case found && w.truncate(w.f, end) == nil:
		w.torn = false
		return end
	default:
		w.torn = true
		return size
	}
}

// lastLineEnd returns the offset just past the last '\n' in the file name,
// described by fi, looking back at most maxTailScan bytes. A file without a
// newline, if no longer than that, is one partial line: end 0. found is
// false when the scan stops first.
func lastLineEnd(name string, fi os.FileInfo) (end int64, found bool, err error) {
	r, err := os.Open(name)
	if err != nil {
		return 0, false, err
	}
	defer r.Close()
	if rfi, err := r.Stat(); err != nil || !os.SameFile(fi, rfi) {
		return 0, false, errors.New("rotate: the file changed while its end was read")
	}
	size := fi.Size()
	var last [1]byte
	if _, err := r.ReadAt(last[:], size-1); err != nil {
		return 0, false, err
	}
	if last[0] == '\n' {
		return size, true, nil
	}
	buf := make([]byte, 64<<10)
	for off := size; off > 0; {
		if size-off >= maxTailScan {
			return 0, false, nil
		}
		n := min(int64(len(buf)), off, maxTailScan-(size-off))
		off -= n
		if _, err := r.ReadAt(buf[:n], off); err != nil && err != io.EOF {
			return 0, false, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, true, nil
		}
	}
	return 0, true, nil
}
