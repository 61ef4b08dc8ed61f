#!/bin/sh
# ktsnap demo: the summary, the files, the cleanup (also when interrupted)
# and the refusal without root.  $1 = ktsnap binary.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cg=$(awk '$3 == "cgroup2" { print $2 }' /proc/mounts | sort | tail -n 1)

run "$K" demo -o "$T/out" --seconds 1
expect "demo runs" 0 "what the scheduler counted in 1 s:"
expect "demo names the busiest task" 0 "  busiest task        pid "
expect "demo finds the worker" 0 '"ktsnap-worker"'
expect "demo cleans up" 0 "cleaned up: worker stopped, cgroup removed, programs detached"
for f in before.json after.json diff.txt diff.json; do
	rc=0
	[ -s "$T/out/$f" ] || rc=1
	out=$f
	expect "demo wrote $f" 0 "$f"
done
run "$K" get "$T/out/after.json" var nr_switches
expect "after.json reads back" 0 ""
run "$K" diff "$T/out/before.json" "$T/out/after.json"
expect "demo diff shows the counter" 0 "  nr_switches: "
run_stdout "$K" -j demo -o "$T/json" --seconds 1
expect "demo -j" 0 '"files":["before.json","after.json","diff.txt","diff.json"]'

# interrupted mid-workload: exit 1, nothing left behind
"$K" demo -o "$T/int" --seconds 5 >"$T/int.log" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
out=$(cat "$T/int.log")
expect "interrupted demo fails and says so" 1 "interrupted by signal 2; cleaned up"
rc=0
[ -n "$cg" ] && [ -e "$cg/ktsnap-demo-$pid" ] && rc=1
out="cgroup $cg/ktsnap-demo-$pid"
expect "interrupted demo removed its cgroup" 0 ""

if command -v setpriv >/dev/null 2>&1; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$K" demo -o "$T/nobody"
	expect "demo without root" 1 "the demo needs root"
fi
finish
