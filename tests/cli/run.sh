#!/bin/sh
# ktsnap run: the example scenarios end to end, the output directory
# (DIR/<tag>.json + DIR/index.json), the errors for malformed scenario
# files (naming the JSON path) and a failing op (naming the op, leaving
# no cgroup behind).  examples/scenario-steps.json runs under ktsched_hold
# (the fixture stays loaded for it); examples/scenario-scheduler.json
# starts ktsched_hold itself (found in PATH).
K=$1
EX=$2
HOLD=$3
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CG=$(awk '$0 ~ / - cgroup2 / { if (!m || $5 == "/sys/fs/cgroup/unified") m = $5 } END { print m }' \
	/proc/self/mountinfo)
# a run's cgroup is ktsnap-PID-N; one left behind is new since the start and
# its PID is gone (a live PID is someone else's run still going)
runs() { ls "$CG" | grep '^ktsnap-[0-9]*-[0-9]*$' | sort; }
runs >"$T/cg.before"
left() {
	runs | comm -13 "$T/cg.before" - | while read -r d; do
		p=${d#ktsnap-}
		[ -d "/proc/${p%-*}" ] || echo "$d"
	done
}

run "$HOLD" "$K" run "$EX/scenario-steps.json" -o "$T/steps"
expect "steps example" 0 "stored 3 captures and index.json in $T/steps"
expect "… a line per step" 0 "step 2: 2 cgroups, 5 workers"
expect "… a line per op" 0 "step 1: CaptureSnapshot('s1') ok"
expect "… loop ops" 0 "step 2: loop 3/3: Sleep(20 ms) ok"
run cat "$T/steps/index.json"
expect "index: s1 at step 1" 0 '{"tag":"s1","file":"s1.json","step_index":1,'
expect "index: s2 at step 2" 0 '{"tag":"s2","file":"s2.json","step_index":2,'
expect "index: baseline at step 0" 0 '"step_index":0'
expect "index: frozen capture" 0 '"frozen":true'
expect "index: cgroup.procs log" 0 '{"tag":"s1_workers","cgroup":"workers","pids":['
run "$K" get "$T/steps/s2.json" var nr_switches
case "$out" in [1-9]*) ;; *) rc=99 ;; esac
expect "s2 is a report the other commands read" 0 ""

PATH=$(dirname "$HOLD"):$PATH
run "$K" run "$EX/scenario-scheduler.json" -o "$T/sched"
expect "scheduler example" 0 "stored 2 captures"
expect "… attach" 0 "step 0: AttachScheduler('ktsched_hold', obj 'ktsched') ok"
expect "… map write" 0 "step 0: BpfMapWrite('ktsched.data', variable 'data_neg') = 7 ok"
get_eq "the write landed before the workers" "7" "$T/sched/before_swap.json" var data_neg

# tags become file names (§10.6)
cat >"$T/tag.json" <<'J'
{ "steps": [ { "ops": [ { "op": "CaptureSnapshot", "name": "../x y" } ] } ],
  "capture": { "maps": [ "no_such_map" ] } }
J
run "$K" run "$T/tag.json" -o "$T/tag"
expect "odd tag" 0 "stored 1 capture"
run ls -a "$T/tag"
expect "… stored as .._x_y.json" 0 ".._x_y.json"
run_stdout "$K" -j run "$T/tag.json" -o "$T/tag"
expect_eq "JSON mode: progress off stdout, one summary object" 0 \
	"{\"dir\":\"$T/tag\",\"captures\":1,\"steps\":1}"

# malformed files name the JSON path of the bad field
bad_file() {
	printf '%s\n' "$2" >"$T/bad.json"
	run "$K" run "$T/bad.json" -o "$T/bad"
	expect "$1" 1 "$3"
}
bad_file "wrong type" '{"steps": [{"cgroups": [{"name": "w", "workers": "2"}]}]}' \
	'steps[0].cgroups[0].workers: expected an integer, found string'
bad_file "unknown field" '{"steps": [{"ops": [{"op": "Sleep", "ms": 1, "msec": 2}]}]}' \
	'steps[0].ops[0].msec: unknown field (expected one of: op, name,'
