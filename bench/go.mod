module github.com/slogreq/slogreq/bench

go 1.24

replace github.com/slogreq/slogreq => ../

require (
	github.com/phuslu/log v1.0.121
	github.com/rs/zerolog v1.35.1
	github.com/slogreq/slogreq v0.0.0
	go.uber.org/zap v1.28.0
	go.uber.org/zap/exp v0.3.0
	gopkg.in/natefinch/lumberjack.v2 v2.2.1
)

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
