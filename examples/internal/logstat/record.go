package logstat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// ErrMalformed is wrapped by the errors ParseLine returns for lines that are
// not one JSON object, or whose fields have the wrong type.
var ErrMalformed = errors.New("malformed line")

// Kind says what a line holds.
type Kind int

const (
	// Other is a JSON object that is not an AWS call record: an
	// application's own record, the SDK logger's, a handler report.
	Other Kind = iota
	// Call is the record of one AWS call, as the middleware writes it.
	Call
	// Attempt is the record of one attempt of a call, written with the
	// middleware's PerAttempt option (it carries aws.attempt).
	Attempt
)

// String returns "other", "call" or "attempt".
func (k Kind) String() string {
	switch k {
	case Call:
		return "call"
	case Attempt:
		return "attempt"
	default:
		return "other"
	}
}

// Format is the line format a record was read from.
type Format int

const (
	// UnknownFormat is a line with neither format's built-in keys.
	UnknownFormat Format = iota
	// ECS is slogreq's ECS format: @timestamp, log.level, message.
	ECS
	// JSON is slog's JSON format: time, level, msg.
	JSON
)

// String returns "unknown", "ecs" or "json".
func (f Format) String() string {
	switch f {
	case ECS:
		return "ecs"
	case JSON:
		return "json"
	default:
		return "unknown"
	}
}

// Record holds what logstat reads from one line. Numbers that the line does
// not carry are 0, except the byte counts, which are -1.
type Record struct {
	Kind   Kind
	Format Format

	// Time is @timestamp (ECS) or time (JSON); zero when absent.
	Time time.Time
	// Level is log.level or level, lowercased: "info", "warn".
	Level string
	// Message is message (ECS) or msg (JSON).
	Message string

	// Service is cloud.target.service.name, "S3".
	Service string
	// Operation is event.action, "PutObject".
	Operation string
	// Outcome is event.outcome: "success", "failure" or "unknown".
	Outcome string
	// Duration is event.duration.
	Duration time.Duration
	// StatusCode is http.response.status_code; 0 when there was no response.
	StatusCode int
	// Attempts is aws.attempts in a call record and aws.attempt (the attempt's
	// number) in an attempt record.
	Attempts int
	// ErrorCode is error.code, the API error code, "NoSuchKey".
	ErrorCode string
	// ErrorType is error.type, the Go type of the error.
	ErrorType string
	// RequestBytes is http.request.body.bytes, -1 when absent.
	RequestBytes int64
	// ResponseBytes is http.response.body.bytes, -1 when absent.
	ResponseBytes int64
}

// Failed reports whether the call did not succeed: an outcome other than
// "success" (a canceled call's "unknown" included), or an error object
// without an outcome.
func (r *Record) Failed() bool {
	if r.Outcome != "" {
		return r.Outcome != "success"
	}
	return r.ErrorCode != "" || r.ErrorType != ""
}

