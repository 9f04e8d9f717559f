#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The test command of the README and of CI: install what is missing, build
# everything, run the whole suite (every test program in a QEMU guest of every
# installed kernel, plus the harness self-test and checkpatch), and end with
# one line "N passed, N failed" counting the subtests of all kernels.
#
# Extra arguments go to "meson test", e.g. --suite vm or a test name.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
	./scripts/list-kernels.sh >build/kernels.list
fi
# A kernel that arrived in the cache since the build was configured (a
# Debian update behind a metapackage) needs its own targets.
if [ "$(./scripts/list-kernels.sh)" != "$(cat build/kernels.list 2>/dev/null)" ]; then
	meson setup --reconfigure build >/dev/null
	./scripts/list-kernels.sh >build/kernels.list
fi
# A build that fails says why, and still ends with the summary line.
if ! meson compile -C build >build/compile.log 2>&1; then
	grep -E -B2 -A6 'error|FAILED' build/compile.log | tail -40
	echo "run-tests: the build failed (build/compile.log)"
	echo "0 passed, 1 failed"
	exit 1
fi

status=0
meson test -C build --print-errorlogs "$@" || status=$?
python3 scripts/test-summary.py build/meson-logs/testlog.json || status=1
exit $status
