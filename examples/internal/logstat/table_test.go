package logstat

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0ns"},
		{999, "999ns"},
		{time.Microsecond, "1.00µs"},
		{1234 * time.Nanosecond, "1.23µs"},
		{12345 * time.Nanosecond, "12.3µs"},
		{123456 * time.Nanosecond, "123µs"},
		{999999 * time.Nanosecond, "1000µs"},
		{1500 * time.Microsecond, "1.50ms"},
		{96 * time.Millisecond, "96.0ms"},
		{2 * time.Second, "2.00s"},
		{90 * time.Minute, "5400s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.00 KiB"},
		{1536, "1.50 KiB"},
		{64 << 10, "64.0 KiB"},
		{421 << 10, "421 KiB"},
		{5 << 20, "5.00 MiB"},
		{3 << 30, "3.00 GiB"},
		{2 << 40, "2.00 TiB"},
		{5000 << 40, "5000 TiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var empty Summary
	var b strings.Builder
	if err := empty.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "0 files, 0 lines: 0 calls, 0 attempt records, 0 other, 0 malformed (skipped)\n"; got != want {
		t.Errorf("empty summary: %q, want %q", got, want)
	}

	var s Summary
	if err := s.Read(strings.NewReader(ecsPut + "\n" + ecsNoSuchKey + "\n" + jsonThrottled + "\n" + jsonRefused + "\n")); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"4 lines: 4 calls",
		"DynamoDB  GetItem      1      1       1          2        2.50s",
		"S3        ListBuckets  1      1       0          2",
		"TOTAL     -            4      3       1          5",
		"errors by code:",
		"DynamoDB  GetItem      ProvisionedThroughputExceededException  1",
		"S3        ListBuckets  *retry.MaxAttemptsError                 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	w := &failingWriter{after: 2}
	if err := s.WriteTable(w); err == nil {
		t.Error("WriteTable to a failing writer: no error")
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after == 0 {
		return 0, errors.New("disk full")
	}
	f.after--
	return len(p), nil
}
