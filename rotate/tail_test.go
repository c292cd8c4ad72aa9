package rotate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/slogreq/slogreq/rotate"
)

// A process killed in the middle of a write leaves a partial line at the end
// of the file (the kernel stops a large write between pages). The next
// Writer on that file must not join its first line to the fragment: it cuts
// the fragment off, or, when it cannot, rotates before writing.
func TestPartialLineLeftByKilledProcess(t *testing.T) {
	long := strings.Repeat("x", rotate.MaxTailScan+10) // no newline within the scan
	tests := []struct {
		name     string
		existing string
		want     []string // contents of the files after writing "next\n", backups first
	}{
		{"whole lines", "a\nb\n", []string{"a\nb\nnext\n"}},
		{"partial line cut", "a\nb\n{\"par", []string{"a\nb\nnext\n"}},
		{"only a partial line", "{\"partial", []string{"next\n"}},
		{"partial line after a long line", "a\n" + strings.Repeat("y", 200<<10) + "\n{\"p", []string{"a\n" + strings.Repeat("y", 200<<10) + "\nnext\n"}},
		{"partial line too long to cut rotates", "a\n" + long, []string{"a\n" + long, "next\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "aws.json")
			if err := os.WriteFile(name, []byte(tt.existing), 0o640); err != nil {
				t.Fatal(err)
			}
			w := newWriter(t, rotate.Options{Filename: name})
			mustWrite(t, w, "next\n")
			w.Close()
			var got []string
			for _, f := range readLogs(t, dir, "aws.json", false) {
				got = append(got, string(f.data))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("files = %.200q; want %.200q", got, tt.want)
			}
		})
	}
}

// Reopen cuts a partial line too; when the cut fails, the fragment ends the
// file and the next Write rotates first.
func TestReopenPartialLine(t *testing.T) {
	for _, cutFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("cut fails %v", cutFails), func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "aws.json")
			w := newWriter(t, rotate.Options{Filename: name})
			mustWrite(t, w, "first\n")
			f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(`{"torn`); err != nil {
				t.Fatal(err)
			}
			f.Close()
			want := []string{"first\nnext\n"}
			if cutFails {
				rotate.SetTruncate(w, func(*os.File, int64) error { return syscall.EIO })
				want = []string{`first` + "\n" + `{"torn`, "next\n"}
			}
			if err := w.Reopen(); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, w, "next\n")
			w.Close()
			var got []string
			for _, f := range readLogs(t, dir, "aws.json", false) {
				got = append(got, string(f.data))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("files = %q; want %q", got, want)
			}
		})
	}
}
