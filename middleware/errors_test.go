package middleware_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/slogreq/slogreq/middleware"
)

// 503 SlowDown twice, then 200: one call record with three attempts, whose
// duration includes the two backoff sleeps; with PerAttempt, one Debug
// record per attempt before it.
func TestSlowDownTwiceThenSuccess(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		i := n.Add(1)
		if i <= 2 {
			s3Error(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.",
				"REQ"+strconv.Itoa(int(i)), "HOST"+strconv.Itoa(int(i)))
			return
		}
		w.Header().Set("x-amz-request-id", "REQ3")
		w.Header().Set("x-amz-id-2", "HOST3")
		w.Header().Set("ETag", `"5eb63bbbe01eeed093cb22bb8f5acdc3"`)
	})
	var buf logBuf
	const backoff = 25 * time.Millisecond
	cfg := testConfig(t, newLogger(&buf, slog.LevelDebug), &middleware.Options{PerAttempt: true})
	cfg.Retryer = fastRetryer(3, backoff)
	client := s3Client(cfg, srv.URL)

	start := time.Now()
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String("k"), Body: strings.NewReader("hello world"),
	})
	elapsed := time.Since(start)
	mustNot(t, err)

	recs := buf.records(t)
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 3 attempts and 1 call:\n%s", len(recs), buf.String())
	}
	var attemptSum int64
	for i, r := range recs[:3] {
		r.wantStr(t, "level", "DEBUG")
		r.wantStr(t, "msg", middleware.DefaultAttemptMessage)
		r.wantStr(t, "event.action", "PutObject")
		r.wantInt(t, "aws.attempt", int64(i+1))
		r.wantAbsent(t, "aws.attempts")
		r.wantStr(t, "url.path", "/bucket/k")
		r.wantInt(t, "http.request.body.bytes", 11)
		r.wantStr(t, "aws.request_id", "REQ"+strconv.Itoa(i+1))
		r.wantStr(t, "aws.extended_request_id", "HOST"+strconv.Itoa(i+1))
		if i < 2 {
			r.wantInt(t, "http.response.status_code", 503)
			r.wantStr(t, "event.outcome", "failure")
			r.wantStr(t, "error.code", "SlowDown")
			r.wantStr(t, "error.message", "Please reduce your request rate.")
		} else {
			r.wantInt(t, "http.response.status_code", 200)
			r.wantStr(t, "event.outcome", "success")
			r.wantAbsent(t, "error")
		}
		attemptSum += r.int(t, "event.duration")
	}

	call := recs[3]
	call.wantStr(t, "level", "INFO")
	call.wantStr(t, "msg", "aws call")
	call.wantStr(t, "event.outcome", "success")
	call.wantInt(t, "aws.attempts", 3)
	call.wantInt(t, "http.response.status_code", 200)
	call.wantStr(t, "aws.request_id", "REQ3")
	call.wantStr(t, "aws.extended_request_id", "HOST3")
	call.wantAbsent(t, "error", "aws.attempt")
	d := time.Duration(call.int(t, "event.duration"))
	if d < 2*backoff {
		t.Errorf("call duration %v does not include two backoffs of %v", d, backoff)
	}
	if d > elapsed {
		t.Errorf("call duration %v longer than the call as the caller saw it, %v", d, elapsed)
	}
	// The attempts do not include the backoff between them; the call does.
	if gap := d - time.Duration(attemptSum); gap < 2*backoff {
		t.Errorf("call duration - sum of attempts = %v, want >= %v of backoff", gap, 2*backoff)
	}
}

