#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftest.sh KVER TREE IMAGE BUILDDIR [RUN-VM OPTIONS...]
#
# Proves that the debug kernel (scripts/debug-kernel/build.sh: release KVER,
# built tree TREE, bzImage IMAGE) and tests/vm/run-vm.sh catch the planted
# bugs of tests/vm/broken/, built against TREE in BUILDDIR (never in the
# source tree):
#   1. harness_uaf reads an object after kfree() at load: KASAN reports it,
#      and the run fails on "vm: kernel log clean" (and nothing else);
#   2. harness_leak never frees an object it allocated: the run fails on
#      "vm: kmemleak scan clean" (and nothing else), listing the object;
#   3. a run with no module of ours passes, kmemleak scan included, so the
#      two failures above come from the planted bugs;
#   4. our own driver with its unpin deleted (a mutant built from a copy of
#      driver/): user_import_test fails on the pins left behind;
#   5. our own driver writing to a buffer after freeing it: KASAN reports it
#      while heap_alloc_test runs, and the kernel log check fails.
# 4 and 5 need DK_SELFTEST_SRC (the source tree) and DK_SELFTEST_TESTS (the
# directory of the built test programs) in the environment.
# Prints TAP (5 subtests) and exits 0 only if all hold. Further options
# (--kvm, --workdir DIR...) are passed to run-vm.sh.

set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || exit 2
# shellcheck source-path=SCRIPTDIR source=../vm/selftest/lib.sh
. "$HERE/../vm/selftest/lib.sh"

if [ $# -lt 4 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	echo "usage: ${0##*/} KVER TREE IMAGE BUILDDIR [run-vm.sh options...]" >&2
	exit 2
fi
KVER=$1 TREE=$2 IMAGE=$3 OUT=$4
shift 4
EXTRA=("$@")

mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd -P) || exit 2

KDIR=$TREE
SRC_ROOT=${DK_SELFTEST_SRC:-}
RUN_VM=("$HERE/../vm/run-vm.sh" --kernel "$KVER" --kernel-image "$IMAGE" "${EXTRA[@]}")
PREFIX=dk-selftest-$KVER-

# Exactly one failure, the one named; every result counted, plan at the end.
only_failure() {	# NAME DESCRIPTION-PREFIX
	plan_ok "$1" &&
		count_is "$1" '^not ok ' 1 &&
		has "$1" "^not ok [0-9]+ $2"
}

echo "TAP version 13"
echo "1..5"
echo "# debug-kernel selftest: kernel $KVER ($IMAGE), build directory $OUT"

# 1. use after free at load: a KASAN report in the kernel log
desc="debug kernel: use after free is a KASAN report (vm: kernel log clean fails)"
if ! ko=$(build use_after_free harness_uaf); then
	result "not ok" "$desc: cannot build harness_uaf" "$OUT/use_after_free.build.log"
else
	run uaf --module "$ko" --tap "$TAP_OK"
	if rc_is uaf 1 && only_failure uaf 'vm: kernel log clean' &&
		has uaf '^ok [0-9]+ vm: insmod harness_uaf$' &&
		has uaf '^ok [0-9]+ vm: rmmod harness_uaf$' &&
		has uaf '^ok [0-9]+ vm: kmemleak scan clean$' &&
		has uaf '^#   BUG: KASAN: [a-z-]*use-after-free in harness_uaf_init'; then
		result ok "$desc"
	else
		result "not ok" "$desc" "$OUT/uaf.rc" "$OUT/uaf.tap" "$OUT/uaf.stderr"
	fi
fi

# 2. an object never freed: listed by the kmemleak scan
desc="debug kernel: leaked object is found by kmemleak (vm: kmemleak scan clean fails)"
if ! ko=$(build leak_on_load harness_leak); then
	result "not ok" "$desc: cannot build harness_leak" "$OUT/leak_on_load.build.log"
else
	run leak --module "$ko" --tap "$TAP_OK"
	if rc_is leak 1 && only_failure leak 'vm: kmemleak scan clean' &&
		has leak '^ok [0-9]+ vm: rmmod harness_leak$' &&
		has leak '^ok [0-9]+ vm: kernel log clean$' &&
		has leak '^#   unreferenced object 0x[0-9a-f]+ \(size 128\):' &&
		has leak 'harness_leak: le'; then
		result ok "$desc"
	else
		result "not ok" "$desc" "$OUT/leak.rc" "$OUT/leak.tap" "$OUT/leak.stderr"
	fi
fi

# 3. nothing planted: everything passes, the kmemleak scan included
desc="debug kernel: clean run passes, kmemleak scan included"
run clean --tap "$TAP_OK"
if rc_is clean 0 && lacks clean '^not ok' &&
	count_is clean '^ok [0-9]+ tap_ok.sh: ' 2 &&
	has clean '^ok [0-9]+ vm: kmemleak scan clean$' &&
	has clean '^ok [0-9]+ vm: kernel log clean$' &&
	plan_ok clean; then
	result ok "$desc"
else
	result "not ok" "$desc" "$OUT/clean.rc" "$OUT/clean.tap" "$OUT/clean.stderr"
fi

# 4. our driver never unpins user pages: the user-memory tests notice
desc="debug kernel: a missing unpin in our driver fails user_import_test"
if ! ko=$(mutant unpin kinds/user.c '/unpin_user_pages_dirty_lock\(up->pages/ { next } { print }'); then
	result "not ok" "$desc: cannot build the mutant" "$OUT/mutant-unpin.build.log"
else
	run unpin --module "$ko" --tap "$DK_SELFTEST_TESTS/user_import_test"
	if rc_is unpin 1 && has unpin '^not ok [0-9]+ user_import_test: ' &&
		has unpin '^ok [0-9]+ vm: insmod dmabuf_exporter$'; then
		result ok "$desc"
	else
		result "not ok" "$desc" "$OUT/unpin.rc" "$OUT/unpin.tap" "$OUT/unpin.stderr"
	fi
fi

# 5. our driver writes to a buffer's struct after freeing it: KASAN
desc="debug kernel: a use after free in our driver is a KASAN report"
if ! ko=$(mutant uaf buffer.c '{ print } /^static void dmx_release\(/ { r = 1 } r && /^\tkfree\(buf\);$/ { print "\tWRITE_ONCE(buf->size, 0);"; r = 0 }'); then
	result "not ok" "$desc: cannot build the mutant" "$OUT/mutant-uaf.build.log"
else
	run uaf-ours --module "$ko" --tap "$DK_SELFTEST_TESTS/heap_alloc_test"
	if rc_is uaf-ours 1 && has uaf-ours '^not ok [0-9]+ vm: kernel log clean' &&
		has uaf-ours '^#   BUG: KASAN: [a-z-]*use-after-free in dmx_release'; then
		result ok "$desc"
	else
		result "not ok" "$desc" "$OUT/uaf-ours.rc" "$OUT/uaf-ours.tap" "$OUT/uaf-ours.stderr"
	fi
fi

echo "# $((N - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
