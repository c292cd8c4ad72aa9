package middleware

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/smithy-go"
)

// DefaultMessage is the record message when Options.Message is empty.
const DefaultMessage = "aws call"

// DefaultAttemptMessage is the per-attempt record message when
// Options.AttemptMessage is empty.
const DefaultAttemptMessage = "aws call attempt"

// Values of CallInfo.Outcome and of the event.outcome attribute, as ECS
// defines them.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeUnknown = "unknown"
)

// Options configures the records. A nil *Options means the defaults: message
// "aws call", DefaultLevel, no slow threshold, no per-attempt records, trace
// and span ids from the SDK's tracing span when it has valid ones.
type Options struct {
	// Message is the record message. Empty means DefaultMessage.
	Message string

	// AttemptMessage is the message of per-attempt records. Empty means
	// DefaultAttemptMessage.
	AttemptMessage string

	// Level chooses the level of a call record from its facts. Nil means
	// DefaultLevel. Return a level below the handler's minimum to drop the
	// record. The policy runs before the handler's Enabled check, so it must
	// be cheap; wrap DefaultLevel to change one case.
	Level func(ctx context.Context, info CallInfo) slog.Level

	// SlowThreshold marks calls that took at least this long as slow
	// (CallInfo.Slow); DefaultLevel logs them at Warn or above. Zero
	// disables it.
	SlowThreshold time.Duration

	// PerAttempt adds a Debug record for every attempt the retry loop makes,
	// in addition to the call record.
	PerAttempt bool

	// Attrs returns extra attributes for a record, added at the top level
	// after the built-in groups. It is called only for records the handler
	// accepts (per-attempt records too: info.Attempt > 0 there) and gets a
	// copy of the facts, never the request. Keys should not collide with the
	// built-in groups.
	Attrs func(ctx context.Context, info CallInfo) []slog.Attr

	// TraceIDs returns the trace and span ids to log as trace.id and span.id;
	// empty strings are omitted. Nil means the ids of the SDK's active tracing
	// span (a client's Options.TracerProvider), when valid. Set it to read ids your
	// tracer keeps in the context, for example OpenTelemetry's
	// trace.SpanContextFromContext.
	TraceIDs func(ctx context.Context) (traceID, spanID string)
}

// CallInfo holds the read-only facts about one call, or one attempt of a
// call, that the level policy and the Attrs hook receive. Strings are empty
// and numbers zero or negative (as documented per field) when unknown.
type CallInfo struct {
	// Service is the SDK service id, "S3" (cloud.target.service.name).
	Service string
	// Operation is the API operation, "PutObject" (event.action).
	Operation string
	// Region is the region the client resolved (cloud.target.region).
	Region string

	// Method is the HTTP method (http.request.method).
	Method string
	// Domain is the endpoint host without port (url.domain).
	Domain string
	// Port is the endpoint port when the URL names one explicitly, else 0.
	Port int
	// Path is the URL path (url.path). The query is never kept.
	Path string
	// RequestBytes is the request body length, -1 when the body is a stream
	// of unknown length (http.request.body.bytes).
	RequestBytes int64

	// StatusCode is the HTTP status of the last response; 0 means there was
	// no response (transport failure, cancellation, or a failure before
	// sending).
	StatusCode int
	// ResponseBytes is the response Content-Length, -1 when the service sent
	// none or there was no response (http.response.body.bytes).
	ResponseBytes int64
	// RequestID is the service request id (aws.request_id).
	RequestID string
	// ExtendedRequestID is S3's x-amz-id-2 (aws.extended_request_id).
	ExtendedRequestID string

	// Attempt is the 1-based attempt number in a per-attempt record and 0 in
	// a call record.
	Attempt int
	// Attempts is the number of attempts the retry loop made, 0 when unknown
	// or in a per-attempt record (aws.attempts).
	Attempts int

	// Duration is the time from entering the Finalize step to its return
	// (event.duration); see the package documentation for what it covers.
	Duration time.Duration
	// Slow reports Duration >= Options.SlowThreshold (when set).
	Slow bool

	// Outcome is OutcomeSuccess, OutcomeFailure, or OutcomeUnknown when the
	// caller's context ended before the call did.
	Outcome string
	// Err is the error the SDK returns for the call (or attempt), nil on
	// success.
	Err error
	// ErrorCode is the API error code, "NoSuchKey", when the service
	// answered with an error (error.code).
	ErrorCode string
	// Fault says whose fault an error is: the service's API error fault, or
	// else FaultServer for 5xx and FaultClient for 4xx responses.
	Fault smithy.ErrorFault
	// Throttled reports an error the SDK retryer classifies as throttling
	// (ThrottlingException, SlowDown, 429, …).
	Throttled bool
	// Canceled reports that the caller's context was canceled or its
	// deadline passed: the service may or may not have done the work.
	Canceled bool
	// RetriesExhausted reports that the retryer gave up after more than one
	// attempt.
	RetriesExhausted bool
}

// DefaultLevel is the level policy used when Options.Level is nil:
//
//   - success: Info
//   - context canceled: Info (outcome unknown); deadline exceeded: Warn
//   - throttling: Warn, even after retries ran out, because it is back
//     pressure to act on, not a fault
//   - retries exhausted: Error
//   - no response (transport failure, credentials that could not be
//     resolved): Error
//   - server fault (5xx): Error
//   - other client faults (4xx, NoSuchKey, AccessDenied): Warn
//
// A call marked Slow is logged at Warn at least.
func DefaultLevel(info CallInfo) slog.Level {
	var level slog.Level
	switch {
	case info.Err == nil:
		level = slog.LevelInfo
	case info.Canceled:
		level = slog.LevelInfo
		if errors.Is(info.Err, context.DeadlineExceeded) {
			level = slog.LevelWarn
		}
	case info.Throttled:
		level = slog.LevelWarn
	case info.RetriesExhausted, info.StatusCode == 0, info.Fault == smithy.FaultServer:
		level = slog.LevelError
	default:
		level = slog.LevelWarn
	}
	if info.Slow && level < slog.LevelWarn {
		level = slog.LevelWarn
	}
	return level
}
