//go:build unix

package rotate

import (
	"os"
	"syscall"
)

// copyOwner gives f the owner and group of the file described by from, so a
// file created by a rotation belongs to whoever owned the one it replaces
// (lumberjack does the same on Linux). Only root, or an owner changing the
// group to one of its own, may do this; otherwise f stays owned by the
// process, which can still write it, and the error is dropped.
func copyOwner(f *os.File, from os.FileInfo) {
	st, ok := from.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid()) {
		return
	}
	_ = f.Chown(int(st.Uid), int(st.Gid))
}
