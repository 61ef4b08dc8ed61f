# Helpers for the CLI test scripts (POSIX sh).  Each check prints one
# "ok"/"FAIL" line; the script ends with `finish`, exiting 1 on failures.
fails=0
checks=0

# run CMD...: stdout+stderr in $out, exit status in $rc
run() {
	out=$("$@" 2>&1)
	rc=$?
}

# run_stdout CMD...: stdout only in $out
run_stdout() {
	out=$("$@" 2>/dev/null)
	rc=$?
}

bad() {
	echo "FAIL $1"
	printf '%s\n' "$out" | head -n 20 | cut -c 1-400 | sed 's/^/     | /'
	fails=$((fails + 1))
}

# expect DESC RC SUBSTRING: last run exited RC and printed SUBSTRING
expect() {
	checks=$((checks + 1))
	if [ "$rc" != "$2" ]; then
		bad "$1: exit $rc, want $2"
		return
	fi
	case "$out" in
	*"$3"*) echo "ok   $1" ;;
	*) bad "$1: output lacks: $3" ;;
	esac
}

# expect_eq DESC RC TEXT: last run exited RC and printed exactly TEXT
expect_eq() {
	checks=$((checks + 1))
	if [ "$rc" != "$2" ] || [ "$out" != "$3" ]; then
		bad "$1: exit $rc, want $2 and exactly: $3"
		return
	fi
	echo "ok   $1"
}

# expect_same DESC FILE1 FILE2: byte-identical files
expect_same() {
	checks=$((checks + 1))
	if cmp -s "$2" "$3"; then
		echo "ok   $1"
	else
		out=$(cmp "$2" "$3" 2>&1)
		bad "$1: $2 and $3 differ"
	fi
}

# get_eq DESC TEXT FILE ARGS...: `$K get FILE ARGS...` exits 0 printing
# exactly TEXT (stdout and stderr)
get_eq() {
	desc=$1 text=$2
	shift 2
	run "$K" get "$@"
	expect_eq "$desc" 0 "$text"
}

# get_json_eq DESC TEXT FILE ARGS...: the same with -j, stdout only
get_json_eq() {
	desc=$1 text=$2
	shift 2
	run_stdout "$K" -j get "$@"
	expect_eq "$desc" 0 "$text"
}

# live_ids: under ktsched_hold (the fixture's map ids in KT_MAP_IDS), those
# ids as "--map-id N ..." in $ids; exits when not run under it
live_ids() {
	[ -n "$KT_MAP_IDS" ] || { echo "run me under ktsched_hold"; exit 1; }
	ids=
	for i in $KT_MAP_IDS; do
		ids="$ids --map-id $i"
	done
}

# live_bss: under ktsched_hold, this copy's ktsched.bss map id in $bss
# (another copy may linger while the kernel frees it, so a bare symbol
# could be ambiguous); exits when there is none
live_bss() {
	[ -n "$KT_MAP_IDS" ] || { echo "run me under ktsched_hold"; exit 1; }
	bss=
	for i in $KT_MAP_IDS; do
		bpftool map show id "$i" 2>/dev/null | grep -q " name ktsched.bss " && bss=$i
	done
	[ -n "$bss" ] || { echo "FAIL no ktsched.bss among $KT_MAP_IDS"; exit 1; }
}

# wait_socket PATH: wait (at most 10 s) until a daemon's socket PATH exists
wait_socket() {
	_i=0
	while [ ! -S "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

finish() {
	echo "$checks checks, $fails failed"
	[ "$fails" -eq 0 ]
}
