#!/bin/sh
# Where ktsnap's output goes, against the live kernel (run under
# `ktsched_hold -b N`): every command fails loudly on a full stdout, -o
# files are replaced atomically with safe permissions and never through a
# symlink or device, an interrupted capture leaves no temporary behind,
# and a capture filter that matches nothing is an error.  $1 = ktsnap.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
srv=
trap 'umount "$T/small" 2>/dev/null; [ -n "$srv" ] && kill "$srv"; rm -rf "$T"' EXIT
[ -n "$KT_BIG_ID" ] || { echo "run me under ktsched_hold -b N"; exit 1; }
live_ids
live_bss
first_id=${KT_MAP_IDS%% *}
umask 022

# shellcheck disable=SC2086
"$K" capture $ids -o "$T/r.json" >/dev/null || { echo "capture failed"; exit 1; }
R=$T/r.json

# ---- every command checks its writes ----------------------------------------------------
# a daemon with one stored report, for `request`
# shellcheck disable=SC2086
"$K" serve --socket "$T/srv.sock" $ids --maps-only >/dev/null 2>&1 &
srv=$!
wait_socket "$T/srv.sock"
"$K" request --socket "$T/srv.sock" capture r >/dev/null || { echo "request failed"; exit 1; }
# The list comes from `ktsnap --help`, so a new command without a case here fails.
echo '{ "steps": [] }' >"$T/empty-scenario.json"
# shellcheck disable=SC2086
"$K" record --samples 2 --duration 1 $ids -o "$T/series" >/dev/null 2>&1 ||
	{ echo "record failed"; exit 1; }
cmds=$("$K" --help | sed -n 's/^  ktsnap \([a-z]*\).*/\1/p' | sort -u)
[ -n "$cmds" ] || { echo "FAIL no commands in ktsnap --help"; exit 1; }
for c in $cmds; do
	case $c in
	capture) args="capture $ids" ;;
	show) args="show $R" ;;
	get) args="get $R var bss_u64_max" ;;
	diff) args="diff $R $R" ;;
	convert) args="convert $R -" ;;
	demo) args="demo -o $T/demo-$c --seconds 1" ;;
	run) args="run $T/empty-scenario.json -o $T/demo-$c" ;;
	record) args="record --samples 1 --duration 1 --map-id $first_id -o $T/demo-$c" ;;
	check) args="check $T/series nondecreasing var bss_u64_max" ;;
	plot) args="plot $T/series var bss_u64_max -o $T/demo-$c.svg" ;;
	request) args="request --socket $T/srv.sock get r" ;;
	serve) args="serve --socket $T/full.sock" ;;	# its ready line fails: it stops
	watch) mkdir -p "$T/w" && args="watch ktsched.bss#$bss:nr_switches --map-id $bss --maps-only --count 1 --timeout 60 -o $T/w" ;;
	*) args= ;;
	esac
	if [ -z "$args" ]; then
		rc=99 out="no /dev/full case for '$c' in tests/cli/output.sh"
		expect "$c > /dev/full" 1 ""
		continue
	fi
	for mode in "" -j; do
		# shellcheck disable=SC2086
		out=$("$K" $mode $args 2>&1 >/dev/full)
		rc=$?
		expect "ktsnap $mode $c > /dev/full" 1 "write error: No space left on device"
		rm -rf "$T/demo-$c"
	done
	out=$("$K" "$c" --help 2>&1 >/dev/full)
	rc=$?
	expect "ktsnap $c --help > /dev/full" 1 "write error: No space left on device"
done
out=$("$K" --help 2>&1 >/dev/full)
rc=$?
expect "ktsnap --help > /dev/full" 1 "write error: No space left on device"

# ---- a report on stdout is written verbatim (human mode escapes only text) --------------------
cg=$(awk '$3 == "cgroup2" { print $2 }' /proc/mounts | sort | tail -n 1)
if [ -n "$cg" ] && mkdir "$cg/ktsnap-test-$$" 2>/dev/null; then
	# a task that names itself with a C1 control character (CSI, U+009B,
	# valid UTF-8) and waits for a line on a FIFO
	mkfifo "$T/hold"
	exec 9<>"$T/hold"
	sh -c 'printf "c1\302\233name" >/proc/self/comm; read x' <"$T/hold" &
	spid=$!
	echo $spid >"$cg/ktsnap-test-$$/cgroup.procs"
	i=0
	while [ $i -lt 100 ] && [ "$(cat /proc/$spid/comm)" = sh ]; do
		sleep 0.01
		i=$((i + 1))
	done
	run_stdout "$K" capture --map-id "$first_id" --cgroup "$cg/ktsnap-test-$$"
	echo >&9
	wait $spid
	exec 9>&-
	rmdir "$cg/ktsnap-test-$$"
	expect "capture to stdout keeps the report's strings" 0 "$(printf '"comm":"c1\302\233name"')"
fi

# ---- -o: a full file system keeps the errno and the old file --------------------------------
mkdir "$T/small"
if mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null; then
	echo old >"$T/small/r.json"
	dd if=/dev/zero of="$T/small/fill" bs=4k 2>/dev/null
	# shellcheck disable=SC2086
	run "$K" capture $ids -o "$T/small/r.json"
	expect "capture -o onto a full disk" 1 "r.json: No space left on device"
	out=$(cat "$T/small/r.json")
	rc=0
	expect_eq "… leaves the old file" 0 "old"
	out=$(ls "$T/small")
	expect_eq "… and no temporary" 0 "fill
