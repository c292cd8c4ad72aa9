package rotate_test

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
)

func TestWriteRotatesBySizeBetweenWrites(t *testing.T) {
	tests := []struct {
		name    string
		maxSize int64
		writes  []string
		want    []string // contents of the files, backups first
	}{
		{
			name:    "fits",
			maxSize: 100,
			writes:  []string{"a\n", "bb\n"},
			want:    []string{"a\nbb\n"},
		},
		{
			name:    "exactly full stays",
			maxSize: 6,
			writes:  []string{"aa\n", "bb\n"},
			want:    []string{"aa\nbb\n"},
		},
		{
			name:    "one byte over rotates",
			maxSize: 5,
			writes:  []string{"aa\n", "bb\n", "c\n"},
			want:    []string{"aa\n", "bb\nc\n"},
		},
		{
			name:    "batch stays whole",
			maxSize: 10,
			writes:  []string{"aaaa\n", "b\nc\nd\n"},
			want:    []string{"aaaa\n", "b\nc\nd\n"},
		},
		{
			name:    "line longer than MaxSize gets its own file",
			maxSize: 4,
			writes:  []string{"a\n", "bbbbbbbb\n", "c\n"},
			want:    []string{"a\n", "bbbbbbbb\n", "c\n"},
		},
		{
			name:    "batch longer than MaxSize is cut between lines",
			maxSize: 6,
			writes:  []string{"a\nb\nc\nd\ne\n"},
			want:    []string{"a\nb\nc\n", "d\ne\n"},
		},
		{
			name:    "size rotation off",
			maxSize: math.MaxInt64,
			writes:  []string{"a\n", "bb\n"},
			want:    []string{"a\nbb\n"},
		},
		{
			name:    "batch with a long line in the middle",
			maxSize: 6,
			writes:  []string{"a\nbbbbbbbbbb\nc\n"},
			want:    []string{"a\n", "bbbbbbbbbb\n", "c\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newWriter(t, rotate.Options{Filename: filepath.Join(dir, "aws.json"), MaxSize: tt.maxSize})
			for _, s := range tt.writes {
				mustWrite(t, w, s)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			files := readLogs(t, dir, "aws.json", false)
			var got []string
			for _, f := range files {
				got = append(got, string(f.data))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("files = %q; want %q", got, tt.want)
			}
		})
	}
}

// A write far beyond lumberjack's unit (megabytes) must not reach its
// "write length exceeds maximum file size" check.
func TestWriteLargerThanLumberjackLimit(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, rotate.Options{Filename: filepath.Join(dir, "aws.json"), MaxSize: 1})
	if got := rotate.LumberjackMaxSize(w); int64(got)<<20 < 1<<50 {
		t.Fatalf("lumberjack MaxSize = %d MB; want one that no write reaches", got)
	}
	big := strings.Repeat("x", 3<<20) + "\n"
	mustWrite(t, w, "a\n")
	mustWrite(t, w, big)
	mustWrite(t, w, "b\n")
	w.Close()
	files := readLogs(t, dir, "aws.json", false)
	if len(files) != 3 || string(files[1].data) != big {
		t.Fatalf("got %d files; want 3 with the big line alone in the second", len(files))
	}
}

func TestWritePartialLineIsRefused(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "aws.json")
	w := newWriter(t, rotate.Options{Filename: name})
	mustWrite(t, w, "first\n")
	for _, p := range []string{"no newline", "two\nlines, the last cut"} {
		n, err := io.WriteString(w, p)
		if n != 0 || !errors.Is(err, rotate.ErrPartialLine) {
			t.Errorf("Write(%q) = %d, %v; want 0, ErrPartialLine", p, n, err)
		}
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name the file", err)
		}
	}
	if n, err := w.Write(nil); n != 0 || err != nil {
		t.Errorf("Write(nil) = %d, %v; want 0, nil", n, err)
	}
	mustWrite(t, w, "second\n")
	w.Close()
	if got := contents(readLogs(t, dir, "aws.json", false)); got != "first\nsecond\n" {
		t.Errorf("file = %q; want only the whole lines", got)
	}
}

