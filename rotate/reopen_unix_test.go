//go:build unix

package rotate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/slogreq/slogreq/rotate"
)

// The logrotate "create" cycle: rename the file, create a new one, send the
// signal. Lines written before the reopen land in the renamed file, later ones
// in the new file, each exactly once; Close stops the signal goroutine.
func TestReopenOnSignal(t *testing.T) {
	tests := []struct {
		name string
		sigs []os.Signal // given to ReopenOn
		send syscall.Signal
	}{
		{"default SIGHUP", nil, syscall.SIGHUP},
		{"chosen signal", []os.Signal{syscall.SIGUSR1}, syscall.SIGUSR1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "aws.json")
			w := newWriter(t, rotate.Options{Filename: name})
			if err := w.ReopenOn(tt.sigs...); err != nil {
				t.Fatal(err)
			}
			if err := w.ReopenOn(tt.sigs...); err == nil || !strings.Contains(err.Error(), "already") {
				t.Errorf("second ReopenOn = %v; want an error", err)
			}
			mustWrite(t, w, "before\n")
			if err := os.Rename(name, name+".1"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, nil, 0o640); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(os.Getpid(), tt.send); err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			want.WriteString("before\n")
			deadline := time.Now().Add(10 * time.Second)
			for i := 0; ; i++ {
				line := fmt.Sprintf("line %d\n", i)
				mustWrite(t, w, line)
				want.WriteString(line)
				if fi, err := os.Stat(name); err == nil && fi.Size() > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no reopen 10s after the signal")
				}
				time.Sleep(time.Millisecond)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			old, err1 := os.ReadFile(name + ".1")
			cur, err2 := os.ReadFile(name)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if got := string(old) + string(cur); got != want.String() {
				t.Errorf("renamed + new file = %q; want %q", got, want.String())
			}
			if !strings.HasPrefix(string(old), "before\n") || len(cur) == 0 {
				t.Errorf("renamed file %q, new file %q; want lines split between them", old, cur)
			}
			goleak.VerifyNone(t, goleak.IgnoreTopFunction(millRun))
		})
	}
}
