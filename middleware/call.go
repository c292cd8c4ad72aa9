package middleware

import (
	"context"
	"log/slog"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithymw "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// callLogger is the per-call Finalize middleware: one record per operation
// call, written after the retry loop returns.
type callLogger core

// ID implements smithymw.FinalizeMiddleware.
func (m *callLogger) ID() string { return CallMiddlewareID }

// HandleFinalize times the rest of the Finalize step and logs one record.
func (m *callLogger) HandleFinalize(ctx context.Context, in smithymw.FinalizeInput, next smithymw.FinalizeHandler) (
	out smithymw.FinalizeOutput, md smithymw.Metadata, err error,
) {
	start := time.Now()
	// Read before next: attempts consume the body stream.
	method, reqBytes := requestFacts(in.Request)

	out, md, err = next.HandleFinalize(ctx, in)

	end := time.Now()
	c := (*core)(m)
	info := CallInfo{
		Method:       method,
		RequestBytes: reqBytes,
		Duration:     end.Sub(start),
	}
	if results, ok := retry.GetAttemptResults(md); ok {
		info.Attempts = len(results.Results)
	}
	c.complete(ctx, &info, md, err)
	c.log(ctx, end, c.level(ctx, info), c.msg, &info)
	return out, md, err
}

// attemptLogger is the per-attempt Finalize middleware. A new one is
// installed on every stack (the SDK builds a stack per call), so n counts
// the attempts of one call; attempts are sequential, so no lock is needed.
type attemptLogger struct {
	core *core
	n    int
}

// ID implements smithymw.FinalizeMiddleware.
func (m *attemptLogger) ID() string { return AttemptMiddlewareID }

// HandleFinalize times one attempt and logs it at Debug.
func (m *attemptLogger) HandleFinalize(ctx context.Context, in smithymw.FinalizeInput, next smithymw.FinalizeHandler) (
	out smithymw.FinalizeOutput, md smithymw.Metadata, err error,
) {
	m.n++
	c := m.core
	if !c.handler.Enabled(ctx, slog.LevelDebug) {
		return next.HandleFinalize(ctx, in)
	}
	start := time.Now()
	method, reqBytes := requestFacts(in.Request)

	out, md, err = next.HandleFinalize(ctx, in)

	end := time.Now()
	info := CallInfo{
		Method:       method,
		RequestBytes: reqBytes,
		Attempt:      m.n,
		Duration:     end.Sub(start),
	}
	c.complete(ctx, &info, md, err)
	// The attempt's request carries the resolved endpoint even when there
	// was no response to read it from.
	if info.Domain == "" {
		if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
			setURL(&info, req.URL)
		}
	}
	c.log(ctx, end, slog.LevelDebug, c.attemptMsg, &info)
	return out, md, err
}

// requestFacts returns the method and body length of a request, -1 for a
// stream of unknown length.
func requestFacts(r any) (method string, bodyBytes int64) {
	req, ok := r.(*smithyhttp.Request)
	if !ok {
		return "", -1
	}
	n, ok, err := req.StreamLength()
	if !ok || err != nil {
		n = req.ContentLength
	}
	return req.Method, n
}

// complete fills in the facts shared by call and attempt records: service
// metadata from the context, response facts from the metadata, and the
// error classification.
func (c *core) complete(ctx context.Context, info *CallInfo, md smithymw.Metadata, err error) {
	info.Service = awsmiddleware.GetServiceID(ctx)
	info.Operation = awsmiddleware.GetOperationName(ctx)
	info.Region = awsmiddleware.GetRegion(ctx)
	info.Slow = c.slow > 0 && info.Duration >= c.slow
	info.ResponseBytes = -1
	responseFacts(info, md, err)
	if err == nil {
		info.Outcome = OutcomeSuccess
		return
	}
	info.Err = err
	classifyError(ctx, info, err)
}

// log writes the record if the handler takes its level. Nothing is built
// before the Enabled check.
func (c *core) log(ctx context.Context, t time.Time, level slog.Level, msg string, info *CallInfo) {
	if !c.handler.Enabled(ctx, level) {
		return
	}
	// pc 0: the caller is the SDK's middleware chain, not user code, so a
	// source location would only ever point here.
	r := slog.NewRecord(t, level, msg, 0)
	var top [maxTopAttrs]slog.Attr
	traceID, spanID := c.traceIDs(ctx)
	r.AddAttrs(buildAttrs(&top, info, traceID, spanID)...)
	if c.attrs != nil {
		r.AddAttrs(c.attrs(ctx, *info)...)
	}
	// Like slog.Logger, a handler error has nowhere to go.
	_ = c.handler.Handle(ctx, r)
}
