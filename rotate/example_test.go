package rotate_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/slogreq/slogreq/rotate"
)

// Lines go to aws.json until the next one would take it past MaxSize; then
// aws.json becomes a timestamped backup and a new aws.json begins. A write
// that is not a whole line is refused.
func Example() {
	dir, err := os.MkdirTemp("", "rotate-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := rotate.New(rotate.Options{
		Filename: filepath.Join(dir, "aws.json"),
		MaxSize:  100, // bytes
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, action := range []string{"PutObject", "GetObject", "DeleteObject", "ListBuckets"} {
		fmt.Fprintf(w, "{\"event.action\":%q}\n", action)
	}
	_, err = w.Write([]byte(`{"event.action":`))
	fmt.Println("partial line refused:", errors.Is(err, rotate.ErrPartialLine))
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	names, _ := filepath.Glob(filepath.Join(dir, "aws*.json"))
	sort.Strings(names) // backups (aws-<time>.json) sort before aws.json
	for _, name := range names {
		data, _ := os.ReadFile(name)
		kind := "backup"
		if filepath.Base(name) == "aws.json" {
			kind = "current"
		}
		fmt.Printf("%s: %s\n", kind, strings.ReplaceAll(strings.TrimSpace(string(data)), "\n", " "))
	}
	// Output:
	// partial line refused: true
	// backup: {"event.action":"PutObject"} {"event.action":"GetObject"} {"event.action":"DeleteObject"}
	// current: {"event.action":"ListBuckets"}
}

// A server that also runs logrotate (with "create", never "copytruncate")
// reopens the file when logrotate's postrotate sends SIGHUP. Any io.Writer
// user works; the standard log package writes whole lines.
func ExampleWriter_ReopenOn() {
	w, err := rotate.New(rotate.Options{
		Filename:   "/var/log/app/aws.json",
		Every:      24 * time.Hour, // and at 100 MiB, the default MaxSize
		MaxBackups: 14,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Close also stops the goroutine that ReopenOn starts.
	defer w.Close()
	if err := w.ReopenOn(); err != nil { // no signals given: SIGHUP
		log.Fatal(err)
	}
	logger := log.New(w, "", 0)
	logger.Print(`{"event.action":"PutObject"}`)
}