// DynamoDB ThrottlingException until the retryer gives up: Warn (throttling
// is back pressure), three attempts, the code and message from the JSON
// error, the last response's request id.
func TestThrottlingIsWarn(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		w.Header().Set("x-amzn-RequestId", "THR"+strconv.Itoa(int(n.Add(1))))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`)
	})
	var buf logBuf
	client := dynamoClient(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL)

	_, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("orders"),
		Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}},
	})
	mustFail(t, err)

	recs := buf.callRecords(t)
	if len(recs) != 1 {
		t.Fatalf("got %d call records, want 1:\n%s", len(recs), buf.String())
	}
	r := recs[0]
	r.wantStr(t, "level", "WARN")
	r.wantStr(t, "event.action", "GetItem")
	r.wantStr(t, "event.outcome", "failure")
	r.wantStr(t, "cloud.target.service.name", "DynamoDB")
	r.wantStr(t, "http.request.method", "POST")
	r.wantStr(t, "url.path", "/")
	r.wantInt(t, "http.response.status_code", 400)
	r.wantInt(t, "aws.attempts", 3)
	r.wantStr(t, "aws.request_id", "THR3")
	r.wantStr(t, "error.code", "ThrottlingException")
	r.wantStr(t, "error.message", "Rate of requests exceeds the allowed throughput.")
	r.wantStr(t, "error.type", "*types.ThrottlingException")
	r.wantAbsent(t, "aws.extended_request_id")
}

// 404 NoSuchKey from the in-process S3: a client fault, Warn, one attempt,
// the modeled error type, and both request ids of the error response.
func TestNoSuchKeyIsWarn(t *testing.T) {
	srv := newFakeS3(t)
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL)
	ctx := context.Background()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
	mustNot(t, err)

	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("missing")})
	mustFail(t, err)

	recs := buf.callRecords(t)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2:\n%s", len(recs), buf.String())
	}
	r := recs[1]
	r.wantStr(t, "level", "WARN")
	r.wantStr(t, "event.action", "GetObject")
	r.wantStr(t, "event.outcome", "failure")
	r.wantInt(t, "http.response.status_code", 404)
	r.wantInt(t, "aws.attempts", 1)
	r.wantStr(t, "error.code", "NoSuchKey")
	r.wantStr(t, "error.type", "*types.NoSuchKey")
	// The SDK leaves NoSuchKey's message empty: then it is omitted, never "".
	if v, ok := r.get("error.message"); ok && v == "" {
		t.Error(`error.message is ""; an empty message must be omitted`)
	}
	id, ext := srv.sent(1)
	r.wantStr(t, "aws.request_id", id)
	r.wantStr(t, "aws.extended_request_id", ext)
}

// 500 on every attempt: retries exhausted, Error, with the last status and
// the number of attempts.
func TestServerErrorUntilRetriesExhausted(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		s3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", "R500", "")
	})
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL)

	_, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustFail(t, err)
	if n.Load() != 3 {
		t.Fatalf("server saw %d requests, want 3", n.Load())
	}

	recs := buf.callRecords(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1:\n%s", len(recs), buf.String())
	}
	r := recs[0]
	r.wantStr(t, "level", "ERROR")
	r.wantStr(t, "event.outcome", "failure")
	r.wantInt(t, "aws.attempts", 3)
	r.wantInt(t, "http.response.status_code", 500)
	r.wantStr(t, "error.code", "InternalError")
	r.wantStr(t, "error.message", "We encountered an internal error. Please try again.")
	r.wantStr(t, "aws.request_id", "R500")
}

// Nothing listens on the port: a transport error, Error, no status or
// response group, the endpoint from the failed URL without its query, and a
// message without the URL.
func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustNot(t, err)
	addr := ln.Addr().(*net.TCPAddr)
	mustNot(t, ln.Close())

	var buf logBuf
	cfg := testConfig(t, newLogger(&buf, slog.LevelDebug), &middleware.Options{PerAttempt: true})
	cfg.Retryer = fastRetryer(2, time.Millisecond)
	client := s3Client(cfg, "http://"+addr.String())

	const versionID = "VERSIONIDINQUERY"
	_, err = client.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String("k"), VersionId: aws.String(versionID),
	})
	mustFail(t, err)
	if !strings.Contains(err.Error(), versionID) {
		t.Fatalf("the SDK's error no longer holds the URL query (%v): this test no longer proves it is removed", err)
	}

	recs := buf.records(t)
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 2 attempts and 1 call:\n%s", len(recs), buf.String())
	}
	for _, r := range recs {
		r.wantStr(t, "event.outcome", "failure")
		r.wantStr(t, "http.request.method", "GET")
		r.wantAbsent(t, "http.response", "aws.request_id")
		r.wantStr(t, "url.domain", "127.0.0.1")
		r.wantInt(t, "url.port", int64(addr.Port))
		r.wantStr(t, "url.path", "/bucket/k")
		r.wantStr(t, "error.type", "*net.OpError")
		msg := r.str(t, "error.message")
		if !strings.Contains(msg, "connection refused") || strings.Contains(msg, "http://") {
			t.Errorf("error.message = %q, want the dial error without the URL", msg)
		}
		r.wantAbsent(t, "error.code")
	}
	call := recs[2]
	call.wantStr(t, "level", "ERROR")
	call.wantInt(t, "aws.attempts", 2)
	if strings.Contains(buf.String(), versionID) {
		t.Errorf("the URL query reached the log:\n%s", buf.String())
	}
}

// The caller cancels while the server holds the request: outcome unknown,
// Info, no status.
func TestContextCanceledMidCall(t *testing.T) {
	arrived := make(chan struct{})
	var once sync.Once
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-r.Context().Done() // the client hung up
	})
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	if !errors.Is(mustFail(t, err), context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}

	recs := buf.callRecords(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1:\n%s", len(recs), buf.String())
	}
	r := recs[0]
	r.wantStr(t, "level", "INFO")
	r.wantStr(t, "event.outcome", "unknown")
	r.wantStr(t, "error.type", "*smithy.CanceledError")
	r.wantAbsent(t, "http.response", "error.code")
	r.wantInt(t, "aws.attempts", 1)
}

// The caller's deadline passes while the server holds the request: outcome
// unknown, Warn.
func TestDeadlineExceededIsWarn(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	if !errors.Is(mustFail(t, err), context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	recs := buf.callRecords(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1:\n%s", len(recs), buf.String())
	}
	recs[0].wantStr(t, "level", "WARN")
	recs[0].wantStr(t, "event.outcome", "unknown")
}

// A successful call slower than SlowThreshold is Warn; a fast one stays Info.
func TestSlowThreshold(t *testing.T) {
	const threshold = 40 * time.Millisecond
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/slow") {
			time.Sleep(threshold + 20*time.Millisecond)
		}
	})
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), &middleware.Options{SlowThreshold: threshold}), srv.URL)
	for _, key := range []string{"slow", "fast"} {
		_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
		mustNot(t, err)
	}
	recs := buf.callRecords(t)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2:\n%s", len(recs), buf.String())
	}
	recs[0].wantStr(t, "level", "WARN")
	recs[0].wantStr(t, "event.outcome", "success")
	if d := time.Duration(recs[0].int(t, "event.duration")); d < threshold {
		t.Errorf("slow call logged %v, below the threshold", d)
	}
	if d := time.Duration(recs[1].int(t, "event.duration")); d >= threshold {
		t.Skipf("the fast call took %v on this machine; its level proves nothing", d)
	}
	recs[1].wantStr(t, "level", "INFO")
}

// No response at all because the credentials could not be resolved: Error,
// the provider's message, no status, no URL.
func TestCredentialFailureIsError(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("a request was sent without credentials")
	})
	var buf logBuf
	cfg := testConfig(t, newLogger(&buf, slog.LevelInfo), nil)
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no credentials in this test")
	})
	_, err := s3Client(cfg, srv.URL).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustFail(t, err)

	recs := buf.callRecords(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1:\n%s", len(recs), buf.String())
	}
	r := recs[0]
	r.wantStr(t, "level", "ERROR")
	r.wantStr(t, "event.outcome", "failure")
	r.wantAbsent(t, "http.response", "url", "error.code")
	if msg := r.str(t, "error.message"); !strings.Contains(msg, "no credentials in this test") {
		t.Errorf("error.message = %q, want the provider's error", msg)
	}
}

// Input validation fails before Finalize: no record, as documented.
func TestValidationErrorWritesNoRecord(t *testing.T) {
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelDebug), nil), "http://127.0.0.1:1")
	_, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket)}) // no Key
	mustFail(t, err)
	if out := buf.String(); out != "" {
		t.Fatalf("a call that failed validation wrote:\n%s", out)
	}
}
