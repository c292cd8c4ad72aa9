// Package faults holds the fault suite of slogreq: the handler and the
// rotating file writer run together against real faults (a burst of
// records, a stalled disk, a full disk, a log directory that turns
// read-only, kill -9, SIGTERM) and the tests check the promises the
// handler documents: Block loses nothing it accepted, DropNewest never
// waits and counts every drop, errors are counted and reported in the
// output, memory stays bounded, and a crash loses at most what was still
// in the ring buffer.
//
// The package has no API; it is only tests. Faults that need a process of
// their own (a file size limit, an unprivileged user, a signal) run the
// test binary again as a child, selected by an environment variable, and
// read its progress and results from a pipe.
//
// By default the suite is small enough for "go test -race ./..."; the full
// suite, with the figures published in README.md, runs with
//
//	go test -count=1 -v -run Fault ./faults/ -faults.full | grep '^|'
//
// (or SLOGREQ_FAULTS=full in the environment).
package faults
