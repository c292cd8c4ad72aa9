package middleware_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithymw "github.com/aws/smithy-go/middleware"

	"github.com/slogreq/slogreq/middleware"
)

// One line on the config, and every call of every client built from it
// writes one record. The server stands in for S3 on loopback; ReplaceAttr
// drops the time, duration and port so the output is the same every run.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-request-id", "4442587FB7D0A2F9")
		w.Header().Set("x-amz-id-2", "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=")
		w.Header().Set("Content-Length", "1024") // a HEAD response describes the object
	}))
	defer srv.Close()

	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			switch {
			case len(groups) == 0 && a.Key == slog.TimeKey,
				len(groups) == 1 && groups[0] == "event" && a.Key == "duration",
				len(groups) == 1 && groups[0] == "url" && a.Key == "port":
				return slog.Attr{}
			}
			return a
		},
	}))

	cfg := aws.Config{
		Region:      "us-west-2",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	}
	middleware.AddTo(&cfg, logger, nil)

	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String("photos"), Key: aws.String("2026/cat.jpg"),
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"level":"INFO","msg":"aws call","event":{"action":"HeadObject","outcome":"success"},"cloud":{"target":{"provider":"aws","region":"us-west-2","service":{"name":"S3"}}},"http":{"request":{"method":"HEAD","body":{"bytes":0}},"response":{"status_code":200,"body":{"bytes":0}}},"url":{"domain":"127.0.0.1","path":"/photos/2026/cat.jpg"},"aws":{"request_id":"4442587FB7D0A2F9","extended_request_id":"vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=","attempts":1}}
}

// Through config.WithAPIOptions, the clients config.LoadDefaultConfig builds
// for itself (the STS client of an assume-role profile, SSO) are logged too,
// and NewSDKLogger sends the SDK's own messages to the same logger. Records
// for calls slower than a second are Warn, and every attempt of the retry
// loop gets a Debug record.
func ExampleAPIOption() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := &middleware.Options{SlowThreshold: time.Second, PerAttempt: true}

	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithAPIOptions([]func(*smithymw.Stack) error{middleware.APIOption(logger, opts)}),
		config.WithLogger(middleware.NewSDKLogger(logger)),
		config.WithClientLogMode(aws.LogRetries),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = s3.NewFromConfig(cfg)
}

// The Attrs hook adds attributes of your own to every record, from the
// call's context and facts. Here a tenant id travels in the context, and
// calls that moved more than a megabyte are labelled.
func ExampleOptions_attrs() {
	type tenantKey struct{}
	opts := &middleware.Options{
		Attrs: func(ctx context.Context, info middleware.CallInfo) []slog.Attr {
			attrs := []slog.Attr{slog.Any("tenant", ctx.Value(tenantKey{}))}
			if info.RequestBytes > 1<<20 || info.ResponseBytes > 1<<20 {
				attrs = append(attrs, slog.Bool("large", true))
			}
			return attrs
		},
	}
	var cfg aws.Config
	middleware.AddTo(&cfg, slog.Default(), opts)
}
