package rotate_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
)

const (
	loadWriters  = 4
	loadLines    = 100_000 // per writer
	loadMaxSize  = 64 << 10
	loadHugeEach = 25_000 // every so many lines, one longer than loadMaxSize
)

// loadPad is the padding of line i: lines of varied length, and now and then
// one longer than MaxSize.
func loadPad(i int) int {
	if i%loadHugeEach == loadHugeEach-1 {
		return loadMaxSize + 10_000
	}
	return i % 61
}

func loadLine(b []byte, g, i int) []byte {
	b = fmt.Appendf(b, `{"g":%d,"i":%d,"pad":"`, g, i)
	b = append(b, strings.Repeat("x", loadPad(i))...)
	return append(b, "\"}\n"...)
}

// parseLoadLine returns the writer and number of a line written by
// loadLine, and whether the line is whole.
func parseLoadLine(line []byte) (g, i int, ok bool) {
	s, ok := strings.CutPrefix(string(line), `{"g":`)
	if !ok {
		return 0, 0, false
	}
	gs, s, ok1 := strings.Cut(s, `,"i":`)
	is, s, ok2 := strings.Cut(s, `,"pad":"`)
	pad, ok3 := strings.CutSuffix(s, `"}`)
	g, err1 := strconv.Atoi(gs)
	i, err2 := strconv.Atoi(is)
	if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil {
		return 0, 0, false
	}
	if len(pad) != loadPad(i) || strings.Trim(pad, "x") != "" {
		return 0, 0, false
	}
	return g, i, true
}

// TestLoad has 4 goroutines write 100k lines each, in batches of 1 to 7
// lines, through a Writer whose MaxSize forces hundreds of rotations. Every
// line must then be found exactly once, whole, in order per goroutine across
// the files in rotation order, and no file may exceed MaxSize unless it holds
// a single line.
func TestLoad(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			dir := t.TempDir()
			w := newWriter(t, rotate.Options{
				Filename:   filepath.Join(dir, "aws.json"),
				MaxSize:    loadMaxSize,
				MaxBackups: 1_000_000,
				Compress:   compress,
			})
			start := time.Now()
			var wg sync.WaitGroup
			errs := make(chan error, loadWriters)
			for g := range loadWriters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var batch []byte
					for i := 0; i < loadLines; {
						batch = batch[:0]
						for k := 1 + i%7; k > 0 && i < loadLines; k-- {
							batch = loadLine(batch, g, i)
							i++
						}
						if n, err := w.Write(batch); err != nil || n != len(batch) {
							errs <- fmt.Errorf("writer %d: Write = %d, %v; want %d", g, n, err, len(batch))
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			wrote := time.Since(start)

			files := readLogs(t, dir, "aws.json", compress)
			t.Logf("%d lines in %d files: written in %v, compressed and read by %v", loadWriters*loadLines, len(files), wrote, time.Since(start))
			if len(files) < 300 {
				t.Errorf("%d files; want hundreds of rotations", len(files))
			}
			seen := make([][]bool, loadWriters)
			last := make([]int, loadWriters)
			for g := range seen {
				seen[g] = make([]bool, loadLines)
				last[g] = -1
			}
			total := 0
			for _, f := range files {
				if len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
					t.Fatalf("%s ends in a partial line", f.name)
				}
				lines := bytes.SplitAfter(f.data, []byte("\n"))
				lines = lines[:len(lines)-1] // the empty rest after the last '\n'
				if len(f.data) > loadMaxSize && len(lines) != 1 {
					t.Errorf("%s has %d bytes in %d lines; only a single line may exceed MaxSize %d", f.name, len(f.data), len(lines), loadMaxSize)
				}
				for _, line := range lines {
					g, i, ok := parseLoadLine(bytes.TrimSuffix(line, []byte("\n")))
					if !ok || g < 0 || g >= loadWriters || i < 0 || i >= loadLines {
						t.Fatalf("%s: broken line %.80q", f.name, line)
					}
					if seen[g][i] {
						t.Fatalf("%s: line %d of writer %d seen twice", f.name, i, g)
					}
					if i < last[g] {
						t.Fatalf("%s: line %d of writer %d comes after its line %d", f.name, i, g, last[g])
					}
					seen[g][i], last[g] = true, i
					total++
				}
			}
			if total != loadWriters*loadLines {
				t.Fatalf("found %d lines; want %d", total, loadWriters*loadLines)
			}
		})
	}
}
