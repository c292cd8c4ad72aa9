package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithymw "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// extendedRequestIDHeader is S3's host id header (canonical form, so
// Header.Get does not allocate). Read here rather than through service/s3,
// which this package must not import.
const extendedRequestIDHeader = "X-Amz-Id-2"

// responseFacts reads status, sizes, endpoint and request ids from the
// metadata the stack returned, falling back to the error for what the
// metadata lacks.
func responseFacts(info *CallInfo, md smithymw.Metadata, err error) {
	var resp *http.Response
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil {
		resp = raw.Response
	}
	if (resp == nil || resp.StatusCode == 0) && err != nil {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.Response != nil {
			resp = re.Response.Response
		}
	}
	// On a transport failure the SDK stores an empty response: status 0
	// means nothing was received.
	if resp != nil && resp.StatusCode != 0 {
		info.StatusCode = resp.StatusCode
		switch {
		case info.Method == http.MethodHead || resp.Request != nil && resp.Request.Method == http.MethodHead:
			// A HEAD response declares the size of the GET body it
			// describes; none was sent.
			info.ResponseBytes = 0
		case resp.ContentLength >= 0:
			info.ResponseBytes = resp.ContentLength
		}
		if resp.Request != nil && resp.Request.URL != nil {
			setURL(info, resp.Request.URL)
		}
		info.ExtendedRequestID = resp.Header.Get(extendedRequestIDHeader)
	}
	if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
		info.RequestID = id
	}
	if err == nil {
		return
	}
	if info.RequestID == "" {
		var e interface{ ServiceRequestID() string }
		if errors.As(err, &e) {
			info.RequestID = e.ServiceRequestID()
		}
	}
	if info.ExtendedRequestID == "" {
		var e interface{ ServiceHostID() string }
		if errors.As(err, &e) {
			info.ExtendedRequestID = e.ServiceHostID()
		}
	}
	if info.Domain == "" {
		// A transport error names the URL it failed on; keep only host and
		// path from it.
		var ue *url.Error
		if errors.As(err, &ue) {
			if u, perr := url.Parse(ue.URL); perr == nil {
				setURL(info, u)
			}
		}
	}
}

// setURL copies host, explicit port and path; never the query, which can
// hold presigned signatures and credentials.
func setURL(info *CallInfo, u *url.URL) {
	info.Domain = u.Hostname()
	if p := u.Port(); p != "" {
		info.Port, _ = strconv.Atoi(p)
	}
	info.Path = u.Path
}

// classifyError fills the facts the level policy needs. It only reads values
// the error already holds; strings for the record are made later, and only
// for records the handler takes.
func classifyError(ctx context.Context, info *CallInfo, err error) {
	info.Outcome = OutcomeFailure
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		info.Canceled = true
		info.Outcome = OutcomeUnknown
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		info.ErrorCode = apiErr.ErrorCode()
		info.Fault = apiErr.ErrorFault()
	}
	if info.Fault == smithy.FaultUnknown {
		switch {
		case info.StatusCode >= 500:
			info.Fault = smithy.FaultServer
		case info.StatusCode >= 400:
			info.Fault = smithy.FaultClient
		}
	}
	info.Throttled = retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) && maxErr.Attempt > 1 {
		info.RetriesExhausted = true
	}
}

// describeError returns error.message and error.type for a record. An API
// error gives its own message and type. Otherwise the SDK's wrappers, whose
// text repeats what the record already says (operation, attempt count,
// status) or holds the request URL, are peeled off down to the first error
// that says what went wrong. The message passes through redact in case a
// URL or credential reached it through an opaque wrapper.
func describeError(err error) (message, typ string) {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return redact(apiErr.ErrorMessage()), fmt.Sprintf("%T", apiErr)
	}
	cause := err
	for {
		var next error
		switch cause.(type) {
		case *smithy.OperationError, *retry.MaxAttemptsError, *smithyhttp.RequestSendError, *url.Error:
			next = errors.Unwrap(cause)
		default:
			// The HTTP response wrappers (smithyhttp, awshttp, and S3's
			// ResponseError, which adds HostID) all promote
			// smithyhttp.ResponseError's HTTPResponse and Unwrap.
			if _, ok := cause.(interface{ HTTPResponse() *smithyhttp.Response }); ok {
				next = errors.Unwrap(cause)
			}
		}
		if next == nil {
			break
		}
		cause = next
	}
	return redact(cause.Error()), fmt.Sprintf("%T", cause)
}
