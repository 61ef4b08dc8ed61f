#!/bin/sh
# SPDX-License-Identifier: MIT
# Check that every "§n" / "§n.m" cited in the sources is a heading of
# docs/spec.md and every "Fnn" is a row of docs/features.md.  Prints each
# citation that points nowhere (file:line) and exits 1 if there is one.
#
#   sh docs/check-citations.sh [repository root]
set -eu
cd "${1:-$(dirname "$0")/..}"
dirs=
for d in src include cli tests examples bench; do
	if [ -d "$d" ]; then dirs="$dirs $d"; fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -oE '^#{2,3} [0-9]+(\.[0-9]+)?' docs/spec.md | sed -E 's/^#+ //' | sort -u >"$tmp/sections"
grep -oE '^\| F[0-9]+ ' docs/features.md | sed -E 's/^\| //; s/ $//' | sort -u >"$tmp/rows"

bad=0
# shellcheck disable=SC2086
grep -rnoE '§ ?[0-9]+(\.[0-9]+)*' $dirs | sed -E 's/§ ?//' >"$tmp/cites" || true
while IFS=: read -r f l n; do
	if ! grep -qxF "$n" "$tmp/sections"; then
		echo "$f:$l: §$n is not a section of docs/spec.md"
		bad=1
	fi
done <"$tmp/cites"

# shellcheck disable=SC2086
grep -rnoE '\bF[0-9]{2,3}\b' $dirs >"$tmp/frows" || true
while IFS=: read -r f l n; do
	if ! grep -qxF "$n" "$tmp/rows"; then
		echo "$f:$l: $n is not a row of docs/features.md"
		bad=1
	fi
done <"$tmp/frows"

echo "$(wc -l <"$tmp/cites") section and $(wc -l <"$tmp/frows") feature citations checked" >&2
exit $bad
