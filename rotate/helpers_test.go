package rotate_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
)

// fakeClock is a settable clock for Every and backup names.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// logFile is one file of a Writer's directory, decompressed if it is a .gz.
type logFile struct {
	name string
	data []byte
}

// readLogs returns the files of dir: the backups in rotation order (the time
// in their names), then the current file, base. It waits (bounded) for
// lumberjack's mill to finish compressing when gz is set, so that no line is
// read twice or missed while a backup turns into its .gz. A file the mill
// deletes while being listed starts the listing over.
func readLogs(t *testing.T, dir, base string, gz bool) []logFile {
	t.Helper()
	if gz {
		waitCompressed(t, dir, base)
	}
	for try := 0; ; try++ {
		files, err := tryReadLogs(dir, base)
		if err == nil {
			return files
		}
		if !errors.Is(err, fs.ErrNotExist) || try == 100 {
			t.Fatal(err)
		}
	}
}

func tryReadLogs(dir, base string) ([]logFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ext := filepath.Ext(base)
	prefix := strings.TrimSuffix(base, ext) + "-"
	var backups []logFile
	var current *logFile
	for _, e := range entries {
		name := e.Name()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		switch {
		case name == base:
			current = &logFile{name, data}
		case strings.HasPrefix(name, prefix) && strings.HasSuffix(name, ext+".gz"):
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			backups = append(backups, logFile{name, plain})
		case strings.HasPrefix(name, prefix) && strings.HasSuffix(name, ext):
			backups = append(backups, logFile{name, data})
		default:
			return nil, fmt.Errorf("unexpected file %s in %s", name, dir)
		}
	}
	// The time in the name sorts as text; a .gz suffix sorts after its
	// stem, and only one of the two exists once compression is done.
	sort.Slice(backups, func(i, j int) bool { return backups[i].name < backups[j].name })
	if current != nil {
		backups = append(backups, *current)
	}
	return backups, nil
}

// waitCompressed waits until every backup in dir is a .gz and none is still
// being written, or fails the test after a bound.
func waitCompressed(t *testing.T, dir, base string) {
	t.Helper()
	ext := filepath.Ext(base)
	prefix := strings.TrimSuffix(base, ext) + "-"
	deadline := time.Now().Add(60 * time.Second)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		plain := 0
		for _, e := range entries {
			if n := e.Name(); strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ext) {
				plain++
			}
		}
		if plain == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backups in %s still not compressed after 60s", plain, dir)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// contents joins the data of files.
func contents(files []logFile) string {
	var b strings.Builder
	for _, f := range files {
		b.Write(f.data)
	}
	return b.String()
}

// newWriter creates a Writer for dir/aws.json with opts, closed at the end
// of the test.
func newWriter(t *testing.T, opts rotate.Options) *rotate.Writer {
	t.Helper()
	w, err := rotate.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// mustWrite writes s and fails the test on error.
func mustWrite(t *testing.T, w io.Writer, s string) {
	t.Helper()
	n, err := io.WriteString(w, s)
	if err != nil || n != len(s) {
		t.Fatalf("Write(%q) = %d, %v; want %d, nil", s, n, err, len(s))
	}
}
