// Command quickstart shows slogreq working end to end, on a machine without
// an AWS account: it starts an S3 server in the process (gofakes3, on a
// random loopback port, behind a fault injector that answers some requests
// with 503 SlowDown so that the SDK retries), makes a few hundred calls with
// a real aws-sdk-go-v2 S3 client whose aws.Config carries the logging
// middleware, and writes one ECS line per call through the slogreq handler
// into rotated files under ./logs. Then it closes the handler, reads the
// files back and prints what they hold: the files, two sample lines and a
// per-operation summary.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -n 5000 -max-size 1MiB -compress
//	go run ./examples/quickstart -real -bucket my-bucket          # AWS, default credentials
//	go run ./examples/quickstart -endpoint http://localhost:9000 -bucket test   # MinIO
//
// It exits 1 if anything fails, including when the files do not hold
// exactly one record per SDK call the workload made. Without -real or
// -endpoint it opens no connection beyond loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/slogreq/slogreq/examples/internal/logstat"
)

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
	o.Progress = os.Stderr
	o.Live = isTerminal(os.Stderr)

	// Ctrl-C stops the workload; the handler is still closed and the files
	// still read, so that what was logged can be seen.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := run(ctx, o)
	report(os.Stdout, o, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into options.
func parseFlags(args []string, output io.Writer) (options, error) {
	o := options{MaxSize: 64 << 10}
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&o.Dir, "dir", "logs", "directory for the log files; "+logName+" and its backups from an earlier run there are removed first")
	fs.IntVar(&o.N, "n", 200, "number of PutObject calls")
	fs.IntVar(&o.Workers, "workers", 8, "concurrent PutObject calls")
	fs.Var((*byteSize)(&o.MaxSize), "max-size", "rotate the log file when it would grow past this size (bytes, or with KiB, MiB, GiB)")
	fs.BoolVar(&o.Compress, "compress", false, "gzip rotated backups")
	fs.IntVar(&o.FailEvery, "fail-every", 10, "embedded S3: answer every `nth` first attempt with 503 SlowDown; 0 never")
	fs.BoolVar(&o.Real, "real", false, "use the default AWS configuration (environment, ~/.aws, instance role) and the existing bucket -bucket")
	fs.StringVar(&o.Endpoint, "endpoint", "", "use this S3-compatible endpoint (MinIO: http://localhost:9000) with the default configuration; creates -bucket if missing")
	fs.StringVar(&o.Bucket, "bucket", "", "bucket for -real and -endpoint; the run writes and deletes objects under slogreq-quickstart/")
	fs.StringVar(&o.Region, "region", "", "region for -real and -endpoint, instead of the configured one")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.N < 1:
		return o, errors.New("-n must be at least 1")
	case o.Workers < 1:
		return o, errors.New("-workers must be at least 1")
	case o.MaxSize < 1:
		return o, errors.New("-max-size must be positive")
	case o.FailEvery < 0 || o.FailEvery == 1:
		return o, errors.New("-fail-every must be 0 or at least 2")
	case (o.Real || o.Endpoint != "") && o.Bucket == "":
		return o, errors.New("-real and -endpoint need -bucket")
	}
	return o, nil
}

// report prints what the run did and what the log files hold, as far as
// the run got.
func report(w io.Writer, o options, s *summary) {
	if s.Target == "" {
		return
	}
	fmt.Fprintf(w, "\nslogreq quick start\n")
	fmt.Fprintf(w, "  S3:      %s\n", s.Target)
	fmt.Fprintf(w, "  bucket:  %s\n", s.Bucket)
	fmt.Fprintf(w, "  logs:    %s, ECS format, rotated at %s\n\n", filepath.Join(o.Dir, logName), logstat.FormatBytes(o.MaxSize))

	ops := make([]string, 0, len(s.Calls))
	for op := range s.Calls {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %d", op, s.Calls[op])
		if f := s.Failed[op]; f > 0 {
			parts[i] += fmt.Sprintf(" (%d failed)", f)
		}
	}
	fmt.Fprintf(w, "SDK calls made:   %d in %s: %s\n", s.TotalCalls(), logstat.FormatDuration(s.Elapsed), strings.Join(parts, ", "))
	if s.Injected > 0 {
		fmt.Fprintf(w, "faults injected:  %d × 503 SlowDown, each retried by the SDK\n", s.Injected)
	}
	h := s.Handler
	fmt.Fprintf(w, "handler:          %d records accepted, %d written, %d dropped, %d truncated\n",
		h.Accepted, h.Written, h.Dropped, h.Truncated)

	if len(s.Files) > 0 {
		var total int64
		for _, f := range s.Files {
			total += f.Size
		}
		fmt.Fprintf(w, "\nfiles written: %d, %s\n", len(s.Files), logstat.FormatBytes(total))
		const show = 10
		for i, f := range s.Files {
			if i == show-1 && len(s.Files) > show {
				fmt.Fprintf(w, "  … %d more\n", len(s.Files)-i-1)
				f = s.Files[len(s.Files)-1]
			} else if i >= show-1 && len(s.Files) > show {
				continue
			}
			fmt.Fprintf(w, "  %-45s %9s\n", f.Name, logstat.FormatBytes(f.Size))
		}
	}
	if len(s.Samples) > 0 {
		fmt.Fprintf(w, "\nsample lines:\n")
		for _, sm := range s.Samples {
			fmt.Fprintf(w, "  %s\n  %s\n", sm.Label, sm.Line)
		}
	}
	if s.Logs.Files > 0 {
		fmt.Fprintf(w, "\nper operation, read back from the files (go run ./examples/logstat %s):\n", o.Dir)
		_ = s.Logs.WriteTable(w)
	}
	if s.Logs.Calls == int64(s.TotalCalls()) && h.Dropped == 0 {
		fmt.Fprintf(w, "\nok: %d records on disk, one per SDK call, none dropped\n", s.Logs.Calls)
	}
}

// byteSize is a flag value in bytes that also accepts KiB, MiB and GiB.
type byteSize int64

func (b *byteSize) String() string { return logstat.FormatBytes(int64(*b)) }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(v), u.size
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return errors.New("want a size such as 65536, 64KiB or 1MiB")
	}
	*b = byteSize(n * mult)
	return nil
}

// isTerminal reports whether f is a character device, such as a terminal,
// rather than a file or a pipe.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
