package slogreq

import "runtime"

// callerPC returns the PC of its caller, as slog.Logger records it.
func callerPC(pcs *[1]uintptr) uintptr {
	runtime.Callers(2, pcs[:])
	return pcs[0]
}
