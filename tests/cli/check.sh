#!/bin/sh
# ktsnap check over hand-made periodic sample directories (no BPF).
# $1 = ktsnap binary.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# sample DIR N DISPATCHED TIMESTAMP_NS: periodic_00N.json with a scheduler
# "sched" whose .bss holds nr_dispatched
sample() {
	printf '{"schema":"single","timestamp_ns":%s,"maps":[{"name":"sched.bss","map_kva":4096,"map_type":2,"max_entries":1,"value":{"kind":"struct","type_name":".bss","members":[{"name":"nr_dispatched","value":{"kind":"uint","bits":64,"value":%s}}]}}],"active_obj_name":"sched","active_map_kvas":[4096]}\n' \
		"$4" "$3" >"$1/periodic_00$2.json"
}

mkdir "$T/s" "$T/ts" "$T/empty"
for i in 0 1 2 3 4; do
	sample "$T/s" $i $((10 + 2 * i)) 0
	sample "$T/ts" $i $((10 + 2 * i)) $((5000000000 + 1000000000 * i))
done
printf '{"samples":[' >"$T/s/series.json"
for i in 0 1 2 3 4; do
	[ $i -gt 0 ] && printf ',' >>"$T/s/series.json"
	printf '{"tag":"periodic_00%s","elapsed_ms":%s,"boundary_offset_ms":%s,"step_index":0}' \
		$i $((1000 * (i + 1))) $((1000 * (i + 1))) >>"$T/s/series.json"
done
printf ']}\n' >>"$T/s/series.json"

# ---- usage -----------------------------------------------------------------
run "$K" check --help
expect "check --help" 0 "ktsnap check DIR PATTERN [ARGS] var NAME"
run "$K" check "$T/s"
expect "no pattern" 2 "DIR and PATTERN are required"
run "$K" check "$T/s" frob var x
expect "unknown pattern" 2 "unknown pattern 'frob'"
run "$K" check "$T/s" rate_within 1 var x
expect "missing pattern argument" 2 "usage:"
run "$K" check "$T/s" rate_within x 2 var x
expect "bad pattern argument" 2 "rate_within: 'x' is not a number"
run "$K" check "$T/s" nondecreasing thing x
expect "bad source" 2 "SOURCE is"
run "$K" check "$T/empty" nondecreasing var nr_dispatched
expect "no samples" 1 "no series.json or periodic_*.json samples in"

# ---- patterns over a global --------------------------------------------------
run "$K" check "$T/s" nondecreasing var nr_dispatched
expect_eq "nondecreasing passes" 0 "nr_dispatched (nondecreasing): all 5 samples passed"
run "$K" check "$T/s" rate_within 0.001 0.003 var nr_dispatched
expect_eq "rate in band" 0 "nr_dispatched (rate_within [0.001, 0.003]): all 4 consecutive-pair rates within band"
run_stdout "$K" check "$T/s" rate_within 1 3 var nr_dispatched
expect "impossible rate band fails" 1 "nr_dispatched (rate_within [1, 3]): rate 0.0020/ms between samples periodic_000 (+1000ms, value 10) and periodic_001 (+2000ms, value 12)"
run_stdout "$K" -j check "$T/s" strictly_increasing var nr_dispatched
expect_eq "JSON verdict" 0 '{"passed":true,"outcomes":[{"outcome":"passed","kind":"temporal","message":"nr_dispatched (strictly_increasing): all 5 samples passed"}]}'
run_stdout "$K" -j check "$T/s" at_most 11 var nr_dispatched
expect "JSON failure" 1 '{"passed":false,"outcomes":[{"outcome":"fail","kind":"temporal","message":"nr_dispatched (each.at_most 11): sample periodic_001 (+2000ms): value 12"}'
run "$K" check "$T/s" converges_to 18 0.5 10000 var nr_dispatched
expect "converges: too few in band" 1 "no 3-consecutive-in-band witness before deadline (5 samples evaluated)"
run "$K" check "$T/s" steady_within 4500 0.01 var nr_dispatched
expect_eq "steady after warmup" 0 "nr_dispatched (steady_within mean 18.0000 ±1.0%): all 1 post-warmup samples in band"
run "$K" check "$T/s" nondecreasing var nr_missing
expect "missing global" 0 "nr_missing (nondecreasing): skipped 5 sample(s) with projection errors: periodic_000(+1000ms): snapshot has no global variable 'nr_missing'"

mkdir "$T/same"
sample "$T/same" 0 1 0
sample "$T/same" 1 2 0
printf '{"samples":[{"tag":"periodic_000","elapsed_ms":5},{"tag":"periodic_001","elapsed_ms":5}]}\n' >"$T/same/series.json"
run "$K" check "$T/same" rate_within 0 1 var nr_dispatched
expect "inconclusive is not a pass" 1 "denominator is INSTRUMENT-derived; rate is neither pass nor fail"

# ---- a map source ----------------------------------------------------------------
run "$K" check "$T/s" between 11 20 map sched.bss 0 nr_dispatched
expect "map source" 1 "sched.bss[0].nr_dispatched (each.between [11, 20]): sample periodic_000 (+1000ms): value 10"
run "$K" check "$T/s" at_least 10 map sched.bss 0 nr_dispatched --cpu 1
expect_eq "map source, --cpu on a non-per-CPU map (named as plot names it)" 0 \
	"sched.bss[0].cpu(1).nr_dispatched (each.at_least 10): all 5 samples passed"
run "$K" check "$T/s" at_least 10 var nr_dispatched --cpu 1
expect "--cpu with var" 2 "--cpu only applies to a map source"

# ---- timing from the capture timestamps when there is no series.json -----------------
run "$K" check "$T/ts" rate_within 0.001 0.003 var nr_dispatched
expect_eq "timestamps" 0 "nr_dispatched (rate_within [0.001, 0.003]): all 4 consecutive-pair rates within band"
run "$K" check "$T/ts" at_most 10 var nr_dispatched
expect "timestamps in messages" 1 "sample periodic_004 (+4000ms): value 18"

finish
