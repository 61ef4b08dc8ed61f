#!/bin/sh
# ktsnap on hand-made report files (no BPF): usage, get, show, diff, and
# the rejection of damaged files.  $1 = ktsnap binary, $2 = directory of
# report files written by the library (the fuzz seed corpus).
K=$1
C=$2
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
A=$C/all_variants.json		# "before"
B=$C/all_variants_pretty.json	# "after", pretty-printed

# ---- usage ------------------------------------------------------------------
run "$K" --help
expect "--help" 0 "usage: ktsnap [-j] [-p] COMMAND"
run "$K" get --help
expect "get --help" 0 "ktsnap get FILE map NAME INDEX [PATH] [--cpu N]"
run "$K"
expect "no command" 2 "usage: ktsnap"
run "$K" frob
expect "unknown command" 2 "unknown command 'frob'"
run_stdout "$K" -j frob
expect_eq "unknown command, JSON" 2 '{"error":"unknown command '"'"'frob'"'"'"}'
run "$K" get "$A" var
expect "get without NAME" 2 "usage:"
run "$K" get "$A" map task_ctx x
expect "get with a bad INDEX" 2 "INDEX must be a number, not 'x'"
run "$K" show "$A" --frob
expect "unknown option" 2 "unknown option '--frob'"

# ---- get: planted values ------------------------------------------------------
run "$K" get "$A" var bss_u64_max
expect_eq "var u64 max" 0 "18446744073709551615"
run_stdout "$K" -j get "$A" var bss_u64_max
expect_eq "var u64 max, JSON" 0 '{"kind":"uint","bits":64,"value":18446744073709551615}'
run "$K" get "$A" var sign
expect_eq "var negative enum" 0 "KT_SIGN_NEG (-3)"
run_stdout "$K" -j get "$A" var sign
expect_eq "var negative enum, JSON" 0 '{"kind":"enum","bits":32,"value":-3,"variant":"KT_SIGN_NEG","is_signed":true}'
run "$K" get "$A" var letter
expect_eq "var char" 0 "'A'"
run "$K" get "$A" var head
expect_eq "var pointer" 0 "0x1f (cast→arena) → 3"
run "$K" get "$A" map task_ctx 0 flag_a
expect_eq "map bitfield" 0 "5"
run_stdout "$K" -j get "$A" map task_ctx 0 flag_b
expect_eq "map bitfield, JSON" 0 '{"kind":"uint","bits":5,"value":17}'
run "$K" get "$A" map task_ctx 0 ctx.policy
expect_eq "map nested unsigned enum" 0 "KT_POLICY_BIG (2147483648)"
run "$K" get "$A" map task_ctx 0 wide
expect_eq "map 64-bit enum" 0 "KT_WIDE_BIG (18364758544493064720)"
run "$K" get "$A" map task_ctx 0 comm
expect_eq "map char array" 0 '"worker"'
run "$K" get "$A" map pcpu_stats 0 nr_switches --cpu 2
expect_eq "per-CPU slot" 0 "12"
run "$K" get "$A" map pcpu_stats 0 --cpu 0 nr_switches
expect_eq "per-CPU slot, option first" 0 "10"
run "$K" get "$A" map pcpu_stats 0 nr_switches
expect_eq "per-CPU, every slot" 0 "cpu 0: 10
cpu 1: (unmapped)
cpu 2: 12"
run_stdout "$K" -j get "$A" map pcpu_stats 0 nr_switches
expect_eq "per-CPU, every slot, JSON" 0 '[{"kind":"uint","bits":64,"value":10},null,{"kind":"uint","bits":64,"value":12}]'

# ---- get: misses give the library's error text ----------------------------------
run "$K" get "$A" map task_ctz 0
expect "map typo" 1 "snapshot has no map 'task_ctz' (captured maps: [\"ktsched.bss\", \"ktsched.data\", \"task_ctx\", "
run_stdout "$K" -j get "$A" map task_ctz 0
expect "map typo, JSON" 1 '{"error":"snapshot has no map '"'"'task_ctz'"'"' (captured maps: [\"ktsched.bss\", '
run "$K" get "$A" var nr_switchez
expect "var typo" 1 "snapshot has no global variable 'nr_switchez' in any *.bss/*.data/*.rodata map (available globals: [\"attached_seen\", "
run "$K" get "$A" map task_ctx 0 ctx.nope
expect "path typo" 1 "path 'ctx.nope': component 'nope' (after walking 'ctx') not found (members at this depth: [\"weight\", \"policy\"])"
run "$K" get "$A" map task_ctx 9
expect "index out of range" 1 "map 'task_ctx': index 9 out of range (length 2)"
run "$K" get "$A" map pcpu_stats 0 nr_switches --cpu 1
expect "unmapped per-CPU slot" 1 "map 'pcpu_stats': cpu 1 per-CPU slot is unmapped (None)"