// ParseLine parses one line (with or without its trailing newline).
//
// A call record is an object whose cloud.target.provider is "aws" and which
// has an event.action, the middleware's layout; with aws.attempt it is an
// Attempt record. Its fields must have the types the middleware writes
// (strings, non-negative integers, an RFC 3339 time) and event.duration
// must be present, or the line is malformed. Any other JSON object is a
// Record of Kind Other, whose time, level and message are read when they
// have the expected types. A line that is not one JSON object is malformed.
// Errors wrap ErrMalformed; with an error, the Record holds only the Kind
// and Format the line claimed.
func ParseLine(line []byte) (Record, error) {
	rec := Record{RequestBytes: -1, ResponseBytes: -1}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return rec, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if obj == nil {
		return rec, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return rec, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	p := parser{obj: obj}

	// The middleware's signature; other records (an application's own, the
	// SDK logger's, which has event.action but no provider) may use the
	// same ECS fields with other meanings and are not checked.
	provider, _ := lookup(obj, "cloud.target.provider")
	_, hasAction := lookup(obj, "event.action")
	isCall := provider == "aws" && hasAction
	// In other records a field of an unexpected type is ignored, not an
	// error.
	p.lenient = !isCall

	var timeKey, levelKey, msgKey string
	switch {
	case p.has("@timestamp") || p.has("ecs.version"):
		rec.Format, timeKey, levelKey, msgKey = ECS, "@timestamp", "log.level", "message"
	case p.has("time") || p.has("msg"):
		rec.Format, timeKey, levelKey, msgKey = JSON, "time", "level", "msg"
	}
	if rec.Format != UnknownFormat {
		if s, ok := p.str(timeKey); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				rec.Time = t
			} else {
				p.fail(timeKey, "is not an RFC 3339 time")
			}
		}
		if s, ok := p.str(levelKey); ok {
			rec.Level = strings.ToLower(s)
		}
		rec.Message, _ = p.str(msgKey)
	}
	if !isCall {
		return rec, nil
	}

	rec.Kind = Call
	rec.Operation, _ = p.str("event.action")
	if n, ok := p.int("event.duration", 0, math.MaxInt64); ok {
		rec.Duration = time.Duration(n)
	} else {
		p.fail("event.duration", "is missing")
	}
	rec.Service, _ = p.str("cloud.target.service.name")
	rec.Outcome, _ = p.str("event.outcome")
	if n, ok := p.int("http.response.status_code", 0, 999); ok {
		rec.StatusCode = int(n)
	}
	if n, ok := p.int("aws.attempt", 1, math.MaxInt32); ok {
		rec.Kind = Attempt
		rec.Attempts = int(n)
	} else if n, ok := p.int("aws.attempts", 0, math.MaxInt32); ok {
		rec.Attempts = int(n)
	}
	rec.ErrorCode, _ = p.str("error.code")
	rec.ErrorType, _ = p.str("error.type")
	if n, ok := p.int("http.request.body.bytes", 0, math.MaxInt64); ok {
		rec.RequestBytes = n
	}
	if n, ok := p.int("http.response.body.bytes", 0, math.MaxInt64); ok {
		rec.ResponseBytes = n
	}
	if p.err != nil {
		return Record{Kind: rec.Kind, Format: rec.Format, RequestBytes: -1, ResponseBytes: -1}, p.err
	}
	return rec, nil
}

// parser reads typed fields from one decoded object and keeps the first
// type error, so that ParseLine reads as a list of fields.
type parser struct {
	obj     map[string]any
	lenient bool // ignore type errors instead of keeping them
	err     error
}

func (p *parser) fail(path, what string) {
	if p.err == nil && !p.lenient {
		p.err = fmt.Errorf("%w: %s %s", ErrMalformed, path, what)
	}
}

func (p *parser) has(path string) bool {
	_, ok := lookup(p.obj, path)
	return ok
}

// str returns the string at path; ok is false when it is absent, and a
// value of another type is a parse error.
func (p *parser) str(path string) (string, bool) {
	v, ok := lookup(p.obj, path)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		p.fail(path, "is not a string")
	}
	return s, ok
}

// int returns the integer at path, which must lie in [lo, hi].
func (p *parser) int(path string, lo, hi int64) (int64, bool) {
	v, ok := lookup(p.obj, path)
	if !ok {
		return 0, false
	}
	num, ok := v.(json.Number)
	if !ok {
		p.fail(path, "is not a number")
		return 0, false
	}
	n, err := num.Int64()
	if err != nil || n < lo || n > hi {
		p.fail(path, fmt.Sprintf("is not an integer in [%d, %d]", lo, hi))
		return 0, false
	}
	return n, true
}

// lookup finds a dotted path in m, where each dot may be a level of nesting
// or part of a key: ECS (and Filebeat's expand_keys) treats
// {"log.level":…} and {"log":{"level":…}} alike, and slogreq's ECS format
// writes its built-in fields with dotted keys and the rest nested. Longer
// keys win: {"a.b":{"c":1},"a":{"b":{"c":2}}} has a.b.c 1. Paths have a
// handful of dots, so trying every split stays cheap.
func lookup(m map[string]any, path string) (any, bool) {
	if v, ok := m[path]; ok {
		return v, true
	}
	// Longest key first, as a whole key wins.
	for i := len(path) - 1; i > 0; i-- {
		if path[i] != '.' {
			continue
		}
		sub, ok := m[path[:i]].(map[string]any)
		if !ok {
			continue
		}
		if v, ok := lookup(sub, path[i+1:]); ok {
			return v, true
		}
	}
	return nil, false
}
