package slogreq_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/slogreq/slogreq/slogreq"
)

// withoutTime removes the time so that the example's output is stable.
func withoutTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}

func Example() {
	h := slogreq.NewHandler(os.Stdout, &slogreq.Options{ReplaceAttr: withoutTime})
	defer h.Close() // writes everything accepted, then stops the writer

	logger := slog.New(h)
	logger.Info("aws call", slog.Group("event", slog.String("action", "PutObject"), slog.Int64("duration", 1234567)))
	// Output:
	// {"level":"INFO","msg":"aws call","event":{"action":"PutObject","duration":1234567}}
}

func ExampleHandler_Flush() {
	h := slogreq.NewHandler(os.Stdout, &slogreq.Options{ReplaceAttr: withoutTime})
	defer h.Close()

	slog.New(h).With("service", "S3").Warn("slow call", "ms", 1500)
	// Flush returns once the line is written, without closing the handler.
	if err := h.Flush(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println("flushed")
	// Output:
	// {"level":"WARN","msg":"slow call","service":"S3","ms":1500}
	// flushed
}

func ExampleHandler_Stats() {
	h := slogreq.NewHandler(os.Stdout, &slogreq.Options{ReplaceAttr: withoutTime, OnFull: slogreq.DropNewest})
	logger := slog.New(h)
	logger.Info("one")
	logger.Info("two")
	if err := h.Close(); err != nil {
		fmt.Println(err)
	}
	s := h.Stats()
	fmt.Printf("accepted %d, written %d, dropped %d\n", s.Accepted, s.Written, s.Dropped)
	// Output:
	// {"level":"INFO","msg":"one"}
	// {"level":"INFO","msg":"two"}
	// accepted 2, written 2, dropped 0
}
