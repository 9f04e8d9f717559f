#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-symbols.sh LIB.so SYMFILE: the shared library exports exactly the
# functions listed in SYMFILE (one per line), no more, no fewer. A symbol
# added without updating the list, or leaking out of hidden visibility, fails.
set -eu
so=$1 list=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only --format=posix "$so" | awk '{print $1}' | sort >"$tmp/got"
grep -v '^#' "$list" | sed '/^$/d' | sort >"$tmp/want"
[ -s "$tmp/got" ] || { echo "no exported symbols in $so"; exit 1; }
if ! diff -u "$tmp/want" "$tmp/got"; then
	echo "exported symbols of $so differ from $list (- listed, + exported)"
	exit 1
fi
echo "ok: $(wc -l <"$tmp/got") symbols"
