//go:build !race

package slogreq

const raceEnabled = false
