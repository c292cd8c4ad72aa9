package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const line = `{"@timestamp":"2026-11-25T10:00:00Z","log.level":"info","message":"aws call","ecs.version":"9.4.0",` +
	`"event":{"action":"PutObject","outcome":"success","duration":2100000},` +
	`"cloud":{"target":{"provider":"aws","region":"us-east-1","service":{"name":"S3"}}},"aws":{"attempts":1}}` + "\n"

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("aws.json", line+line)
	// gzip magic bytes followed by garbage: unreadable.
	bad := write("aws-2026-11-25T09-00-00.000.json.gz", "\x1f\x8bnot gzip")

	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    string
		wantErr    string
	}{
		{"a file", []string{good}, 0, "S3       PutObject  2", ""},
		{"a directory with an unreadable file", []string{dir}, 1, "S3       PutObject  2", bad},
		{"a pattern that matches nothing", []string{filepath.Join(dir, "*.log")}, 2, "", "no files match"},
		{"a missing file", []string{filepath.Join(dir, "nope.json")}, 2, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			if got := run(&stdout, &stderr, tt.args); got != tt.wantStatus {
				t.Errorf("status %d, want %d; stderr %s", got, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, stdout.String())
			}
			if tt.wantErr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
