// Package logstat reads the log files slogreq writes and summarizes the AWS
// calls in them per service and operation: count, errors by code,
// throttling, retries, duration percentiles and bytes. It is the terminal
// view of what a Kibana dashboard over the same files would show.
//
// It reads both line formats the slogreq handler writes, detected per line:
// ECS (@timestamp, log.level, message) and slog's JSON (time, level, msg).
// Field paths are the same in both, and may be nested objects or dotted keys
// ({"event":{"duration":1}} or {"event.duration":1}), as ECS allows.
//
// A call record is a JSON object with cloud.target.provider "aws" and an
// event.action, the layout of the middleware package (see ParseLine).
// Per-attempt records (which carry aws.attempt) are counted apart, as are
// other JSON lines (the application's own records, the SDK logger's, the
// handler's drop reports). Lines that are not one JSON object, and call
// records whose fields have the wrong type, are malformed: counted and
// skipped.
//
// Files are streamed line by line, gzip-compressed backups included, so
// memory does not grow with the number of lines: durations go into a
// fixed-size log-scale Histogram rather than a slice. Memory grows only
// with the number of distinct operations and error codes.
package logstat
