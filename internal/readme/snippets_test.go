package readme

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithymw "github.com/aws/smithy-go/middleware"

	"github.com/slogreq/slogreq/middleware"
	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// The README's code, compiled. Each function returns what the snippet
// builds so that nothing is unused; none of them is run.

func oneLiner(cfg aws.Config, logger *slog.Logger) aws.Config {
	middleware.AddTo(&cfg, logger, nil)
	return cfg
}

func serve(*s3.Client) {}

func server(ctx context.Context) error {
	return func() error {
		w, err := rotate.New(rotate.Options{Filename: "/var/log/app/aws.json", MaxSize: 100 << 20, MaxBackups: 14})
		if err != nil {
			return err
		}
		h := slogreq.NewHandler(w, &slogreq.Options{Format: slogreq.ECS})
		logger := slog.New(h)

		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		middleware.AddTo(&cfg, logger, nil)
		serve(s3.NewFromConfig(cfg)) // your server, with its S3 client

		// On shutdown: the handler first (it writes what it accepted), then the file.
		if err := h.Close(); err != nil {
			log.Print(err)
		}
		return w.Close()
	}()
}

func withAPIOptions(ctx context.Context, logger *slog.Logger) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithAPIOptions([]func(*smithymw.Stack) error{middleware.APIOption(logger, nil)}))
	return cfg, err
}

func ecsHandler() *slogreq.Handler {
	h := slogreq.NewHandler(os.Stdout, &slogreq.Options{Format: slogreq.ECS})
	return h
}

func rotateOptions() (*rotate.Writer, error) {
	w, err := rotate.New(rotate.Options{
		Filename:   "/var/log/app/aws.json",
		MaxSize:    100 << 20,      // bytes
		Every:      24 * time.Hour, // also at midnight UTC (LocalTime: true for local)
		MaxBackups: 14,
	})
	return w, err
}

func serveUntil(context.Context, *s3.Client) {}

func serverSetup() error {
	serve := serveUntil
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The file: rotated by size, backups kept plain for Filebeat; SIGHUP reopens it (logrotate).
	file, err := rotate.New(rotate.Options{
		Filename:   "/var/log/myapp/aws.json",
		MaxSize:    100 << 20,
		MaxBackups: 10,
		MaxAge:     7 * 24 * time.Hour,
	})
	if err != nil {
		return err
	}
	if err := file.ReopenOn(syscall.SIGHUP); err != nil {
		return err
	}
	// The handler: one ECS line per record, written by one goroutine, bounded memory.
	handler := slogreq.NewHandler(file, &slogreq.Options{Format: slogreq.ECS})
	logger := slog.New(handler)

	// APIOption reaches every client LoadDefaultConfig builds, credential providers' (STS, SSO) included.
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithAPIOptions([]func(*smithymw.Stack) error{
			middleware.APIOption(logger, &middleware.Options{SlowThreshold: 2 * time.Second}),
		}),
		config.WithLogger(middleware.NewSDKLogger(logger)),
		config.WithClientLogMode(aws.LogRetries|aws.LogDeprecatedUsage), // no request, signing or body dumps
	)
	if err != nil {
		return err
	}
	serve(ctx, s3.NewFromConfig(cfg)) // until a signal; stop the HTTP server first, so calls in flight are logged

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := handler.Shutdown(shutdownCtx); err != nil { // says how many records were not written
		fmt.Fprintln(os.Stderr, err)
	}
	return file.Close() // after the handler, which writes into it until Shutdown returns
}

var _ = []any{oneLiner, server, withAPIOptions, ecsHandler, rotateOptions, serverSetup}
