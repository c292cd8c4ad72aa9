//go:build unix

package rotate_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/slogreq/slogreq/rotate"
)

// Every file the Writer creates has FileMode under a umask that would
// otherwise take away the group's read bit: the first file, the files after
// size and manual rotations, the renamed backups and lumberjack's .gz files.
func TestFileModeUnderRestrictiveUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)

	tests := []struct {
		name     string
		mode     os.FileMode
		compress bool
		want     os.FileMode
	}{
		{"default", 0, false, 0o640},
		{"default compressed", 0, true, 0o640},
		{"world readable", 0o644, false, 0o644},
		{"world readable compressed", 0o644, true, 0o644},
		{"owner only", 0o600, true, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newWriter(t, rotate.Options{
				Filename: filepath.Join(dir, "aws.json"),
				MaxSize:  10,
				FileMode: tt.mode,
				Compress: tt.compress,
			})
			for _, line := range []string{"1234567\n", "1234567\n", "1234567\n"} {
				mustWrite(t, w, line) // each one past MaxSize: a size rotation
			}
			if err := w.Rotate(); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, w, "last\n")
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			files := readLogs(t, dir, "aws.json", tt.compress)
			if len(files) != 4 {
				t.Fatalf("got %d files; want 3 backups and the current file", len(files))
			}
			for _, f := range files {
				fi, err := os.Stat(filepath.Join(dir, f.name))
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != tt.want {
					t.Errorf("%s has mode %v; want %v", f.name, got, tt.want)
				}
			}
		})
	}
}

// A file that already exists keeps its mode: it was made by an earlier run or
// by logrotate's "create mode owner group", which the Writer must not undo.
func TestExistingFileKeepsItsMode(t *testing.T) {
	name := filepath.Join(t.TempDir(), "aws.json")
	if err := os.WriteFile(name, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWriter(t, rotate.Options{Filename: name})
	mustWrite(t, w, "new\n")
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600 kept", fi.Mode(), err)
	}
	if err := w.Rotate(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != rotate.DefaultFileMode {
		t.Fatalf("mode after rotation = %v, %v; want %v", fi.Mode(), err, rotate.DefaultFileMode)
	}
}

func TestNewRefusesFIFO(t *testing.T) {
	name := filepath.Join(t.TempDir(), "aws.json")
	if err := syscall.Mkfifo(name, 0o640); err != nil {
		t.Skip("no FIFO:", err)
	}
	// Opening a FIFO for writing would block until a reader comes.
	if _, err := rotate.New(rotate.Options{Filename: name}); err == nil {
		t.Fatal("New on a FIFO succeeded; want an error")
	}
}