r.json"
	umount "$T/small"
fi

# ---- -o: permissions, symlinks, devices -------------------------------------------------------
# shellcheck disable=SC2086
run "$K" capture $ids -o "$T/new.json"
expect "capture -o a new file" 0 "captured 11 maps"
out=$(stat -c %a "$T/new.json")
expect_eq "a new report is 0600" 0 600
echo old >"$T/kept.json"
chmod 640 "$T/kept.json"
chown 65534:65534 "$T/kept.json"
# shellcheck disable=SC2086
run "$K" capture $ids -o "$T/kept.json"
expect "capture -o over an existing file" 0 "captured 11 maps"
out=$(stat -c '%a %u:%g' "$T/kept.json")
expect_eq "a replaced report keeps mode and owner" 0 "640 65534:65534"
echo target >"$T/target.txt"
ln -s target.txt "$T/link.json"
# shellcheck disable=SC2086
run "$K" capture $ids -o "$T/link.json"
expect "-o onto a symlink is refused" 1 "link.json: is a symbolic link; not writing through it"
out=$(cat "$T/target.txt")
[ -L "$T/link.json" ] || rc=99
expect_eq "… and the link and its target are untouched" 1 "target"
# shellcheck disable=SC2086
run "$K" capture $ids -o /dev/null
expect "-o onto a device is refused" 1 "/dev/null: not a regular file"
mkfifo "$T/fifo"
# shellcheck disable=SC2086
run timeout 20 "$K" capture $ids -o "$T/fifo"
expect "-o onto a FIFO is refused" 1 "fifo: not a regular file"
# shellcheck disable=SC2086
run_stdout "$K" capture $ids -o -
expect "-o - is stdout" 0 '{"schema":"single","maps":[{'
# shellcheck disable=SC2086
run "$K" capture $ids -o "$T/no/such/dir/r.json"
expect "-o into a missing directory" 1 "No such file or directory"

# ---- an interrupted capture removes its temporary ---------------------------------------------
mkdir "$T/sig"
for sig in INT:2 TERM:15 HUP:1; do
	signo=${sig#*:}
	sig=${sig%:*}
	echo old >"$T/sig/r.json"
	caught=0
	tries=0
	while [ $caught = 0 ] && [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		# a background job starts with SIGINT ignored (and ktsnap keeps an
		# ignored signal ignored): give it the default back
		env --default-signal="$sig" "$K" capture --maps-only --map-id "$KT_BIG_ID" \
			--max-entries all -o "$T/sig/r.json" >/dev/null 2>&1 &
		pid=$!
		# wait until the temporary exists (or the capture is over)
		while kill -0 $pid 2>/dev/null; do
			set -- "$T"/sig/r.json.tmp.*
			[ -e "$1" ] && break
		done
		if [ -e "$1" ] && kill -"$sig" $pid 2>/dev/null; then
			caught=1
		fi
		wait $pid
		rc=$?
		[ $caught = 1 ] || echo old >"$T/sig/r.json"
	done
	want=$((128 + signo))
	out="signalled after $tries tries; rc $rc"
	[ $caught = 1 ] || rc=98
	expect "SIG$sig during capture -o: dies of the signal" "$want" "signalled"
	out=$(ls "$T/sig")
	rc=0
	expect_eq "SIG$sig during capture -o: no temporary left" 0 "r.json"
	out=$(cat "$T/sig/r.json")
	expect_eq "SIG$sig during capture -o: the old file stays" 0 "old"
done

# ---- the privilege the man page names: CAP_BPF + CAP_PERFMON is not enough -------------------
if command -v setpriv >/dev/null 2>&1; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps +bpf,+perfmon \
		--ambient-caps +bpf,+perfmon "$K" capture --maps-only --map-id "$first_id"
	expect "capture with CAP_BPF and CAP_PERFMON only" 1 "CAP_SYS_ADMIN"
fi

# ---- capture filters that match nothing ----------------------------------------------------------
run "$K" capture --maps-only --map nonexistent_map -o "$T/f.json"
expect "--map that matches nothing" 1 "no map named 'nonexistent_map' is loaded (loaded maps: "
expect "… lists the maps there are" 1 " (id "
[ -e "$T/f.json" ] && rc=99
expect "… and writes no report" 1 ""
run "$K" capture --maps-only --map-id 4294967295
expect "--map-id that matches nothing" 1 "no map with id 4294967295 is loaded (loaded maps: "
run "$K" capture --maps-only --obj nonexistent_obj
expect "--obj that matches nothing" 1 "no BPF object 'nonexistent_obj' is loaded (objects with global-section maps: "
run "$K" capture --maps-only --map-id "$first_id" --cgroup /nonexistent
expect "--cgroup that does not exist" 1 "cgroup '/nonexistent' does not exist"
# shellcheck disable=SC2086
run "$K" capture --maps-only --map-id "$first_id" -o "$T/one.json"
expect "a filter that matches" 0 "captured 1 maps"
finish
