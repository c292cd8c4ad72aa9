package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"go.uber.org/goleak"

	"github.com/slogreq/slogreq/examples/internal/logstat"
	"github.com/slogreq/slogreq/internal/jsonstrict"
	"github.com/slogreq/slogreq/slogreq"
)

func TestMain(m *testing.M) {
	// lumberjack's mill goroutine never stops (see the rotate package).
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}

// call is what the test expects of every record of one operation.
type call struct {
	method string
	status []int64 // any of these
}

var calls = map[string]call{
	"CreateBucket":  {"PUT", []int64{200}},
	"PutObject":     {"PUT", []int64{200}},
	"ListObjectsV2": {"GET", []int64{200}},
	"GetObject":     {"GET", []int64{200, 404}},
	"HeadObject":    {"HEAD", []int64{200}},
	"DeleteObject":  {"DELETE", []int64{204}},
	"DeleteObjects": {"POST", []int64{200}},
}

// TestQuickstart runs the quick start's workload in the process, against the
// embedded S3 with faults, and checks the files it leaves against what the
// workload did: one valid ECS record per SDK call, with the right operation,
// method, status, level and attempts; rotation; and logstat's numbers equal
// to a count made here from the same lines.
func TestQuickstart(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			o := options{
				Dir:       t.TempDir(),
				N:         60,
				Workers:   4,
				MaxSize:   8 << 10, // a few records per file: several rotations
				Compress:  compress,
				FailEvery: 5,
			}
			if testing.Verbose() {
				o.Progress = os.Stderr
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := run(ctx, o)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			checkRun(t, o, s)
		})
	}
}

