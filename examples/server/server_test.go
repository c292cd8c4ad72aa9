package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"go.uber.org/goleak"

	"github.com/slogreq/slogreq/examples/internal/logstat"
)

func TestMain(m *testing.M) {
	// lumberjack's mill goroutine never stops (see the rotate package).
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}

const secretKey = "server-test-secret-key"

// TestServer runs the production setup against an in-process S3: the
// default configuration from the environment, requests through the HTTP
// routes, a SIGHUP reopen after the file is moved away as logrotate would,
// and a graceful shutdown; then every call must be on disk, split between
// the moved file and the reopened one, with no secret in either.
func TestServer(t *testing.T) {
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer s3srv.Close()
	seed(t, s3srv.URL)

	// The default configuration, from an environment that names nothing
	// outside the test: no profile files, no instance metadata.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSERVERTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretKey)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")

	defer slog.SetDefault(slog.Default()) // setup installs its logger
	dir := t.TempDir()
	o := &options{App: "test", LogDir: dir, Bucket: "bucket", S3Endpoint: s3srv.URL, MaxSize: 1 << 20, MaxBackups: 3}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := setup(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- serve(ctx, a, ln, 5*time.Second) }()

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	base := "http://" + ln.Addr().String()
	get := func(path string, wantStatus int, wantBody string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != wantStatus || (wantBody != "" && string(body) != wantBody) {
			t.Fatalf("GET %s: %d %q, want %d %q", path, resp.StatusCode, body, wantStatus, wantBody)
		}
	}
	get("/healthz", 200, "ok\n")
	get("/objects/dir/hello.txt", 200, "hello, world\n")
	get("/objects/missing", 404, "")

	// logrotate moves the file away and sends SIGHUP; the server reopens
	// aws.json and the next records go there.
	if err := a.handler.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	current := filepath.Join(dir, "aws.json")
	moved := filepath.Join(dir, "aws.json.1")
	if err := os.Rename(current, moved); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := os.Stat(current); return err == nil })
	get("/objects/dir/hello.txt", 200, "hello, world\n")

	cancel() // as SIGTERM would
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}

	var before, after logstat.Summary
	for _, x := range []struct {
		s    *logstat.Summary
		name string
	}{{&before, moved}, {&after, current}} {
		if err := x.s.ReadFile(x.name); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(x.name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secretKey)) || bytes.Contains(b, []byte("Signature=")) {
			t.Errorf("%s holds a credential:\n%s", x.name, b)
		}
		if x.s.Malformed != 0 {
			t.Errorf("%s: %d malformed lines", x.name, x.s.Malformed)
		}
	}
	if get := before.Op("S3", "GetObject"); get == nil || get.Calls != 2 || get.ErrorCodes["NoSuchKey"] != 1 {
		t.Errorf("before SIGHUP: GetObject %+v, want 2 calls, one NoSuchKey", get)
	}
	if get := after.Op("S3", "GetObject"); get == nil || get.Calls != 1 || get.Errors != 0 {
		t.Errorf("after SIGHUP: GetObject %+v, want 1 successful call", get)
	}
	// The application's own records share the file: "serving" before,
	// "shutting down" after the reopen.
	if before.Other != 1 || after.Other != 1 {
		t.Errorf("application records: %d before, %d after; want 1 and 1", before.Other, after.Other)
	}
	b, _ := os.ReadFile(current)
	if !strings.Contains(string(b), `"message":"shutting down"`) || !strings.Contains(string(b), `"service":{"name":"test"}`) {
		t.Errorf("reopened file lacks the shutdown record:\n%s", b)
	}
	if region := `"region":"eu-west-1"`; !strings.Contains(string(b), region) {
		t.Errorf("records do not carry the configured region %s:\n%s", region, b)
	}
}

// seed creates the bucket and an object with a client that does not log.
func seed(t *testing.T, endpoint string) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := s3.New(s3.Options{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		HTTPClient:   &http.Client{Transport: tr},
	})
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("bucket"), Key: aws.String("dir/hello.txt"),
		Body: strings.NewReader("hello, world\n"), ContentType: aws.String("text/plain"),
	}); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met after 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
