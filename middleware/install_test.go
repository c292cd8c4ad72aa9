package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithymw "github.com/aws/smithy-go/middleware"

	"github.com/slogreq/slogreq/middleware"
)

// finalizeLists records the Finalize step of every stack an option runs on.
type finalizeLists struct {
	mu    sync.Mutex
	lists [][]string
}

func (f *finalizeLists) option(stack *smithymw.Stack) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists = append(f.lists, stack.Finalize.List())
	return nil
}

func (f *finalizeLists) last(t *testing.T) []string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lists) == 0 {
		t.Fatal("no stack was built")
	}
	return f.lists[len(f.lists)-1]
}

// The middleware sits first in Finalize and the attempt middleware right
// after "Retry"; presign stacks, which have no "Retry", get neither, and
// presigned URLs still work.
func TestPresignStillWorks(t *testing.T) {
	srv := newFakeS3(t)
	var buf logBuf
	var lists finalizeLists
	cfg := testConfig(t, newLogger(&buf, slog.LevelDebug), &middleware.Options{PerAttempt: true})
	cfg.APIOptions = append(cfg.APIOptions, lists.option)
	client := s3Client(cfg, srv.URL)
	ctx := context.Background()

	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
	mustNot(t, err)
	call := lists.last(t)
	if call[0] != middleware.CallMiddlewareID {
		t.Errorf("Finalize = %v, want %s first", call, middleware.CallMiddlewareID)
	}
	if i := slices.Index(call, "Retry"); i < 0 || i+1 >= len(call) || call[i+1] != middleware.AttemptMiddlewareID {
		t.Errorf("Finalize = %v, want %s right after Retry", call, middleware.AttemptMiddlewareID)
	}
	before := len(buf.records(t))

	presigner := s3.NewPresignClient(client)
	put, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("p")},
		s3.WithPresignExpires(time.Minute))
	mustNot(t, err)
	presign := lists.last(t)
	if slices.Contains(presign, middleware.CallMiddlewareID) || slices.Contains(presign, middleware.AttemptMiddlewareID) {
		t.Errorf("presign Finalize = %v, want neither middleware", presign)
	}
	get, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("p")},
		s3.WithPresignExpires(time.Minute))
	mustNot(t, err)
	if after := len(buf.records(t)); after != before {
		t.Errorf("presigning wrote %d records, want none", after-before)
	}

	hc := cfg.HTTPClient.(*http.Client)
	req, err := http.NewRequestWithContext(ctx, put.Method, put.URL, strings.NewReader("presigned body"))
	mustNot(t, err)
	resp, err := hc.Do(req)
	mustNot(t, err)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT = %d", resp.StatusCode)
	}
	resp, err = hc.Get(get.URL)
	mustNot(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "presigned body" {
		t.Fatalf("presigned GET = %d %q", resp.StatusCode, body)
	}
}

// Installing through the config twice and through client options once
// more still logs each call once and puts each middleware on the stack once.
func TestInstallIsIdempotent(t *testing.T) {
	srv := newFakeS3(t)
	var buf logBuf
	logger := newLogger(&buf, slog.LevelDebug)
	opts := &middleware.Options{PerAttempt: true}
	cfg := testConfig(t, logger, opts)
	middleware.AddTo(&cfg, logger, opts)
	var lists finalizeLists
	cfg.APIOptions = append(cfg.APIOptions, lists.option)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
		o.APIOptions = append(o.APIOptions, middleware.APIOption(logger, opts))
	})

	_, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
	mustNot(t, err)
	recs := buf.records(t)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want one attempt and one call:\n%s", len(recs), buf.String())
	}
	list := lists.last(t)
	for _, id := range []string{middleware.CallMiddlewareID, middleware.AttemptMiddlewareID} {
		if n := countOf(list, id); n != 1 {
			t.Errorf("%s is %d times in Finalize %v", id, n, list)
		}
	}
}

// AddTo does not write into the backing array of the config it was copied
// from.
func TestAddToLeavesOtherConfigsAlone(t *testing.T) {
	base := aws.Config{APIOptions: make([]func(*smithymw.Stack) error, 0, 4)}
	a, b := base, base
	middleware.AddTo(&a, slog.Default(), nil)
	middleware.AddTo(&b, slog.Default(), &middleware.Options{Message: "b"})
	if len(base.APIOptions) != 0 || len(a.APIOptions) != 1 || len(b.APIOptions) != 1 {
		t.Fatalf("lengths base %d a %d b %d", len(base.APIOptions), len(a.APIOptions), len(b.APIOptions))
	}
	if &a.APIOptions[0] == &b.APIOptions[0] {
		t.Fatal("a and b share their APIOptions array")
	}
}

func countOf(list []string, id string) int {
	n := 0
	for _, s := range list {
		if s == id {
			n++
		}
	}
	return n
}
