#!/bin/sh
# ktsnap against the live kernel: run under ktsched_hold, which keeps the
# ktsched fixture loaded and exports its map ids in KT_MAP_IDS.  Captures
# exactly that copy, reads the planted values back through var and map
# paths, and diffs two captures around a burst of context switches.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
live_ids

# shellcheck disable=SC2086
run "$K" capture $ids -o "$T/before.json"
expect "capture -o" 0 "captured 11 maps in "
R=$T/before.json

get_eq "u64 max global" "18446744073709551615" "$R" var bss_u64_max
get_eq "u64 max in .data" "18446744073709551615" "$R" var data_u64_max
get_eq "negative enum global" "KT_SIGN_NEG (-3)" "$R" var data_sign
get_eq "negative global" "-7" "$R" var bss_neg
run "$K" get "$R" var stats nr_events
case "$out" in [1-9]*) rc2=0 ;; *) rc2=1 ;; esac
rc=$((rc + rc2))
expect "struct global member" 0 ""
get_eq "u64 max in a hash value" "18446744073709551615" "$R" map task_ctx 0 magic
get_eq "negative enum member" "KT_SIGN_NEG (-3)" "$R" map task_ctx 0 sign
get_json_eq "negative enum member, JSON" '{"kind":"enum","bits":32,"value":-3,"variant":"KT_SIGN_NEG","is_signed":true}' "$R" map task_ctx 0 sign
get_eq "unsigned enum above INT32_MAX" "KT_POLICY_BIG (2147483648)" "$R" map task_ctx 0 ctx.policy
get_eq "64-bit unsigned enum" "KT_WIDE_BIG (18364758544493064720)" "$R" map task_ctx 0 wide
get_eq "bitfield a" "5" "$R" map task_ctx 0 flag_a
get_json_eq "bitfield b, JSON" '{"kind":"uint","bits":5,"value":17}' "$R" map task_ctx 0 flag_b
get_eq "negative s32 member" "-42" "$R" map task_ctx 0 neg
get_eq "negative s64 member" "-1000" "$R" map task_ctx 0 ctx.vtime
run "$K" get "$R" map pcpu_stats 0 nr_switches --cpu 0
case "$out" in [0-9]*) ;; *) rc=99 ;; esac
expect "per-CPU slot" 0 ""
run "$K" get "$R" map pcpu_stats 0 nr_switches
expect "every per-CPU slot" 0 "cpu 0: "
run "$K" get "$R" map task_ctz 0
expect "map typo lists the alternatives" 1 "snapshot has no map 'task_ctz' (captured maps: ["
expect "… including task_ctx" 1 '"task_ctx"'
run_stdout "$K" -j get "$R" var nr_switchez
expect "var typo, JSON" 1 '{"error":"snapshot has no global variable '"'"'nr_switchez'"'"' in any *.bss/*.data/*.rodata map (available globals: ['

"$K" -j show "$R" >"$T/again.json"
expect_same "captured report: read → write is byte-identical" "$R" "$T/again.json"
"$K" -j -p show "$R" >"$T/pretty.json"
"$K" -j show "$T/pretty.json" >"$T/compact.json"
expect_same "captured report: pretty → compact" "$R" "$T/compact.json"

# context switches for the attached program to count
i=0
while [ $i -lt 20 ]; do
	sleep 0.01
	i=$((i + 1))
done
# shellcheck disable=SC2086
"$K" capture $ids --pretty >"$T/after.json"
run "$K" diff "$R" "$T/after.json"
expect "diff: nr_switches moved" 0 "ktsched.bss:
  nr_switches: "
moved=$(printf '%s\n' "$out" | grep -c '^  nr_switches: [0-9]* → [0-9]* (+[1-9][0-9]*)$')
rc=0
[ "$moved" = 1 ] || rc=1
expect "diff: nr_switches delta is positive" 0 ""
run "$K" diff "$R" "$T/after.json"
expect "diff: per-CPU counters moved" 0 "pcpu_stats:
  [0] per_cpu["
run_stdout "$K" -j diff "$R" "$T/after.json"
expect "diff -j: nr_switches with a delta" 0 '"map":"ktsched.bss","path":"nr_switches","old":{"kind":"uint","bits":64,"value":'

run_stdout "$K" -j capture --map-id 4294967295 --max-entries all --maps-only
expect "a --map-id that matches nothing fails" 1 'no map with id 4294967295 is loaded (loaded maps: '
run "$K" capture --map no_such_map --maps-only
expect "a --map that matches nothing lists the maps" 1 "no map named 'no_such_map' is loaded (loaded maps: "
run "$K" capture --obj no_such_obj --maps-only
expect "an --obj that matches nothing lists the objects" 1 "no BPF object 'no_such_obj' is loaded (objects with global-section maps: "
run "$K" capture --cgroup /no/such/cgroup
expect "a missing --cgroup fails" 1 "cgroup '/no/such/cgroup' does not exist"
run "$K" capture --max-entries lots
expect "bad --max-entries" 2 "--max-entries wants a number from 0 to 4294967294 or 'all' (0 and 'all': no cap), not 'lots'"
run_stdout "$K" -j capture --obj ktsched --max-entries 0 --maps-only
expect "--max-entries 0 (no cap) is accepted" 0 '{"schema":"single","maps":[{'
finish
