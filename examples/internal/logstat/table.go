package logstat

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// WriteTable writes the summary for a terminal: a line of totals, a table
// with one row per operation and a TOTAL row, and the failed calls by error
// code.
//
//	SERVICE  OPERATION  CALLS  ERRORS  THROTTLED  RETRIES  P50     P95     P99     MAX     SENT     RECEIVED
//	S3       GetObject  11     1       0          0        1.05ms  2.50ms  2.50ms  2.47ms  0 B      9.5 KiB
func (s *Summary) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%d files, %d lines: %d calls, %d attempt records, %d other, %d malformed (skipped)\n",
		s.Files, s.Lines, s.Calls, s.Attempts, s.Other, s.Malformed)
	if !s.First.IsZero() {
		fmt.Fprintf(ew, "from %s to %s (%s)\n", s.First.Format(time.RFC3339Nano), s.Last.Format(time.RFC3339Nano),
			FormatDuration(s.Last.Sub(s.First)))
	}
	ops := s.Ops()
	if len(ops) == 0 {
		return ew.err
	}
	fmt.Fprintln(ew)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tOPERATION\tCALLS\tERRORS\tTHROTTLED\tRETRIES\tP50\tP95\tP99\tMAX\tSENT\tRECEIVED")
	row := func(service, operation string, op *Op) {
		h := &op.Durations
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
			orDash(service), orDash(operation), op.Calls, op.Errors, op.Throttles, op.Retries,
			FormatDuration(h.Quantile(0.50)), FormatDuration(h.Quantile(0.95)), FormatDuration(h.Quantile(0.99)),
			FormatDuration(h.Max()), FormatBytes(op.BytesSent), FormatBytes(op.BytesReceived))
	}
	for _, op := range ops {
		row(op.Service, op.Operation, op)
	}
	row("TOTAL", "", s.Total())
	_ = tw.Flush()

	var failed []*Op
	for _, op := range ops {
		if op.Errors > 0 {
			failed = append(failed, op)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(ew, "\nerrors by code:")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for _, op := range failed {
			for _, c := range op.Codes() {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\n", orDash(op.Service), orDash(op.Operation), c.Code, c.Count)
			}
		}
		_ = tw.Flush()
	}
	return ew.err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// FormatDuration writes d with three significant digits: 850ns, 1.23ms,
// 45.6ms, 1.20s.
func FormatDuration(d time.Duration) string {
	units := []struct {
		unit string
		size time.Duration
	}{{"s", time.Second}, {"ms", time.Millisecond}, {"µs", time.Microsecond}}
	for _, u := range units {
		if d >= u.size {
			return threeDigits(float64(d)/float64(u.size)) + u.unit
		}
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// FormatBytes writes n in binary units: 512 B, 1.5 KiB, 23.4 MiB.
func FormatBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := [...]string{"KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return threeDigits(v) + " " + units[i]
}

// threeDigits formats v >= 1 with three significant digits, or as an integer
// from 1000 up.
func threeDigits(v float64) string {
	prec := 0
	switch {
	case v < 9.995:
		prec = 2
	case v < 99.95:
		prec = 1
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// errWriter keeps the first write error so that the table code can print
// without checking each call.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