func checkRun(t *testing.T, o options, s *summary) {
	total := s.TotalCalls()
	wantCalls := map[string]int{
		"CreateBucket": 1, "PutObject": o.N, "ListObjectsV2": (o.N + listPageSize - 1) / listPageSize,
		"GetObject": 10 + 1, "HeadObject": 10, "DeleteObject": 1, "DeleteObjects": 1,
	}
	if !maps.Equal(s.Calls, wantCalls) {
		t.Errorf("calls made %v, want %v", s.Calls, wantCalls)
	}
	if !maps.Equal(s.Failed, map[string]int{"GetObject": 1}) {
		t.Errorf("failed calls %v, want the one missing key", s.Failed)
	}
	if h := s.Handler; h.Accepted != uint64(total) || h.Written != h.Accepted || h.Dropped != 0 || h.Truncated != 0 {
		t.Errorf("handler stats %+v for %d calls", h, total)
	}
	if s.Injected < int64(total/o.FailEvery)-1 {
		t.Errorf("%d faults injected for %d calls, every %d", s.Injected, total, o.FailEvery)
	}

	// Files: the current one and at least two backups, compressed or not.
	backup := regexp.MustCompile(`^aws-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.json` + map[bool]string{true: `\.gz`, false: ``}[o.Compress] + `$`)
	names, err := filepath.Glob(filepath.Join(o.Dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	backups := 0
	for _, name := range names {
		switch base := filepath.Base(name); {
		case base == logName:
		case backup.MatchString(base):
			backups++
		default:
			t.Errorf("unexpected file %s", base)
		}
	}
	if backups < 2 || len(s.Files) != len(names) {
		t.Errorf("%d backups, %d files reported, %d in the directory: %v", backups, len(s.Files), len(names), names)
	}

	fields := loadECSFields(t)
	var (
		records  []map[string]any
		perOp    = map[string]*logstat.Op{}
		durs     = map[string][]time.Duration{}
		retried  int64
		putPaths = map[string]bool{}
	)
	for _, name := range s.Files {
		for i, line := range readLines(t, name.Name) {
			rec, err := jsonstrict.Object(line)
			if err != nil {
				t.Fatalf("%s line %d is not strict JSON: %v\n%s", name.Name, i+1, err, line)
			}
			checkECS(t, fields, rec, line)
			records = append(records, rec)

			op := str(t, rec, "event.action")
			want, ok := calls[op]
			if !ok {
				t.Fatalf("record of unexpected operation %q", op)
			}
			status := num(t, rec, "http.response.status_code")
			if str(t, rec, "http.request.method") != want.method || !slices.Contains(want.status, status) {
				t.Errorf("%s: method %s status %d, want %s %v", op, str(t, rec, "http.request.method"), status, want.method, want.status)
			}
			if str(t, rec, "message") != "aws call" || str(t, rec, "cloud.target.service.name") != "S3" ||
				str(t, rec, "cloud.target.region") != "us-east-1" || str(t, rec, "url.domain") != "127.0.0.1" {
				t.Errorf("record fields: %s", line)
			}
			attempts := num(t, rec, "aws.attempts")
			if attempts < 1 || attempts > 2 {
				t.Errorf("%s: aws.attempts %d, want 1, or 2 after an injected 503", op, attempts)
			}
			if attempts == 2 {
				retried++
			}
			p := perOp[op]
			if p == nil {
				p = &logstat.Op{ErrorCodes: map[string]int64{}}
				perOp[op] = p
			}
			p.Calls++
			p.Retries += attempts - 1
			p.BytesSent += numOr(rec, "http.request.body.bytes")
			p.BytesReceived += numOr(rec, "http.response.body.bytes")
			durs[op] = append(durs[op], time.Duration(num(t, rec, "event.duration")))

			level, outcome := str(t, rec, "log.level"), str(t, rec, "event.outcome")
			if status == 404 {
				p.Errors++
				p.ErrorCodes[str(t, rec, "error.code")]++
				if level != "warn" || outcome != "failure" || str(t, rec, "error.code") != "NoSuchKey" || str(t, rec, "error.type") != "*types.NoSuchKey" {
					t.Errorf("missing key: level %s outcome %s, want a warn failure with NoSuchKey: %s", level, outcome, line)
				}
			} else if level != "info" || outcome != "success" {
				t.Errorf("%s: level %s outcome %s, want info success: %s", op, level, outcome, line)
			}
			if op == "PutObject" {
				putPaths[str(t, rec, "url.path")] = true
			}
		}
	}

	// One record per call.
	if len(records) != total || s.Logs.Calls != int64(total) || s.Logs.Lines != int64(total) {
		t.Errorf("%d records on disk, logstat counted %d of %d lines, %d calls made", len(records), s.Logs.Calls, s.Logs.Lines, total)
	}
	for op, n := range wantCalls {
		if p := perOp[op]; p == nil || p.Calls != int64(n) {
			t.Errorf("%s: %v records, want %d", op, p, n)
		}
	}
	if len(putPaths) != o.N {
		t.Errorf("PutObject records name %d distinct keys, want %d", len(putPaths), o.N)
	}
	// Every injected 503 is one retry, and nothing else was retried.
	if retried != s.Injected || retried == 0 {
		t.Errorf("%d records with aws.attempts 2, %d faults injected", retried, s.Injected)
	}
	var putBytes int64
	for i := range o.N {
		putBytes += int64(len(content(i)))
	}
	if p := perOp["PutObject"]; p.BytesSent != putBytes {
		t.Errorf("PutObject records sum to %d bytes sent, the workload put %d", p.BytesSent, putBytes)
	}

	// logstat, which read the same files, agrees with the count made here.
	for op, want := range perOp {
		got := s.Logs.Op("S3", op)
		if got == nil {
			t.Errorf("logstat has no %s", op)
			continue
		}
		if got.Calls != want.Calls || got.Errors != want.Errors || got.Retries != want.Retries || got.Throttles != 0 ||
			got.BytesSent != want.BytesSent || got.BytesReceived != want.BytesReceived || !maps.Equal(got.ErrorCodes, want.ErrorCodes) {
			t.Errorf("logstat %s: %+v\nwant %+v", op, got, want)
		}
		d := durs[op]
		slices.Sort(d)
		if got.Durations.Max() != d[len(d)-1] || got.Durations.Min() != d[0] {
			t.Errorf("logstat %s: min %v max %v, want %v %v", op, got.Durations.Min(), got.Durations.Max(), d[0], d[len(d)-1])
		}
		for _, q := range []float64{0.5, 0.95, 0.99} {
			exact := d[int(math.Ceil(q*float64(len(d))))-1]
			if v := got.Durations.Quantile(q); v < exact || float64(v-exact) > float64(exact)/32 {
				t.Errorf("logstat %s: p%v %v, exact %v", op, q*100, v, exact)
			}
		}
	}
	if s.Logs.Malformed != 0 || s.Logs.Other != 0 || s.Logs.Attempts != 0 {
		t.Errorf("logstat: %d malformed, %d other, %d attempt lines", s.Logs.Malformed, s.Logs.Other, s.Logs.Attempts)
	}

	// The report shows the samples and the table.
	var b strings.Builder
	report(&b, o, s)
	for _, want := range []string{"aws.attempts 2", "NoSuchKey", "SERVICE  OPERATION", "ok: " + fmt.Sprint(total) + " records on disk"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	f, err := logstat.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// get follows a dotted path through nested objects, or a dotted top-level
// key (log.level).
func get(rec map[string]any, path string) (any, bool) {
	if v, ok := rec[path]; ok {
		return v, true
	}
	var cur any = rec
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func str(t *testing.T, rec map[string]any, path string) string {
	t.Helper()
	v, _ := get(rec, path)
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s = %v (%T), want a string in %v", path, v, v, rec)
	}
	return s
}

func num(t *testing.T, rec map[string]any, path string) int64 {
	t.Helper()
	v, _ := get(rec, path)
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s = %v (%T), want a number in %v", path, v, v, rec)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %v, want an integer", path, n)
	}
	return i
}

// numOr is the integer at path, 0 when absent.
func numOr(rec map[string]any, path string) int64 {
	v, _ := get(rec, path)
	n, _ := v.(json.Number)
	i, _ := n.Int64()
	return i
}

type ecsField struct {
	Type          string   `json:"type"`
	AllowedValues []string `json:"allowed_values"`
}

// loadECSFields reads the ECS 9.4 field definitions the slogreq package
// tests its ECS format with.
func loadECSFields(t *testing.T) map[string]ecsField {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "slogreq", "testdata", "ecs", "ecs_fields.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]ecsField
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if len(fields) < 2000 {
		t.Fatalf("ecs_fields.json has %d fields", len(fields))
	}
	return fields
}

// checkECS checks every leaf of rec: an ECS field whose type the JSON value
// fits (and one of its allowed values, where ECS lists them), or a field of
// our own under aws.* or slog.*.
func checkECS(t *testing.T, fields map[string]ecsField, rec map[string]any, line string) {
	t.Helper()
	var walk func(prefix string, v any)
	walk = func(path string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, sub := range m {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, sub)
			}
			return
		}
		if strings.HasPrefix(path, "aws.") || strings.HasPrefix(path, "slog.") {
			return
		}
		f, ok := fields[path]
		if !ok {
			t.Errorf("%s is not an ECS field: %s", path, line)
			return
		}
		if err := fitsECSType(f.Type, v); err != nil {
			t.Errorf("%s (ECS %s): %v: %s", path, f.Type, err, line)
		}
		if len(f.AllowedValues) > 0 && !slices.Contains(f.AllowedValues, fmt.Sprint(v)) {
			t.Errorf("%s = %v, not one of ECS's %v", path, v, f.AllowedValues)
		}
	}
	walk("", rec)
}

