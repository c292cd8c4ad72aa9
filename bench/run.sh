#!/usr/bin/env bash
# Runs every benchmark in interleaved rounds and writes to results/:
#   NAME.txt   the raw output, for benchstat
#   NAME.env   the machine, the Go version and the commit
#   NAME.load  when each round started and how busy the machine was
#
# Why rounds rather than `go test -count 6`: -count runs the six samples of
# one sub-benchmark back to back, so a burst of other work on the machine
# lands on one peer and skews the comparison. Six rounds of the whole suite
# spread every peer's samples across the run. Before each round the script
# waits (up to MAXWAIT seconds) for the CPUs to be mostly idle, because on a
# shared 2-core machine another job's compile doubles every figure.
#
# Usage: ./run.sh [NAME]    (default NAME: today's date, UTC)
# Environment: ROUNDS (6), BENCHTIME (0.5s), BENCH (.), MAXWAIT (300),
# COMMIT (what `git rev-parse HEAD` says; set it when running from an export).
set -euo pipefail
cd "$(dirname "$0")"

name=${1:-$(date -u +%F)}
rounds=${ROUNDS:-6}
benchtime=${BENCHTIME:-0.5s}
maxwait=${MAXWAIT:-300}
out=results/$name
mkdir -p results

# idle prints the percentage of CPU time spent idle over the next 2 seconds.
idle() {
	local a b
	read -r -a a < <(head -1 /proc/stat)
	sleep 2
	read -r -a b < <(head -1 /proc/stat)
	local total=0 i
	for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
	echo $((100 * (b[4] - a[4]) / (total > 0 ? total : 1)))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" .

{
	echo "date: $(date -u +%FT%TZ)"
	echo "go: $(go version)"
	echo "nproc: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "commit: ${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
	echo "command: ROUNDS=$rounds BENCHTIME=$benchtime BENCH=${BENCH:-.} ./run.sh $name"
} >"$out.env"
: >"$out.txt"
: >"$out.load"

for round in $(seq "$rounds"); do
	waited=0
	pct=$(idle)
	while [ "$pct" -lt 85 ] && [ "$waited" -lt "$maxwait" ]; do
		sleep 8
		waited=$((waited + 10))
		pct=$(idle)
	done
	echo "round $round $(date -u +%T) idle ${pct}% waited ${waited}s load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out.load"
	"$tmp/bench.test" -test.run '^$' -test.bench "${BENCH:-.}" -test.benchmem \
		-test.benchtime "$benchtime" -test.cpu 2 -test.count 1 >>"$out.txt"
done
echo "end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out.load"
echo "wrote $out.txt; compare with: benchstat -col /peer $out.txt"
