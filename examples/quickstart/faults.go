package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// faultInjector answers every nth first attempt with 503 SlowDown, the
// error S3 sends when a prefix is over its request rate, and passes every
// other request to next.
//
// Only first attempts are counted (the SDK says which attempt a request is
// in its amz-sdk-request header), so a retry always gets through: each
// injected fault costs its call exactly one retry, never the call itself,
// and the run's numbers can be checked exactly.
type faultInjector struct {
	next  http.Handler
	every int64 // 0 turns injection off

	firsts   atomic.Int64 // first attempts seen
	injected atomic.Int64 // 503s sent
}

func (f *faultInjector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.every > 0 && isFirstAttempt(r) && f.firsts.Add(1)%f.every == 0 {
		n := f.injected.Add(1)
		// Read the body as S3 would, so the connection stays reusable.
		_, _ = io.Copy(io.Discard, r.Body)
		requestID := fmt.Sprintf("FAULT%011d", n)
		w.Header().Set("x-amz-request-id", requestID)
		w.Header().Set("x-amz-id-2", "fault-injector")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
			`<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>`+
			`<Resource>%s</Resource><RequestId>%s</RequestId><HostId>fault-injector</HostId></Error>`,
			xmlEscape(r.URL.Path), requestID)
		return
	}
	f.next.ServeHTTP(w, r)
}

// isFirstAttempt reads the SDK's "amz-sdk-request: attempt=1; max=3"; a
// request without it counts as a first attempt.
func isFirstAttempt(r *http.Request) bool {
	h := r.Header.Get("amz-sdk-request")
	if h == "" {
		return true
	}
	for _, part := range strings.Split(h, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			return v == "1"
		}
	}
	return true
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
