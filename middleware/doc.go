// Package middleware makes every aws-sdk-go-v2 call write one structured
// log/slog record. It is a smithy Finalize middleware and speaks
// *slog.Logger only, so any slog handler works.
//
// One line per config:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	middleware.AddTo(&cfg, logger, nil)
//
// or, so that the clients LoadDefaultConfig builds for itself (the STS
// client behind an assume-role profile, SSO) are logged too:
//
//	cfg, err := config.LoadDefaultConfig(ctx,
//		config.WithAPIOptions([]func(*smithymw.Stack) error{middleware.APIOption(logger, nil)}))
//
// # The record
//
// Every record has the same layout: nested slog groups named after the
// Elastic Common Schema fields, in this order, with attributes that have no
// value left out (no status without a response, no error group on success,
// no request ids the service did not send):
//
//	event.action                      operation, "PutObject"
//	event.outcome                     "success", "failure", or "unknown" when the caller's context ended first
//	event.duration                    int64 nanoseconds
//	cloud.target.provider             "aws"
//	cloud.target.region               region the client resolved
//	cloud.target.service.name         SDK service id, "S3"
//	http.request.method               "PUT"
//	http.request.body.bytes           request body length, absent for a stream of unknown length
//	http.response.status_code         status of the last response
//	http.response.body.bytes          Content-Length of the last response (0 for HEAD)
//	url.domain, url.port, url.path    endpoint host, explicit port, path of the last request
//	aws.request_id                    x-amz-request-id / x-amzn-RequestId
//	aws.extended_request_id           S3's x-amz-id-2
//	aws.attempts                      attempts the retry loop made
//	error.code                        API error code, "NoSuchKey"
//	error.message                     API error message, or the transport error without its URL
//	error.type                        Go type of that error, "*types.NoSuchKey"
//	trace.id, span.id                 from Options.TraceIDs, by default the SDK's tracing span
//
// followed by the attributes of Options.Attrs, if any. With
// slog.NewJSONHandler a record reads
//
//	{"time":"…","level":"INFO","msg":"aws call",
//	 "event":{"action":"HeadObject","outcome":"success","duration":1234567},
//	 "cloud":{"target":{"provider":"aws","region":"us-west-2","service":{"name":"S3"}}},
//	 "http":{"request":{"method":"HEAD","body":{"bytes":0}},"response":{"status_code":200,"body":{"bytes":0}}},
//	 "url":{"domain":"127.0.0.1","port":43817,"path":"/bucket/key"},
//	 "aws":{"request_id":"0000000000000002","extended_request_id":"MDAw…","attempts":1}}
//
// An ECS-formatting handler that merges groups into one tree turns these
// into the ECS fields of the same names. Records carry no source location:
// the caller is the SDK's middleware chain, never user code.
//
// With Options.PerAttempt, each attempt of the retry loop also writes a
// Debug record with the same layout, "aws.attempt" (1, 2, …) in place of
// "aws.attempts", and the attempt's own duration, status and error.
//
// # Levels
//
// DefaultLevel: success Info; throttling and other client faults Warn;
// server faults, transport failures and exhausted retries Error; a canceled
// context Info and a passed deadline Warn (both outcome unknown); calls
// slower than Options.SlowThreshold at least Warn. Options.Level replaces the policy. The handler's Enabled is
// asked before any attribute is built, so a record below the handler's
// level costs a few map lookups and no allocation.
//
// # What the duration covers
//
// The middleware runs first in the Finalize step, outside the retry loop.
// event.duration covers auth scheme and credential resolution (including a
// credential provider's own calls, such as STS AssumeRole, when the cache is
// cold), endpoint resolution, signing, every attempt, the backoff between
// attempts, and reading and deserializing the response up to the point the
// operation returns.
//
// It cannot see what happens outside Finalize: input validation and
// serialization errors (a missing required parameter) fail in earlier steps,
// produce no record, and are returned to the caller as usual. Nor does it
// see streaming response bodies (S3 GetObject) that the caller reads after
// the call returns: their transfer time is not in the duration, and
// http.response.body.bytes is the length the service declared, not what was
// read.
//
// # What is never logged
//
// Headers (Authorization, X-Amz-Security-Token, cookies), URL queries (which
// hold presigned signatures, X-Amz-Credential and X-Amz-Security-Token),
// request and response bodies, and credentials. url.* comes from the URL's
// host and path only; error messages have URL queries and credential values
// removed. Options.Attrs receives a copy of the facts (CallInfo), never the
// request.
//
// # Installation details
//
// APIOption is idempotent: a stack that already holds CallMiddlewareID is
// left alone, so adding it twice (config and client options) logs once. It
// skips stacks without the SDK's "Retry" middleware: S3 presign stacks
// remove it and send nothing, so there is no call to log, and inserting the
// per-attempt middleware after "Retry" there would fail the presign.
//
// NewSDKLogger adapts slog to aws.Config.Logger for the SDK's own messages.
package middleware
