package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/tracing"

	"github.com/slogreq/slogreq/middleware"
)

// The Attrs hook gets the facts of the call and its attributes follow the
// built-in groups; TraceIDs supplies trace.id and span.id; Message renames
// the record.
func TestAttrsHookTraceIDsAndMessage(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-request-id", "RID")
		w.WriteHeader(http.StatusNotFound)
	})
	type traceKey struct{}
	var got []middleware.CallInfo
	var buf logBuf
	opts := &middleware.Options{
		Message: "s3 call",
		Attrs: func(ctx context.Context, info middleware.CallInfo) []slog.Attr {
			got = append(got, info)
			return []slog.Attr{slog.String("tenant", "t1"), slog.Group("labels", slog.String("team", "storage"))}
		},
		TraceIDs: func(ctx context.Context) (string, string) {
			id, _ := ctx.Value(traceKey{}).(string)
			return id, "00f067aa0ba902b7"
		},
	}
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), opts), srv.URL)
	ctx := context.WithValue(context.Background(), traceKey{}, "4bf92f3577b34da6a3ce929d0e0e4736")
	_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustFail(t, err)

	recs := buf.records(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1:\n%s", len(recs), buf.String())
	}
	r := recs[0]
	r.wantStr(t, "msg", "s3 call")
	r.wantStr(t, "tenant", "t1")
	r.wantStr(t, "labels.team", "storage")
	r.wantStr(t, "trace.id", "4bf92f3577b34da6a3ce929d0e0e4736")
	r.wantStr(t, "span.id", "00f067aa0ba902b7")
	r.wantStr(t, "error.code", "NotFound")

	if len(got) != 1 {
		t.Fatalf("Attrs called %d times, want 1", len(got))
	}
	info := got[0]
	if info.Operation != "HeadObject" || info.Service != "S3" || info.Region != testRegion ||
		info.Method != "HEAD" || info.Domain != "127.0.0.1" || info.Path != "/bucket/k" ||
		info.StatusCode != 404 || info.RequestID != "RID" || info.Attempts != 1 || info.Attempt != 0 ||
		info.Outcome != middleware.OutcomeFailure || info.ErrorCode != "NotFound" ||
		info.Fault != smithy.FaultClient || info.Err == nil || info.Duration <= 0 {
		t.Errorf("Attrs got %+v", info)
	}
}

// Without TraceIDs, the ids come from the SDK's tracing span: the operation
// span in the call record.
func TestTraceIDsFromSDKTracer(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	var buf logBuf
	cfg := testConfig(t, newLogger(&buf, slog.LevelInfo), nil)
	tracer := &fakeTracer{}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
		o.TracerProvider = tracer
	})
	_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustNot(t, err)

	recs := buf.records(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1:\n%s", len(recs), buf.String())
	}
	recs[0].wantStr(t, "trace.id", fakeTraceID)
	recs[0].wantStr(t, "span.id", tracer.spanID("S3.HeadObject"))
}

// Without a tracer, or when it has no valid ids, there is no trace group.
func TestNoTraceIDsWithoutTracer(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	var buf logBuf
	_, err := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL).
		HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustNot(t, err)
	buf.records(t)[0].wantAbsent(t, "trace", "span")
}

