// Command server is slogreq's production setup in one file, to copy from:
// an HTTP service that reads objects from S3 and logs every AWS call it
// makes as one ECS line in /var/log/<app>/aws.json, for Filebeat to ship
// (see examples/elk).
//
//   - config.LoadDefaultConfig with the logging middleware in its API
//     options, so that the calls of credential providers it builds (STS for
//     an assume-role profile, SSO) are logged as well as the service's own;
//   - the SDK's own messages (retry notices, deprecation warnings) in the
//     same file through middleware.NewSDKLogger, with a ClientLogMode that
//     never dumps requests or bodies;
//   - the slogreq handler in ECS format over a rotate.Writer that rotates by
//     size and keeps a bounded number of backups;
//   - SIGHUP reopens the file (for logrotate); SIGINT and SIGTERM stop the
//     HTTP server, let the requests in flight finish, then write every
//     accepted record (handler Shutdown, with a deadline) and close the
//     file.
//
// Run it with
//
//	go run ./examples/server -app myapp -bucket my-bucket -addr :8080
//	curl localhost:8080/objects/some/key
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithymw "github.com/aws/smithy-go/middleware"

	"github.com/slogreq/slogreq/middleware"
	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// options are the server's settings, one per flag.
type options struct {
	App             string
	LogDir          string // default /var/log/<App>
	Addr            string
	Bucket          string
	S3Endpoint      string // an S3-compatible server (MinIO); empty for AWS
	MaxSize         int64  // rotate aws.json at this size
	MaxBackups      int
	Level           slog.LevelVar
	ShutdownTimeout time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.App, "app", "app", "application name; logs go to /var/log/<app>/aws.json")
	flag.StringVar(&o.LogDir, "log-dir", "", "log directory (default /var/log/<app>)")
	flag.StringVar(&o.Addr, "addr", ":8080", "HTTP listen address")
	flag.StringVar(&o.Bucket, "bucket", "", "S3 bucket to serve objects from (required)")
	flag.StringVar(&o.S3Endpoint, "s3-endpoint", "", "S3-compatible endpoint such as MinIO, with path-style addressing")
	flag.Int64Var(&o.MaxSize, "log-max-size", 100<<20, "rotate the log file at this many bytes")
	flag.IntVar(&o.MaxBackups, "log-backups", 10, "rotated log files to keep")
	flag.TextVar(&o.Level, "log-level", slog.LevelInfo, "minimum level: DEBUG, INFO, WARN or ERROR (DEBUG adds the SDK's retry notices)")
	flag.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish on SIGTERM")
	flag.Parse()
	if o.Bucket == "" {
		fmt.Fprintln(os.Stderr, "server: -bucket is required")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, &o); err != nil {
		// The log file may be what failed: say it where a supervisor sees it.
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run sets the server up, serves until ctx ends, and shuts down.
func run(ctx context.Context, o *options) error {
	a, err := setup(ctx, o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return errors.Join(err, a.close(context.Background()))
	}
	return serve(ctx, a, ln, o.ShutdownTimeout)
}

// app is what the handlers need, and what shutdown closes.
type app struct {
	logger  *slog.Logger
	handler *slogreq.Handler
	file    *rotate.Writer
	s3      *s3.Client
	bucket  string
}

// setup opens the log file, starts the handler and builds the S3 client.
func setup(ctx context.Context, o *options) (*app, error) {
	dir := o.LogDir
	if dir == "" {
		dir = filepath.Join("/var/log", o.App)
	}
	file, err := rotate.New(rotate.Options{
		Filename:   filepath.Join(dir, "aws.json"),
		MaxSize:    o.MaxSize,
		MaxBackups: o.MaxBackups,
		MaxAge:     7 * 24 * time.Hour,
		// Backups stay plain: Filebeat reads a backup that was rotated
		// while it was down, and skips .gz files (examples/elk).
		Compress: false,
	})
	if err != nil {
		return nil, err
	}
	// For logrotate's postrotate "kill -HUP"; harmless without logrotate.
	if err := file.ReopenOn(syscall.SIGHUP); err != nil {
		return nil, errors.Join(err, file.Close())
	}
	handler := slogreq.NewHandler(file, &slogreq.Options{
		Format: slogreq.ECS,
		Level:  &o.Level,
		// Block (the default) loses nothing and slows callers only when the
		// disk cannot keep up; DropNewest would never wait and count drops.
		OnFull: slogreq.Block,
		// The handler cannot log its own write errors to the file that
		// fails; stderr reaches the service manager's journal.
		OnError: func(err error) { fmt.Fprintln(os.Stderr, "slogreq:", err) },
	})
	logger := slog.New(handler).With(slog.String("service.name", o.App))
	slog.SetDefault(logger) // the application's own records go to the same file

	cfg, err := config.LoadDefaultConfig(ctx,
		// Installed by LoadDefaultConfig in every client it builds, its own
		// credential clients included; middleware.AddTo after loading would
		// reach only the clients built from cfg.
		config.WithAPIOptions([]func(*smithymw.Stack) error{
			middleware.APIOption(logger, &middleware.Options{SlowThreshold: 2 * time.Second}),
		}),
		config.WithLogger(middleware.NewSDKLogger(logger)),
		// Retry notices (Debug) and deprecation warnings only: the request,
		// response and signing modes print headers, query strings and, with
		// bodies, whatever the payload holds.
		config.WithClientLogMode(aws.LogRetries|aws.LogDeprecatedUsage),
	)
	if err != nil {
		a := &app{handler: handler, file: file}
		return nil, errors.Join(fmt.Errorf("loading the AWS configuration: %w", err), a.close(context.Background()))
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.S3Endpoint != "" {
			so.BaseEndpoint = aws.String(o.S3Endpoint)
			so.UsePathStyle = true
		}
	})
	return &app{logger: logger, handler: handler, file: file, s3: client, bucket: o.Bucket}, nil
}

