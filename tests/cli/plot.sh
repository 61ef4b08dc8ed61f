#!/bin/sh
# ktsnap plot over a hand-made sample directory (no BPF): a global, a
# per-CPU map drawn one line per CPU, a sample that cannot be read, XML
# that parses, hover titles and a legend.  $1 = ktsnap binary.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

u64() { printf '{"kind":"uint","bits":64,"value":%s}' "$1"; }
# sample N DISPATCHED CPU0 CPU1: a global and a 2-CPU per-CPU array
sample() {
	printf '{"schema":"single","maps":[{"name":"sched.bss","map_kva":4096,"map_type":2,"max_entries":1,"value":{"kind":"struct","type_name":".bss","members":[{"name":"nr_dispatched","value":%s}]}},{"name":"pcpu","map_type":6,"max_entries":1,"percpu_entries":[{"key":0,"per_cpu":[{"kind":"struct","type_name":"s","members":[{"name":"runs","value":%s}]},{"kind":"struct","type_name":"s","members":[{"name":"runs","value":%s}]}]}]}]}\n' \
		"$(u64 "$2")" "$(u64 "$3")" "$(u64 "$4")" >"$T/s/periodic_00$1.json"
}
mkdir "$T/s"
sample 0 10 1 5
sample 1 12 3 6
sample 2 15 4 9
printf '{"schema":"single","is_placeholder":true}\n' >"$T/s/periodic_003.json"
sample 4 19 8 9
printf '{"samples":[' >"$T/s/series.json"
for i in 0 1 2 3 4; do
	[ $i -gt 0 ] && printf ',' >>"$T/s/series.json"
	printf '{"tag":"periodic_00%s","elapsed_ms":%s}' $i $((250 * (i + 1))) >>"$T/s/series.json"
done
printf ']}\n' >>"$T/s/series.json"

run "$K" plot "$T/s" var nr_dispatched
expect "plot without -o" 2 "-o FILE.svg are required"
run "$K" plot "$T/s" frob x -o "$T/p.svg"
expect "plot with a bad source" 2 "SOURCE is"
run "$K" plot "$T/none" var x -o "$T/p.svg"
expect "plot of a missing directory" 1 "no series.json or periodic_*.json samples"

run "$K" plot "$T/s" var nr_dispatched map pcpu 0 runs -o "$T/p.svg"
expect_eq "plot" 0 "plotted 3 line(s) over 5 samples → $T/p.svg"
S=$(cat "$T/p.svg")
for want in '<svg xmlns="http://www.w3.org/2000/svg"' 'elapsed (ms)' \
	'>nr_dispatched</text>' '>pcpu[0].runs cpu 0</text>' '>pcpu[0].runs cpu 1</text>' \
	'<title>periodic_000 (+250 ms) nr_dispatched = 10</title>' \
	"<title>periodic_003 (+1000 ms) nr_dispatched: sample 'periodic_003' is a placeholder report"; do
	checks=$((checks + 1))
	case "$S" in
	*"$want"*) echo "ok   svg has $want" ;;
	*) out=$S; bad "svg lacks $want" ;;
	esac
done
# the placeholder breaks each line: two polylines per line
run grep -c '<polyline' "$T/p.svg"
expect_eq "lines break at the placeholder" 0 "6"
if command -v xmllint >/dev/null; then
	run xmllint --noout "$T/p.svg"
	expect_eq "well-formed XML" 0 ""
fi
run_stdout "$K" -j plot "$T/s" map pcpu 0 runs --cpu 1 -o "$T/q.svg"
expect_eq "plot -j, one CPU" 0 '{"file":"'"$T/q.svg"'","samples":5,"lines":1}'
# a flat line at u64 max: +-1 is lost to rounding there, the axis still
# gets room and the tick loop ends
mkdir "$T/flat"
for n in 0 1; do
	printf '{"schema":"single","maps":[{"name":"sched.bss","map_kva":4096,"map_type":2,"max_entries":1,"value":{"kind":"struct","type_name":".bss","members":[{"name":"big","value":%s}]}}]}\n' \
		"$(u64 18446744073709551615)" >"$T/flat/periodic_00$n.json"
done
run timeout 20 "$K" plot "$T/flat" var big -o "$T/flat.svg"
expect "a flat line at u64 max is drawn" 0 "plotted 1 line(s) over 2 samples"
finish
