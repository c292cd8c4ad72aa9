package logstat

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// FuzzParseLine checks that ParseLine never panics, accepts only single JSON
// objects, keeps its numbers in range, and reads back what it parsed: a
// call record written out again in the nested layout parses to the same
// Record. Seeds are in testdata/fuzz/FuzzParseLine; the lines of the tests
// are added here.
func FuzzParseLine(f *testing.F) {
	for _, line := range []string{ecsPut, ecsNoSuchKey, jsonThrottled, jsonAttempt, ecsSDKLogger, jsonRefused} {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseLine(line)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
		} else if !isOneObject(line) {
			t.Fatalf("ParseLine accepted %q, which is not one JSON object", line)
		}

		var s Summary
		_ = s.AddLine(line)
		if len(bytes.Trim(line, jsonSpace)) > 0 && (s.Lines != 1 || (s.Malformed == 1) != (err != nil)) {
			t.Fatalf("AddLine counted lines %d malformed %d for error %v", s.Lines, s.Malformed, err)
		}
		if err != nil || r.Kind == Other {
			return
		}
		if r.Duration < 0 || r.Attempts < 0 || r.StatusCode < 0 || r.StatusCode > 999 ||
			r.RequestBytes < -1 || r.ResponseBytes < -1 || (r.Kind == Attempt && r.Attempts < 1) {
			t.Fatalf("numbers out of range: %+v", r)
		}
		if op := s.Op(r.Service, r.Operation); r.Kind == Call && (op == nil || op.Calls != 1 || op.Durations.Max() != r.Duration) {
			t.Fatalf("Summary did not count the call %+v: %+v", r, op)
		}

		again, err := ParseLine(encode(r))
		if err != nil {
			t.Fatalf("ParseLine of the re-encoded %+v: %v", r, err)
		}
		if !again.Time.Equal(r.Time) {
			t.Fatalf("time %v, re-encoded %v", r.Time, again.Time)
		}
		again.Time, r.Time = time.Time{}, time.Time{}
		if again != r {
			t.Fatalf("re-encoded record differs:\n %+v\n %+v", r, again)
		}
	})
}

// isOneObject reports whether line is exactly one JSON object, with
// surrounding white space.
func isOneObject(line []byte) bool {
	if !json.Valid(line) {
		return false
	}
	t := bytes.Trim(line, jsonSpace)
	return len(t) > 0 && t[0] == '{'
}

// encode writes r in the nested layout of its format, leaving out what r
// does not have.
func encode(r Record) []byte {
	m := map[string]any{}
	set := func(path []string, v any) {
		cur := m
		for _, k := range path[:len(path)-1] {
			next, ok := cur[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[k] = next
			}
			cur = next
		}
		cur[path[len(path)-1]] = v
	}
	timeKey, levelKey, msgKey := "@timestamp", "log.level", "message"
	switch r.Format {
	case ECS:
		m["ecs.version"] = "9.4.0"
	case JSON:
		timeKey, levelKey, msgKey = "time", "level", "msg"
	}
	if r.Format != UnknownFormat {
		if !r.Time.IsZero() {
			m[timeKey] = r.Time.Format(time.RFC3339Nano)
		}
		if r.Level != "" {
			m[levelKey] = r.Level
		}
		// An empty message still marks the JSON format.
		if r.Message != "" || r.Format == JSON {
			m[msgKey] = r.Message
		}
	}
	set([]string{"cloud", "target", "provider"}, "aws")
	set([]string{"event", "action"}, r.Operation)
	set([]string{"event", "duration"}, int64(r.Duration))
	if r.Service != "" {
		set([]string{"cloud", "target", "service", "name"}, r.Service)
	}
	if r.Outcome != "" {
		set([]string{"event", "outcome"}, r.Outcome)
	}
	if r.StatusCode != 0 {
		set([]string{"http", "response", "status_code"}, r.StatusCode)
	}
	if r.Kind == Attempt {
		set([]string{"aws", "attempt"}, r.Attempts)
	} else if r.Attempts != 0 {
		set([]string{"aws", "attempts"}, r.Attempts)
	}
	if r.ErrorCode != "" {
		set([]string{"error", "code"}, r.ErrorCode)
	}
	if r.ErrorType != "" {
		set([]string{"error", "type"}, r.ErrorType)
	}
	if r.RequestBytes >= 0 {
		set([]string{"http", "request", "body", "bytes"}, r.RequestBytes)
	}
	if r.ResponseBytes >= 0 {
		set([]string{"http", "response", "body", "bytes"}, r.ResponseBytes)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}
