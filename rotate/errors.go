package rotate

import "errors"

// ErrPartialLine is returned (wrapped, with the byte count and file name) by
// Write when p does not end in '\n'. Nothing of p is written: a Writer never
// puts part of a line into a file.
var ErrPartialLine = errors.New("rotate: write does not end in a newline")

// ErrClosed is returned (wrapped, with the file name) by the methods of a
// Writer after Close.
var ErrClosed = errors.New("rotate: writer is closed")
