package rotate_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
)

func TestNewRejectsBadOptions(t *testing.T) {
	name := filepath.Join(t.TempDir(), "aws.json")
	tests := []struct {
		name string
		opts rotate.Options
		want string // in the error
	}{
		{"empty Filename", rotate.Options{}, "Options.Filename is empty"},
		{"negative MaxSize", rotate.Options{Filename: name, MaxSize: -1}, "Options.MaxSize is -1"},
		{"negative MaxBackups", rotate.Options{Filename: name, MaxBackups: -2}, "Options.MaxBackups is -2"},
		{"negative MaxAge", rotate.Options{Filename: name, MaxAge: -time.Hour}, "Options.MaxAge is -1h0m0s"},
		{"MaxAge in the wrong unit", rotate.Options{Filename: name, MaxAge: 7}, "Options.MaxAge is 7ns"},
		{"negative Every", rotate.Options{Filename: name, Every: -time.Hour}, "Options.Every is -1h0m0s"},
		{"Every in the wrong unit", rotate.Options{Filename: name, Every: 24}, "Options.Every is 24ns"},
		{"FileMode the owner cannot write", rotate.Options{Filename: name, FileMode: 0o440}, "Options.FileMode is -r--r-----"},
		{"FileMode with type bits", rotate.Options{Filename: name, FileMode: os.ModeDir | 0o640}, "Options.FileMode is drw-r-----"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := rotate.New(tt.opts)
			if err == nil {
				w.Close()
				t.Fatal("New succeeded; want an error")
			}
			if w != nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, %q; want nil and an error containing %q", w, err, tt.want)
			}
		})
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("rejected options created %s", name)
	}
}

func TestNewReportsFileErrors(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "plain")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	isDir := filepath.Join(dir, "isdir.json")
	if err := os.Mkdir(isDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		filename string
		want     []string // in the error
	}{
		{"directory cannot be created", filepath.Join(notDir, "logs", "aws.json"), []string{"create directory", notDir}},
		{"parent is a file", filepath.Join(notDir, "aws.json"), []string{notDir}},
		{"Filename is a directory", isDir, []string{"not a regular file", isDir}},
		{"Filename is a device", os.DevNull, []string{"not a regular file", os.DevNull}},
		{"Filename is too long", filepath.Join(dir, strings.Repeat("x", 300)), []string{"rotate:", "file name too long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.filename == os.DevNull && runtime.GOOS == "windows" {
				t.Skip("no device file")
			}
			w, err := rotate.New(rotate.Options{Filename: tt.filename})
			if err == nil {
				w.Close()
				t.Fatal("New succeeded; want an error")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("New error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// A file that exists but cannot be opened for writing. Root opens any file,
// so this needs an ordinary user.
func TestNewReportsUnwritableFile(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions and a non-root user")
	}
	name := filepath.Join(t.TempDir(), "aws.json")
	if err := os.WriteFile(name, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	_, err := rotate.New(rotate.Options{Filename: name})
	if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), syscall.EACCES.Error()) {
		t.Fatalf("New = %v; want permission denied naming %s", err, name)
	}
}

func TestOptionsReachLumberjack(t *testing.T) {
	tests := []struct {
		maxAge time.Duration
		days   int
	}{
		{0, 0},
		{time.Second, 1},
		{24 * time.Hour, 1},
		{36 * time.Hour, 2},
		{7 * 24 * time.Hour, 7},
		{1<<63 - 1, 106751},
	}
	for _, tt := range tests {
		w := newWriter(t, rotate.Options{Filename: filepath.Join(t.TempDir(), "aws.json"), MaxAge: tt.maxAge})
		if got := rotate.LumberjackMaxAge(w); got != tt.days {
			t.Errorf("MaxAge %v gave lumberjack %d days; want %d", tt.maxAge, got, tt.days)
		}
	}
}
