//go:build linux

package faults

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slogreq/slogreq/slogreq"
)

// line is what the suite reads back from a log line: a record of a
// producer, or a report line of the handler.
type line struct {
	Time        time.Time `json:"time"`
	Level       string    `json:"level"`
	Msg         string    `json:"msg"`
	P           int       `json:"p"`
	I           int64     `json:"i"`
	Dropped     uint64    `json:"dropped"`
	WriteErrors uint64    `json:"write_errors"`
	LastError   string    `json:"last_error"`

	// After is, for a report line, how many records precede it in the
	// files.
	After int64 `json:"-"`
}

// reportPrefix starts the message of the handler's own report lines.
const reportPrefix = "slogreq: "

// seqRun is what a log directory holds of one producer's numbered records.
type seqRun struct {
	Count    int64 // records on disk
	Next     int64 // one past the highest number seen
	Gaps     int64 // numbers below Next that are missing
	Disorder int64 // records numbered at or below one already seen: duplicates or out of order
}

// logDir is the content of a log directory, read in rotation order.
type logDir struct {
	Files   int
	Bytes   int64
	Lines   int64
	Runs    map[int]*seqRun // by producer
	Reports []line
}

func (d *logDir) records() int64 {
	var n int64
	for _, r := range d.Runs {
		n += r.Count
	}
	return n
}

func (d *logDir) run(p int) *seqRun {
	if r := d.Runs[p]; r != nil {
		return r
	}
	return &seqRun{}
}

// reported sums the report lines' counts.
func (d *logDir) reported() (dropped, writeErrors uint64) {
	for _, r := range d.Reports {
		dropped += r.Dropped
		writeErrors += r.WriteErrors
	}
	return dropped, writeErrors
}

// logFiles lists dir's log files in rotation order: the backups by the
// time in their names, then the current file. Anything else fails the test.
func logFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var backups []string
	current := false
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == logName:
			current = true
		case strings.HasPrefix(name, "aws-") && strings.HasSuffix(name, ".json"):
			backups = append(backups, name)
		default:
			t.Fatalf("unexpected file %s in the log directory", name)
		}
	}
	slices.Sort(backups) // fixed-width UTC times sort as strings
	if current {
		backups = append(backups, logName)
	}
	for i := range backups {
		backups[i] = filepath.Join(dir, backups[i])
	}
	return backups
}

// readLogDir reads every file of dir and checks that each ends in a
// newline and that every line is one whole JSON object, either a record
// with message msg or a report of the handler. It fails the test otherwise.
func readLogDir(t testing.TB, dir, msg string) *logDir {
	t.Helper()
	d := &logDir{Runs: map[int]*seqRun{}}
	for _, path := range logFiles(t, dir) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d.Files++
		d.Bytes += int64(len(data))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			t.Fatalf("%s ends in a partial line: %q", path, tail(data))
		}
		for n := 1; len(data) > 0; n++ {
			i := bytes.IndexByte(data, '\n')
			text := data[:i]
			data = data[i+1:]
			d.Lines++
			l, ok := parseRecord(text, msg)
			if !ok {
				if err := json.Unmarshal(text, &l); err != nil {
					t.Fatalf("%s:%d is not a JSON object: %v\n%q", path, n, err, text)
				}
			}
			switch {
			case l.Msg == msg:
				r := d.Runs[l.P]
				if r == nil {
					r = &seqRun{}
					d.Runs[l.P] = r
				}
				r.Count++
				switch {
				case l.I < r.Next:
					r.Disorder++
				default:
					r.Gaps += l.I - r.Next
					r.Next = l.I + 1
				}
			case strings.HasPrefix(l.Msg, reportPrefix):
				l.After = d.records()
				d.Reports = append(d.Reports, l)
			default:
				t.Fatalf("%s:%d: unexpected line %q", path, n, text)
			}
		}
	}
	return d
}

