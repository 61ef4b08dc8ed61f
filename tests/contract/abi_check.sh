#!/bin/sh
# abi_check.sh LIBKTSNAP_SO LIBKTSNAP_A MAP
#
# The exported ABI is exactly the list in the version script (the kernel's
# check_abi idea).  Three sets of ktsnap_* names:
#   api: what the code marks KTSNAP_API (default-visibility globals
#        defined in the objects of the static library);
#   map: what the version script lists;
#   dyn: what the shared library exports.
# api must equal map (else: say which names to add to / remove from the
# map), and dyn must equal map (else the version script was not applied).
set -eu
so=$1
ar=$2
map=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

readelf -Ws --wide "$ar" |
	awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" && $8 ~ /^ktsnap_/ { print $8 }' |
	sort -u >"$tmp/api"
sed -e 's:/\*.*\*/::' "$map" |
	awk '{ gsub(/[ \t]/, "") } /^ktsnap_[A-Za-z0-9_]*;$/ { sub(/;$/, ""); print }' |
	sort >"$tmp/map.all"
sort -u "$tmp/map.all" >"$tmp/map"
nm -D --defined-only "$so" |
	awk '$3 ~ /^ktsnap_/ { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/dyn"

fail=0
dups=$(uniq -d "$tmp/map.all")
if [ -n "$dups" ]; then
	echo "$map lists these names more than once (keep one):"
	echo "$dups" | sed 's/^/	/'
	fail=1
fi
add=$(comm -23 "$tmp/api" "$tmp/map")
if [ -n "$add" ]; then
	echo "exported (KTSNAP_API) but missing from $map; add to its global: list:"
	echo "$add" | sed 's/^/		/; s/$/;/'
	fail=1
fi
del=$(comm -13 "$tmp/api" "$tmp/map")
if [ -n "$del" ]; then
	echo "listed in $map but no such KTSNAP_API symbol in the library; remove:"
	echo "$del" | sed 's/^/		/; s/$/;/'
	fail=1
fi
if [ "$fail" = 0 ] && ! cmp -s "$tmp/map" "$tmp/dyn"; then
	echo "$so does not export what $map lists (was it linked with the version script?):"
	diff "$tmp/map" "$tmp/dyn" | sed 's/^/	/'
	fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "abi: $(wc -l <"$tmp/map") exported names, as listed in $map"
