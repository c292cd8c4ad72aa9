package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/smithy-go/logging"
	smithymw "github.com/aws/smithy-go/middleware"
)

// sdkLoggerName is the log.logger value of records from NewSDKLogger.
const sdkLoggerName = "aws-sdk-go-v2"

// NewSDKLogger returns an aws.Config.Logger (a logging.Logger that is also a
// logging.ContextLogger) that writes the SDK's own messages (retry notices,
// warnings, and the dumps aws.Config.ClientLogMode turns on) to logger as
// slog records. A nil logger means slog.Default().
//
// Classification Warn maps to slog.LevelWarn, Debug to slog.LevelDebug and
// anything else to slog.LevelInfo. Records carry log.logger "aws-sdk-go-v2"
// and, when the SDK passes an operation context, event.action and
// cloud.target.service.name. The message is formatted only if the handler
// takes the level.
//
// Messages are redacted before logging: URL queries, and the values of
// Authorization, X-Amz-Security-Token, presign query parameters, SSE-C keys
// and the credential fields of STS and SSO responses. Other query parameters
// in request lines and canonical requests, and request and response bodies
// (ClientLogMode LogRequestWithBody, LogResponseWithBody), are logged as the
// SDK prints them: do not turn body logging on where bodies hold secrets.
func NewSDKLogger(logger *slog.Logger) logging.Logger {
	if logger == nil {
		logger = slog.Default()
	}
	return &sdkLogger{handler: logger.Handler(), ctx: context.Background()}
}

type sdkLogger struct {
	handler slog.Handler
	ctx     context.Context
}

var (
	_ logging.Logger        = (*sdkLogger)(nil)
	_ logging.ContextLogger = (*sdkLogger)(nil)
)

// Logf implements logging.Logger.
func (l *sdkLogger) Logf(classification logging.Classification, format string, v ...any) {
	level := slog.LevelInfo
	switch classification {
	case logging.Warn:
		level = slog.LevelWarn
	case logging.Debug:
		level = slog.LevelDebug
	}
	if !l.handler.Enabled(l.ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, redact(fmt.Sprintf(format, v...)), 0)
	r.AddAttrs(slog.Group("log", slog.String("logger", sdkLoggerName)))
	// The SDK sets these on the operation context before it logs.
	if op := smithymw.GetOperationName(l.ctx); op != "" {
		r.AddAttrs(slog.Group("event", slog.String("action", op)))
	}
	if svc := smithymw.GetServiceID(l.ctx); svc != "" {
		r.AddAttrs(slog.Group("cloud", slog.Group("target", slog.Group("service", slog.String("name", svc)))))
	}
	_ = l.handler.Handle(l.ctx, r)
}

// WithContext implements logging.ContextLogger: the SDK calls it with the
// operation's context, which then reaches the handler (for trace ids, for
// example).
func (l *sdkLogger) WithContext(ctx context.Context) logging.Logger {
	if ctx == nil {
		ctx = context.Background()
	}
	return &sdkLogger{handler: l.handler, ctx: ctx}
}
