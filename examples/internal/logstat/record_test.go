package logstat

import (
	"errors"
	"testing"
	"time"
)

// Lines as the slogreq handler writes them for the middleware's records, in
// both formats.
const (
	ecsPut = `{"@timestamp":"2026-11-25T18:24:29.259151438Z","log.level":"info","message":"aws call","ecs.version":"9.4.0",` +
		`"event":{"action":"PutObject","outcome":"success","duration":9158660},` +
		`"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},` +
		`"http":{"request":{"method":"PUT","body":{"bytes":1155}},"response":{"status_code":200,"body":{"bytes":0}}},` +
		`"url":{"domain":"127.0.0.1","port":33917,"path":"/quickstart/obj-00020"},` +
		`"aws":{"request_id":"0000000000000049","extended_request_id":"MDAw","attempts":2}}`
	ecsNoSuchKey = `{"@timestamp":"2026-11-25T18:24:20.512687999Z","log.level":"warn","message":"aws call","ecs.version":"9.4.0",` +
		`"event":{"action":"GetObject","outcome":"failure","duration":144245},` +
		`"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},` +
		`"http":{"request":{"method":"GET","body":{"bytes":0}},"response":{"status_code":404,"body":{"bytes":155}}},` +
		`"url":{"domain":"127.0.0.1","port":36219,"path":"/quickstart/no-such-key"},` +
		`"aws":{"request_id":"00000000000000E0","attempts":1},` +
		`"error":{"code":"NoSuchKey","message":"The specified key does not exist.","type":"*types.NoSuchKey"}}`
	jsonThrottled = `{"time":"2026-11-25T10:00:00.5+01:00","level":"WARN","msg":"aws call",` +
		`"event":{"action":"GetItem","outcome":"failure","duration":2500000000},` +
		`"cloud":{"target":{"provider":"aws","region":"eu-west-1","service":{"name":"DynamoDB"}}},` +
		`"http":{"request":{"method":"POST","body":{"bytes":64}},"response":{"status_code":400,"body":{"bytes":120}}},` +
		`"aws":{"request_id":"R1","attempts":3},` +
		`"error":{"code":"ProvisionedThroughputExceededException","message":"slow down","type":"*types.ProvisionedThroughputExceededException"}}`
	jsonAttempt = `{"time":"2026-11-25T10:00:00Z","level":"DEBUG","msg":"aws call attempt",` +
		`"event":{"action":"GetItem","outcome":"failure","duration":1000},` +
		`"cloud":{"target":{"provider":"aws","service":{"name":"DynamoDB"}}},"aws":{"attempt":2}}`
	// The SDK logger's records name the operation but are not calls.
	ecsSDKLogger = `{"@timestamp":"2026-11-25T10:00:00Z","log.level":"debug","message":"retrying request S3/PutObject, attempt 2",` +
		`"ecs.version":"9.4.0","log":{"logger":"aws-sdk-go-v2"},"event":{"action":"PutObject"},"cloud":{"target":{"service":{"name":"S3"}}}}`
	// A transport failure: no response, no code.
	jsonRefused = `{"time":"2026-11-25T10:00:00Z","level":"ERROR","msg":"aws call",` +
		`"event":{"action":"ListBuckets","outcome":"failure","duration":3000000},` +
		`"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},` +
		`"http":{"request":{"method":"GET"}},"aws":{"attempts":3},` +
		`"error":{"message":"dial tcp: connection refused","type":"*retry.MaxAttemptsError"}}`
)