func fitsECSType(typ string, v any) error {
	switch typ {
	case "keyword", "text", "wildcard", "match_only_text", "constant_keyword":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%v (%T) is not a string", v, v)
		}
	case "long", "integer", "short", "byte", "scaled_float", "float", "double", "unsigned_long":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%v (%T) is not a number", v, v)
		}
		if _, err := n.Float64(); err != nil {
			return err
		}
		if typ != "scaled_float" && typ != "float" && typ != "double" {
			if _, err := n.Int64(); err != nil {
				return fmt.Errorf("%v is not an integer", n)
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%v (%T) is not a boolean", v, v)
		}
	case "date":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%v (%T) is not a string", v, v)
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return err
		}
	case "ip":
		s, ok := v.(string)
		if !ok || net.ParseIP(s) == nil {
			return fmt.Errorf("%v is not an IP address", v)
		}
	default:
		return fmt.Errorf("a leaf value for a field of type %s", typ)
	}
	return nil
}

// TestEndpointMode runs the workload as -endpoint does, with the default
// AWS configuration read from the environment, against an in-process S3
// standing in for MinIO: the bucket does not exist, so HeadBucket fails
// with NotFound and the run creates it.
func TestEndpointMode(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENDPOINTTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "endpoint-test-secret")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")

	o := options{Dir: t.TempDir(), N: 12, Workers: 3, MaxSize: 64 << 10, Endpoint: srv.URL, Bucket: "minio-bucket"}
	s, err := run(context.Background(), o)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := map[string]int{
		"HeadBucket": 1, "CreateBucket": 1, "PutObject": 12, "ListObjectsV2": 1,
		"GetObject": 10 + 1, "HeadObject": 10, "DeleteObject": 1, "DeleteObjects": 1,
	}
	if !maps.Equal(s.Calls, want) || !maps.Equal(s.Failed, map[string]int{"HeadBucket": 1, "GetObject": 1}) {
		t.Errorf("calls %v failed %v, want %v and a failed HeadBucket and GetObject", s.Calls, s.Failed, want)
	}
	if s.Injected != 0 || s.Logs.Total().Retries != 0 || !strings.Contains(s.Target, srv.URL) {
		t.Errorf("target %q, %d faults, %d retries", s.Target, s.Injected, s.Logs.Total().Retries)
	}
	if head := s.Logs.Op("S3", "HeadBucket"); head == nil || head.ErrorCodes["NotFound"] != 1 {
		t.Errorf("HeadBucket of the missing bucket: %+v, want a NotFound", head)
	}
}

