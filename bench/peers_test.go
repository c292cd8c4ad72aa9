package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	phuslu "github.com/phuslu/log"
	"github.com/rs/zerolog"
	"github.com/slogreq/slogreq/slogreq"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// The line every peer writes: a message and eight attributes, one of each
// kind an AWS call record carries (string, string, int, duration, time,
// bool, float64, error). They are variables, not constants, so that no
// logger gets to format anything at compile time.
var (
	message   = "aws call"
	service   = "S3"
	operation = "PutObject"
	status    = 200
	duration  = 42*time.Millisecond + 517*time.Microsecond
	started   = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	retried   = true
	ratio     = 0.73
	errValue  = errors.New("NoSuchKey: The specified key does not exist")
)

// attrKeys are the keys of the eight attributes, in order.
var attrKeys = []string{"service", "operation", "status", "duration", "started", "retried", "ratio", "err"}

// withArgs are the eight attributes as slog.Logger.With takes them.
var withArgs = []any{
	slog.String("service", service), slog.String("operation", operation), slog.Int("status", status),
	slog.Duration("duration", duration), slog.Time("started", started), slog.Bool("retried", retried),
	slog.Float64("ratio", ratio), slog.Any("err", errValue),
}

// ringSize is slogreq's ring buffer in the benchmarks: 4 MiB holds about
// 16,000 of these lines, so a caller waits for room only when the writer
// truly cannot keep up (the file benchmark), not because of a short burst.
const ringSize = 4 << 20

func init() {
	// zerolog's field names and formats are package globals. Set them once
	// so that its lines carry slog's keys and formats: "msg", RFC 3339 time
	// with nanoseconds, durations as integer nanoseconds.
	zerolog.TimeFieldFormat = time.RFC3339Nano
	zerolog.MessageFieldName = "msg"
	zerolog.DurationFieldUnit = time.Nanosecond
	zerolog.DurationFieldInteger = true
}

// A logger is one peer set up to write the line to one io.Writer.
type logger struct {
	// attrs logs the message with the eight attributes in the call, as
	// benchmark Attrs does.
	attrs func()
	// with logs the message alone through a logger that carries the eight
	// attributes already, attached with its With, as benchmark With does.
	with func()
	// close returns once everything logged is written to the io.Writer;
	// only slogreq, which writes asynchronously, has work to do there.
	close func() error
}

// A peer makes loggers of one kind.
type peer struct {
	name string
	new  func(w io.Writer) logger
	// slog is set for the peers used through a slog.Logger, the ones the
	// Handoff benchmark can call Handle on directly.
	slog func(w io.Writer) slog.Handler
}

// peers lists every logger measured. slog.JSONHandler comes first because
// benchstat compares every column with the first one.
var peers = []peer{
	slogPeer("slog.JSONHandler", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }),
	slogreqPeer("slogreq", slogreq.JSON),
	// slogreq.ecs is the same handler writing Elastic Common Schema lines,
	// the format meant for shipping to Elasticsearch: its keys differ
	// (@timestamp, log.level, message, error.message) and it adds
	// ecs.version.
	slogreqPeer("slogreq.ecs", slogreq.ECS),
	slogPeer("phuslu.slog", func(w io.Writer) slog.Handler { return phuslu.SlogNewJSONHandler(w, nil) }),
	slogPeer("zapslog", func(w io.Writer) slog.Handler { return zapslog.NewHandler(newZapCore(w)) }),
	slogPeer("zerolog.slog", func(w io.Writer) slog.Handler { return zerolog.NewSlogHandler(zerolog.New(w)) }),
	{name: "phuslu", new: newPhuslu},
	{name: "zap", new: newZap},
	{name: "zerolog", new: newZerolog},
	// slog.frontend is not a peer but the floor under every slog handler:
	// a slog.Logger whose handler does nothing. What it costs (time.Now,
	// runtime.Callers, building the Record, one allocation for attributes
	// past the fifth) every slog handler pays before its Handle runs.
	slogPeer("slog.frontend", func(io.Writer) slog.Handler { return nopHandler{} }),
}

func slogreqPeer(name string, f slogreq.Format) peer {
	return peer{
		name: name,
		new: func(w io.Writer) logger {
			h := newSlogreq(w, f)
			return slogLogger(h, func() error { return closeSlogreq(h) })
		},
		slog: func(w io.Writer) slog.Handler { return newSlogreq(w, f) },
	}
}

// newSlogreq returns the handler under test with the benchmarks' ring size;
// every other option is the default (OnFull Block: nothing is lost).
func newSlogreq(w io.Writer, f slogreq.Format) *slogreq.Handler {
	return slogreq.NewHandler(w, &slogreq.Options{BufferSize: ringSize, Format: f})
}

