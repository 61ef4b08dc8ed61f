#!/bin/sh
# ktsnap on hand-made report files (no BPF): usage, get, show, diff, and
# the rejection of damaged files.  $1 = ktsnap binary, $2 = directory of
# report files written by the library (the fuzz seed corpus), $3 = cmake
# (runs the usage forms' generator, cli/synopsis.cmake).
K=$1
C=$2
CMAKE=${3:-cmake}
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
run "$K" request --help
expect "usage forms are the man page's (the transport is optional)" 0 \
	"ktsnap request [--socket PATH | --device PATH]"
run "$K" record --help
expect "usage forms are the man page's (record takes --maps-only)" 0 \
	"ktsnap record [--obj PREFIX] [--map NAME]... [--map-id ID]... [--maps-only]"
run "$K"
expect "no command" 2 "usage: ktsnap"
run "$K" frob
expect "unknown command" 2 "unknown command 'frob'"
run_stdout "$K" -j frob
expect_eq "unknown command, JSON" 2 '{"error":"unknown command '"'"'frob'"'"'"}'
run "$K" capture --help
expect "capture --help names the privilege the kernel checks" 0 "Needs root (CAP_SYS_ADMIN"
run "$K" get "$A" var
expect "get without NAME" 2 "usage:"
run "$K" get "$A" map task_ctx x
expect "get with a bad INDEX" 2 "INDEX must be a non-negative number, not 'x'"
run "$K" get "$A" map task_ctx -1
expect "get with a negative INDEX" 2 "INDEX must be a non-negative number, not '-1'"
run "$K" get "$A" map task_ctx 0 --cpu 1
expect "--cpu on a hash map" 2 "--cpu applies to per-CPU maps; 'task_ctx' is a HASH map"
run "$K" get "$A" map raw_hash 0
expect_eq "an entry without a rendered value names its map" 1 \
	"ktsnap get: map 'raw_hash': value has no rendered structure (no BTF type at capture time)"
run sh -c "cat '$A' | '$K' diff - -"
expect "diff reads stdin once" 2 "standard input ('-') can be only one of A and B"
run "$K" capture --max-entries 4294967295
expect "--max-entries states its range" 2 \
	"--max-entries wants a number from 0 to 4294967294 or 'all' (0 and 'all': no cap), not '4294967295'"
for c in $("$K" --help | sed -n 's/^  ktsnap \([a-z]*\).*/\1/p' | sort -u); do
	run "$K" "$c" --help
	case "$out" in
	*"spec §"*) rc=1 ;;
	esac
	expect "$c --help names the man page, not the spec" 0 "usage:"
done
run "$K" show "$A" --frob
expect "unknown option" 2 "unknown option '--frob'"

# ---- the usage forms' generator: a malformed SYNOPSIS stops the build ------------
# synopsis BODY: cli/synopsis.cmake on a man page whose SYNOPSIS is BODY; $out
# holds its messages, then the header it wrote, on one line (cmake wraps
# its messages)
synopsis() {
	printf '# NAME\n\nktsnap\n\n# SYNOPSIS\n\n%s\n\n# DESCRIPTION\n\nx\n' "$1" >"$T/m.md"
	rm -f "$T/s.h"
	run "$CMAKE" -DIN="$T/m.md" -DOUT="$T/s.h" -P "$(dirname "$0")/../../cli/synopsis.cmake"
	[ -f "$T/s.h" ] && out="$out
$(cat "$T/s.h")"
	out=$(printf '%s\n' "$out" | tr '\n' ' ' | tr -s ' ')
}
M='**ktsnap** [**-j**] *COMMAND*'
synopsis "$M

**ktsnap diff** *A* *B*"
expect "synopsis: a form" 0 '#define CLI_SYNOPSIS_diff "ktsnap diff A B\n"'
synopsis "$M

**ktsnap diff** *A*
   *B*"
expect "synopsis: a paragraph over two lines is one form" 0 \
	'#define CLI_SYNOPSIS_diff "ktsnap diff A B\n"'
synopsis "$M

**ktsnap list**"
expect "synopsis: a command without arguments is its own" 0 \
	'#define CLI_SYNOPSIS_list "ktsnap list\n"'
run grep -x '#define CLI_SYNOPSIS_MAIN "ktsnap \[-j\] COMMAND\\n"' "$T/s.h"
expect "synopsis: ... not a second form of ktsnap itself" 0 "CLI_SYNOPSIS_MAIN"
synopsis "$M

