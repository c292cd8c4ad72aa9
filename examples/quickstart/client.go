package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/slogreq/slogreq/middleware"
)

// embeddedBucket is the bucket the workload creates in the embedded S3.
const embeddedBucket = "quickstart"

// client is the S3 client of a run and what it talks to.
type client struct {
	s3       *s3.Client
	bucket   string
	target   string
	embedded bool           // talks to the in-process S3, which the run creates the bucket in
	faults   *faultInjector // nil unless embedded
	close    func()         // stops the embedded S3 and closes idle connections
}

// newClient builds the S3 client, with the logging middleware added to its
// aws.Config: against an in-process S3 on loopback by default, or, with
// -real or -endpoint, from the default AWS configuration (environment,
// shared files, instance role).
func newClient(ctx context.Context, o options, logger *slog.Logger) (*client, error) {
	if o.Real || o.Endpoint != "" {
		return remoteClient(ctx, o, logger)
	}
	return embeddedClient(o, logger)
}

// embeddedClient starts gofakes3 behind the fault injector on a random
// loopback port and builds a client for it.
func embeddedClient(o options, logger *slog.Logger) (*client, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("embedded S3: %w", err)
	}
	faults := &faultInjector{next: gofakes3.New(s3mem.New()).Server(), every: int64(o.FailEvery)}
	srv := &http.Server{Handler: faults, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Shutdown
	}()
	endpoint := "http://" + ln.Addr().String()

	// A transport of our own, so that the run can close its idle
	// connections, with no proxy: the embedded S3 is on loopback and the
	// run must not touch the network.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = max(o.Workers, 2)

	// Built by hand rather than with config.LoadDefaultConfig, so that
	// nothing in the environment or ~/.aws (a profile, a credential_process,
	// AWS_ENDPOINT_URL) changes what the quick start does.
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDQUICKSTART", "quickstart-secret", ""),
		HTTPClient:  &http.Client{Transport: tr},
		Retryer:     quickRetryer,
	}
	middleware.AddTo(&cfg, logger, nil) // the one line that logs every call

	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true // gofakes3 serves buckets as paths, not host names
	})
	target := "embedded S3 (gofakes3) at " + endpoint
	if o.FailEvery > 0 {
		target += fmt.Sprintf("; 503 SlowDown on every %s first attempt", ordinal(o.FailEvery))
	}
	return &client{
		s3: c, bucket: embeddedBucket, target: target, embedded: true, faults: faults,
		close: func() {
			tr.CloseIdleConnections()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
			<-served
		},
	}, nil
}

// quickRetryer is the SDK's standard retryer with its backoff capped at
// 100ms instead of 20s: SlowDown is a throttling error, which the standard
// retryer backs off from by up to a second, and the quick start should stay
// quick. Everything else (3 attempts, the retry quota) is the default.
func quickRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxBackoff = 100 * time.Millisecond
	})
}

// remoteClient builds a client from the default AWS configuration, for a
// real bucket (-real) or an S3-compatible server (-endpoint).
func remoteClient(ctx context.Context, o options, logger *slog.Logger) (*client, error) {
	if o.Bucket == "" {
		return nil, errors.New("-real and -endpoint need -bucket")
	}
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		if o.Endpoint == "" {
			return nil, errors.New("no AWS region configured: set AWS_REGION or pass -region")
		}
		cfg.Region = "us-east-1" // MinIO and most S3-compatible servers accept any
	}
	middleware.AddTo(&cfg, logger, nil)

	target := "AWS S3 in " + cfg.Region
	if o.Endpoint != "" {
		target = "S3-compatible endpoint " + o.Endpoint
	}
	c := s3.NewFromConfig(cfg, func(s3o *s3.Options) {
		if o.Endpoint != "" {
			s3o.BaseEndpoint = aws.String(o.Endpoint)
			s3o.UsePathStyle = true // MinIO's default; virtual hosts need DNS for each bucket
		}
	})
	return &client{s3: c, bucket: o.Bucket, target: target, close: func() {}}, nil
}

// ordinal writes 10 as "10th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprint(n) + suffix
}
