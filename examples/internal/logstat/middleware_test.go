package logstat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"go.uber.org/goleak"

	"github.com/slogreq/slogreq/examples/internal/logstat"
	"github.com/slogreq/slogreq/middleware"
	"github.com/slogreq/slogreq/slogreq"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestReadsWhatTheMiddlewareWrites logs real S3 calls in every format the
// project writes (slogreq's JSON and ECS, and log/slog's own JSONHandler)
// into three files and checks that logstat counts every call of each.
func TestReadsWhatTheMiddlewareWrites(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()

	dir := t.TempDir()
	var handlers []slog.Handler
	var closers []func() error
	open := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, f.Close)
		return f
	}
	for name, format := range map[string]slogreq.Format{"json.log": slogreq.JSON, "ecs.log": slogreq.ECS} {
		h := slogreq.NewHandler(open(name), &slogreq.Options{Format: format})
		handlers = append(handlers, h)
		closers = append([]func() error{h.Close}, closers...) // the handler before its file
	}
	handlers = append(handlers, slog.NewJSONHandler(open("slog.log"), nil))

	// One client per handler: the middleware installs once per stack, so a
	// second AddTo on the same config would not log twice.
	ctx := context.Background()
	var sent int64
	for i, h := range handlers {
		cfg := aws.Config{
			Region:      "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
			HTTPClient:  &http.Client{Transport: tr},
		}
		middleware.AddTo(&cfg, slog.New(h), nil)
		client := s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
			o.UsePathStyle = true
		})
		bucket := aws.String(fmt.Sprintf("bucket-%d", i))
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
			t.Fatal(err)
		}
		sent = 0
		for i := range 5 {
			body := bytes.Repeat([]byte("x"), 100*(i+1))
			sent += int64(len(body))
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
				t.Fatal(err)
			}
		}
		var noSuchKey *types.NoSuchKey
		for range 2 {
			if _, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("missing")}); !errors.As(err, &noSuchKey) {
				t.Fatalf("GetObject of a missing key: %v", err)
			}
		}
	}
	for _, c := range closers {
		if err := c(); err != nil {
			t.Fatal(err)
		}
	}

	for _, name := range []string{"json.log", "ecs.log", "slog.log"} {
		var s logstat.Summary
		if err := s.ReadFile(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		if s.Calls != 8 || s.Malformed != 0 || s.Other != 0 {
			t.Errorf("%s: calls %d malformed %d other %d, want 8 0 0", name, s.Calls, s.Malformed, s.Other)
		}
		put, get := s.Op("S3", "PutObject"), s.Op("S3", "GetObject")
		if put == nil || put.Calls != 5 || put.BytesSent != sent || put.Errors != 0 {
			t.Errorf("%s: PutObject %+v, want 5 calls, %d bytes sent", name, put, sent)
		}
		if get == nil || get.Calls != 2 || get.Errors != 2 || get.ErrorCodes["NoSuchKey"] != 2 || get.BytesReceived == 0 {
			t.Errorf("%s: GetObject %+v, want 2 NoSuchKey errors", name, get)
		}
	}
}
