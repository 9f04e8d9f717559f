#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The test command of the README and of CI: install what is missing, build
# everything, run the whole suite (every test program in a QEMU guest of every
# kernel of scripts/kernels/kernels.conf, plus the harness self-tests,
# checkpatch, DKMS and the kselftest target), and end with one line
# "N passed, N failed" counting the subtests of all kernels.
#
# The kernels of this machine's architecture are tested from the native build
# (build/); those of another architecture (arm64 on an x86-64 machine) from a
# cross build of the same tree (build-ARCH/, scripts/cross-file.sh), in that
# architecture's guests. DMX_ARCHES="amd64 arm64" chooses architectures
# (default: every one of kernels.conf).
#
# Extra arguments go to every "meson test", e.g. --suite vm.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

host_arch=$(dpkg --print-architecture)
arches=${DMX_ARCHES:-$(grep -v '^[[:space:]]*\(#\|$\)' scripts/kernels/kernels.conf |
	awk '{ print $1 }' | sort -u)}

# Configure (once, and again when the kernel cache changed) and build one
# architecture's tree; print its build directory.
build() {	# ARCH
	arch=$1 dir=build
	[ "$arch" = "$host_arch" ] || dir=build-$arch
	mkdir -p "$dir"
	if [ "$arch" != "$host_arch" ]; then
		./scripts/cross-file.sh "$arch" >"$dir/cross.ini.new"
		cmp -s "$dir/cross.ini.new" "$dir/cross.ini" 2>/dev/null ||
			mv "$dir/cross.ini.new" "$dir/cross.ini"
		rm -f "$dir/cross.ini.new"
		set -- --cross-file "$dir/cross.ini"
	else
		set --
	fi
	kernels=$(./scripts/list-kernels.sh --arch "$arch")
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$@" "$dir" >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; return 1; }
		echo "$kernels" >"$dir/kernels.list"
	fi
	# A kernel that arrived in the cache since the build was configured (a
	# Debian update behind a metapackage) needs its own targets.
	if [ "$kernels" != "$(cat "$dir/kernels.list" 2>/dev/null)" ]; then
		meson setup --reconfigure "$dir" >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; return 1; }
		echo "$kernels" >"$dir/kernels.list"
	fi
	rm -f "$dir/setup.log"
	# A build that fails says why, and the run still ends with the summary.
	if ! meson compile -C "$dir" >"$dir/compile.log" 2>&1; then
		grep -E -B2 -A6 'error|FAILED' "$dir/compile.log" | tail -40 >&2
		echo "run-tests: the $arch build failed ($dir/compile.log)" >&2
		return 1
	fi
	echo "$dir"
}

dirs=""
for arch in $arches; do
	if ! dir=$(build "$arch"); then
		echo "0 passed, 1 failed"
		exit 1
	fi
	dirs="$dirs $dir"
done

status=0
logs=""
for dir in $dirs; do
	meson test -C "$dir" --print-errorlogs "$@" || status=$?
	logs="$logs $dir/meson-logs/testlog.json"
done
# shellcheck disable=SC2086 # one word per log
python3 scripts/test-summary.py $logs || status=1
exit $status
