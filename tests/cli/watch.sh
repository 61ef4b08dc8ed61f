#!/bin/sh
# ktsnap watch against the live kernel, under ktsched_hold (ktsched's
# sched_switch program bumps .bss nr_switches on every context switch):
# two hits give two report files and two lines; the arming refusals and
# the symbol cap are reported as the library words them.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -n "$KT_MAP_IDS" ] || { echo "run me under ktsched_hold"; exit 1; }

run "$K" watch ktsched.bss:nr_switches --obj ktsched --maps-only --count 2 --timeout 60 -o "$T"
expect "watch: two hits" 0 "2 captures"
expect "watch: a line per hit" 0 "ktsched.bss:nr_switches = "
[ -f "$T/ktsched.bss_nr_switches-1.json" ] && [ -f "$T/ktsched.bss_nr_switches-2.json" ]
rc=$?
out=$(ls "$T")
expect "watch: DIR/<tag>-<n>.json" 0 ""
run "$K" get "$T/ktsched.bss_nr_switches-2.json" var nr_switches
case "$out" in [1-9]*) rc=0 ;; *) rc=1 ;; esac
expect "watch: the report reads back" 0 ""

run "$K" -j watch nr_switches --obj ktsched --maps-only --count 1 --timeout 60 -o "$T"
expect "watch -j: one object per hit" 0 '"symbol":"nr_switches"'

run "$K" watch kt_no_such_symbol --timeout 1 -o "$T"
expect "watch: unknown symbol" 1 "symbol 'kt_no_such_symbol' not found in /proc/kallsyms ("
run "$K" watch a b c d -o "$T"
expect "watch: at most 3 symbols" 2 "at most 3 symbols"
run "$K" watch nr_switches
expect "watch: -o is required" 2 "-o DIR is required"
run "$K" watch nr_switches -o "$T/missing"
expect "watch: DIR must exist" 1 "not a directory"
finish
