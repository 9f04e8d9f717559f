#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-symbols.sh LIB.so SYMFILE...: the shared library exports exactly the
# functions listed in the SYMFILEs (one per line), no more, no fewer. A
# symbol added without updating a list, or leaking out of hidden visibility,
# fails.
set -eu
so=$1
shift
list=$*
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only --format=posix "$so" | awk '{print $1}' | sort >"$tmp/got"
# shellcheck disable=SC2086
cat $list | grep -v '^#' | sed '/^$/d' | sort >"$tmp/want"
[ -s "$tmp/got" ] || { echo "no exported symbols in $so"; exit 1; }
if ! diff -u "$tmp/want" "$tmp/got"; then
	echo "exported symbols of $so differ from $list (- listed, + exported)"
	exit 1
fi
echo "ok: $(wc -l <"$tmp/got") symbols"
