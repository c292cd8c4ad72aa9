// Package bench measures slogreq's Handler side by side with the loggers a
// Go service would otherwise use: log/slog's JSONHandler, zap (native and
// through zapslog), zerolog (native and through its slog handler) and
// phuslu/log (native and through its slog handler).
//
// It holds only benchmarks and the tests that keep them honest, and it is a
// module of its own so that none of those peers enters the library's module
// graph. Nothing imports it. README.md says how to run it and shows the
// figures of a real run.
package bench