bad_file "unknown op" '{"steps": [{"ops": [{"op": "Snap"}]}]}' \
	"steps[0].ops[0].op: unknown op 'Snap'"
bad_file "missing field" '{"steps": [{"ops": [{"op": "CaptureSnapshot"}]}]}' \
	'steps[0].ops[0].name: missing (required)'
bad_file "bad hold" '{"steps": [{"hold": {"loop": 2, "ms": 3}}]}' \
	'steps[0].hold: give either "ms" or "loop"'
bad_file "no steps" '{"baseline": {}}' 'bad.json: steps: missing (required)'
bad_file "negative" '{"steps": [{"cgroups": [{"name": "w", "workers": -1}]}]}' \
	'steps[0].cgroups[0].workers: -1 is out of range [0, 4096]'
bad_file "kernel address, past a u32" \
	'{"map_writes": [{"map": ".bss", "offset": 18446744071578845184, "value": 1}], "steps": []}' \
	'map_writes[0].offset: 18446744071578845184 is out of range [0, 4294967295]'
bad_file "not JSON" '{"steps": [' 'not valid JSON at byte'
run "$K" -j run "$T/bad.json" -o "$T/bad"
expect "JSON mode error" 1 '{"error":'

# kernel-memory ops get the live host's answers (a kernel address is a u64)
cat >"$T/kop.json" <<'J'
{ "baseline": { "ops": [ { "op": "ReadKernelCold", "tag": "text",
                           "kva": 18446744071578845184, "width": "u64" } ] },
  "steps": [] }
J
if [ ! -e /proc/kcore ]; then
	run "$K" run "$T/kop.json" -o "$T/kop"
	expect "kernel read without /proc/kcore" 1 \
		"Op::ReadKernelCold('text'): host reported failure: not supported on this host: /proc/kcore missing"
	run cat "$T/kop/index.json"
	expect "… logged under its tag" 0 '{"tag":"text","success":false'
fi
cat >"$T/kop.json" <<'J'
{ "steps": [ { "ops": [ { "op": "WriteKernelHot", "writes": [ { "symbol": "jiffies", "u32": 1 } ] } ] } ] }
J
run "$K" run "$T/kop.json" -o "$T/kop"
expect "kernel write on a live host" 1 \
	"Op::WriteKernelHot(''): host reported failure: not supported on a live host"

# a failing op names itself; workers and cgroups are gone
cat >"$T/fail.json" <<'J'
{ "steps": [
    { "cgroups": [ { "name": "w", "workers": 2 } ],
      "ops": [ { "op": "CaptureSnapshot", "name": "kept" },
               { "op": "PinBpfMap", "name": "no_such_map" },
               { "op": "CaptureSnapshot", "name": "never" } ] } ],
  "capture": { "maps": [ "no_such_map" ] } }
J
run "$K" run "$T/fail.json" -o "$T/fail"
expect "failing op" 1 "ktsnap run: step 1: PinBpfMap('no_such_map') failed: Op::PinBpfMap(\"no_such_map\"): no BPF map with that name"
run ls "$T/fail"
expect "… captures before the failure are kept" 0 "kept.json"
run cat "$T/fail/index.json"
expect "… index says why" 0 '"ok":false'
checks=$((checks + 1))
if [ -z "$(left)" ]; then echo "ok   no cgroup left behind"; else
	out=$(left); bad "cgroups left behind"; fi

# SIGINT ends a run cleanly: the op is named, nothing is left behind
cat >"$T/long.json" <<'J'
{ "steps": [ { "cgroups": [ { "name": "w", "workers": 2, "sleep_us": 1000 } ],
               "hold": { "ms": 600000 } } ] }
J
"$K" run "$T/long.json" -o "$T/long" >"$T/long.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 1000 ] && ! grep -q "step 1: 1 cgroup, 2 workers" "$T/long.out"; do
	sleep 0.01
	i=$((i + 1))
done
kill -INT $pid
wait $pid
rc=$?
out=$(cat "$T/long.out")
expect "SIGINT ends the run" 1 "ktsnap run: interrupted by signal 2"
checks=$((checks + 1))
if [ -z "$(left)" ]; then echo "ok   … no cgroup left behind"; else
	out=$(left); bad "cgroups left behind after SIGINT"; fi

finish