# ---- show ---------------------------------------------------------------------------
run "$K" show "$A"
expect "show: a hash map" 0 "task_ctx  (HASH, id 9, key 4 B, value 8 B, max_entries 4096, 2 entries)"
expect "show: globals one a line" 0 "
  nr_switches = 1000
  bss_neg = -7
  bss_u64_max = 18446744073709551615"
expect "show: per-CPU slots" 0 "  [0]
    cpu 0: kt_pcpu_stat{nr_switches=10}
    cpu 1: (unmapped)"
expect "show: map error" 0 "  error: hash map truncated at 4096 entries"
run "$K" show "$A" --map pcpu_hash
expect "show one map" 0 "pcpu_hash  (PERCPU_HASH"
run "$K" show "$A" --map task_ctz
expect "show a missing map" 1 "snapshot has no map 'task_ctz'"
"$K" -j show "$A" >"$T/a.json"
expect_same "show -j prints the report byte for byte" "$A" "$T/a.json"
"$K" -j -p show "$B" >"$T/b.json"
expect_same "show -j -p round trip of a pretty file" "$B" "$T/b.json"
"$K" -j show - <"$B" >"$T/b2.json"
"$K" -j -p show "$T/b2.json" >"$T/b3.json"
expect_same "pretty → compact → pretty" "$B" "$T/b3.json"

# ---- diff ------------------------------------------------------------------------------
run "$K" diff "$A" "$B"
expect "diff: counter and delta" 0 "ktsched.bss:
  nr_switches: 1000 → 1037 (+37)"
expect "diff: float delta" 0 "  load: 0.1 → 0.75 (+0.65)"
expect "diff: keyed entry change" 0 "  [100] nr_runs: 3 → 7 (+4)"
expect "diff: entry removed" 0 "  - [200]"
expect "diff: entry added" 0 "  + [300]"
expect "diff: per-CPU slot" 0 "  [0] per_cpu[2].nr_switches: 12 → 14 (+2)"
expect "diff: ring buffer" 0 "  ringbuf.producer_pos: 128 → 144 (+16)"
run_stdout "$K" -j diff "$A" "$B"
expect "diff -j" 0 '{"op":"changed","map":"ktsched.bss","path":"nr_switches","old":{"kind":"uint","bits":64,"value":1000},"new":{"kind":"uint","bits":64,"value":1037},"delta":37}'
run "$K" diff "$A" "$A"
expect "diff of a report with itself" 0 "no differences"
run "$K" diff "$A"
expect "diff needs two files" 2 "two report files are needed"

# ---- damaged report files ---------------------------------------------------------------
head -c 500 "$A" >"$T/truncated.json"
run "$K" show "$T/truncated.json"
expect "truncated file" 1 "invalid report JSON: truncated (input ends at byte 500 inside a value)"
sed 's/"bits":64/"bits":"64"/' "$A" >"$T/wrongtype.json"
run "$K" get "$T/wrongtype.json" var bss_neg
expect "wrong-typed field" 1 "invalid report: maps[0].value.members[0].value.bits: expected an unsigned integer, got a string"
sed 's/"schema":"single",//' "$A" >"$T/noschema.json"
run "$K" diff "$A" "$T/noschema.json"
expect "missing schema" 1 'invalid report: missing "schema"'
sed 's/"schema":"single"/"schema":"double"/' "$A" >"$T/badschema.json"
run_stdout "$K" -j show "$T/badschema.json"
expect "unknown schema, JSON" 1 '{"error":"'"$T"'/badschema.json: invalid report: schema: unknown schema \"double\" (expected \"single\", \"dual\" or \"degraded\")"}'
sed 's/"map_kva":7/"map_kva":7,"colour":"red"/' "$A" >"$T/unknown.json"
run "$K" show "$T/unknown.json"
expect "unknown field" 1 'invalid report: maps[0]: unknown field "colour"'
printf '' >"$T/empty.json"
run "$K" show "$T/empty.json"
expect "empty file" 1 "invalid report JSON: empty input"
printf '{"schema":"single"}garbage' >"$T/trailing.json"
run "$K" show "$T/trailing.json"
expect "trailing data" 1 "invalid report JSON at byte 19"
run "$K" show "$T/nonexistent.json"
expect "missing file" 1 "nonexistent.json: No such file or directory"
run "$K" get "$K" var x
expect "a binary file" 1 "invalid report JSON at byte 0"

finish
