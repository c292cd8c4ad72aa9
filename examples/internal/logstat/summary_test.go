package logstat

import (
	"bytes"
	"compress/gzip"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// callLine writes a call record in the ECS layout with the given fields.
func callLine(service, op, outcome string, d time.Duration, status, attempts int, code string, sent, received int64) string {
	var b strings.Builder
	b.WriteString(`{"@timestamp":"2026-11-25T10:00:00Z","log.level":"info","message":"aws call","ecs.version":"9.4.0","event":{"action":"`)
	b.WriteString(op + `","outcome":"` + outcome + `","duration":` + itoa(int64(d)) + `},`)
	b.WriteString(`"cloud":{"target":{"provider":"aws","service":{"name":"` + service + `"}}},"http":{`)
	if sent >= 0 {
		b.WriteString(`"request":{"body":{"bytes":` + itoa(sent) + `}}`)
	}
	if status > 0 {
		if sent >= 0 {
			b.WriteString(",")
		}
		b.WriteString(`"response":{"status_code":` + itoa(int64(status)))
		if received >= 0 {
			b.WriteString(`,"body":{"bytes":` + itoa(received) + `}`)
		}
		b.WriteString("}")
	}
	b.WriteString(`},"aws":{"attempts":` + itoa(int64(attempts)) + `}`)
	if code != "" {
		b.WriteString(`,"error":{"code":"` + code + `","type":"*smithy.GenericAPIError"}`)
	}
	b.WriteString("}\n")
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSummaryCounts(t *testing.T) {
	ms := time.Millisecond
	input := strings.Join([]string{
		callLine("S3", "PutObject", "success", 2*ms, 200, 1, "", 100, 0),
		callLine("S3", "PutObject", "success", 4*ms, 200, 2, "", 200, 0),
		callLine("S3", "PutObject", "failure", 9*ms, 503, 3, "SlowDown", 300, 90),
		callLine("S3", "GetObject", "failure", 1*ms, 404, 1, "NoSuchKey", 0, 155),
		callLine("S3", "GetObject", "success", 3*ms, 200, 1, "", 0, 4096),
		callLine("S3", "GetObject", "failure", 1*ms, 404, 1, "NoSuchKey", 0, 155),
		callLine("DynamoDB", "GetItem", "failure", 5*ms, 429, 3, "SomethingTooMany", 64, -1),
		jsonRefused + "\n",
		jsonAttempt + "\n",
		ecsSDKLogger + "\n",
		"\n",      // blank: ignored
		"   \r\n", // blank too
		"not json\n",
		`{"cloud":{"target":{"provider":"aws"}},"event":{"action":"X","duration":"slow"}}` + "\n",
		ecsPut, // the last line has no newline
	}, "")
	var s Summary
	if err := s.Read(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	if s.Lines != 13 || s.Calls != 9 || s.Attempts != 1 || s.Other != 1 || s.Malformed != 2 {
		t.Errorf("lines %d calls %d attempts %d other %d malformed %d, want 13 9 1 1 2",
			s.Lines, s.Calls, s.Attempts, s.Other, s.Malformed)
	}

	put := s.Op("S3", "PutObject")
	want := Op{Service: "S3", Operation: "PutObject", Calls: 4, Errors: 1, Throttles: 1, Retries: 1 + 2 + 1,
		BytesSent: 100 + 200 + 300 + 1155, BytesReceived: 90, ErrorCodes: map[string]int64{"SlowDown": 1}}
	checkOp(t, put, &want)
	if put.Durations.Max() != 9158660 || put.Durations.Quantile(0.5) < 2*ms || put.Durations.Quantile(0.5) > 4*ms+4*ms/32 {
		t.Errorf("PutObject durations: max %v p50 %v", put.Durations.Max(), put.Durations.Quantile(0.5))
	}
	checkOp(t, s.Op("S3", "GetObject"), &Op{Service: "S3", Operation: "GetObject", Calls: 3, Errors: 2,
		BytesReceived: 155 + 4096 + 155, ErrorCodes: map[string]int64{"NoSuchKey": 2}})
	// 429 is throttling whatever the code says.
	checkOp(t, s.Op("DynamoDB", "GetItem"), &Op{Service: "DynamoDB", Operation: "GetItem", Calls: 1, Errors: 1,
		Throttles: 1, Retries: 2, BytesSent: 64, ErrorCodes: map[string]int64{"SomethingTooMany": 1}})
	// No code: counted by Go type.
	checkOp(t, s.Op("S3", "ListBuckets"), &Op{Service: "S3", Operation: "ListBuckets", Calls: 1, Errors: 1,
		Retries: 2, ErrorCodes: map[string]int64{"*retry.MaxAttemptsError": 1}})

	total := s.Total()
	if total.Calls != s.Calls || total.Errors != 5 || total.Retries != 8 || total.Throttles != 2 ||
		total.Durations.Count() != uint64(s.Calls) || total.ErrorCodes["NoSuchKey"] != 2 {
		t.Errorf("Total = %+v", total)
	}
	ops := s.Ops()
	var names []string
	for _, op := range ops {
		names = append(names, op.Service+"/"+op.Operation)
	}
	if want := []string{"DynamoDB/GetItem", "S3/GetObject", "S3/ListBuckets", "S3/PutObject"}; !slices.Equal(names, want) {
		t.Errorf("Ops() = %v, want %v", names, want)
	}
	if !s.First.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) || !s.Last.Equal(time.Date(2026, 11, 25, 18, 24, 29, 259151438, time.UTC)) {
		t.Errorf("First %v Last %v", s.First, s.Last)
	}
}

func checkOp(t *testing.T, got, want *Op) {
	t.Helper()
	if got == nil {
		t.Fatalf("no Op for %s/%s", want.Service, want.Operation)
	}
	g, w := *got, *want
	if !maps.Equal(g.ErrorCodes, w.ErrorCodes) {
		t.Errorf("%s: ErrorCodes = %v, want %v", w.Operation, g.ErrorCodes, w.ErrorCodes)
	}
	g.ErrorCodes, w.ErrorCodes, g.Durations = nil, nil, Histogram{}
	if g.Calls != w.Calls || g.Errors != w.Errors || g.Throttles != w.Throttles || g.Retries != w.Retries ||
		g.BytesSent != w.BytesSent || g.BytesReceived != w.BytesReceived || g.Service != w.Service || g.Operation != w.Operation {
		t.Errorf("%s: got %+v\nwant %+v", w.Operation, g, w)
	}
	if got.Durations.Count() != uint64(w.Calls) {
		t.Errorf("%s: %d durations for %d calls", w.Operation, got.Durations.Count(), w.Calls)
	}
}

func TestReadLongLines(t *testing.T) {
	long := `{"msg":"` + strings.Repeat("x", MaxLineSize+10) + `"}`
	for _, tail := range []string{"\n", ""} {
		var s Summary
		input := ecsPut + "\n" + long + "\n" + ecsNoSuchKey + "\n" + long + tail
		if err := s.Read(strings.NewReader(input)); err != nil {
			t.Fatal(err)
		}
		if s.Lines != 4 || s.Calls != 2 || s.Malformed != 2 {
			t.Errorf("tail %q: lines %d calls %d malformed %d, want 4 2 2", tail, s.Lines, s.Calls, s.Malformed)
		}
	}
}

func TestCodes(t *testing.T) {
	op := Op{ErrorCodes: map[string]int64{"B": 2, "A": 2, "C": 5, "D": 1}}
	got := op.Codes()
	want := []CodeCount{{"C", 5}, {"A", 2}, {"B", 2}, {"D", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Codes() = %v, want %v", got, want)
	}
}

func writeFile(t *testing.T, name, content string, gz bool) {
	t.Helper()
	var b bytes.Buffer
	if gz {
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(content))
		zw.Close()
	} else {
		b.WriteString(content)
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	content := ecsPut + "\n" + ecsNoSuchKey + "\n" + jsonThrottled + "\n"
	plain := filepath.Join(dir, "aws.json")
	gz := filepath.Join(dir, "aws-2026-11-25T10-00-00.000.json.gz")
	// Compressed content is found by its magic bytes, not by its name.
	disguised := filepath.Join(dir, "aws-2026-11-25T09-00-00.000.json")
	writeFile(t, plain, content, false)
	writeFile(t, gz, content, true)
	writeFile(t, disguised, content, true)

	var a, b, c Summary
	for _, x := range []struct {
		s    *Summary
		name string
	}{{&a, plain}, {&b, gz}, {&c, disguised}} {
		if err := x.s.ReadFile(x.name); err != nil {
			t.Fatal(err)
		}
		if x.s.Files != 1 || x.s.Calls != 3 || x.s.Malformed != 0 {
			t.Errorf("%s: files %d calls %d malformed %d", x.name, x.s.Files, x.s.Calls, x.s.Malformed)
		}
	}

	// A backup cut short while lumberjack was compressing it: the lines
	// before the cut are counted and the error names the file.
	var full bytes.Buffer
	zw := gzip.NewWriter(&full)
	zw.Write([]byte(strings.Repeat(ecsPut+"\n", 1000)))
	zw.Close()
	cut := filepath.Join(dir, "cut.json.gz")
	if err := os.WriteFile(cut, full.Bytes()[:full.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	var d Summary
	err := d.ReadFile(cut)
	if err == nil || !strings.Contains(err.Error(), cut) {
		t.Errorf("ReadFile of a cut .gz: %v, want an error naming it", err)
	}
	if d.Calls == 0 || d.Calls >= 1000 {
		t.Errorf("ReadFile of a cut .gz counted %d calls, want some", d.Calls)
	}
	if err := d.ReadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("ReadFile of a missing file: no error")
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	names := []string{
		"aws.json",
		"aws-2026-11-25T10-00-00.000.json",
		"aws-2026-11-25T10-00-00.000.json.gz", // being compressed: the plain one is read
		"aws-2026-11-25T09-00-00.000.json.gz",
		".hidden",
		"other.log",
	}
	for _, n := range names {
		writeFile(t, filepath.Join(dir, n), ecsPut+"\n", strings.HasSuffix(n, ".gz"))
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := func(n string) string { return filepath.Join(dir, n) }

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"directory: its files, sorted, backups first", []string{dir}, []string{
			p("aws-2026-11-25T09-00-00.000.json.gz"), p("aws-2026-11-25T10-00-00.000.json"), p("aws.json"), p("other.log")}},
		{"glob", []string{p("aws*.json*")}, []string{
			p("aws-2026-11-25T09-00-00.000.json.gz"), p("aws-2026-11-25T10-00-00.000.json"), p("aws.json")}},
		{"files in the order given, without repeats", []string{p("aws.json"), p("other.log"), p("aws.json"), dir}, []string{
			p("aws.json"), p("other.log"), p("aws-2026-11-25T09-00-00.000.json.gz"), p("aws-2026-11-25T10-00-00.000.json")}},
		{"a .gz named alone is read", []string{p("aws-2026-11-25T10-00-00.000.json.gz")}, []string{
			p("aws-2026-11-25T10-00-00.000.json.gz")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%v) =\n %v\nwant\n %v", tt.args, got, tt.want)
			}
		})
	}

	for _, bad := range [][]string{{p("missing.json")}, {p("nothing*.json")}, {p("sub")}, {p("[")}} {
		if got, err := Expand(bad); err == nil {
			t.Errorf("Expand(%v) = %v, want an error", bad, got)
		}
	}
}
