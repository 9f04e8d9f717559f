#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch every kernel of kernels.conf for one architecture (default: this
# machine's) into the kernel cache; print their releases, oldest first.
#
#   fetch-all.sh [--arch ARCH]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
arch=$(dpkg --print-architecture)
if [ "${1:-}" = --arch ]; then
	arch=$2
	shift 2
fi
[ $# -eq 0 ] || { echo "usage: $0 [--arch ARCH]" >&2; exit 2; }

grep -v '^[[:space:]]*\(#\|$\)' "$here/kernels.conf" |
	while read -r a suite package; do
		[ "$a" = "$arch" ] || continue
		"$here/fetch.sh" --arch "$a" "$suite" "$package" </dev/null
	done
