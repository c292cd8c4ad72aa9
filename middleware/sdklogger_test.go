package middleware_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/slogreq/slogreq/middleware"
)

func TestSDKLoggerLevels(t *testing.T) {
	var buf logBuf
	l := middleware.NewSDKLogger(newLogger(&buf, slog.LevelDebug))
	l.Logf(logging.Warn, "w %d", 1)
	l.Logf(logging.Debug, "d %d", 2)
	l.Logf("", "plain")
	l.Logf("NOTICE", "other")
	recs := buf.records(t)
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4:\n%s", len(recs), buf.String())
	}
	for i, want := range []struct{ level, msg string }{{"WARN", "w 1"}, {"DEBUG", "d 2"}, {"INFO", "plain"}, {"INFO", "other"}} {
		recs[i].wantStr(t, "level", want.level)
		recs[i].wantStr(t, "msg", want.msg)
		recs[i].wantStr(t, "log.logger", "aws-sdk-go-v2")
		recs[i].wantAbsent(t, "event", "source")
	}
}

// countingStringer counts how often it is formatted.
type countingStringer struct{ n *atomic.Int32 }

func (c countingStringer) String() string { c.n.Add(1); return "formatted" }

// A level the handler does not take is not even formatted.
func TestSDKLoggerDisabledDoesNotFormat(t *testing.T) {
	var buf logBuf
	var n atomic.Int32
	l := middleware.NewSDKLogger(newLogger(&buf, slog.LevelInfo))
	l.Logf(logging.Debug, "request %v", countingStringer{&n})
	if n.Load() != 0 || buf.String() != "" {
		t.Fatalf("disabled Debug formatted %d times and wrote %q", n.Load(), buf.String())
	}
	l.Logf(logging.Warn, "request %v", countingStringer{&n})
	if n.Load() != 1 {
		t.Fatalf("enabled Warn formatted %d times, want 1", n.Load())
	}
}

// ctxKey carries a value from the caller's context to the handler.
type ctxKey struct{}

// ctxHandler adds the caller's context value to every record, to prove
// the context reaches the handler.
type ctxHandler struct{ slog.Handler }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	if v, ok := ctx.Value(ctxKey{}).(string); ok {
		r.AddAttrs(slog.String("from_ctx", v))
	}
	return h.Handler.Handle(ctx, r)
}

// Through aws.Config.Logger: the SDK's retry messages become Debug records
// with the operation, and the operation's context reaches the handler.
func TestSDKLoggerThroughConfig(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			s3Error(w, http.StatusInternalServerError, "InternalError", "again", "", "")
		}
	})
	var buf logBuf
	logger := slog.New(ctxHandler{slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})})
	cfg := testConfig(t, logger, nil)
	cfg.Logger = middleware.NewSDKLogger(logger)
	cfg.ClientLogMode = aws.LogRetries
	ctx := context.WithValue(context.Background(), ctxKey{}, "caller")
	_, err := s3Client(cfg, srv.URL).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustNot(t, err)

	var retry record
	for _, r := range buf.records(t) {
		if r["msg"] == "retrying request S3/HeadObject, attempt 2" {
			retry = r
		}
	}
	if retry == nil {
		t.Fatalf("no retry message from the SDK:\n%s", buf.String())
	}
	retry.wantStr(t, "level", "DEBUG")
	retry.wantStr(t, "log.logger", "aws-sdk-go-v2")
	retry.wantStr(t, "event.action", "HeadObject")
	retry.wantStr(t, "cloud.target.service.name", "S3")
	retry.wantStr(t, "from_ctx", "caller")
}

func TestSDKLoggerRedacts(t *testing.T) {
	var buf logBuf
	l := middleware.NewSDKLogger(newLogger(&buf, slog.LevelDebug))
	l.Logf(logging.Debug, "Request\nGET /b?X-Amz-Signature=%s HTTP/1.1\r\nAuthorization: %s\r\n", "sig123", "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abc")
	recs := buf.records(t)
	recs[0].wantStr(t, "msg", "Request\nGET /b?X-Amz-Signature=[REDACTED] HTTP/1.1\r\nAuthorization: [REDACTED]\r\n")
}
