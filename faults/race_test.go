//go:build linux && race

package faults

// raceEnabled: the race detector makes sync.Pool drop items at random, so the
// handler's line buffers become garbage and the heap peaks higher.
const raceEnabled = true