// parseRecord reads a producer's record when the line is exactly in the
// shape the handler writes for it, {"time":"…","level":"INFO","msg":msg,
// "p":…,"i":…,"pad":"xx…x"}, which is valid JSON by construction; ok is false
// for any other line, which the caller then decodes as JSON. Millions of
// lines are read this way in a fraction of the time encoding/json takes.
func parseRecord(text []byte, msg string) (l line, ok bool) {
	s, ok := bytes.CutPrefix(text, []byte(`{"time":"`))
	if !ok {
		return l, false
	}
	ts, s, ok := bytes.Cut(s, []byte(`","level":"INFO","msg":"`))
	if !ok || len(ts) < len("2006-01-02T15:04:05Z") || len(bytes.Trim(ts, "0123456789-:.TZ+")) != 0 {
		return l, false
	}
	if s, ok = bytes.CutPrefix(s, []byte(msg+`","p":`)); !ok {
		return l, false
	}
	var p, i int64
	if p, s, ok = cutInt(s, `,"i":`); !ok {
		return l, false
	}
	if i, s, ok = cutInt(s, `,"pad":"`); !ok {
		return l, false
	}
	if x, ok := bytes.CutSuffix(s, []byte(`"}`)); !ok || len(bytes.Trim(x, "x")) != 0 {
		return l, false
	}
	return line{Level: "INFO", Msg: msg, P: int(p), I: i}, true
}

// cutInt reads a non-negative decimal integer followed by sep.
func cutInt(s []byte, sep string) (int64, []byte, bool) {
	digits, rest, ok := bytes.Cut(s, []byte(sep))
	if !ok || len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return 0, nil, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, nil, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, rest, true
}

func tail(b []byte) []byte {
	if len(b) > 80 {
		return b[len(b)-80:]
	}
	return b
}

// checkExactlyOnce fails the test unless producer p's records on disk are
// exactly 0..sent-1, once each and in order: what Block promises when
// nothing was dropped.
func checkExactlyOnce(t testing.TB, d *logDir, p int, sent int64) {
	t.Helper()
	r := d.run(p)
	if r.Count != sent || r.Next != sent || r.Gaps != 0 || r.Disorder != 0 {
		t.Errorf("producer %d: sent %d; on disk %d records, numbered up to %d, %d missing, %d duplicated or out of order; want all %d once, in order",
			p, sent, r.Count, r.Next, r.Gaps, r.Disorder, sent)
	}
}

// checkInOrder fails the test if producer p's records on disk repeat or
// go back: drops may leave gaps, nothing else may disturb the order.
func checkInOrder(t testing.TB, d *logDir, p int, sent int64) {
	t.Helper()
	r := d.run(p)
	if r.Disorder != 0 || r.Next > sent {
		t.Errorf("producer %d: sent %d; on disk %d records numbered up to %d with %d duplicated or out of order", p, sent, r.Count, r.Next, r.Disorder)
	}
}

// checkFailedWrites holds a fault that made writes fail (full disk, lost
// permissions) to the handler's accounting: write errors were counted,
// every record on disk was accepted and written, every missing one is a
// counted drop, the report lines add up to Stats and the first carries
// wantErr, and records follow the first report (writing resumed).
func checkFailedWrites(t testing.TB, d *logDir, st slogreq.Stats, sent uint64, wantErr string) {
	t.Helper()
	onDisk := uint64(d.records())
	if st.WriteErrors == 0 {
		t.Errorf("Stats.WriteErrors = 0 after writes failed")
	}
	if st.Accepted != onDisk || st.Written != onDisk {
		t.Errorf("stats %+v; want Accepted and Written equal to the %d records on disk", st, onDisk)
	}
	if st.Dropped != sent-onDisk {
		t.Errorf("Stats.Dropped = %d; %d of %d records are missing from the files", st.Dropped, sent-onDisk, sent)
	}
	dropped, werrs := d.reported()
	if dropped != st.Dropped || werrs != st.WriteErrors {
		t.Errorf("report lines say %d dropped and %d write errors; Stats says %d and %d", dropped, werrs, st.Dropped, st.WriteErrors)
	}
	if len(d.Reports) == 0 || !strings.Contains(d.Reports[0].LastError, wantErr) {
		t.Errorf("report lines %+v; want the first to carry %q", d.Reports, wantErr)
	}
	// Writing went on after the report, which follows the first batch
	// written once the fault was gone.
	if len(d.Reports) > 0 && d.Reports[0].After == d.records() {
		t.Errorf("no record follows the first report line: writing did not resume")
	}
}