func TestTimeRotation(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type write struct {
		at   string
		line string
	}
	tests := []struct {
		name    string
		every   time.Duration
		start   string
		writes  []write
		backups []string // names of the backups, oldest first
		files   []string // contents, backups then current
	}{
		{
			name:  "hourly at the top of the hour",
			every: time.Hour,
			start: "2026-11-25T10:00:00Z",
			writes: []write{
				{"2026-11-25T10:00:01Z", "a\n"},
				{"2026-11-25T10:59:59Z", "b\n"},
				{"2026-11-25T11:00:00Z", "c\n"},
				{"2026-11-25T11:30:00Z", "d\n"},
			},
			backups: []string{"aws-2026-11-25T11-00-00.000.json"},
			files:   []string{"a\nb\n", "c\nd\n"},
		},
		{
			name:  "quiet hours make one rotation, not one per hour",
			every: time.Hour,
			start: "2026-11-25T10:15:00Z",
			writes: []write{
				{"2026-11-25T10:15:00Z", "a\n"},
				{"2026-11-25T14:30:00Z", "b\n"},
				{"2026-11-25T14:45:00Z", "c\n"},
				{"2026-11-25T15:00:00.250Z", "d\n"},
			},
			backups: []string{"aws-2026-11-25T14-30-00.000.json", "aws-2026-11-25T15-00-00.250.json"},
			files:   []string{"a\n", "b\nc\n", "d\n"},
		},
		{
			name:  "an empty file is not rotated",
			every: time.Hour,
			start: "2026-11-25T10:15:00Z",
			writes: []write{
				{"2026-11-25T12:15:00Z", "a\n"},
				{"2026-11-25T12:59:00Z", "b\n"},
			},
			files: []string{"a\nb\n"},
		},
		{
			name:  "daily at midnight UTC",
			every: 24 * time.Hour,
			start: "2026-11-25T08:00:00Z",
			writes: []write{
				{"2026-11-25T23:59:59Z", "a\n"},
				{"2026-11-26T00:00:00.001Z", "b\n"},
			},
			backups: []string{"aws-2026-11-26T00-00-00.001.json"},
			files:   []string{"a\n", "b\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := newFakeClock(at(tt.start))
			w, err := rotate.NewWithClock(rotate.Options{Filename: filepath.Join(dir, "aws.json"), Every: tt.every}, clock.Now, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for _, wr := range tt.writes {
				clock.Set(at(wr.at))
				mustWrite(t, w, wr.line)
			}
			w.Close()
			files := readLogs(t, dir, "aws.json", false)
			var names, data []string
			for i, f := range files {
				if i < len(files)-1 {
					names = append(names, f.name)
				}
				data = append(data, string(f.data))
			}
			if fmt.Sprint(names) != fmt.Sprint(tt.backups) {
				t.Errorf("backups = %q; want %q", names, tt.backups)
			}
			if fmt.Sprint(data) != fmt.Sprint(tt.files) {
				t.Errorf("files = %q; want %q", data, tt.files)
			}
		})
	}
}

func TestTimeRotationLocalMidnight(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*60*60)
	dir := t.TempDir()
	clock := newFakeClock(time.Date(2026, 11, 25, 12, 0, 0, 0, zone))
	w, err := rotate.NewWithClock(rotate.Options{Filename: filepath.Join(dir, "aws.json"), Every: 24 * time.Hour, LocalTime: true}, clock.Now, zone)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mustWrite(t, w, "a\n")
	clock.Set(time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)) // 01:30 on the 26th, local
	mustWrite(t, w, "b\n")
	w.Close()
	files := readLogs(t, dir, "aws.json", false)
	if len(files) != 2 || files[0].name != "aws-2026-11-26T01-30-00.000.json" || string(files[0].data) != "a\n" {
		t.Fatalf("files = %+v; want a backup named in local time holding a", files)
	}
}

// After a restart, a file last written in an earlier period is rotated by the
// first write, so that each file holds one period.
func TestTimeRotationOfFileLeftByEarlierRun(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "aws.json")
	if err := os.WriteFile(name, []byte("yesterday\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if err := os.Chtimes(name, now.Add(-12*time.Hour), now.Add(-12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(now)
	w, err := rotate.NewWithClock(rotate.Options{Filename: name, Every: 24 * time.Hour}, clock.Now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mustWrite(t, w, "today\n")
	w.Close()
	files := readLogs(t, dir, "aws.json", false)
	if len(files) != 2 || string(files[0].data) != "yesterday\n" || string(files[1].data) != "today\n" {
		t.Fatalf("files = %+v; want yesterday's line in a backup", files)
	}
}

// lumberjack would rename over the previous backup when two rotations fall
// in one millisecond; every rotation here must keep its own backup.
func TestRotateKeepsEveryBackup(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) // never moves
	w, err := rotate.NewWithClock(rotate.Options{Filename: filepath.Join(dir, "aws.json")}, clock.Now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const n = 50
	for i := range n {
		mustWrite(t, w, fmt.Sprintf("%d\n", i))
		if err := w.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	files := readLogs(t, dir, "aws.json", false)
	if len(files) != n+1 {
		t.Fatalf("got %d files; want %d backups and the current file", len(files), n)
	}
	for i, f := range files[:n] {
		if want := fmt.Sprintf("%d\n", i); string(f.data) != want {
			t.Errorf("backup %d (%s) = %q; want %q", i, f.name, f.data, want)
		}
	}
	if files[0].name != "aws-2026-11-25T10-00-00.000.json" || files[1].name != "aws-2026-11-25T10-00-00.001.json" {
		t.Errorf("first backups are %s, %s; want names a millisecond apart", files[0].name, files[1].name)
	}
	if len(files[n].data) != 0 {
		t.Errorf("current file = %q; want empty after Rotate", files[n].data)
	}
}

// A name already taken (a backup from another run) is skipped, not replaced.
func TestRotateSkipsTakenName(t *testing.T) {
	dir := t.TempDir()
	taken := filepath.Join(dir, "aws-2026-11-25T10-00-00.000.json")
	if err := os.WriteFile(taken+".gz", []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	w, err := rotate.NewWithClock(rotate.Options{Filename: filepath.Join(dir, "aws.json")}, clock.Now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mustWrite(t, w, "a\n")
	if err := w.Rotate(); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(taken + ".gz"); err != nil || string(got) != "old" {
		t.Errorf("existing backup = %q, %v; want it untouched", got, err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "aws-2026-11-25T10-00-00.001.json")); err != nil || string(got) != "a\n" {
		t.Errorf("new backup = %q, %v; want the next free name", got, err)
	}
}

func TestReopenAfterExternalRename(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "aws.json")
	w := newWriter(t, rotate.Options{Filename: name})
	mustWrite(t, w, "before\n")
	// What logrotate's "create 0644" does: rename, then create.
	if err := os.Rename(name, name+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "renamed\n") // still the old file until Reopen
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "after\n")
	w.Close()
	for file, want := range map[string]string{name + ".1": "before\nrenamed\n", name: "after\n"} {
		if got, err := os.ReadFile(file); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", file, got, err, want)
		}
	}
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode of logrotate's file = %v, %v; want 0644 kept", fi.Mode(), err)
	}
}

func TestReopenCreatesMissingFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "aws.json")
	w := newWriter(t, rotate.Options{Filename: name})
	if err := os.Rename(name, name+".1"); err != nil {
		t.Fatal(err)
	}
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "a\n")
	if got, err := os.ReadFile(name); err != nil || string(got) != "a\n" {
		t.Errorf("%s = %q, %v; want a new file", name, got, err)
	}
}

func TestClosed(t *testing.T) {
	name := filepath.Join(t.TempDir(), "aws.json")
	w := newWriter(t, rotate.Options{Filename: name})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	calls := map[string]func() error{
		"Write":    func() error { _, err := w.Write([]byte("a\n")); return err },
		"Rotate":   w.Rotate,
		"Reopen":   w.Reopen,
		"Sync":     w.Sync,
		"ReopenOn": func() error { return w.ReopenOn() },
	}
	for call, f := range calls {
		if err := f(); !errors.Is(err, rotate.ErrClosed) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s after Close = %v; want ErrClosed naming the file", call, err)
		}
	}
}

func TestSync(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, rotate.Options{Filename: filepath.Join(dir, "aws.json")})
	mustWrite(t, w, "a\n")
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
}

// failingWriter writes the first half of the next p through to w and then
// fails with err, as a write on a filling disk does; later writes pass.
type failingWriter struct {
	w     io.Writer
	fails int
	err   error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.fails == 0 || len(p) == 0 {
		return f.w.Write(p)
	}
	f.fails--
	n, _ := f.w.Write(p[:len(p)/2])
	return n, f.err
}

func TestWriteErrorThenRetry(t *testing.T) {
	tests := []struct {
		name         string
		truncateFail bool
		want         []string // contents of the files, backups first
	}{
		{"partial line is cut back", false, []string{"first\nsecond\nthird\n"}},
		{"partial line that cannot be cut back ends a backup", true, []string{"first\nsec", "second\nthird\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newWriter(t, rotate.Options{Filename: filepath.Join(dir, "aws.json")})
			mustWrite(t, w, "first\n")
			rotate.WrapOut(w, func(lj io.Writer) io.Writer {
				return &failingWriter{w: lj, fails: 1, err: syscall.ENOSPC}
			})
			if tt.truncateFail {
				rotate.SetTruncate(w, func(*os.File, int64) error { return syscall.EIO })
			}
			n, err := w.Write([]byte("second\n"))
			if n != 0 || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Write on a full disk = %d, %v; want 0, ENOSPC", n, err)
			}
			mustWrite(t, w, "second\n") // the caller's retry
			mustWrite(t, w, "third\n")
			w.Close()
			var got []string
			for _, f := range readLogs(t, dir, "aws.json", false) {
				got = append(got, string(f.data))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("files = %q; want %q", got, tt.want)
			}
		})
	}
}

// A rotation that fails (the directory became a file) returns the error; the
// next Write tries again and succeeds once the cause is gone.
func TestRotationErrorThenRetry(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	name := filepath.Join(dir, "aws.json")
	w := newWriter(t, rotate.Options{Filename: name, MaxSize: 4})
	mustWrite(t, w, "aaa\n")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := w.Write([]byte("bbb\n"))
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Write with the directory gone = %v; want an error naming %s", err, dir)
	}
	_, err = w.Write([]byte("bbb\n"))
	if err == nil {
		t.Fatal("second Write with the directory gone succeeded")
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "bbb\n")
	w.Close()
	if got, err := os.ReadFile(name); err != nil || string(got) != "bbb\n" {
		t.Errorf("%s = %q, %v; want the retried line", name, got, err)
	}
}
