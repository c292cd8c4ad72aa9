package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slogreq/slogreq/examples/internal/logstat"
	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// logName is the current log file in options.Dir; backups are
// aws-<time>.json and, with Compress, aws-<time>.json.gz.
const logName = "aws.json"

// options are the quick start's settings, one per command-line flag.
type options struct {
	Dir       string // directory of the log files
	N         int    // PutObject calls
	Workers   int    // concurrent PutObject calls
	MaxSize   int64  // rotate the log file at this many bytes
	Compress  bool   // gzip rotated backups
	FailEvery int    // embedded S3: answer every nth first attempt with 503 SlowDown; 0 never

	Real     bool   // use the default AWS configuration and a real bucket
	Endpoint string // an S3-compatible endpoint (MinIO), with the default configuration
	Bucket   string // bucket of -real and -endpoint
	Region   string // overrides the configured region

	Progress io.Writer // progress lines; nil for none
	Live     bool      // Progress is a terminal: update the PutObject count in place
}

// summary is what a run did and found, for the report.
type summary struct {
	Target string // what the client talked to
	Bucket string

	Calls    map[string]int // SDK calls made, by operation, counted by the workload
	Failed   map[string]int // of those, calls that returned an error
	Injected int64          // 503 SlowDown answers of the fault injector
	Elapsed  time.Duration  // of the workload

	Handler slogreq.Stats // the handler's counters after Close
	Files   []fileInfo    // log files, backups first
	Samples []sample      // lines worth showing
	Logs    logstat.Summary
}

type fileInfo struct {
	Name string
	Size int64
}

type sample struct {
	Label, Line string
}

// TotalCalls is the number of SDK calls the workload made.
func (s *summary) TotalCalls() int {
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}

// run writes the logs of one workload and reads them back: it opens the log
// file, builds the S3 client with the logging middleware, runs the
// workload, closes the handler (which writes every accepted record) and
// then the file, and summarizes the files with logstat. It returns an error
// if anything failed or if the files do not hold exactly one record per SDK
// call; the summary is filled in as far as the run got.
func run(ctx context.Context, o options) (*summary, error) {
	s := &summary{Calls: map[string]int{}, Failed: map[string]int{}}
	prog := &progress{w: o.Progress, live: o.Live}

	// Files of an earlier run would be counted with this one's.
	removed, err := removeLogs(o.Dir)
	if err != nil {
		return s, err
	}
	if removed > 0 {
		prog.linef("removed %d log files of an earlier run from %s", removed, o.Dir)
	}
	w, err := rotate.New(rotate.Options{
		Filename: filepath.Join(o.Dir, logName),
		MaxSize:  o.MaxSize,
		Compress: o.Compress,
	})
	if err != nil {
		return s, err
	}
	h := slogreq.NewHandler(w, &slogreq.Options{Format: slogreq.ECS})
	logger := slog.New(h)

	c, err := newClient(ctx, o, logger)
	if err == nil {
		s.Target, s.Bucket = c.target, c.bucket
		t := &tally{calls: s.Calls, failed: s.Failed}
		start := time.Now()
		err = workload(ctx, o, c, t, prog)
		s.Elapsed = time.Since(start)
		c.close()
		if c.faults != nil {
			s.Injected = c.faults.injected.Load()
		}
	}

	// The handler first: it writes into w until Close returns.
	prog.linef("closing the handler and the log file")
	errs := []error{err, h.Close()}
	s.Handler = h.Stats()
	errs = append(errs, w.Close())
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	if o.Compress {
		if err := waitForCompression(ctx, o.Dir); err != nil {
			return s, err
		}
	}

	names, err := logFiles(o.Dir)
	if err != nil {
		return s, err
	}
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil {
			return s, err
		}
		s.Files = append(s.Files, fileInfo{name, fi.Size()})
		if err := s.Logs.ReadFile(name); err != nil {
			return s, err
		}
	}
	if s.Samples, err = findSamples(names); err != nil {
		return s, err
	}
	return s, check(s, c != nil && c.faults != nil)
}

