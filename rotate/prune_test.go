package rotate_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
)

// lumberjack's mill must recognize the backups the Writer names and prune
// them by MaxBackups and MaxAge (the latter against the real clock, so a fake
// clock in the past makes every backup old).
func TestPruning(t *testing.T) {
	tests := []struct {
		name     string
		opts     rotate.Options
		start    time.Time
		wantKept []string // contents of the backups left, oldest first
	}{
		{
			name:     "MaxBackups",
			opts:     rotate.Options{MaxBackups: 2},
			start:    time.Now(),
			wantKept: []string{"3\n", "4\n"},
		},
		{
			name:     "MaxBackups compressed",
			opts:     rotate.Options{MaxBackups: 2, Compress: true},
			start:    time.Now(),
			wantKept: []string{"3\n", "4\n"},
		},
		{
			name:     "MaxAge",
			opts:     rotate.Options{MaxAge: 24 * time.Hour},
			start:    time.Now().Add(-72 * time.Hour),
			wantKept: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := tt.opts
			opts.Filename = filepath.Join(dir, "aws.json")
			clock := newFakeClock(tt.start)
			w, err := rotate.NewWithClock(opts, clock.Now, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for i := range 5 {
				clock.Set(tt.start.Add(time.Duration(i) * time.Second))
				mustWrite(t, w, fmt.Sprintf("%d\n", i))
				if err := w.Rotate(); err != nil {
					t.Fatal(err)
				}
			}
			w.Close()
			// The mill works in the background; wait for it, within a bound.
			var got []string
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				files := readLogs(t, dir, "aws.json", opts.Compress)
				got = got[:0]
				for _, f := range files[:len(files)-1] {
					got = append(got, string(f.data))
				}
				if fmt.Sprint(got) == fmt.Sprint(tt.wantKept) || time.Now().After(deadline) {
					break
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantKept) {
				t.Errorf("backups left = %q; want %q", got, tt.wantKept)
			}
		})
	}
}
