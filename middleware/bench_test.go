package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	smithymw "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/slogreq/slogreq/middleware"
)

const getItemResponse = `{"Item":{"id":{"S":"1"},"status":{"S":"shipped"},"total":{"N":"42.50"}}}`

// BenchmarkGetItem is a real DynamoDB GetItem against a loopback server,
// without the middleware, with it writing JSON to io.Discard, and with it
// at a level the handler drops. Compare with
//
//	benchstat -col /mw mw.txt
func BenchmarkGetItem(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("x-amzn-RequestId", "BENCHREQUESTID0000000000000000000000000000000000000")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = io.WriteString(w, getItemResponse)
	}))
	defer srv.Close()
	input := &dynamodb.GetItemInput{
		TableName: aws.String("orders"),
		Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}},
	}
	for _, bc := range []struct {
		name  string
		level slog.Level // slog.LevelError+1: the middleware is not installed
	}{
		{"mw=none", slog.LevelError + 1},
		{"mw=on", slog.LevelInfo},
		{"mw=disabled", slog.LevelError},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: 4}
			defer tr.CloseIdleConnections()
			cfg := aws.Config{
				Region:      testRegion,
				Credentials: aws.NewCredentialsCache(staticCreds{}),
				HTTPClient:  &http.Client{Transport: tr},
			}
			if bc.level <= slog.LevelError {
				middleware.AddTo(&cfg, newLogger(io.Discard, bc.level), nil)
			}
			client := dynamoClient(cfg, srv.URL)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.GetItem(ctx, input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", Source: "bench"}, nil
}

// BenchmarkMiddleware measures the middleware alone: a stack with a stand-in
// "Retry" and a terminal handler that returns a response at once, so the
// numbers are the middleware's own cost, without HTTP. mw=nop writes to a
// handler that drops every record after accepting it: the middleware's cost
// without slog's JSON encoding.
func BenchmarkMiddleware(b *testing.B) {
	for _, bc := range []struct {
		name    string
		level   slog.Level
		handler slog.Handler
	}{
		{"mw=none", slog.LevelError + 1, nil},
		{"mw=on", slog.LevelInfo, nil},
		{"mw=nop", slog.LevelInfo, nopHandler{}},
		{"mw=disabled", slog.LevelError, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			logger := newLogger(io.Discard, bc.level)
			if bc.handler != nil {
				logger = slog.New(bc.handler)
			}
			h, ctx := stubCall(b, bc.level, logger)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := h.Handle(ctx, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// stubCall builds a handler that runs the SDK's Finalize and Deserialize
// plumbing around a canned 200 response, with the middleware installed
// unless level is above Error, and a context carrying the service metadata.
func stubCall(tb testing.TB, level slog.Level, logger *slog.Logger) (smithymw.Handler, context.Context) {
	tb.Helper()
	stack := smithymw.NewStack("GetItem", smithyhttp.NewStackRequest)
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(stack.Serialize.Add(smithymw.SerializeMiddlewareFunc("serialize",
		func(ctx context.Context, in smithymw.SerializeInput, next smithymw.SerializeHandler) (smithymw.SerializeOutput, smithymw.Metadata, error) {
			req := in.Request.(*smithyhttp.Request)
			req.Method = http.MethodPost
			req.URL = &url.URL{Scheme: "https", Host: "dynamodb.us-west-2.amazonaws.com", Path: "/"}
			return next.HandleSerialize(ctx, in)
		}), smithymw.After))
	must(stack.Finalize.Add(smithymw.FinalizeMiddlewareFunc("Retry",
		func(ctx context.Context, in smithymw.FinalizeInput, next smithymw.FinalizeHandler) (smithymw.FinalizeOutput, smithymw.Metadata, error) {
			return next.HandleFinalize(ctx, in)
		}), smithymw.After))
	must(awsmiddleware.AddRawResponseToMetadata(stack))
	must(stack.Deserialize.Add(smithymw.DeserializeMiddlewareFunc("OperationDeserializer",
		func(ctx context.Context, in smithymw.DeserializeInput, next smithymw.DeserializeHandler) (smithymw.DeserializeOutput, smithymw.Metadata, error) {
			return next.HandleDeserialize(ctx, in)
		}), smithymw.After))
	must(awsmiddleware.AddRequestIDRetrieverMiddleware(stack))
	if level <= slog.LevelError {
		must(middleware.APIOption(logger, nil)(stack))
	}
	req := &http.Request{Method: http.MethodPost, URL: &url.URL{Scheme: "https", Host: "dynamodb.us-west-2.amazonaws.com", Path: "/"}}
	resp := &smithyhttp.Response{Response: &http.Response{
		StatusCode:    200,
		ContentLength: int64(len(getItemResponse)),
		Header:        http.Header{"X-Amzn-Requestid": {"BENCHREQUESTID"}},
		Request:       req,
	}}
	terminal := smithymw.HandlerFunc(func(ctx context.Context, in any) (any, smithymw.Metadata, error) {
		return resp, smithymw.Metadata{}, nil
	})
	ctx := context.Background()
	ctx = awsmiddleware.SetServiceID(ctx, "DynamoDB")
	ctx = awsmiddleware.SetOperationName(ctx, "GetItem")
	ctx = awsmiddleware.SetRegion(ctx, testRegion)
	return smithymw.DecorateHandler(terminal, stack), ctx
}

// The middleware's own allocations: none at a disabled level, a handful for
// a written record.
func TestMiddlewareAllocations(t *testing.T) {
	measure := func(level slog.Level) float64 {
		h, ctx := stubCall(t, level, newLogger(io.Discard, level))
		return testing.AllocsPerRun(200, func() {
			if _, _, err := h.Handle(ctx, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	base := measure(slog.LevelError + 1)
	if extra := measure(slog.LevelError) - base; extra != 0 {
		t.Errorf("a disabled record costs %v allocations, want 0", extra)
	}
	if extra := measure(slog.LevelInfo) - base; extra > 4 {
		t.Errorf("a written record costs %v allocations, want at most 4", extra)
	} else {
		t.Logf("a written record costs %v allocations over the bare stack", extra)
	}
}

// nopHandler accepts every record and does nothing with it.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }
