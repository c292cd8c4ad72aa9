package readme

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goBlocks returns the Go code blocks of a Markdown file.
func goBlocks(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks [][]string
	var cur []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// normalized drops blank lines and leading white space.
func normalized(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestREADMECodeCompiles fails when a Go block of README.md does not appear,
// line for line, in snippets_test.go (which the compiler checks).
func TestREADMECodeCompiles(t *testing.T) {
	blocks := goBlocks(t, filepath.Join("..", "..", "README.md"))
	if len(blocks) == 0 {
		t.Fatal("no Go blocks found in README.md")
	}
	src, err := os.ReadFile("snippets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	code := "\n" + strings.Join(normalized(strings.Split(string(src), "\n")), "\n") + "\n"
	for i, b := range blocks {
		want := "\n" + strings.Join(normalized(b), "\n") + "\n"
		if !strings.Contains(code, want) {
			t.Errorf("README Go block %d is not in snippets_test.go:\n%s", i+1, strings.Join(b, "\n"))
		}
	}
}
