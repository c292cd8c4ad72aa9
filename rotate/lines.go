package rotate

import "bytes"

// nextChunk returns the length of the first piece of p to write into one
// file; p ends in '\n'. A p of at most limit bytes is one piece. A longer p
// is cut after the last line that fits in limit bytes; when even its first
// line is longer than limit, that line alone is the piece, and it gets a file
// of its own. Lines are never cut, so every piece ends in '\n'.
func nextChunk(p []byte, limit int64) int {
	if int64(len(p)) <= limit {
		return len(p)
	}
	if i := bytes.LastIndexByte(p[:limit], '\n'); i >= 0 {
		return i + 1
	}
	// The first line is longer than limit. p ends in '\n', so the search
	// succeeds; the fallback only keeps a bad caller from looping forever.
	if i := bytes.IndexByte(p[limit:], '\n'); i >= 0 {
		return int(limit) + i + 1
	}
	return len(p)
}
