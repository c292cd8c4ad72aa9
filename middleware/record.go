package middleware

import (
	"log/slog"
)

// maxTopAttrs is the number of top-level groups: event, cloud, http, url,
// aws, error, trace, span.
const maxTopAttrs = 8

// maxGroupAttrs bounds the attributes inside groups (leaves and nested
// groups) of one record; buildAttrs uses at most 27.
const maxGroupAttrs = 28

// attrBuf backs every group of one record with a single allocation. Group
// values point into it, so it is never reused: a handler may keep the
// record after Handle returns.
type attrBuf struct {
	a [maxGroupAttrs]slog.Attr
	n int
}

func (b *attrBuf) add(a slog.Attr) { b.a[b.n] = a; b.n++ }

// group returns a group of the attributes added since mark.
func (b *attrBuf) group(key string, mark int) slog.Attr {
	return slog.Attr{Key: key, Value: slog.GroupValue(b.a[mark:b.n:b.n]...)}
}

// buildAttrs lays out a record's attributes as nested groups in a fixed
// order, leaving out what has no value, and returns the top-level ones.
func buildAttrs(top *[maxTopAttrs]slog.Attr, info *CallInfo, traceID, spanID string) []slog.Attr {
	b := new(attrBuf)
	n := 0

	m := b.n
	if info.Operation != "" {
		b.add(slog.String("action", info.Operation))
	}
	b.add(slog.String("outcome", info.Outcome))
	b.add(slog.Int64("duration", int64(info.Duration)))
	top[n] = b.group("event", m)
	n++

	var service slog.Attr
	if info.Service != "" {
		m = b.n
		b.add(slog.String("name", info.Service))
		service = b.group("service", m)
	}
	m = b.n
	b.add(slog.String("provider", "aws"))
	if info.Region != "" {
		b.add(slog.String("region", info.Region))
	}
	if info.Service != "" {
		b.add(service)
	}
	target := b.group("target", m)
	m = b.n
	b.add(target)
	top[n] = b.group("cloud", m)
	n++

	var request, response slog.Attr
	if info.RequestBytes >= 0 {
		m = b.n
		b.add(slog.Int64("bytes", info.RequestBytes))
		request = b.group("body", m)
	}
	m = b.n
	if info.Method != "" {
		b.add(slog.String("method", info.Method))
	}
	if info.RequestBytes >= 0 {
		b.add(request)
	}
	hasRequest := b.n > m
	if hasRequest {
		request = b.group("request", m)
	}
	if info.StatusCode != 0 {
		var body slog.Attr
		if info.ResponseBytes >= 0 {
			m = b.n
			b.add(slog.Int64("bytes", info.ResponseBytes))
			body = b.group("body", m)
		}
		m = b.n
		b.add(slog.Int("status_code", info.StatusCode))
		if info.ResponseBytes >= 0 {
			b.add(body)
		}
		response = b.group("response", m)
	}
	if hasRequest || info.StatusCode != 0 {
		m = b.n
		if hasRequest {
			b.add(request)
		}
		if info.StatusCode != 0 {
			b.add(response)
		}
		top[n] = b.group("http", m)
		n++
	}

	if info.Domain != "" || info.Path != "" {
		m = b.n
		if info.Domain != "" {
			b.add(slog.String("domain", info.Domain))
		}
		if info.Port > 0 {
			b.add(slog.Int("port", info.Port))
		}
		if info.Path != "" {
			b.add(slog.String("path", info.Path))
		}
		top[n] = b.group("url", m)
		n++
	}

	m = b.n
	if info.RequestID != "" {
		b.add(slog.String("request_id", info.RequestID))
	}
	if info.ExtendedRequestID != "" {
		b.add(slog.String("extended_request_id", info.ExtendedRequestID))
	}
	if info.Attempts > 0 {
		b.add(slog.Int("attempts", info.Attempts))
	}
	if info.Attempt > 0 {
		b.add(slog.Int("attempt", info.Attempt))
	}
	if b.n > m {
		top[n] = b.group("aws", m)
		n++
	}

	if info.Err != nil {
		msg, typ := describeError(info.Err)
		m = b.n
		if info.ErrorCode != "" {
			b.add(slog.String("code", info.ErrorCode))
		}
		if msg != "" {
			b.add(slog.String("message", msg))
		}
		b.add(slog.String("type", typ))
		top[n] = b.group("error", m)
		n++
	}

	if traceID != "" {
		m = b.n
		b.add(slog.String("id", traceID))
		top[n] = b.group("trace", m)
		n++
	}
	if spanID != "" {
		m = b.n
		b.add(slog.String("id", spanID))
		top[n] = b.group("span", m)
		n++
	}
	return top[:n]
}