// check compares what the workload did with what the handler and the files
// say.
func check(s *summary, embedded bool) error {
	st := s.Handler
	if st.Dropped > 0 || st.Written != st.Accepted {
		return fmt.Errorf("handler lost records: %d accepted, %d written, %d dropped", st.Accepted, st.Written, st.Dropped)
	}
	if s.Logs.Malformed > 0 {
		return fmt.Errorf("%d malformed lines in the log files", s.Logs.Malformed)
	}
	if got, want := s.Logs.Calls, int64(s.TotalCalls()); got != want {
		return fmt.Errorf("%d call records on disk, but the workload made %d SDK calls", got, want)
	}
	ops := slices.Sorted(maps.Keys(s.Calls))
	for _, op := range ops {
		n := s.Calls[op]
		got := int64(0)
		failed := int64(0)
		if sum := s.Logs.Op("S3", op); sum != nil {
			got, failed = sum.Calls, sum.Errors
		}
		if got != int64(n) {
			return fmt.Errorf("%s: %d records on disk, %d calls made", op, got, n)
		}
		if failed != int64(s.Failed[op]) {
			return fmt.Errorf("%s: %d failed calls on disk, %d calls returned an error", op, failed, s.Failed[op])
		}
	}
	// Each injected 503 is a failed first attempt that the SDK retried.
	if retries := s.Logs.Total().Retries; embedded && retries < s.Injected {
		return fmt.Errorf("%d retries on disk, but %d faults were injected", retries, s.Injected)
	}
	return nil
}

// isLogFile reports whether name is the log file or one of its backups.
func isLogFile(name string) bool {
	if name == logName {
		return true
	}
	base := strings.TrimSuffix(logName, ".json")
	rest, ok := strings.CutPrefix(name, base+"-")
	return ok && (strings.HasSuffix(rest, ".json") || strings.HasSuffix(rest, ".json.gz"))
}

// logFiles returns the log file and its backups in dir, sorted by name:
// backups in time order, then the current file.
func logFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && isLogFile(e.Name()) {
			names = append(names, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(names)
	return names, nil
}

// removeLogs deletes the log files of an earlier run, and nothing else.
func removeLogs(dir string) (int, error) {
	names, err := logFiles(dir)
	if err != nil {
		return 0, err
	}
	for _, name := range names {
		if err := os.Remove(name); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}

// waitForCompression waits until lumberjack's background goroutine has
// compressed every backup: it writes the .gz and then removes the plain
// file, so a backup still plain is still being compressed, or about to be.
func waitForCompression(ctx context.Context, dir string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		names, err := logFiles(dir)
		if err != nil {
			return err
		}
		plain := 0
		for _, name := range names {
			if filepath.Base(name) != logName && strings.HasSuffix(name, ".json") {
				plain++
			}
		}
		if plain == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d backups in %s still not compressed after 10s", plain, dir)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// findSamples returns two lines worth reading: a call the SDK retried after
// a 503 and the missing key's NoSuchKey, or the first line when there is
// no retried call.
func findSamples(names []string) ([]sample, error) {
	var retried, missing, first string
	for _, name := range names {
		if err := eachLine(name, func(line string) bool {
			if first == "" {
				first = line
			}
			r, err := logstat.ParseLine([]byte(line))
			if err != nil || r.Kind != logstat.Call {
				return true
			}
			if retried == "" && r.Attempts > 1 {
				retried = line
			}
			if missing == "" && r.ErrorCode == "NoSuchKey" {
				missing = line
			}
			return retried == "" || missing == ""
		}); err != nil {
			return nil, err
		}
	}
	var out []sample
	if retried != "" {
		out = append(out, sample{"a call the SDK retried after a 503 SlowDown (aws.attempts 2):", retried})
	} else if first != "" {
		out = append(out, sample{"the first call:", first})
	}
	if missing != "" {
		out = append(out, sample{"the missing key (NoSuchKey, log.level warn):", missing})
	}
	return out, nil
}

// eachLine calls fn with every line of a log file, plain or gzip, until fn
// returns false.
func eachLine(name string, fn func(line string) bool) error {
	f, err := logstat.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, logstat.MaxLineSize)
	for sc.Scan() {
		if !fn(sc.Text()) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
