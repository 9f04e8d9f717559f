#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build one kernel module for one kernel, out of a copy of its sources, the
# way meson drives it (see driver/meson.build):
#
#   build-kmod.sh KVER SRCROOT MODDIR WORKDIR OUTPUT.ko
#
# KVER     kernel release (in the kernel cache, or installed), or a kernel
#          build tree: whatever scripts/kernels/kmake.sh takes
# SRCROOT  top of the source tree (holds VERSION and uapi/)
# MODDIR   module directory relative to SRCROOT (e.g. driver)
# WORKDIR  scratch directory; recreated on every build
# OUTPUT   where the resulting .ko is copied
#
# Kbuild runs with W=1 and the build fails on any compiler warning, so both
# kernels keep building warning-free.
set -eu

[ $# -eq 5 ] || { echo "usage: $0 KVER SRCROOT MODDIR WORKDIR OUTPUT.ko" >&2; exit 2; }
kver=$1 src=$2 moddir=$3 work=$4 out=$5

kmake=$(cd "$(dirname "$0")" && pwd)/kernels/kmake.sh

# Kbuild writes objects next to the sources: build in a private copy.
rm -rf "$work"
mkdir -p "$work/$moddir"
cp -R "$src/$moddir/." "$work/$moddir/"
cp -R "$src/uapi" "$work/uapi"
cp "$src/VERSION" "$work/VERSION"

log=$work/build.log
work=$(cd "$work" && pwd)
if ! "$kmake" --tree "$work" "$kver" "$work/$moddir" W=1 modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-kmod: build failed for $kver" >&2
	exit 1
fi
if grep -q "warning:" "$log"; then
	grep -B2 -A4 "warning:" "$log" >&2
	echo "build-kmod: compiler warnings for $kver (W=1)" >&2
	exit 1
fi

set -- "$work/$moddir"/*.ko
[ $# -eq 1 ] || { echo "build-kmod: expected one .ko in $work/$moddir, got $*" >&2; exit 1; }
cp "$1" "$out"