// Options.Level replaces the policy: here it raises everything to Error, or
// drops the record by returning a level below the handler's.
func TestLevelOverride(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	for _, tc := range []struct {
		name  string
		level slog.Level
		want  string // "" = no record
	}{
		{"raise", slog.LevelError, "ERROR"},
		{"drop", slog.LevelDebug - 4, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf logBuf
			var seen middleware.CallInfo
			opts := &middleware.Options{Level: func(_ context.Context, info middleware.CallInfo) slog.Level {
				seen = info
				return tc.level
			}}
			_, err := s3Client(testConfig(t, newLogger(&buf, slog.LevelDebug), opts), srv.URL).
				HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
			mustNot(t, err)
			if seen.Operation != "HeadObject" || seen.StatusCode != 200 {
				t.Errorf("policy saw %+v", seen)
			}
			recs := buf.records(t)
			if tc.want == "" {
				if len(recs) != 0 {
					t.Fatalf("dropped record was written:\n%s", buf.String())
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			recs[0].wantStr(t, "level", tc.want)
		})
	}
}

// A level the handler does not take builds nothing: neither the Attrs hook
// nor TraceIDs runs.
func TestDisabledLevelBuildsNothing(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	var mu sync.Mutex
	calls := 0
	count := func() { mu.Lock(); calls++; mu.Unlock() }
	var buf logBuf
	opts := &middleware.Options{
		PerAttempt: true,
		Attrs:      func(context.Context, middleware.CallInfo) []slog.Attr { count(); return nil },
		TraceIDs:   func(context.Context) (string, string) { count(); return "t", "s" },
	}
	_, err := s3Client(testConfig(t, newLogger(&buf, slog.LevelWarn), opts), srv.URL).
		HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustNot(t, err)
	if calls != 0 || buf.String() != "" {
		t.Fatalf("hooks ran %d times and wrote %q at a disabled level", calls, buf.String())
	}
}

func TestDefaultLevel(t *testing.T) {
	apiErr := func(code string, fault smithy.ErrorFault) error {
		return &smithy.GenericAPIError{Code: code, Fault: fault}
	}
	for _, tc := range []struct {
		name string
		info middleware.CallInfo
		want slog.Level
	}{
		{"success", middleware.CallInfo{StatusCode: 200}, slog.LevelInfo},
		{"slow success", middleware.CallInfo{StatusCode: 200, Slow: true}, slog.LevelWarn},
		{"canceled", middleware.CallInfo{Err: context.Canceled, Canceled: true}, slog.LevelInfo},
		{"canceled slow", middleware.CallInfo{Err: context.Canceled, Canceled: true, Slow: true}, slog.LevelWarn},
		{"deadline", middleware.CallInfo{Err: fmt.Errorf("op: %w", context.DeadlineExceeded), Canceled: true}, slog.LevelWarn},
		{"throttled", middleware.CallInfo{Err: apiErr("ThrottlingException", smithy.FaultClient), StatusCode: 400, Throttled: true}, slog.LevelWarn},
		{"throttled exhausted", middleware.CallInfo{Err: apiErr("SlowDown", smithy.FaultServer), StatusCode: 503, Throttled: true, RetriesExhausted: true}, slog.LevelWarn},
		{"client fault", middleware.CallInfo{Err: apiErr("NoSuchKey", smithy.FaultClient), StatusCode: 404, Fault: smithy.FaultClient}, slog.LevelWarn},
		{"client fault exhausted", middleware.CallInfo{Err: &retry.MaxAttemptsError{Attempt: 3, Err: apiErr("RequestTimeout", smithy.FaultClient)}, StatusCode: 400, Fault: smithy.FaultClient, RetriesExhausted: true}, slog.LevelError},
		{"server fault", middleware.CallInfo{Err: apiErr("InternalError", smithy.FaultServer), StatusCode: 500, Fault: smithy.FaultServer}, slog.LevelError},
		{"no response", middleware.CallInfo{Err: errors.New("dial tcp: connection refused")}, slog.LevelError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := middleware.DefaultLevel(tc.info); got != tc.want {
				t.Errorf("DefaultLevel = %v, want %v", got, tc.want)
			}
		})
	}
}

const fakeTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// fakeTracer is a tracing.TracerProvider whose spans have valid ids derived
// from their names.
type fakeTracer struct{}

func (f *fakeTracer) Tracer(string, ...tracing.TracerOption) tracing.Tracer { return f }

func (f *fakeTracer) StartSpan(ctx context.Context, name string, _ ...tracing.SpanOption) (context.Context, tracing.Span) {
	s := &fakeSpan{name: name, sc: tracing.SpanContext{TraceID: fakeTraceID, SpanID: f.spanID(name)}}
	return tracing.WithSpan(ctx, s), s
}

func (f *fakeTracer) spanID(name string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return fmt.Sprintf("%016x", h.Sum64())
}

type fakeSpan struct {
	name string
	sc   tracing.SpanContext
}

func (s *fakeSpan) Name() string                            { return s.name }
func (s *fakeSpan) Context() tracing.SpanContext            { return s.sc }
func (s *fakeSpan) AddEvent(string, ...tracing.EventOption) {}
func (s *fakeSpan) SetStatus(tracing.SpanStatus)            {}
func (s *fakeSpan) SetProperty(any, any)                    {}
func (s *fakeSpan) End()                                    {}