// serve answers HTTP on ln until ctx ends, then shuts down: the server first,
// so that the requests in flight finish and their AWS calls are logged,
// then the log.
func serve(ctx context.Context, a *app, ln net.Listener, timeout time.Duration) error {
	srv := &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		// Requests keep their context after a signal; Shutdown waits for them.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.logger.Info("serving", slog.String("url.full", "http://"+ln.Addr().String()))

	var errs []error
	select {
	case err := <-served: // the listener failed
		errs = append(errs, err)
	case <-ctx.Done():
		a.logger.Info("shutting down", slog.String("event.reason", context.Cause(ctx).Error()))
		sctx, cancel := context.WithTimeout(context.Background(), timeout)
		errs = append(errs, srv.Shutdown(sctx))
		cancel()
		<-served
	}
	// A deadline of its own: the server may have used all of its own.
	lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs = append(errs, a.close(lctx))
	return errors.Join(errs...)
}

// close writes every record the handler accepted, or as many as ctx allows
// (the error says how many were not), then closes the file. The order
// matters: the handler writes into the file until Shutdown returns.
func (a *app) close(ctx context.Context) error {
	return errors.Join(a.handler.Shutdown(ctx), a.file.Close())
}

// routes serves GET /objects/{key...} from the bucket, and /healthz.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /objects/{key...}", func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		// The request's context reaches the SDK call, and from it the
		// middleware's record (trace ids, cancellation).
		out, err := a.s3.GetObject(r.Context(), &s3.GetObjectInput{Bucket: &a.bucket, Key: &key})
		var noSuchKey *types.NoSuchKey
		switch {
		case errors.As(err, &noSuchKey):
			http.NotFound(w, r)
			return
		case err != nil:
			// The call's record already holds the details.
			http.Error(w, "storage unavailable", http.StatusBadGateway)
			return
		}
		defer out.Body.Close()
		if out.ContentType != nil {
			w.Header().Set("Content-Type", *out.ContentType)
		}
		if _, err := io.Copy(w, out.Body); err != nil {
			a.logger.WarnContext(r.Context(), "object body cut short", slog.String("url.path", r.URL.Path), slog.Any("error", err))
		}
	})
	return mux
}
