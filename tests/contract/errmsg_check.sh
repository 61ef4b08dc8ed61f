#!/bin/sh
# errmsg_check.sh [-s SKIP_REGEX] SRCDIR HEADER...
#
# The error contract, checked on the source: a public function (declared
# KTSNAP_API in one of the given headers) that fails must record its
# detail for ktsnap_errmsg().  Flags, inside the bodies of those functions
# in SRCDIR/*.c, a bare "return -E…" and an "errno = E…": both fail
# without a text (use ktsnap_fail() / ktsnap_fail_ptr(), or pass up the
# error of a callee that recorded one).  Functions whose names match
# SKIP_REGEX (the hot accessors that never set it) are not checked.
# Exit 1 listing every offender.
set -eu
skip='^$'
if [ "${1-}" = "-s" ]; then
	skip=$2
	shift 2
fi
src=$1
shift

names=$(for h in "$@"; do
	# the identifier before "(" on every KTSNAP_API declaration (which
	# may put the name on the next line)
	awk '/KTSNAP_API/ { decl = 1; buf = "" }
	     decl { buf = buf " " $0; if ($0 ~ /\(/) { decl = 0;
		    sub(/\(.*/, "", buf); n = split(buf, w, /[ *\t]+/); print w[n] } }' "$h"
done | grep -Ev "$skip" | sort -u)

bad=$(awk -v names="$names" '
	BEGIN { n = split(names, a, /[ \n]+/); for (i = 1; i <= n; i++) pub[a[i]] = 1 }
	# goto labels sit in column 0 inside bodies
	/^[A-Za-z_][A-Za-z_0-9]*:/ { next }
	# a definition starts in column 0 with the function name before "("
	/^[A-Za-z_]/ && !/;[ \t]*$/ && !/^(static|typedef|struct [a-z_]+ \{)/ {
		fn = ""
		line = $0
		while (match(line, /[A-Za-z_][A-Za-z_0-9]*\(/)) {
			id = substr(line, RSTART, RLENGTH - 1)
			if (id in pub) { fn = id; break }
			line = substr(line, RSTART + RLENGTH)
		}
		cur = fn
		next
	}
	/^}/ { cur = ""; next }
	cur != "" && (/return[ \t]+-E[A-Z0-9]+/ || /errno[ \t]*=[ \t]*E[A-Z0-9]+/) {
		sub(/^[ \t]+/, "")
		printf "%s:%d: %s(): %s\n", FILENAME, FNR, cur, $0
	}' "$src"/*.c)

if [ -n "$bad" ]; then
	echo "public functions failing without a ktsnap_errmsg() text" >&2
	echo "(return ktsnap_fail(-E…, \"…\") or ktsnap_fail_ptr() instead):" >&2
	echo "$bad" >&2
	exit 1
fi
echo "errmsg contract: $(echo "$names" | wc -w) public functions checked"