**ktsnap show** *FILE* [**--map** *NAME*"
expect "synopsis: an unclosed bracket fails" 1 \
	"unbalanced brackets in the SYNOPSIS form '**ktsnap show** *FILE* [**--map** *NAME*'"
synopsis "$M

**ktsnap show** *FILE* [**--map** *NAME*

**ktsnap get** *FILE*"
expect "synopsis: an unclosed bracket before another form fails" 1 "unbalanced brackets"
synopsis "$M

**ktsnap show** *FILE*] (*X*]"
expect "synopsis: a stray closing bracket fails" 1 "unbalanced brackets"
synopsis "$M

**ktsnap show** *A*;*B*"
expect "synopsis: a ';' fails" 1 "has a ';'"
synopsis "$M

**ktsnap show** [*A*;*B*]"
expect "synopsis: a ';' in brackets fails" 1 "has a ';'"
synopsis "$M

**ktsnap show-all** *FILE*"
expect "synopsis: a command name it cannot read fails" 1 \
	"cannot read the SYNOPSIS paragraph '**ktsnap show-all** *FILE*'"
synopsis "$M

**ktsnap** **show** *FILE*"
expect "synopsis: a second form of ktsnap itself fails" 1 "more than one **ktsnap** form"
synopsis "$M

Options come first."
expect "synopsis: a paragraph that is no form fails" 1 \
	"cannot read the SYNOPSIS paragraph 'Options come first.'"
synopsis "**ktsnap diff** *A* *B*"
expect "synopsis: no form of ktsnap itself fails" 1 "no **ktsnap** form"

# ---- get: planted values ------------------------------------------------------
get_eq "var u64 max" "18446744073709551615" "$A" var bss_u64_max
get_json_eq "var u64 max, JSON" '{"kind":"uint","bits":64,"value":18446744073709551615}' "$A" var bss_u64_max
get_eq "var negative enum" "KT_SIGN_NEG (-3)" "$A" var sign
get_json_eq "var negative enum, JSON" '{"kind":"enum","bits":32,"value":-3,"variant":"KT_SIGN_NEG","is_signed":true}' "$A" var sign
get_eq "var char" "'A'" "$A" var letter
get_eq "var pointer" "0x1f (cast→arena) → 3" "$A" var head
get_eq "map bitfield" "5" "$A" map task_ctx 0 flag_a
get_json_eq "map bitfield, JSON" '{"kind":"uint","bits":5,"value":17}' "$A" map task_ctx 0 flag_b
get_eq "map nested unsigned enum" "KT_POLICY_BIG (2147483648)" "$A" map task_ctx 0 ctx.policy
get_eq "map 64-bit enum" "KT_WIDE_BIG (18364758544493064720)" "$A" map task_ctx 0 wide
get_eq "map char array" '"worker"' "$A" map task_ctx 0 comm
get_eq "per-CPU slot" "12" "$A" map pcpu_stats 0 nr_switches --cpu 2
get_eq "per-CPU slot, option first" "10" "$A" map pcpu_stats 0 --cpu 0 nr_switches
# the path forms diff prints: "name[i]" and a leading "per_cpu[n]"
get_eq "array element path" "'o'" "$A" map task_ctx 0 'comm[1]'
get_eq "per_cpu[n] path" "12" "$A" map pcpu_stats 0 'per_cpu[2].nr_switches'
run "$K" get "$A" map task_ctx 0 'comm[16]'
expect "array index out of range" 1 "index 16 out of range (length 16)"
get_eq "per-CPU, every slot" "cpu 0: 10
cpu 1: (unmapped)
cpu 2: 12" "$A" map pcpu_stats 0 nr_switches
get_json_eq "per-CPU, every slot, JSON" '[{"kind":"uint","bits":64,"value":10},null,{"kind":"uint","bits":64,"value":12}]' "$A" map pcpu_stats 0 nr_switches

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

# ---- terminal safety: control bytes from a report file are escaped --------------------
E='\\u001b]0;pwned\\u0007\\u001b[31m\\r\\u009b'
sed -e "s/\"name\":\"ktsched.data\"/\"name\":\"ktsched.data$E\"/" \
    -e "s/\"hash map truncated at 4096 entries\"/\"truncated$E\"/" \
    -e "s/\"variant\":\"KT_SIGN_NEG\"/\"variant\":\"KT_SIGN_NEG$E\"/g" \
    -e "s/\"type_name\":\"kt_sched_ctx\"/\"type_name\":\"kt_sched_ctx$E\"/g" \
    -e "s/\"cpus\":\"0-2,5\"/\"cpus\":\"0-2,5$E\"/" \
    -e "s/\"reason\":\"FUNC_PROTO/\"reason\":\"$E FUNC_PROTO/" \
    -e "s/\"active_obj_name\":\"ktsched\"/\"active_obj_name\":\"ktsched$E\"/" \
    -e "s/\"comm\":\"worker\"/\"comm\":\"wo\\\\nrker$E\"/" \
    -e "s/\"name\":\"kt_switch\"/\"name\":\"kt_switch$E\"/" "$A" >"$T/ctl.json"
# no control byte but newline and tab may reach the terminal
no_ctl() {
	rc=$1
	n=$(printf '%s' "$out" | tr -d '\n\t' | LC_ALL=C tr -dc '\000-\037\177' | wc -c)
	[ "$n" = 0 ] || rc=99
}
run "$K" show "$T/ctl.json"
no_ctl $rc
expect "show escapes control bytes" 0 "ktsched.data\u{1b}]0;pwned\u{7}\u{1b}[31m\r\u{9b}  (ARRAY"
expect "… in enum variants" 0 "sign = KT_SIGN_NEG\u{1b}]0;pwned\u{7}"
expect "… in type names" 0 "ctx=kt_sched_ctx\u{1b}]0;pwned"
expect "… in cpu lists" 0 "online = cpus={0-2,5\u{1b}]0;pwned"
expect "… in reasons" 0 "<unsupported: \u{1b}]0;pwned"
expect "… in map errors" 0 "  error: truncated\u{1b}]0;pwned"
expect "… in the active scheduler" 0 "active scheduler: ktsched\u{1b}]0;pwned"
expect "… in program names" 0 "prog kt_switch\u{1b}]0;pwned"
expect "… and newlines in task names" 0 "  100 wo\nrker\u{1b}]0;pwned"
run "$K" diff "$A" "$T/ctl.json"
no_ctl $rc
expect "diff escapes control bytes" 0 "+ map ktsched.data\u{1b}]0;pwned"
run "$K" get "$T/ctl.json" map task_ctx 0
no_ctl $rc
expect "get escapes control bytes" 0 "KT_SIGN_NEG\u{1b}]0;pwned"
run "$K" get "$T/ctl.json" map task_ctz 0
no_ctl $rc
expect "errors escape control bytes" 1 "ktsched.data\\u{1b}]0;pwned"
run_stdout "$K" -j get "$T/ctl.json" var sign
expect "JSON keeps the text, escaped as JSON" 0 \
	'{"kind":"enum","bits":32,"value":-3,"variant":"KT_SIGN_NEG\u001b]0;pwned\u0007\u001b[31m\r'

# newlines inside names cannot start a fake line either (show, diff)
sed -e 's/"name":"nr_switches"/"name":"nr_\\nswitches"/' \
    -e 's/"name":"weight"/"name":"wei\\nght"/' \
    -e 's/"name":"task_ctx"/"name":"task\\nctx"/' "$A" >"$T/nl.json"
run "$K" diff "$A" "$T/nl.json"
expect "diff escapes a newline in a path" 0 "  nr_\\u{a}switches: (none) → 1000"
expect "… and in a map name" 0 "+ map task\\u{a}ctx"
run "$K" show "$T/nl.json"
n=$(printf '%s\n' "$out" | grep -c '^ght\|^switches\|^ctx' || true)
[ "$n" = 0 ] || rc=99
expect "show never breaks a name over two lines" 0 "wei"

# ---- a long key is cut with a mark, never silently ------------------------------------
long_key() {
	i=0
	mem=
	hex=
	while [ $i -lt 20 ]; do
		v=16843009
		h="01 01 01 01"
		[ $i = 19 ] && v=$1 && h=$2
		mem="$mem${mem:+,}{\"name\":\"member_$i\",\"value\":{\"kind\":\"uint\",\"bits\":32,\"value\":$v}}"
		hex="$hex${hex:+ }$h"
		i=$((i + 1))
	done
	printf '{"key":{"kind":"struct","type_name":"kt_long_key","members":[%s]},"key_hex":"%s","value":{"kind":"uint","bits":64,"value":1},"value_hex":"01 00 00 00 00 00 00 00"}' \
		"$mem" "$hex"
}
printf '{"schema":"single","maps":[{"name":"long_keys","map_kva":1,"map_type":1,"key_size":80,"value_size":8,"max_entries":16,"entries":[%s,%s]}]}\n' \
	"$(long_key 16843009 '01 01 01 01')" "$(long_key 33686018 '02 02 02 02')" >"$T/longkey.json"
run "$K" show "$T/longkey.json"
n=$(printf '%s\n' "$out" | grep -c '^  \[kt_long_key{member_0=16843009, .*…\]:$')
[ "$n" = 2 ] || rc=99
expect "show cuts a long key with …" 0 "…]:"

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
