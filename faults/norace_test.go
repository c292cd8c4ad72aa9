//go:build linux && !race

package faults

const raceEnabled = false
