package logstat

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// MaxLineSize is the longest line Read parses; longer lines are counted as
// malformed and skipped without being held in memory. slogreq's handler
// writes lines of at most its MaxRecordSize (64 KiB by default).
const MaxLineSize = 1 << 20

// Op is the summary of the calls of one operation of one service.
type Op struct {
	Service   string
	Operation string

	// Calls counts call records.
	Calls int64
	// Errors counts calls that did not succeed (see Record.Failed).
	Errors int64
	// ErrorCodes counts the failed calls by error.code, or by error.type for
	// errors without a code (a transport failure, a canceled context).
	ErrorCodes map[string]int64
	// Throttles counts calls that failed with a throttling error: one of the
	// SDK retryer's throttle codes (SlowDown, ThrottlingException, …) or
	// HTTP 429. A throttled attempt that a retry made good shows in Retries
	// only.
	Throttles int64
	// Retries is the sum of attempts - 1 over the calls.
	Retries int64
	// Durations holds every call's event.duration.
	Durations Histogram
	// BytesSent is the sum of http.request.body.bytes.
	BytesSent int64
	// BytesReceived is the sum of http.response.body.bytes: the lengths the
	// service declared.
	BytesReceived int64
}

// CodeCount is one error code and how many calls failed with it.
type CodeCount struct {
	Code  string
	Count int64
}

// Codes returns ErrorCodes, most frequent first, then by code.
func (o *Op) Codes() []CodeCount {
	out := make([]CodeCount, 0, len(o.ErrorCodes))
	for c, n := range o.ErrorCodes {
		out = append(out, CodeCount{c, n})
	}
	slices.SortFunc(out, func(a, b CodeCount) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out
}

// add counts one call record.
func (o *Op) add(r *Record) {
	o.Calls++
	o.Durations.Record(r.Duration)
	if r.Attempts > 1 {
		o.Retries += int64(r.Attempts - 1)
	}
	if r.RequestBytes > 0 {
		o.BytesSent += r.RequestBytes
	}
	if r.ResponseBytes > 0 {
		o.BytesReceived += r.ResponseBytes
	}
	if !r.Failed() {
		return
	}
	o.Errors++
	code := r.ErrorCode
	if code == "" {
		code = r.ErrorType
	}
	if code == "" {
		code = "unknown"
	}
	if o.ErrorCodes == nil {
		o.ErrorCodes = make(map[string]int64)
	}
	o.ErrorCodes[code]++
	if _, ok := retry.DefaultThrottleErrorCodes[r.ErrorCode]; ok || r.StatusCode == 429 {
		o.Throttles++
	}
}

// merge adds the counts of p to o.
func (o *Op) merge(p *Op) {
	o.Calls += p.Calls
	o.Errors += p.Errors
	o.Throttles += p.Throttles
	o.Retries += p.Retries
	o.BytesSent += p.BytesSent
	o.BytesReceived += p.BytesReceived
	o.Durations.Merge(&p.Durations)
	for c, n := range p.ErrorCodes {
		if o.ErrorCodes == nil {
			o.ErrorCodes = make(map[string]int64)
		}
		o.ErrorCodes[c] += n
	}
}

type opKey struct{ service, operation string }

// Summary accumulates records, per service and operation. The zero value is
// an empty summary ready to use; it is not safe for concurrent use.
type Summary struct {
	// Files counts the files ReadFile read.
	Files int
	// Lines counts the non-blank lines read.
	Lines int64
	// Calls, Attempts and Other count the records of each Kind.
	Calls, Attempts, Other int64
	// Malformed counts the lines skipped as malformed, too long ones
	// included.
	Malformed int64
	// First and Last are the earliest and latest record times seen.
	First, Last time.Time

	ops map[opKey]*Op
}

// Add counts one record: a call in its operation's Op, other kinds in the
// Summary's counters only.
func (s *Summary) Add(r Record) {
	if !r.Time.IsZero() {
		if s.First.IsZero() || r.Time.Before(s.First) {
			s.First = r.Time
		}
		if r.Time.After(s.Last) {
			s.Last = r.Time
		}
	}
	switch r.Kind {
	case Attempt:
		s.Attempts++
		return
	case Other:
		s.Other++
		return
	}
	s.Calls++
	k := opKey{r.Service, r.Operation}
	op := s.ops[k]
	if op == nil {
		if s.ops == nil {
			s.ops = make(map[opKey]*Op)
		}
		op = &Op{Service: r.Service, Operation: r.Operation}
		s.ops[k] = op
	}
	op.add(&r)
}

// jsonSpace is the white space JSON allows around values; other Unicode
// spaces (a vertical tab) make a line malformed.
const jsonSpace = " \t\r\n"

// AddLine parses one line and adds it; a blank line (JSON white space only)
// is ignored and a malformed one counted. It returns the parse error, if
// any.
func (s *Summary) AddLine(line []byte) error {
	if len(bytes.Trim(line, jsonSpace)) == 0 {
		return nil
	}
	s.Lines++
	r, err := ParseLine(line)
	if err != nil {
		s.Malformed++
		return err
	}
	s.Add(r)
	return nil
}

// Read adds every line of r. Malformed lines are counted, not returned;
// the error is r's. A last line without a newline is read too.
func (s *Summary) Read(r io.Reader) error {
	br := bufio.NewReaderSize(r, MaxLineSize)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Too long: count it and skip to its end without keeping it.
			s.Lines++
			s.Malformed++
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		_ = s.AddLine(line)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Ops returns the per-operation summaries, by service then operation.
func (s *Summary) Ops() []*Op {
	out := make([]*Op, 0, len(s.ops))
	for _, op := range s.ops {
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b *Op) int {
		if c := cmp.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return cmp.Compare(a.Operation, b.Operation)
	})
	return out
}

// Op returns the summary of one operation, nil if no call was seen.
func (s *Summary) Op(service, operation string) *Op {
	return s.ops[opKey{service, operation}]
}

// Total returns all operations merged into one Op with empty names.
func (s *Summary) Total() *Op {
	t := &Op{}
	for _, op := range s.ops {
		t.merge(op)
	}
	return t
}
