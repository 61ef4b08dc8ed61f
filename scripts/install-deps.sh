#!/bin/sh
# Install the Debian packages ktsnap needs to build and test; quiet and
# idempotent: does nothing (and prints nothing) when everything is there.
set -eu

PKGS="build-essential cmake pkg-config clang clang-16 llvm bpftool libbpf-dev libelf-dev \
zlib1g-dev libzstd-dev libjson-c-dev libcmocka-dev"
# the formatter make check pins (its output differs between versions)
PKGS="$PKGS clang-format-14"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