// closeSlogreq closes h and checks that every record was written, so that
// a benchmark can never pass by dropping lines.
func closeSlogreq(h *slogreq.Handler) error {
	if err := h.Close(); err != nil {
		return err
	}
	if s := h.Stats(); s.Dropped != 0 || s.Written != s.Accepted {
		return fmt.Errorf("slogreq lost records: %+v", s)
	}
	return nil
}

func slogPeer(name string, newHandler func(w io.Writer) slog.Handler) peer {
	return peer{
		name: name,
		new:  func(w io.Writer) logger { return slogLogger(newHandler(w), nil) },
		slog: newHandler,
	}
}

// slogLogger drives h through a slog.Logger, as an application would.
func slogLogger(h slog.Handler, close func() error) logger {
	if close == nil {
		close = func() error { return nil }
	}
	l := slog.New(h)
	lw := l.With(withArgs...)
	ctx := context.Background()
	return logger{
		attrs: func() {
			l.LogAttrs(ctx, slog.LevelInfo, message,
				slog.String("service", service), slog.String("operation", operation), slog.Int("status", status),
				slog.Duration("duration", duration), slog.Time("started", started), slog.Bool("retried", retried),
				slog.Float64("ratio", ratio), slog.Any("err", errValue))
		},
		with:  func() { lw.Info(message) },
		close: close,
	}
}

// nopHandler handles every record by doing nothing.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

// newZapCore is a JSON core with slog's keys and formats: "time" in RFC 3339
// with nanoseconds, "level" in capitals, "msg", durations in nanoseconds.
func newZapCore(w io.Writer) zapcore.Core {
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		TimeKey:        "time",
		LevelKey:       "level",
		MessageKey:     "msg",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeTime:     zapcore.RFC3339NanoTimeEncoder,
		EncodeLevel:    zapcore.CapitalLevelEncoder,
		EncodeDuration: zapcore.NanosDurationEncoder,
	})
	return zapcore.NewCore(enc, zapcore.AddSync(w), zapcore.InfoLevel)
}

func newZap(w io.Writer) logger {
	l := zap.New(newZapCore(w))
	lw := l.With(
		zap.String("service", service), zap.String("operation", operation), zap.Int("status", status),
		zap.Duration("duration", duration), zap.Time("started", started), zap.Bool("retried", retried),
		zap.Float64("ratio", ratio), zap.NamedError("err", errValue))
	return logger{
		attrs: func() {
			l.Info(message,
				zap.String("service", service), zap.String("operation", operation), zap.Int("status", status),
				zap.Duration("duration", duration), zap.Time("started", started), zap.Bool("retried", retried),
				zap.Float64("ratio", ratio), zap.NamedError("err", errValue))
		},
		with:  func() { lw.Info(message) },
		close: l.Sync,
	}
}

func newZerolog(w io.Writer) logger {
	l := zerolog.New(w).With().Timestamp().Logger()
	lw := l.With().
		Str("service", service).Str("operation", operation).Int("status", status).
		Dur("duration", duration).Time("started", started).Bool("retried", retried).
		Float64("ratio", ratio).AnErr("err", errValue).Logger()
	return logger{
		attrs: func() {
			l.Info().
				Str("service", service).Str("operation", operation).Int("status", status).
				Dur("duration", duration).Time("started", started).Bool("retried", retried).
				Float64("ratio", ratio).AnErr("err", errValue).Msg(message)
		},
		with:  func() { lw.Info().Msg(message) },
		close: func() error { return nil },
	}
}

// newPhuslu uses phuslu/log's defaults, which differ from slog's in two
// places its author chose for speed: "message" rather than "msg", and
// durations in milliseconds with a fraction.
func newPhuslu(w io.Writer) logger {
	l := &phuslu.Logger{Level: phuslu.InfoLevel, Writer: phuslu.IOWriter{Writer: w}}
	lw := &phuslu.Logger{Level: phuslu.InfoLevel, Writer: phuslu.IOWriter{Writer: w},
		Context: phuslu.NewContext(nil).
			Str("service", service).Str("operation", operation).Int("status", status).
			Dur("duration", duration).Time("started", started).Bool("retried", retried).
			Float64("ratio", ratio).AnErr("err", errValue).Value(),
	}
	return logger{
		attrs: func() {
			l.Info().
				Str("service", service).Str("operation", operation).Int("status", status).
				Dur("duration", duration).Time("started", started).Bool("retried", retried).
				Float64("ratio", ratio).AnErr("err", errValue).Msg(message)
		},
		with:  func() { lw.Info().Msg(message) },
		close: func() error { return nil },
	}
}
