package rotate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/slogreq/slogreq/rotate"
)

// benchBatch is what the handler's writer goroutine hands over: 300-byte
// lines, as many as fit in 64 KiB.
func benchBatch() []byte {
	line := append(bytes.Repeat([]byte("x"), 299), '\n')
	var b []byte
	for len(b)+len(line) <= 64<<10 {
		b = append(b, line...)
	}
	return b
}

// BenchmarkWrite compares writing batches through a Writer (default 100 MiB
// rotation, one backup kept) with writing them straight to an *os.File. To
// keep the disk use of both bounded alike, the plain file is emptied every
// 100 MiB, as rotation empties the Writer's.
func BenchmarkWrite(b *testing.B) {
	batch := benchBatch()
	b.Run("to=os.File", func(b *testing.B) {
		f, err := os.OpenFile(filepath.Join(b.TempDir(), "aws.json"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(int64(len(batch)))
		b.ReportAllocs()
		var size int64
		for b.Loop() {
			if size+int64(len(batch)) > rotate.DefaultMaxSize {
				if err := f.Truncate(0); err != nil {
					b.Fatal(err)
				}
				size = 0
			}
			n, err := f.Write(batch)
			if err != nil {
				b.Fatal(err)
			}
			size += int64(n)
		}
	})
	b.Run("to=rotate.Writer", func(b *testing.B) {
		w, err := rotate.New(rotate.Options{Filename: filepath.Join(b.TempDir(), "aws.json"), MaxBackups: 1})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		b.SetBytes(int64(len(batch)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := w.Write(batch); err != nil {
				b.Fatal(err)
			}
		}
	})
}
