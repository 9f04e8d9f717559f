#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A trivial, valid TAP 13 program with two passing subtests, for the harness's
# own tests (tests/vm/selftest.sh).

echo "TAP version 13"
echo "1..2"
echo "# tap_ok: running in $(uname -r)"
if [ -r /proc/version ]; then
	echo "ok 1 tap_ok.proc_readable"
else
	echo "not ok 1 tap_ok.proc_readable"
fi
if [ -w /tmp ]; then
	echo "ok 2 tap_ok.tmp_writable"
else
	echo "not ok 2 tap_ok.tmp_writable"
fi
echo "# PASSED: 2 / 2 tests passed."
