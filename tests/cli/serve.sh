#!/bin/sh
# ktsnap serve / request over a Unix socket, under ktsched_hold (the
# ktsched fixture loaded, its map ids in KT_MAP_IDS): unprivileged clients
# ask the root daemon for a capture of the fixture and fetch it; clients
# outside the allow lists are refused; the daemon outlives clients that
# vanish mid-request.  $1 = ktsnap binary.
K=$1
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
live_ids
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 1; }
# a bad number names its option, written as one word or two
run "$K" serve --socket "$T/x.sock" --map-id x
expect "serve --map-id x: the message every command gives" 2 "--map-id wants a map id, not 'x'"
run "$K" serve --socket "$T/x.sock" --map-id 0
expect "serve --map-id 0 is no map id" 2 "--map-id wants a map id, not '0'"
run "$K" serve --socket "$T/x.sock" --allow-uid=y
expect "serve --allow-uid=y names the option" 2 "--allow-uid wants a number, not 'y'"
chmod 711 "$T"
mkdir "$T/dump" "$T/out"
chmod 777 "$T/out"
S=$T/s.sock

# shellcheck disable=SC2086
"$K" serve --socket "$S" --dump-dir "$T/dump" --allow-uid 65534 --allow-gid 4343 \
	--socket-group 4242 $ids --maps-only >"$T/serve.log" 2>&1 &
pid=$!
wait_socket "$S"
run stat -c '%a %g' "$S"
expect_eq "socket is 0660, group 4242" 0 "660 4242"
out=$(cat "$T/serve.log")
rc=0
expect "the ready line" 0 "ktsnap serve: listening on $S"

as() {	# as UID GID GROUPS CMD...: run CMD unprivileged (GROUPS may be "")
	u=$1 g=$2 gs=$3
	shift 3
	if [ -n "$gs" ]; then
		setpriv --reuid "$u" --regid "$g" --groups "$gs" "$@"
	else
		setpriv --reuid "$u" --regid "$g" --clear-groups "$@"
	fi
}

run as 65534 4242 "" "$K" request --socket "$S" capture fixture -o "$T/out/fixture.json"
expect "uid 65534 captures and fetches" 0 "fetched 'fixture' → $T/out/fixture.json ("
get_eq "the fetched capture holds the fixture's globals" "18446744073709551615" "$T/out/fixture.json" var bss_u64_max
get_eq "… and its maps" "KT_SIGN_NEG (-3)" "$T/out/fixture.json" map task_ctx 0 sign
expect_same "the sidecar holds the same report" "$T/out/fixture.json" \
	"$T/dump/ktsnap.snapshot.fixture.json"

run as 65534 4242 "" "$K" request --socket "$S" get fixture -o "$T/out/again.json"
expect "get by tag" 0 "fetched 'fixture'"
expect_same "get returns the stored report" "$T/out/fixture.json" "$T/out/again.json"
run_stdout as 65534 4242 "" "$K" -j request --socket "$S" capture "mid run"
expect_eq "capture -j" 0 '{"request":"capture","tag":"mid run","status":"ok"}'
rc=1
[ -s "$T/dump/ktsnap.snapshot.mid_run.json" ] && rc=0
out="mid_run"
expect "tagged sidecar name" 0 "mid_run"

run as 65532 4242 4343 "$K" request --socket "$S" capture g
expect "a member of an allowed group captures" 0 "capture 'g': ok"

run as 65533 4242 "" "$K" request --socket "$S" capture x
expect_eq "a uid outside the allow list is refused" 1 \
	"ktsnap request: Op::CaptureSnapshot('x'): host rejected capture: uid 65533 is not allowed by ktsnap serve"
run as 65533 65533 "" "$K" request --socket "$S" get fixture -o -
expect "a uid outside the socket's group cannot connect" 1 \
	"transport failure: cannot connect to $S: Permission denied (os error 13)"

run as 65534 4242 "" "$K" request --socket "$S" watch jiffies_64
expect_eq "watch without hardware watchpoints" 1 \
	"ktsnap request: Op::WatchSnapshot('jiffies_64'): host rejected: watch unavailable: no watch callback on this host"
run as 65534 4242 "" "$K" request --socket "$S" get nothing -o -
expect_eq "get of an unknown tag" 1 "ktsnap request: get 'nothing': no report tagged 'nothing' is stored"

# clients that vanish mid-request do not take the daemon with them
n=0
while [ $n -lt 5 ]; do
	as 65534 4242 "" "$K" request --socket "$S" capture gone >/dev/null 2>&1 &
	k=$!
	kill -9 $k 2>/dev/null
	wait $k 2>/dev/null
	n=$((n + 1))
done
run as 65534 4242 "" "$K" request --socket "$S" get fixture -o "$T/out/third.json"
expect "still serving after vanished clients" 0 "fetched 'fixture'"

run "$K" request --socket "$T/none.sock" capture x
expect "no daemon: transport failure" 1 \
	"Op::CaptureSnapshot('x'): port-1 transport failure: cannot connect to $T/none.sock: "
run env -u KTSNAP_SERVER "$K" request capture x
expect "no server named" 2 "no server: give --socket PATH (or set KTSNAP_SERVER)"
run "$K" serve --socket "$S.2" --device /dev/null
expect "serve wants one endpoint" 2 "give exactly one of --socket PATH, --device PATH and --fifos REQ,REPLY"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
out=$(cat "$T/serve.log")
expect "SIGTERM stops the daemon cleanly" 0 "requests served"
rc=0
[ -e "$S" ] && rc=1
out=""
expect "the socket file is removed" 0 ""

# a FIFO pair, as a VM's port would be
mkfifo "$T/req" "$T/rep"
# shellcheck disable=SC2086
"$K" serve --fifos "$T/req,$T/rep" $ids --maps-only >"$T/fifo.log" 2>&1 &
pid=$!
i=0
until grep -q serving "$T/fifo.log" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
run env KTSNAP_SERVER="fifo:$T/req,$T/rep" "$K" request capture f -o "$T/out/f.json"
expect "capture over a FIFO pair" 0 "fetched 'f' → $T/out/f.json"
get_eq "… holds the fixture" "18446744073709551615" "$T/out/f.json" var bss_u64_max
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
out=$(cat "$T/fifo.log")
expect "the FIFO daemon stops cleanly" 0 "requests served"
finish
