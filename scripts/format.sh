#!/bin/sh
# Format the C sources with the pinned clang-format (kernel style, 100
# columns: .clang-format), or with --check list the files that differ and
# exit 1.  Generated files and the BPF programs' vmlinux.h are not ours.
set -eu
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format-14}
command -v "$CF" >/dev/null 2>&1 || { echo "format: $CF not found (scripts/install-deps.sh)" >&2; exit 2; }
files=$(git ls-files '*.c' '*.h')
if [ "${1-}" = "--check" ]; then
	bad=0
	for f in $files; do
		if ! "$CF" --style=file "$f" | cmp -s - "$f"; then
			echo "not formatted: $f (run: make format)"
			bad=1
		fi
	done
	[ $bad = 0 ] && echo "format: $(echo "$files" | wc -l) files formatted"
	exit $bad
fi
# shellcheck disable=SC2086
"$CF" --style=file -i $files
