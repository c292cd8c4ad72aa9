package slogreq

import (
	"log/slog"
	"strconv"
	"time"
)

// Policy says what Handle does when the ring buffer has no room for a record.
type Policy int

const (
	// Block makes the caller wait for room, so that no record is lost; the
	// writer applies back-pressure, as Vector's and rsyslog's queues do.
	// While writes are failing (a full disk, lost permissions) callers do not
	// wait: records that find no room are dropped and counted, so a broken
	// disk never hangs the service.
	Block Policy = iota
	// DropNewest never makes the caller wait: a record that finds no room
	// is dropped and counted, and the drop is reported in the output.
	DropNewest
)

func (p Policy) String() string {
	switch p {
	case Block:
		return "Block"
	case DropNewest:
		return "DropNewest"
	}
	return "Policy(" + itoa(int(p)) + ")"
}

// Format selects the shape of each line.
type Format int

const (
	// JSON writes exactly what slog.NewJSONHandler writes for the same
	// record and options (see Handler for the two places it differs: where
	// log/slog writes invalid JSON).
	JSON Format = iota
	// ECS writes Elastic Common Schema lines (ecs-logging): @timestamp in
	// UTC, log.level, message and ecs.version first, every other field in
	// one nested tree with no duplicate keys, errors as error.type and
	// error.message. See the package documentation.
	ECS
)

func (f Format) String() string {
	switch f {
	case JSON:
		return "JSON"
	case ECS:
		return "ECS"
	}
	return "Format(" + itoa(int(f)) + ")"
}

// Defaults and bounds of Options.
const (
	DefaultBufferSize    = 1 << 20
	DefaultMaxRecordSize = 64 << 10
	DefaultFlushInterval = 100 * time.Millisecond
	DefaultCloseTimeout  = 10 * time.Second

	// MinBufferSize is the smallest ring buffer NewHandler makes.
	MinBufferSize = 4 << 10
	// MinRecordSize is the smallest MaxRecordSize NewHandler accepts: room
	// for the built-in fields and the truncation marker.
	MinRecordSize = 256
)

// Options configure a Handler. The zero value, like a nil *Options, gives
// the defaults. Level, AddSource and ReplaceAttr mean exactly what they mean
// in slog.HandlerOptions.
type Options struct {
	// Level is the minimum level of records handled; nil means
	// slog.LevelInfo. Use a *slog.LevelVar to change it at run time.
	Level slog.Leveler

	// AddSource adds the caller's function, file and line under "source".
	AddSource bool

	// ReplaceAttr rewrites or removes each non-group attribute, built-ins
	// included, as in slog.HandlerOptions. It runs on the caller's goroutine.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr

	// Format is the line format; the default is JSON.
	Format Format

	// BufferSize is the ring buffer's capacity in bytes, fixed for the
	// handler's life: memory does not grow with load. Default
	// DefaultBufferSize; values below MinBufferSize are raised to it.
	BufferSize int

	// MaxRecordSize bounds one line, newline included. A longer record is
	// cut to fit, stays valid JSON, carries a TruncatedKey marker and is
	// counted in Stats.Truncated. Default DefaultMaxRecordSize; it is
	// raised to MinRecordSize and lowered to BufferSize as needed.
	MaxRecordSize int

	// OnFull is what Handle does when the ring is full: Block (default) or
	// DropNewest.
	OnFull Policy

	// FlushInterval bounds how long an accepted record may wait in the
	// ring before the writer writes it; the writer also writes as soon as a
	// quarter of the ring is full, or on Flush and Close. Default
	// DefaultFlushInterval.
	FlushInterval time.Duration

	// CloseTimeout bounds how long Close waits for the writer to write what
	// was accepted; use Shutdown to pass a context instead. Default
	// DefaultCloseTimeout.
	CloseTimeout time.Duration

	// OnError, if set, is called on the writer goroutine with each error
	// the io.Writer returns. It must not call the Handler. Errors are also
	// counted in Stats.WriteErrors and reported in the output once writing
	// works again.
	OnError func(err error)
}

// normalize returns o with defaults filled in and bounds applied.
func (o *Options) normalize() Options {
	var n Options
	if o != nil {
		n = *o
	}
	if n.BufferSize <= 0 {
		n.BufferSize = DefaultBufferSize
	}
	n.BufferSize = max(n.BufferSize, MinBufferSize)
	if n.MaxRecordSize <= 0 {
		n.MaxRecordSize = DefaultMaxRecordSize
	}
	n.MaxRecordSize = min(max(n.MaxRecordSize, MinRecordSize), n.BufferSize)
	if n.FlushInterval <= 0 {
		n.FlushInterval = DefaultFlushInterval
	}
	if n.CloseTimeout <= 0 {
		n.CloseTimeout = DefaultCloseTimeout
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }
