//go:build linux

package faults

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var fullFlag = flag.Bool("faults.full", false, "run the full fault suite (minutes) instead of the small default one; also SLOGREQ_FAULTS=full")

// full reports whether the full suite runs. The default is small so that
// "go test -race ./..." stays quick; testing.Short makes it no smaller.
func full() bool {
	return *fullFlag || os.Getenv("SLOGREQ_FAULTS") == "full"
}

// pick returns small in the default suite and big in the full one.
func pick[T any](small, big T) T {
	if full() {
		return big
	}
	return small
}

// millRun is the top function of lumberjack's mill goroutine, which starts
// with a rotate.Writer's first open and never stops (natefinch/lumberjack#56).
const millRun = "gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"

// TestMain runs a child scenario when the environment asks for one (see
// child_test.go); otherwise it runs the tests, prints the table of figures
// and fails the run if a goroutine other than lumberjack's mill is left.
func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runChild(name))
	}
	code := m.Run()
	printTable()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreTopFunction(millRun)); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// row is one line of the table of figures: one fault, or one variant of it.
type row struct {
	fault          string
	sent, onDisk   uint64
	dropped        string // counted vs actual, or what was lost
	latP99, latMax time.Duration
	mem            string
	linesPerSec    float64
	mbPerSec       float64
}

var table struct {
	sync.Mutex
	rows []row
}

// addRow records r for the table and logs it with the test.
func addRow(t *testing.T, r row) {
	t.Helper()
	t.Logf("figures: %s", r.cells())
	table.Lock()
	table.rows = append(table.rows, r)
	table.Unlock()
}

func (r row) cells() string {
	rate, mb := "–", "–"
	if r.linesPerSec > 0 {
		rate = fmt.Sprintf("%.0f", r.linesPerSec)
		mb = fmt.Sprintf("%.1f", r.mbPerSec)
	}
	lat, mem := "–", "–"
	if r.latMax > 0 {
		lat = fmtDur(r.latP99) + " / " + fmtDur(r.latMax)
	}
	if r.mem != "" {
		mem = r.mem
	}
	sent := "–" // not known: records of killed runs that never reached the ring
	if r.sent > 0 {
		sent = fmt.Sprint(r.sent)
	}
	return strings.Join([]string{r.fault, sent, fmt.Sprint(r.onDisk), r.dropped, lat, mem, rate, mb}, " | ")
}

// printTable writes the figures as a Markdown table; every line starts with
// '|', so grep '^|' picks it out of verbose test output.
func printTable() {
	table.Lock()
	defer table.Unlock()
	if len(table.rows) == 0 {
		return
	}
	fmt.Println()
	fmt.Println("| fault | records sent | on disk | dropped: counted / actual | caller latency p99 / max | peak memory | lines/s | MB/s |")
	fmt.Println("| --- | ---: | ---: | --- | --- | --- | ---: | ---: |")
	slices.SortStableFunc(table.rows, func(a, b row) int { return strings.Compare(a.fault[:1], b.fault[:1]) })
	for _, r := range table.rows {
		fmt.Printf("| %s |\n", r.cells())
	}
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d >= 10*time.Microsecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	default:
		return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
	}
}

func fmtMiB(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// memCell describes peak memory: the growth of the heap in use over the
// idle process (what the bound is about), and the peak resident set size
// when the fault ran in a process of its own.
func memCell(base, peak memUse, hwm uint64) string {
	s := "heap +" + fmtMiB(peak.HeapInuse-min(base.HeapInuse, peak.HeapInuse))
	if hwm > 0 {
		s += ", RSS " + fmtMiB(hwm)
	}
	return s
}
