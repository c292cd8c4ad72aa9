package middleware_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"go.uber.org/goleak"

	"github.com/slogreq/slogreq/middleware"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testRegion = "us-west-2"
	testBucket = "bucket"
)

// logBuf collects JSON lines from a slog.JSONHandler; it is safe for the
// concurrent writes of calls running in other goroutines.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// records parses every line as one JSON object, numbers kept exact.
func (l *logBuf) records(t *testing.T) []record {
	t.Helper()
	var out []record
	for _, line := range strings.Split(strings.TrimSuffix(l.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		d := json.NewDecoder(strings.NewReader(line))
		d.UseNumber()
		var r record
		if err := d.Decode(&r); err != nil {
			t.Fatalf("line is not one JSON object: %v\n%s", err, line)
		}
		out = append(out, r)
	}
	return out
}

// callRecords are the records with the call message.
func (l *logBuf) callRecords(t *testing.T) []record {
	t.Helper()
	var out []record
	for _, r := range l.records(t) {
		if r["msg"] == middleware.DefaultMessage {
			out = append(out, r)
		}
	}
	return out
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// record is one parsed JSON line.
type record map[string]any

// get follows a dotted path through nested objects; ok is false when any
// part is missing.
func (r record) get(path string) (any, bool) {
	var cur any = map[string]any(r)
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func (r record) str(t *testing.T, path string) string {
	t.Helper()
	v, ok := r.get(path)
	if !ok {
		t.Fatalf("%s missing in %v", path, r)
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s = %v (%T), want a string", path, v, v)
	}
	return s
}

func (r record) int(t *testing.T, path string) int64 {
	t.Helper()
	v, ok := r.get(path)
	if !ok {
		t.Fatalf("%s missing in %v", path, r)
	}
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s = %v (%T), want a number", path, v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %v, want an integer", path, n)
	}
	return i
}

func (r record) wantStr(t *testing.T, path, want string) {
	t.Helper()
	if got := r.str(t, path); got != want {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

func (r record) wantInt(t *testing.T, path string, want int64) {
	t.Helper()
	if got := r.int(t, path); got != want {
		t.Errorf("%s = %d, want %d", path, got, want)
	}
}

func (r record) wantAbsent(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if v, ok := r.get(p); ok {
			t.Errorf("%s = %v, want it absent", p, v)
		}
	}
}

// fastRetryer retries up to maxAttempts times with a constant backoff and no
// retry quota, so error paths stay fast and deterministic.
func fastRetryer(maxAttempts int, backoff time.Duration) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return backoff, nil })
			o.RateLimiter = ratelimit.None
		})
	}
}

// testConfig is an aws.Config for loopback servers: static credentials,
// fast retries, its own transport (closed when the test ends), and the
// logging middleware.
func testConfig(t *testing.T, logger *slog.Logger, opts *middleware.Options) aws.Config {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	cfg := aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  &http.Client{Transport: tr},
		Retryer:     fastRetryer(3, time.Millisecond),
	}
	middleware.AddTo(&cfg, logger, opts)
	return cfg
}

func s3Client(cfg aws.Config, endpoint string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

func dynamoClient(cfg aws.Config, endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// fakeS3 serves gofakes3 on loopback and records the request ids it sends.
type fakeS3 struct {
	*httptest.Server
	mu  sync.Mutex
	ids []string // x-amz-request-id of each response, in order
	ext []string // x-amz-id-2 of each response
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{}
	backend := gofakes3.New(s3mem.New()).Server()
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		backend.ServeHTTP(w, r)
		f.mu.Lock()
		f.ids = append(f.ids, w.Header().Get("x-amz-request-id"))
		f.ext = append(f.ext, w.Header().Get("x-amz-id-2"))
		f.mu.Unlock()
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeS3) sent(i int) (requestID, extendedID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ids[i], f.ext[i]
}

// newServer starts an httptest server with handler, closed when the test
// ends.
func newServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// s3Error writes an S3 REST-XML error response.
func s3Error(w http.ResponseWriter, status int, code, message, requestID, hostID string) {
	if requestID != "" {
		w.Header().Set("x-amz-request-id", requestID)
	}
	if hostID != "" {
		w.Header().Set("x-amz-id-2", hostID)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+message+
		`</Message><RequestId>`+requestID+`</RequestId><HostId>`+hostID+`</HostId></Error>`)
}

// drain reads a request body so the client is never cut off mid-send.
func drain(r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }

func mustNot(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustFail(t *testing.T, err error) error {
	t.Helper()
	if err == nil {
		t.Fatal("call succeeded, want an error")
	}
	return err
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	mustNot(t, err)
	return string(b)
}
