#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Print, one per line and oldest first, the release of every kernel of
# scripts/kernels/kernels.conf for this machine's architecture (or --arch)
# that is in the kernel cache (scripts/kernels/fetch-all.sh puts them there).
#
#   list-kernels.sh [--arch ARCH]
#   list-kernels.sh --arches      every architecture kernels.conf names
here=$(cd "$(dirname "$0")" && pwd)
cache=${DMX_CACHE:-/var/cache/dmabuf-exporter}/kernels
arch=$(dpkg --print-architecture)
[ "${1:-}" != --arch ] || arch=$2

entries() { grep -v '^[[:space:]]*\(#\|$\)' "$here/kernels/kernels.conf"; }
if [ "${1:-}" = --arches ]; then
	entries | awk '{ print $1 }' | sort -u
	exit 0
fi

entries |
	while read -r a suite package; do
		[ "$a" = "$arch" ] || continue
		kver=$(cat "$cache/resolved/$suite-$a-$package" 2>/dev/null) || continue
		[ -f "$cache/$kver/.complete" ] && echo "$kver"
	done
