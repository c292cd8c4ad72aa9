// Package slogreq is an asynchronous log/slog handler for servers that must
// log a lot without slowing down: one JSON line per record, written by one
// background goroutine, with bounded memory and no silent loss.
//
// Handle formats the record on the caller's goroutine into a pooled buffer
// (no allocation), in exactly the bytes slog.NewJSONHandler would write,
// then copies the line into a ring buffer of fixed size. One writer
// goroutine drains the ring into the io.Writer in batches; each Write holds
// whole lines only, so a rotating file never splits a record.
//
// When the ring is full, Options.OnFull decides: Block (the default) makes
// the caller wait and loses nothing; DropNewest never waits, and counts each
// record it drops. Drops and write errors are never silent: they are counted
// in Stats and reported by a line in the output ("slogreq: dropped records")
// as soon as the writer can write again. A failing io.Writer (a full disk)
// is retried with backoff and never stops the writer goroutine; while it
// fails, Block callers drop instead of waiting, so logging cannot hang a
// service.
//
// Flush waits until everything accepted so far is written; Close (or
// Shutdown, with a context) writes everything accepted and stops the
// goroutine. Records handled after Close are refused with ErrClosed.
//
// What a crash can lose: records still in the ring, at most
// Options.BufferSize bytes, which are written within Options.FlushInterval
// of being accepted while the io.Writer keeps up.
package slogreq
