package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithymw "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/slogreq/slogreq/middleware"
)

const (
	secKeyID        = "AKIASECURITYTESTKEY1"
	secSecret       = "securityTestSecretAccessKey0001"
	secToken        = "securityTestSessionToken0001"
	secQuerySig     = "querySignatureValue0001"
	secQueryCred    = "queryCredentialValue0001"
	secQueryToken   = "querySecurityTokenValue0001"
	secPlainQuery   = "plainQueryValue0001"
	securityTestKey = "secure/object.txt"
)

// withPresignStyleQuery makes every request carry presign-style query
// parameters, as a request built from a presigned URL would.
func withPresignStyleQuery(stack *smithymw.Stack) error {
	return stack.Build.Add(smithymw.BuildMiddlewareFunc("presignStyleQuery",
		func(ctx context.Context, in smithymw.BuildInput, next smithymw.BuildHandler) (smithymw.BuildOutput, smithymw.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				q := req.URL.Query()
				q.Set("X-Amz-Signature", secQuerySig)
				q.Set("X-Amz-Credential", secQueryCred)
				q.Set("X-Amz-Security-Token", secQueryToken)
				req.URL.RawQuery = q.Encode()
			}
			return next.HandleBuild(ctx, in)
		}), smithymw.After)
}

// Session-token credentials, presign-style queries and a real presigned URL,
// through success, retried server errors and a refused connection, with
// per-attempt records and the SDK's own request, response, signing and
// retry logging all on: no credential, signature or token appears anywhere
// in the output, and no URL query appears in the call and attempt records.
func TestNoSecretsInOutput(t *testing.T) {
	s3srv := newFakeS3(t)
	failing := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		s3Error(w, http.StatusInternalServerError, "InternalError", "try again", "R", "")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustNot(t, err)
	refused := "http://" + ln.Addr().String()
	mustNot(t, ln.Close())

	var buf logBuf
	logger := newLogger(&buf, slog.LevelDebug)
	cfg := testConfig(t, logger, &middleware.Options{PerAttempt: true})
	cfg.Credentials = credentials.NewStaticCredentialsProvider(secKeyID, secSecret, secToken)
	cfg.Logger = middleware.NewSDKLogger(logger)
	cfg.ClientLogMode = aws.LogRequest | aws.LogResponse | aws.LogSigning | aws.LogRetries
	ctx := context.Background()

	plain := s3Client(cfg, s3srv.URL)
	_, err = plain.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
	mustNot(t, err)

	withQuery := func(endpoint string) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
			o.APIOptions = append(o.APIOptions, withPresignStyleQuery)
		})
	}
	client := withQuery(s3srv.URL)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String(securityTestKey), Body: strings.NewReader("payload"),
	})
	mustNot(t, err)
	_, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String(secPlainQuery)})
	mustNot(t, err)
	_, err = withQuery(failing.URL).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(securityTestKey)})
	mustFail(t, err)
	_, err = withQuery(refused).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(securityTestKey)})
	if err = mustFail(t, err); !strings.Contains(err.Error(), secQuerySig) {
		t.Fatalf("the SDK's transport error no longer holds the query (%v): the test no longer covers it", err)
	}

	presigned, err := s3.NewPresignClient(plain).PresignGetObject(ctx,
		&s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(securityTestKey)},
		s3.WithPresignExpires(time.Minute))
	mustNot(t, err)
	u, err := url.Parse(presigned.URL)
	mustNot(t, err)
	presignSig, presignToken := u.Query().Get("X-Amz-Signature"), u.Query().Get("X-Amz-Security-Token")
	if presignSig == "" || presignToken != secToken {
		t.Fatalf("presigned URL lacks the signature or token: %s", presigned.URL)
	}
	resp, err := (&http.Client{Transport: cfg.HTTPClient.(*http.Client).Transport}).Get(presigned.URL)
	mustNot(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "payload" {
		t.Fatalf("presigned GET = %d %q", resp.StatusCode, body)
	}

	out := buf.String()
	recs := buf.records(t)
	var calls, attempts, sdk int
	for _, r := range recs {
		switch r["msg"] {
		case middleware.DefaultMessage:
			calls++
		case middleware.DefaultAttemptMessage:
			attempts++
		default:
			sdk++
		}
	}
	// 5 calls; 1+1+1+3+3 attempts; the SDK logged dumps and retries.
	if calls != 5 || attempts != 9 || sdk == 0 {
		t.Fatalf("got %d call, %d attempt and %d SDK records, want 5, 9 and some:\n%s", calls, attempts, sdk, out)
	}
	if !strings.Contains(out, "[REDACTED]") {
		t.Error("nothing was redacted: the SDK's dumps did not reach the log, so this test proves nothing")
	}
	for _, secret := range []string{secKeyID, secSecret, secToken, secQuerySig, secQueryCred, secQueryToken, presignSig} {
		if strings.Contains(out, secret) {
			t.Errorf("%q reached the log", secret)
		}
	}
	for _, r := range recs {
		if r["msg"] != middleware.DefaultMessage && r["msg"] != middleware.DefaultAttemptMessage {
			continue
		}
		line := mustJSON(t, r)
		if strings.Contains(line, secPlainQuery) || strings.Contains(line, "?") {
			t.Errorf("a URL query reached a call record: %s", line)
		}
	}
}
