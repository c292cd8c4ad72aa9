package middleware

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithymw "github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/tracing"
)

// Middleware ids in the Finalize step, for Stack.Finalize.Get and Remove.
const (
	// CallMiddlewareID names the per-call middleware, first in Finalize.
	CallMiddlewareID = "slogreq.Call"
	// AttemptMiddlewareID names the per-attempt middleware, right after
	// the SDK's "Retry" middleware.
	AttemptMiddlewareID = "slogreq.Attempt"
)

// retryID is the id of the SDK's retry loop (aws/retry.Attempt).
const retryID = "Retry"

// AddTo makes every client built from cfg log each call: it appends
// APIOption(logger, opts) to cfg.APIOptions. A nil logger means
// slog.Default(); nil opts means the defaults.
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	middleware.AddTo(&cfg, logger, nil)
//	client := s3.NewFromConfig(cfg)
//
// Clients that config.LoadDefaultConfig builds for itself (the STS client of
// an assume-role profile, SSO) copy the config before AddTo runs; to log
// those calls too, pass APIOption to config.WithAPIOptions instead.
func AddTo(cfg *aws.Config, logger *slog.Logger, opts *Options) {
	// A fresh slice: cfg.APIOptions may share its backing array with the
	// config it was copied from, which must not see this option.
	apiOptions := make([]func(*smithymw.Stack) error, 0, len(cfg.APIOptions)+1)
	apiOptions = append(apiOptions, cfg.APIOptions...)
	cfg.APIOptions = append(apiOptions, APIOption(logger, opts))
}

// APIOption returns a stack option that installs the logging middleware, for
// config.WithAPIOptions, aws.Config.APIOptions or a client's
// Options.APIOptions. A nil logger means slog.Default(); nil opts means the
// defaults.
//
// The option is idempotent (a stack that already holds CallMiddlewareID is
// left alone) and skips stacks without the SDK's "Retry" middleware, such as
// S3 presign stacks: they send nothing, and inserting after "Retry" there
// would fail the presign.
func APIOption(logger *slog.Logger, opts *Options) func(*smithymw.Stack) error {
	c := newCore(logger, opts)
	return func(stack *smithymw.Stack) error {
		if _, ok := stack.Finalize.Get(retryID); !ok {
			return nil
		}
		if _, ok := stack.Finalize.Get(CallMiddlewareID); ok {
			return nil
		}
		// First in Finalize, outside the retry loop: the duration covers
		// auth scheme and identity resolution, endpoint resolution, signing,
		// every attempt and the backoff between attempts.
		if err := stack.Finalize.Add((*callLogger)(c), smithymw.Before); err != nil {
			return err
		}
		if !c.perAttempt {
			return nil
		}
		if _, ok := stack.Finalize.Get(AttemptMiddlewareID); ok {
			return nil
		}
		// Inserted right after "Retry" rather than added at the end of
		// Finalize: anchored to the loop's own name it runs exactly once per
		// attempt whatever other options append later, it times everything
		// an attempt repeats (identity, endpoint, signing, send, deserialize)
		// and it sees attempts that fail before reaching the wire, such as a
		// credential refresh error. At the end of Finalize it would time
		// only the send and miss those.
		return stack.Finalize.Insert(&attemptLogger{core: c}, retryID, smithymw.After)
	}
}

// core is the immutable configuration shared by all stacks an APIOption
// installs into; it is safe for concurrent use.
type core struct {
	handler    slog.Handler
	msg        string
	attemptMsg string
	level      func(context.Context, CallInfo) slog.Level
	slow       time.Duration
	perAttempt bool
	attrs      func(context.Context, CallInfo) []slog.Attr
	traceIDs   func(context.Context) (string, string)
}

func newCore(logger *slog.Logger, opts *Options) *core {
	if logger == nil {
		logger = slog.Default()
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &core{
		handler:    logger.Handler(),
		msg:        o.Message,
		attemptMsg: o.AttemptMessage,
		level:      o.Level,
		slow:       o.SlowThreshold,
		perAttempt: o.PerAttempt,
		attrs:      o.Attrs,
		traceIDs:   o.TraceIDs,
	}
	if c.msg == "" {
		c.msg = DefaultMessage
	}
	if c.attemptMsg == "" {
		c.attemptMsg = DefaultAttemptMessage
	}
	if c.level == nil {
		c.level = func(_ context.Context, info CallInfo) slog.Level { return DefaultLevel(info) }
	}
	if c.traceIDs == nil {
		c.traceIDs = smithyTraceIDs
	}
	return c
}

// smithyTraceIDs reads the ids of the SDK's active span: the operation span
// in a call record, the attempt span in an attempt record. The SDK's default
// no-op tracer has no valid ids, so nothing is logged then.
func smithyTraceIDs(ctx context.Context) (string, string) {
	span, ok := tracing.GetSpan(ctx)
	if !ok {
		return "", ""
	}
	sc := span.Context()
	if !sc.IsValid() {
		return "", ""
	}
	return sc.TraceID, sc.SpanID
}
