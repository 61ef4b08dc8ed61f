#!/bin/sh
# ktsnap watch against the live kernel, under ktsched_hold (ktsched's
# sched_switch program bumps .bss nr_switches on every context switch):
# two hits give two report files and two lines; the arming refusals and
# the symbol cap are reported as the library words them.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
live_bss
S="ktsched.bss#$bss:nr_switches"

F="ktsched.bss_${bss}_nr_switches"
run "$K" watch "$S" --maps-only --map-id "$bss" --count 2 --timeout 60 -o "$T"
expect "watch: two hits" 0 "2 captures"
expect "watch: a line per hit" 0 "$S = "
[ -f "$T/$F-1.json" ] && [ -f "$T/$F-2.json" ]
rc=$?
out=$(ls "$T")
expect "watch: DIR/<tag>-<n>.json" 0 ""
run "$K" get "$T/$F-2.json" var nr_switches
case "$out" in [1-9]*) rc=0 ;; *) rc=1 ;; esac
expect "watch: the report reads back" 0 ""

run "$K" -j watch "$S" --maps-only --map-id "$bss" --count 1 --timeout 60 -o "$T"
expect "watch -j: one object per hit" 0 "\"symbol\":\"$S\""

# a scenario's WatchSnapshot op arms the same live breakpoint (ktsnap run)
cat >"$T/watch-scenario.json" <<J
{ "capture": { "maps": [ "ktsched.bss" ], "maps_only": true },
  "steps": [ { "ops": [ { "op": "WatchSnapshot", "symbol": "$S" },
                        { "op": "Sleep", "ms": 500 } ] } ] }
J
run "$K" run "$T/watch-scenario.json" -o "$T/scenario"
expect "run: WatchSnapshot arms" 0 "WatchSnapshot('$S') ok"
run cat "$T/scenario/index.json"
expect "run: the watch's capture is stored under the symbol" 0 "\"tag\":\"$S\""

run "$K" watch kt_no_such_symbol --timeout 1 -o "$T"
expect "watch: unknown symbol" 1 "symbol 'kt_no_such_symbol' not found in /proc/kallsyms ("
run "$K" watch a b c d -o "$T"
expect "watch: at most 3 symbols" 2 "at most 3 symbols"
run "$K" watch nr_switches
expect "watch: -o is required" 2 "-o DIR is required"
run "$K" watch nr_switches -o "$T/missing"
expect "watch: DIR must exist" 1 "not a directory"
finish