// TestCheckCatchesMismatches feeds check the discrepancies it exists for.
func TestCheckCatchesMismatches(t *testing.T) {
	base := func() *summary {
		s := &summary{
			Calls:   map[string]int{"PutObject": 3, "GetObject": 1},
			Failed:  map[string]int{"GetObject": 1},
			Handler: statsOf(4),
		}
		lines := strings.Repeat(`{"@timestamp":"2026-11-25T10:00:00Z","cloud":{"target":{"provider":"aws","service":{"name":"S3"}}},"event":{"action":"PutObject","outcome":"success","duration":1},"aws":{"attempts":2}}`+"\n", 3) +
			`{"@timestamp":"2026-11-25T10:00:00Z","cloud":{"target":{"provider":"aws","service":{"name":"S3"}}},"event":{"action":"GetObject","outcome":"failure","duration":1},"error":{"code":"NoSuchKey"}}` + "\n"
		if err := s.Logs.Read(strings.NewReader(lines)); err != nil {
			t.Fatal(err)
		}
		s.Injected = 3
		return s
	}
	if err := check(base(), true); err != nil {
		t.Fatalf("consistent summary: %v", err)
	}
	tests := []struct {
		name   string
		modify func(*summary)
		want   string
	}{
		{"a call without a record", func(s *summary) { s.Calls["HeadObject"] = 1 }, "workload made 5 SDK calls"},
		{"records under the wrong operation", func(s *summary) { s.Calls["PutObject"] = 2; s.Calls["GetObject"] = 2 }, "GetObject: 1 records on disk, 2 calls made"},
		{"an error not logged", func(s *summary) { s.Failed["PutObject"] = 1 }, "PutObject: 0 failed calls on disk"},
		{"a dropped record", func(s *summary) { s.Handler.Dropped = 1 }, "handler lost records"},
		{"a record not written", func(s *summary) { s.Handler.Written-- }, "handler lost records"},
		{"a malformed line", func(s *summary) { s.Logs.Malformed = 1 }, "1 malformed lines"},
		{"a fault without a retry", func(s *summary) { s.Injected = 4 }, "3 retries on disk, but 4 faults"},
	}
	for _, tt := range tests {
		s := base()
		tt.modify(s)
		if err := check(s, true); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: check = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil || o.Dir != "logs" || o.N != 200 || o.Workers != 8 || o.MaxSize != 64<<10 || o.FailEvery != 10 || o.Real || o.Endpoint != "" {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	o, err = parseFlags([]string{"-n", "5", "-max-size", "1MiB", "-dir", "x", "-real", "-bucket", "b"}, io.Discard)
	if err != nil || o.N != 5 || o.MaxSize != 1<<20 || o.Dir != "x" || !o.Real || o.Bucket != "b" {
		t.Errorf("flags: %+v, %v", o, err)
	}
	for _, bad := range [][]string{
		{"-n", "0"}, {"-workers", "0"}, {"-max-size", "0"}, {"-max-size", "1PiB"}, {"-max-size", "-1"},
		{"-fail-every", "1"}, {"-real"}, {"-endpoint", "http://localhost:9000"}, {"extra"}, {"-nope"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q): no error", bad)
		}
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{{"65536", 65536}, {"64KiB", 64 << 10}, {"64 KiB", 64 << 10}, {"3MiB", 3 << 20}, {"2GiB", 2 << 30}, {"100B", 100}}
	for _, tt := range tests {
		var b byteSize
		if err := b.Set(tt.in); err != nil || int64(b) != tt.want {
			t.Errorf("Set(%q) = %d, %v; want %d", tt.in, b, err, tt.want)
		}
	}
}

func TestIsFirstAttempt(t *testing.T) {
	tests := map[string]bool{
		"":                   true,
		"attempt=1; max=3":   true,
		"attempt=2; max=3":   false,
		"max=3; attempt=3":   false,
		"ttl=x; attempt=1":   true,
		"something else":     true,
		"attempt=10; max=10": false,
	}
	for h, want := range tests {
		r, _ := newRequest(h)
		if got := isFirstAttempt(r); got != want {
			t.Errorf("isFirstAttempt(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestIsLogFile(t *testing.T) {
	for name, want := range map[string]bool{
		"aws.json": true, "aws-2026-11-25T10-00-00.000.json": true, "aws-2026-11-25T10-00-00.000.json.gz": true,
		"aws.json.gz": false, "awsx.json": false, "other.json": false, "aws-notes.txt": false,
	} {
		if got := isLogFile(name); got != want {
			t.Errorf("isLogFile(%q) = %v, want %v", name, got, want)
		}
	}
}

func statsOf(n uint64) slogreq.Stats { return slogreq.Stats{Accepted: n, Written: n} }

func newRequest(sdkRequest string) (*http.Request, error) {
	r := httptest.NewRequest("PUT", "/bucket/key", nil)
	if sdkRequest != "" {
		r.Header.Set("amz-sdk-request", sdkRequest)
	}
	return r, nil
}
