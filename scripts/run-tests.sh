#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The test command of the README and of CI: install what is missing, build
# everything, run the whole suite (every test program in a QEMU guest of every
# kernel of scripts/kernels/kernels.conf, plus the harness self-tests,
# checkpatch, DKMS, the kselftest target, and the host tests, among them a
# scratch userspace-only build, -Dmodule=false -Dtests=false, where no
# kernel, linux-source or libdrm can be seen: tests/library/
# check-userspace-build.sh), and end with one line "N passed, N failed"
# counting the subtests of all kernels.
#
# The kernels of this machine's architecture are tested from the native build
# (build/); those of another architecture (arm64 on an x86-64 machine) from a
# cross build of the same tree (build-ARCH/, scripts/build.sh), in that
# architecture's guests. DMX_ARCHES="amd64 arm64" chooses architectures
# (default: every one of kernels.conf).
#
# Extra arguments go to every "meson test", e.g. --suite vm.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

arches=${DMX_ARCHES:-$(./scripts/list-kernels.sh --arches)}

dirs=""
for arch in $arches; do
	# A build that fails says why, and the run still ends with the summary.
	if ! dir=$(./scripts/build.sh "$arch"); then
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
