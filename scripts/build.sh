#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Configure (once, and again when the kernel cache changed) and build the
# tree for one architecture's kernels; print its build directory:
#
#   build.sh [ARCH [BUILDDIR]]
#
# ARCH defaults to this machine's, built in build/; another architecture
# (arm64 on an x86-64 machine) is a cross build (scripts/cross-file.sh) in
# build-ARCH/. On failure the errors go to stderr and the status is 1.
set -eu
cd "$(dirname "$0")/.."

host_arch=$(dpkg --print-architecture)
arch=${1:-$host_arch}
if [ "$arch" = "$host_arch" ]; then
	dir=${2:-build}
	mkdir -p "$dir"
	set --
else
	dir=${2:-build-$arch}
	mkdir -p "$dir"
	./scripts/cross-file.sh "$arch" >"$dir/cross.ini.new"
	cmp -s "$dir/cross.ini.new" "$dir/cross.ini" 2>/dev/null ||
		mv "$dir/cross.ini.new" "$dir/cross.ini"
	rm -f "$dir/cross.ini.new"
	set -- --cross-file "$dir/cross.ini"
fi

kernels=$(./scripts/list-kernels.sh --arch "$arch")
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$@" "$dir" >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; exit 1; }
	echo "$kernels" >"$dir/kernels.list"
fi
# A kernel that arrived in the cache since the build was configured (a
# Debian update behind a metapackage) needs its own targets.
if [ "$kernels" != "$(cat "$dir/kernels.list" 2>/dev/null)" ]; then
	meson setup --reconfigure "$dir" >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; exit 1; }
	echo "$kernels" >"$dir/kernels.list"
fi
rm -f "$dir/setup.log"
if ! meson compile -C "$dir" >"$dir/compile.log" 2>&1; then
	grep -E -B2 -A6 'error|FAILED' "$dir/compile.log" | tail -40 >&2
	echo "build: the $arch build failed ($dir/compile.log)" >&2
	exit 1
fi
echo "$dir"
