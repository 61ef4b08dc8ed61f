#!/bin/sh
# ktsnap record + check end to end: run under ktsched_hold (the ktsched
# fixture loaded and attached, its map ids in KT_MAP_IDS).  Records 5
# samples of exactly that copy beside a workload, then checks that the
# switch counter is nondecreasing and that an impossible rate band fails.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
live_ids

run "$K" record --samples 5 -o "$T/x"
expect "record without --duration" 2 "--samples, --duration and -o DIR are required"
run "$K" record --samples 65 --duration 100 -o "$T/x"
expect "record with too many samples" 2 "--samples wants 1..64"
run "$K" record --samples 2 --duration 1 -o "$T/x" --stats-socket "$(printf '%0200d' 0)"
expect "record with a bad stats socket path" 2 "--stats-socket:"
run "$K" record --samples 8 --duration 1 -o "$T/dense"
expect "record too dense" 2 "below the 100 ms minimum"
run test ! -e "$T/dense"
expect "record too dense creates no DIR" 0 ""

# the workload: context switches until record ends it
# shellcheck disable=SC2086
run "$K" record $ids --maps-only --samples 5 --duration 2 -o "$T/rec" -- \
	sh -c 'while :; do sleep 0.01; done'
expect "record" 0 "recorded 5 of 5 samples → $T/rec"
for i in 0 1 2 3 4; do
	checks=$((checks + 1))
	if [ -s "$T/rec/periodic_00$i.json" ]; then echo "ok   periodic_00$i.json"; else
		out=$(ls -l "$T/rec"); bad "periodic_00$i.json missing"; fi
done
run grep -c '"boundary_offset_ms"' "$T/rec/series.json"
expect "series.json has the boundary offsets" 0 "1"

run "$K" check "$T/rec" nondecreasing var nr_switches
expect_eq "switch counter nondecreasing" 0 "nr_switches (nondecreasing): all 5 samples passed"
run "$K" check "$T/rec" rate_within 1000000000 2000000000 var nr_switches
expect "impossible rate band" 1 "nr_switches (rate_within [1000000000, 2000000000]): rate "
# no scheduler listens on the stats socket: every sample says why stats are missing
# shellcheck disable=SC2086
run "$K" record $ids --maps-only --samples 2 --duration 1 -o "$T/rec3" --stats-socket "$T/none"
expect "record with an absent stats socket" 0 "recorded 2 of 2 samples"
run grep -c '"kind":"NoScheduler","reason":"stats socket '"$T"'/none: connect: No such file or directory"' "$T/rec3/series.json"
expect "stats socket failure recorded" 0 "1"
# shellcheck disable=SC2086
run_stdout "$K" -j record $ids --maps-only --samples 2 --duration 1 -o "$T/rec2"
expect "record -j" 0 '{"dir":"'"$T/rec2"'","target":2,"fired":2,"abandoned":false,"samples":[{"tag":"periodic_000","elapsed_ms":'
finish
