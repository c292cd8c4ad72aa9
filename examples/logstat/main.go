// Command logstat summarizes the AWS calls in slogreq log files, per service
// and operation: calls, errors by code, throttling, retries, p50/p95/p99/max
// duration and bytes.
//
//	go run ./examples/logstat [file | directory | 'glob'] ...
//
// With no arguments it reads ./logs, where the quick start writes. It reads
// plain and gzip-compressed files (rotated backups), in the ECS or the JSON
// format, detected per line, and streams them: memory does not grow with
// their size. Malformed lines are counted and skipped.
//
// It exits 1 if a file could not be read (after printing what it read), and
// 2 on a usage error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/slogreq/slogreq/examples/internal/logstat"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: logstat [file | directory | 'glob'] ...\n\n"+
			"Summarizes the AWS call records in slogreq log files (ECS or JSON, plain or .gz).\n"+
			"With no arguments it reads ./logs.\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		args = []string{"logs"}
	}
	os.Exit(run(os.Stdout, os.Stderr, args))
}

// run reads the files args name, writes the summary to stdout and errors to
// stderr, and returns the exit status.
func run(stdout, stderr io.Writer, args []string) int {
	files, err := logstat.Expand(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var s logstat.Summary
	status := 0
	for _, name := range files {
		if err := s.ReadFile(name); err != nil {
			fmt.Fprintln(stderr, err)
			status = 1
		}
	}
	if err := s.WriteTable(stdout); err != nil {
		fmt.Fprintln(stderr, "logstat:", err)
		return 1
	}
	return status
}
