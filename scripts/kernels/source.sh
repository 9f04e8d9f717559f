#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The linux-source tarball of a cached kernel's series, from the kernel's own
# suite (linux-source-7.3 for 7.3.4+deb13-amd64), fetched into the cache
# once; prints its path. Its selftests are built for that kernel's guests.
#
#   source.sh KVER
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt.sh"

[ $# -eq 1 ] || { echo "usage: $0 KVER" >&2; exit 2; }
kver=$1
entry=$DMX_CACHE/kernels/$kver
[ -f "$entry/.complete" ] || dmx_die "$kver is not in the kernel cache (scripts/kernels/fetch-all.sh)"
. "$entry/kernel.env"
series=$(printf '%s\n' "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
pkg=linux-source-$series
tarball=$DMX_CACHE/source/$pkg.tar.xz
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi

# Source packages are architecture-independent: fetch through this
# machine's architecture whatever the kernel's.
dmx_apt_init "$DMX_KSUITE" "$DMX_HOST_ARCH"
dmx_apt_update
dl=$DMX_APT_DIR/debs/$pkg
rm -rf "$dl"
mkdir -p "$dl" "$DMX_CACHE/source"
(cd "$dl" && dmx_apt_get -qq download "$pkg") ||
	dmx_die "$pkg is not in $DMX_KSUITE on this machine's mirror"
dpkg-deb --fsys-tarfile "$dl"/*.deb |
	tar -xO "./usr/src/$pkg.tar.xz" >"$tarball.new" ||
	dmx_die "no usr/src/$pkg.tar.xz in $pkg"
mv "$tarball.new" "$tarball"
rm -rf "$dl"
echo "$tarball"
