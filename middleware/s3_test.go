package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// One record per call, with every field a successful S3 call can fill.
func TestS3CallsWriteOneRecordEach(t *testing.T) {
	srv := newFakeS3(t)
	var buf logBuf
	client := s3Client(testConfig(t, newLogger(&buf, slog.LevelInfo), nil), srv.URL)
	ctx := context.Background()
	port, _ := strconv.Atoi(mustURL(t, srv.URL).Port())

	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
	mustNot(t, err)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String("dir/key.txt"),
		Body: strings.NewReader("hello world"),
	})
	mustNot(t, err)
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("dir/key.txt")})
	mustNot(t, err)
	get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("dir/key.txt")})
	mustNot(t, err)
	body, err := io.ReadAll(get.Body)
	mustNot(t, err)
	mustNot(t, get.Body.Close())
	if string(body) != "hello world" {
		t.Fatalf("GetObject body = %q", body)
	}

	recs := buf.records(t)
	want := []struct {
		action, method, path string
		reqBytes             int64
		respBytes            int64 // -1: not asserted
	}{
		{"CreateBucket", "PUT", "/bucket", -1, -1},
		{"PutObject", "PUT", "/bucket/dir/key.txt", 11, -1},
		{"HeadObject", "HEAD", "/bucket/dir/key.txt", 0, 0},
		{"GetObject", "GET", "/bucket/dir/key.txt", 0, 11},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d:\n%s", len(recs), len(want), buf.String())
	}
	for i, w := range want {
		r := recs[i]
		t.Run(w.action, func(t *testing.T) {
			r.wantStr(t, "level", "INFO")
			r.wantStr(t, "msg", "aws call")
			r.wantStr(t, "event.action", w.action)
			r.wantStr(t, "event.outcome", "success")
			if d := r.int(t, "event.duration"); d <= 0 {
				t.Errorf("event.duration = %d, want > 0", d)
			}
			r.wantStr(t, "cloud.target.provider", "aws")
			r.wantStr(t, "cloud.target.region", testRegion)
			r.wantStr(t, "cloud.target.service.name", "S3")
			r.wantStr(t, "http.request.method", w.method)
			if w.reqBytes >= 0 {
				r.wantInt(t, "http.request.body.bytes", w.reqBytes)
			}
			r.wantInt(t, "http.response.status_code", 200)
			if w.respBytes >= 0 {
				r.wantInt(t, "http.response.body.bytes", w.respBytes)
			}
			r.wantStr(t, "url.domain", "127.0.0.1")
			r.wantInt(t, "url.port", int64(port))
			r.wantStr(t, "url.path", w.path)
			id, ext := srv.sent(i)
			r.wantStr(t, "aws.request_id", id)
			r.wantStr(t, "aws.extended_request_id", ext)
			r.wantInt(t, "aws.attempts", 1)
			r.wantAbsent(t, "error", "trace", "span", "url.query", "source")
		})
	}
	if id, _ := srv.sent(0); id == "" {
		t.Fatal("the fake S3 sent no request id; the id assertions above prove nothing")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	mustNot(t, err)
	return u
}
