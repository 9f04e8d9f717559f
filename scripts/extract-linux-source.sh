#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Take the few kernel files we use at build time out of Debian's
# linux-source-6.12 tarball; none of them is committed to this repository:
#
#   extract-linux-source.sh OUTDIR
#
# OUTDIR gets, side by side: kselftest_harness.h and kselftest.h (the test
# framework), checkpatch.pl with its spelling.txt and const_structs.checkpatch.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
[ -f "$tarball" ] || {
	echo "extract-linux-source: $tarball missing: run scripts/install-deps.sh" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" --wildcards \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/scripts/checkpatch.pl' \
	'*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch'
mkdir -p "$out"
for f in kselftest_harness.h kselftest.h checkpatch.pl spelling.txt \
	 const_structs.checkpatch; do
	find "$tmp" -name "$f" -type f -exec cp {} "$out/$f" \;
	[ -f "$out/$f" ] || { echo "extract-linux-source: $f not in $tarball" >&2; exit 1; }
done
chmod +x "$out/checkpatch.pl"
