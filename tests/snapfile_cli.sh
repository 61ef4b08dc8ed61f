#!/bin/sh
# ktsnap and .ktsnap files, as a user runs it.
#	snapfile_cli.sh KTSNAP files CORPUS_DIR   hand-made reports (no BPF)
#	snapfile_cli.sh KTSNAP live               under ktsched_hold -b N (BPF)
K=$1
MODE=$2
. "$(dirname "$0")/cli/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the report without the fields that differ between two captures (times)
strip_times() {
	sed -e 's/"capture_ns":[0-9]*,\{0,1\}//' -e 's/"timestamp_ns":[0-9]*,\{0,1\}//' \
	    -e 's/"capture_skew_ns":[0-9]*,\{0,1\}//' -e 's/,}$/}/' "$1" >"$2"
}

if [ "$MODE" = files ]; then
	C=$3
	for f in "$C"/*.json; do
		b=$(basename "$f" .json)
		run "$K" convert "$f" "$T/$b.ktsnap"
		expect "convert $b to .ktsnap" 0 "(ktsnap, "
		run "$K" convert "$T/$b.ktsnap" "$T/$b.json"
		expect "convert $b back" 0 "(json, "
		"$K" convert "$f" - >"$T/$b.direct.json"
		expect_same "$b: JSON → .ktsnap → JSON is the JSON writer's" \
			"$T/$b.json" "$T/$b.direct.json"
	done
	R=$T/all_variants.ktsnap
	run "$K" show "$R"
	expect "show reads .ktsnap" 0 "12 maps"
	run "$K" get "$R" var nr_switches
	expect_eq "get reads .ktsnap" 0 "1000"
	run "$K" diff "$R" "$C/all_variants_pretty.json"
	expect "diff: .ktsnap against JSON" 0 "nr_switches: 1000 → 1037"
	"$K" show - <"$R" >/dev/null
	rc=$?
	out=
	expect "a .ktsnap on stdin" 0 ""
	run "$K" convert --format ktsnap "$C/default.json" "$T/noext"
	expect "--format ktsnap without the extension" 0 "(ktsnap, "
	run "$K" show "$T/noext"
	expect "read by magic, not by name" 0 "0 maps"
	run "$K" convert "$R" "$T/x.json" --format json
	expect "--format json" 0 "(json, "
	run "$K" convert --format xml "$R" "$T/y"
	expect "--format xml" 2 "--format wants 'json' or 'ktsnap', not 'xml'"
	# a corrupt file: the error names the section and its offset
	head -c 200 "$R" >"$T/cut.ktsnap"
	run "$K" show "$T/cut.ktsnap"
	expect "truncated .ktsnap" 1 "section #0 at offset 16: length"
	run "$K" -j show "$T/cut.ktsnap"
	expect "truncated .ktsnap, -j" 1 '{"error":"'
	finish
	exit
fi

[ -n "$KT_BIG_ID" ] || { echo "run me under ktsched_hold -b N"; exit 1; }
# the filled hash is frozen: two captures of it differ only in their times
run "$K" capture --maps-only --map-id "$KT_BIG_ID" --max-entries all -o "$T/big.ktsnap"
expect "capture -o x.ktsnap" 0 "captured 1 maps"
run "$K" capture --maps-only --map-id "$KT_BIG_ID" --max-entries all -o "$T/big.json"
expect "capture -o x.json" 0 "captured 1 maps"
run "$K" convert "$T/big.ktsnap" "$T/conv.json"
expect "convert x.ktsnap x.json" 0 "(json, "
strip_times "$T/big.json" "$T/a"
strip_times "$T/conv.json" "$T/b"
expect_same "convert x.ktsnap x.json equals a direct JSON capture" "$T/a" "$T/b"
case $(head -c 8 "$T/big.ktsnap" | od -An -c | tr -d ' ') in
*KTSNAP*) rc=0 ;;
*) rc=1 ;;
esac
out=
expect ".ktsnap by extension" 0 ""
run "$K" capture --maps-only --map-id "$KT_BIG_ID" --format ktsnap -o "$T/forced.json"
expect "--format ktsnap overrides .json" 0 "captured 1 maps"
get_eq "read back by magic" "100" "$T/forced.json" map big_hash 7 weight
big=$(wc -c <"$T/big.json")
small=$(wc -c <"$T/big.ktsnap")
[ "$small" -lt "$big" ]
rc=$?
out="$small vs $big bytes"
expect ".ktsnap smaller than JSON ($out)" 0 ""
run "$K" capture --maps-only --map-id "$KT_BIG_ID" --max-entries all --compress -o "$T/z.ktsnap"
expect "capture --compress" 0 "captured 1 maps"
z=$(wc -c <"$T/z.ktsnap")
[ "$z" -lt "$small" ]
rc=$?
out="$z vs $small bytes"
expect "--compress makes it smaller ($out)" 0 ""
run "$K" convert "$T/z.ktsnap" "$T/z.json"
strip_times "$T/z.json" "$T/c"
expect_same "a compressed .ktsnap converts to the same JSON" "$T/a" "$T/c"
finish
