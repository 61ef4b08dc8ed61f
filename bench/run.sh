#!/bin/sh
# Run every benchmark binary built in BUILD/bench (make bench).
set -eu
build=${1:-build}
for b in "$build"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b"
done
