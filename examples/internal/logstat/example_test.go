package logstat_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/slogreq/slogreq/examples/internal/logstat"
)

// Lines in the ECS format and in slog's JSON format can be mixed; each is
// detected on its own. Programs read files with ReadFile, which also
// decompresses rotated .gz backups. The p50 of 2.1ms and 48ms is 2.1ms
// rounded up to its bucket's bound.
func ExampleSummary() {
	const logs = `{"@timestamp":"2026-11-25T10:00:00Z","log.level":"info","message":"aws call","ecs.version":"9.4.0","event":{"action":"PutObject","outcome":"success","duration":2100000},"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},"http":{"request":{"method":"PUT","body":{"bytes":1024}},"response":{"status_code":200,"body":{"bytes":0}}},"aws":{"attempts":1}}
{"@timestamp":"2026-11-25T10:00:01Z","log.level":"info","message":"aws call","ecs.version":"9.4.0","event":{"action":"PutObject","outcome":"success","duration":48000000},"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},"http":{"request":{"method":"PUT","body":{"bytes":2048}},"response":{"status_code":200,"body":{"bytes":0}}},"aws":{"attempts":2}}
{"time":"2026-11-25T10:00:02Z","level":"WARN","msg":"aws call","event":{"action":"GetObject","outcome":"failure","duration":900000},"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},"http":{"request":{"method":"GET","body":{"bytes":0}},"response":{"status_code":404,"body":{"bytes":155}}},"aws":{"attempts":1},"error":{"code":"NoSuchKey","type":"*types.NoSuchKey"}}
{"time":"2026-11-25T10:00:03Z","level":"INFO","msg":"request served","path":"/"}
not a JSON line
`
	var s logstat.Summary
	if err := s.Read(strings.NewReader(logs)); err != nil {
		panic(err)
	}
	put := s.Op("S3", "PutObject")
	fmt.Printf("PutObject: %d calls, %d retries, %d bytes sent, max %v\n",
		put.Calls, put.Retries, put.BytesSent, put.Durations.Max())
	fmt.Println()
	if err := s.WriteTable(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// PutObject: 2 calls, 1 retries, 3072 bytes sent, max 48ms
	//
	// 0 files, 5 lines: 3 calls, 0 attempt records, 1 other, 1 malformed (skipped)
	// from 2026-11-25T10:00:00Z to 2026-11-25T10:00:03Z (3.00s)
	//
	// SERVICE  OPERATION  CALLS  ERRORS  THROTTLED  RETRIES  P50     P95     P99     MAX     SENT      RECEIVED
	// S3       GetObject  1      1       0          0        900µs   900µs   900µs   900µs   0 B       155 B
	// S3       PutObject  2      0       0          1        2.16ms  48.0ms  48.0ms  48.0ms  3.00 KiB  0 B
	// TOTAL    -          3      1       0          1        2.16ms  48.0ms  48.0ms  48.0ms  3.00 KiB  155 B
	//
	// errors by code:
	//   S3  GetObject  NoSuchKey  1
}

func ExampleParseLine() {
	line := `{"@timestamp":"2026-11-25T10:00:00Z","log.level":"warn","message":"aws call","ecs.version":"9.4.0","event":{"action":"GetItem","outcome":"failure","duration":1500000000},"cloud":{"target":{"provider":"aws","region":"eu-west-1","service":{"name":"DynamoDB"}}},"http":{"response":{"status_code":400}},"aws":{"attempts":3},"error":{"code":"ThrottlingException","type":"*smithy.GenericAPIError"}}`
	r, err := logstat.ParseLine([]byte(line))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Kind, r.Format, r.Level, r.Service, r.Operation, r.Duration, r.StatusCode, r.Attempts, r.ErrorCode, r.Failed())
	// Output:
	// call ecs warn DynamoDB GetItem 1.5s 400 3 ThrottlingException true
}

// A Histogram answers quantiles of any number of durations in a fixed 15
// KiB. A quantile is the upper bound of the bucket that holds it: at most
// 3.1% above the exact value (here 500ms and 990ms), never below.
func ExampleHistogram() {
	var h logstat.Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	fmt.Println(h.Count(), h.Min(), h.Max())
	fmt.Println(logstat.FormatDuration(h.Quantile(0.5)), logstat.FormatDuration(h.Quantile(0.99)))
	// Output:
	// 1000 1ms 1s
	// 503ms 1.00s
}
