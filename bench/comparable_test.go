package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputsComparable checks that every peer, in both shapes the
// benchmarks use, writes one JSON line with a time, a level, the message and
// the eight attributes, so that no benchmark measures a logger that writes
// nothing or writes something else.
func TestOutputsComparable(t *testing.T) {
	for _, p := range peers {
		if p.name == "slog.frontend" {
			continue // writes nothing by design
		}
		for _, shape := range []string{"attrs", "with"} {
			t.Run(p.name+"/"+shape, func(t *testing.T) {
				var buf bytes.Buffer
				l := p.new(&buf)
				if shape == "attrs" {
					l.attrs()
				} else {
					l.with()
				}
				if err := l.close(); err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
				if len(lines) != 1 {
					t.Fatalf("want 1 line, got %d:\n%s", len(lines), buf.String())
				}
				checkLine(t, lines[0])
			})
		}
	}
}

// checkLine checks that line is a JSON object holding the record's fields.
// Names and formats differ where the peers differ by design (see aliases,
// and phuslu's durations in milliseconds); values that have one JSON form
// are compared exactly.
func checkLine(t *testing.T, line string) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, line)
	}
	for _, k := range append([]string{"time", "level", "msg"}, attrKeys...) {
		if _, ok := lookup(m, k); !ok {
			t.Errorf("no %q in %s", k, line)
		}
	}
	want := map[string]any{
		"msg": message, "service": service, "operation": operation,
		"status": float64(status), "retried": retried, "ratio": ratio, "err": errValue.Error(),
	}
	for k, w := range want {
		if got, _ := lookup(m, k); got != w {
			t.Errorf("%s = %v, want %v in %s", k, got, w, line)
		}
	}
}

// aliases are the other names a peer gives a field: phuslu's "message",
// and the Elastic Common Schema's names in slogreq's ECS format.
var aliases = map[string][]string{
	"time":  {"@timestamp"},
	"level": {"log.level"},
	"msg":   {"message"},
	"err":   {"error.message"},
}

// lookup finds key, or one of its aliases, in m. A dotted alias is tried as
// a key first (ECS writes "log.level" flat), then as a path of objects.
func lookup(m map[string]any, key string) (any, bool) {
	for _, k := range append([]string{key}, aliases[key]...) {
		if v, ok := m[k]; ok {
			return v, true
		}
		var v any = m
		for _, part := range strings.Split(k, ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = obj[part]
		}
		if v != nil {
			return v, true
		}
	}
	return nil, false
}

// TestFileComplete checks what BenchmarkFile relies on: after close, every
// line each peer logged is in the file, whole.
func TestFileComplete(t *testing.T) {
	const n = 5000
	for _, p := range peers {
		if p.name == "slog.frontend" {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			dir := t.TempDir()
			lj := newLumberjack(dir)
			l := p.new(lj)
			for range n {
				l.attrs()
			}
			if err := l.close(); err != nil {
				t.Fatal(err)
			}
			if err := lj.Close(); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(dir, "aws.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			lines := 0
			for sc.Scan() {
				if lines == 0 || lines == n-1 {
					checkLine(t, sc.Text())
				}
				lines++
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if lines != n {
				t.Fatalf("%d lines in the file, want %d", lines, n)
			}
		})
	}
}
