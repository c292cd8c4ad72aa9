package logstat

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Expand turns command-line arguments into the files to read, in order and
// without repeats: a directory stands for the regular files in it (not
// those whose names start with a dot), an argument with glob metacharacters
// for its matches, anything else for itself. Each directory's and pattern's
// files are sorted by name, which puts rotated backups
// (aws-2026-11-25T10-00-00.000.json) in time order, before the current file
// (aws.json).
//
// When both a backup and its compressed copy are present (aws-….json and
// aws-….json.gz), only the plain one is kept: lumberjack compresses in the
// background and removes the plain file last, so the .gz may be incomplete
// and both hold the same lines.
//
// A pattern that matches nothing, or a directory with no files, is an error,
// so that a mistyped path is not read as "no calls".
func Expand(args []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool)
	for _, arg := range args {
		var names []string
		switch fi, err := os.Stat(arg); {
		case err == nil && fi.IsDir():
			entries, err := os.ReadDir(arg)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
					names = append(names, filepath.Join(arg, e.Name()))
				}
			}
			if len(names) == 0 {
				return nil, fmt.Errorf("logstat: no files in directory %s", arg)
			}
		case err == nil:
			names = []string{arg}
		case strings.ContainsAny(arg, `*?[\`):
			m, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("logstat: pattern %q: %w", arg, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("logstat: no files match %q", arg)
			}
			for _, name := range m {
				if fi, err := os.Stat(name); err == nil && !fi.IsDir() {
					names = append(names, name)
				}
			}
		default:
			return nil, fmt.Errorf("logstat: %w", err)
		}
		slices.Sort(names)
		for _, name := range names {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return slices.DeleteFunc(out, func(name string) bool {
		plain, ok := strings.CutSuffix(name, ".gz")
		return ok && seen[plain]
	}), nil
}

// ReadFile adds every line of the named file to s, decompressing gzip
// files (see Open). Errors name the file.
func (s *Summary) ReadFile(name string) error {
	f, err := Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	s.Files++
	if err := s.Read(f); err != nil {
		return fmt.Errorf("logstat: %s: %w", name, err)
	}
	return nil
}

// Open opens the named file for reading its lines. A gzip file, known by
// its magic bytes whatever its name, is decompressed as it is read. Errors
// name the file.
func Open(name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("logstat: %w", err)
	}
	br := bufio.NewReader(f)
	magic, _ := br.Peek(2)
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return &file{Reader: br, f: f}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("logstat: %s: %w", name, err)
	}
	return &file{Reader: zr, f: f, zr: zr}, nil
}

// file closes the gzip reader, if any, and the file under it.
type file struct {
	io.Reader
	f  *os.File
	zr *gzip.Reader
}

func (f *file) Close() error {
	var zerr error
	if f.zr != nil {
		zerr = f.zr.Close()
	}
	return errors.Join(zerr, f.f.Close())
}