func TestParseLine(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		line string
		want Record
	}{
		{"ECS call, retried", ecsPut, Record{
			Kind: Call, Format: ECS, Time: ts("2026-11-25T18:24:29.259151438Z"), Level: "info", Message: "aws call",
			Service: "S3", Operation: "PutObject", Outcome: "success", Duration: 9158660, StatusCode: 200,
			Attempts: 2, RequestBytes: 1155, ResponseBytes: 0,
		}},
		{"ECS call, NoSuchKey", ecsNoSuchKey, Record{
			Kind: Call, Format: ECS, Time: ts("2026-11-25T18:24:20.512687999Z"), Level: "warn", Message: "aws call",
			Service: "S3", Operation: "GetObject", Outcome: "failure", Duration: 144245, StatusCode: 404,
			Attempts: 1, ErrorCode: "NoSuchKey", ErrorType: "*types.NoSuchKey", RequestBytes: 0, ResponseBytes: 155,
		}},
		{"JSON call, throttled", jsonThrottled, Record{
			Kind: Call, Format: JSON, Time: ts("2026-11-25T10:00:00.5+01:00"), Level: "warn", Message: "aws call",
			Service: "DynamoDB", Operation: "GetItem", Outcome: "failure", Duration: 2500 * time.Millisecond,
			StatusCode: 400, Attempts: 3, ErrorCode: "ProvisionedThroughputExceededException",
			ErrorType: "*types.ProvisionedThroughputExceededException", RequestBytes: 64, ResponseBytes: 120,
		}},
		{"JSON attempt record", jsonAttempt, Record{
			Kind: Attempt, Format: JSON, Time: ts("2026-11-25T10:00:00Z"), Level: "debug", Message: "aws call attempt",
			Service: "DynamoDB", Operation: "GetItem", Outcome: "failure", Duration: 1000, Attempts: 2,
			RequestBytes: -1, ResponseBytes: -1,
		}},
		{"JSON transport failure", jsonRefused, Record{
			Kind: Call, Format: JSON, Time: ts("2026-11-25T10:00:00Z"), Level: "error", Message: "aws call",
			Service: "S3", Operation: "ListBuckets", Outcome: "failure", Duration: 3 * time.Millisecond, Attempts: 3,
			ErrorType: "*retry.MaxAttemptsError", RequestBytes: -1, ResponseBytes: -1,
		}},
		{"dotted keys, as ECS allows", `{"@timestamp":"2026-11-25T10:00:00Z","event.action":"HeadObject","event.duration":5,` +
			`"cloud.target.provider":"aws","cloud.target":{"service.name":"S3"},"http.response.status_code":200,"aws.attempts":1}`,
			Record{Kind: Call, Format: ECS, Time: ts("2026-11-25T10:00:00Z"), Service: "S3", Operation: "HeadObject",
				Duration: 5, StatusCode: 200, Attempts: 1, RequestBytes: -1, ResponseBytes: -1}},
		{"surrounding whitespace and CRLF", " \t" + ecsPut + "\r\n", Record{
			Kind: Call, Format: ECS, Time: ts("2026-11-25T18:24:29.259151438Z"), Level: "info", Message: "aws call",
			Service: "S3", Operation: "PutObject", Outcome: "success", Duration: 9158660, StatusCode: 200,
			Attempts: 2, RequestBytes: 1155, ResponseBytes: 0,
		}},
		{"SDK logger record", ecsSDKLogger, Record{
			Kind: Other, Format: ECS, Time: ts("2026-11-25T10:00:00Z"), Level: "debug",
			Message: "retrying request S3/PutObject, attempt 2", RequestBytes: -1, ResponseBytes: -1,
		}},
		{"handler drop report", `{"time":"2026-11-25T10:00:00Z","level":"WARN","msg":"slogreq: dropped records","dropped":3}`,
			Record{Kind: Other, Format: JSON, Time: ts("2026-11-25T10:00:00Z"), Level: "warn",
				Message: "slogreq: dropped records", RequestBytes: -1, ResponseBytes: -1}},
		{"another provider is not a call", `{"event":{"action":"x","duration":1},"cloud":{"target":{"provider":"gcp"}}}`,
			Record{Kind: Other, RequestBytes: -1, ResponseBytes: -1}},
		{"other records' odd types are ignored", `{"time":12,"level":["x"],"msg":"hello","event":{"duration":"1s"}}`,
			Record{Kind: Other, Format: JSON, Message: "hello", RequestBytes: -1, ResponseBytes: -1}},
		{"empty object", `{}`, Record{Kind: Other, RequestBytes: -1, ResponseBytes: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLine([]byte(tt.line))
			if err != nil {
				t.Fatalf("ParseLine: %v", err)
			}
			if !got.Time.Equal(tt.want.Time) {
				t.Errorf("Time = %v, want %v", got.Time, tt.want.Time)
			}
			got.Time, tt.want.Time = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("ParseLine =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestParseLineMalformed(t *testing.T) {
	call := func(fields string) string {
		return `{"@timestamp":"2026-11-25T10:00:00Z","cloud":{"target":{"provider":"aws"}},` + fields + `}`
	}
	tests := []struct{ name, line string }{
		{"empty", ``},
		{"blank", "  \n"},
		{"not JSON", `aws call PutObject 200`},
		{"array", `[1,2]`},
		{"null", `null`},
		{"string", `"aws call"`},
		{"cut short", ecsPut[:len(ecsPut)/2]},
		{"two objects", `{"a":1} {"b":2}`},
		{"trailing garbage", `{"a":1}x`},
		{"invalid escape", `{"a":"\x"}`},
		{"no duration", call(`"event":{"action":"PutObject"}`)},
		{"duration as string", call(`"event":{"action":"PutObject","duration":"9ms"}`)},
		{"negative duration", call(`"event":{"action":"PutObject","duration":-1}`)},
		{"fractional duration", call(`"event":{"action":"PutObject","duration":1.5}`)},
		{"duration beyond int64", call(`"event":{"action":"PutObject","duration":9223372036854775808}`)},
		{"action not a string", call(`"event":{"action":7,"duration":1}`)},
		{"status as string", call(`"event":{"action":"A","duration":1},"http":{"response":{"status_code":"200"}}`)},
		{"status out of range", call(`"event":{"action":"A","duration":1},"http":{"response":{"status_code":1000}}`)},
		{"attempts negative", call(`"event":{"action":"A","duration":1},"aws":{"attempts":-2}}`)},
		{"attempt zero", call(`"event":{"action":"A","duration":1},"aws":{"attempt":0}}`)},
		{"bytes negative", call(`"event":{"action":"A","duration":1},"http":{"request":{"body":{"bytes":-1}}}`)},
		{"error code not a string", call(`"event":{"action":"A","duration":1},"error":{"code":404}`)},
		{"bad timestamp", `{"@timestamp":"yesterday","cloud":{"target":{"provider":"aws"}},"event":{"action":"A","duration":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseLine([]byte(tt.line))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseLine(%q) = %+v, %v; want an error wrapping ErrMalformed", tt.line, r, err)
			}
			if r.Operation != "" || r.Duration != 0 || r.RequestBytes != -1 {
				t.Errorf("a malformed line left fields set: %+v", r)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	obj := map[string]any{
		"a.b":    map[string]any{"c": "whole key, then nested"},
		"a":      map[string]any{"b": map[string]any{"c": "nested", "d": "only nested"}},
		"x":      map[string]any{"y.z": "nested, then whole key"},
		"flat.k": "flat",
	}
	tests := []struct {
		path string
		want any
	}{
		{"a.b.c", "whole key, then nested"},
		{"a.b.d", "only nested"},
		{"x.y.z", "nested, then whole key"},
		{"flat.k", "flat"},
		{"a.b.e", nil},
		{"flat", nil},
		{"", nil},
		{".", nil},
		{"a..b", nil},
	}
	for _, tt := range tests {
		got, ok := lookup(obj, tt.path)
		if ok != (tt.want != nil) || got != tt.want {
			t.Errorf("lookup(%q) = %v, %v; want %v", tt.path, got, ok, tt.want)
		}
	}
}

func TestRecordFailed(t *testing.T) {
	tests := []struct {
		r    Record
		want bool
	}{
		{Record{Outcome: "success"}, false},
		{Record{Outcome: "failure"}, true},
		{Record{Outcome: "unknown", ErrorType: "context.Canceled"}, true},
		{Record{ErrorCode: "NoSuchKey"}, true},
		{Record{ErrorType: "*net.OpError"}, true},
		{Record{}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Failed(); got != tt.want {
			t.Errorf("%+v.Failed() = %v, want %v", tt.r, got, tt.want)
		}
	}
}
