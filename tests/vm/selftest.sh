#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftest.sh KVER BUILDDIR [RUN-VM OPTIONS...]
#
# Self-test of the VM harness: builds the deliberately broken modules of
# tests/vm/broken/ for kernel KVER (in BUILDDIR/KVER/, never in the source
# tree) and checks that tests/vm/run-vm.sh
#   1. fails a run whose module WARNs at load, on "vm: kernel log clean";
#   2. fails a run whose module cannot be removed, on "vm: rmmod harness_stuck";
#   3. passes a clean run of the trivial TAP program selftest/tap_ok.sh;
#   4. with --slab-debug, fails a run whose module writes past a kmalloc
#      buffer, on "vm: kernel log clean" with slub_debug's redzone report.
# Prints TAP (4 subtests) and exits 0 only if all four hold. Any further
# options (for example --kvm or --workdir DIR) are passed to run-vm.sh.

set -u -o pipefail
# Before any other command (tests/vm/host-path.sh says why).
dmx_here=${BASH_SOURCE[0]%/*}
[ "$dmx_here" != "${BASH_SOURCE[0]}" ] || dmx_here=.
# shellcheck source=/dev/null
. "$dmx_here/host-path.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || exit 2
# shellcheck source-path=SCRIPTDIR source=selftest/lib.sh
. "$HERE/selftest/lib.sh"

if [ $# -lt 2 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	echo "usage: ${0##*/} KVER BUILDDIR [run-vm.sh options...]" >&2
	exit 2
fi
KVER=$1
BUILDDIR=$2
shift 2
EXTRA=("$@")

KDIR=$KVER
OUT=$BUILDDIR/$KVER
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd -P) || exit 2

RUN_VM=("$HERE/run-vm.sh" --kernel "$KVER" "${EXTRA[@]}")
PREFIX=selftest-

echo "TAP version 13"
echo "1..4"
echo "# selftest: kernel $KVER, build directory $OUT"

# 1. WARN_ON() at load
if ! ko=$(build warn_on_load harness_warn); then
	result "not ok" "selftest: build harness_warn" "$OUT/warn_on_load.build.log"
else
	run warn --module "$ko" --tap "$TAP_OK"
	if rc_is warn 1 && plan_ok warn &&
		has warn '^ok [0-9]+ vm: insmod harness_warn$' &&
		has warn '^ok [0-9]+ tap_ok.sh: ' &&
		has warn '^ok [0-9]+ vm: rmmod harness_warn$' &&
		has warn '^ok [0-9]+ vm: guest finished$' &&
		has warn '^not ok [0-9]+ vm: kernel log clean' &&
		dmesg_shown warn; then
		result ok "selftest: WARN_ON at load fails the kernel log check"
	else
		result "not ok" "selftest: WARN_ON at load fails the kernel log check" \
			"$OUT/warn.rc" "$OUT/warn.tap" "$OUT/warn.stderr"
	fi
fi

# 2. reference never dropped: rmmod must fail
if ! ko=$(build stuck_ref harness_stuck); then
	result "not ok" "selftest: build harness_stuck" "$OUT/stuck_ref.build.log"
else
	run stuck --module "$ko" --tap "$TAP_OK"
	if rc_is stuck 1 && plan_ok stuck &&
		has stuck '^ok [0-9]+ vm: insmod harness_stuck$' &&
		has stuck '^ok [0-9]+ tap_ok.sh: ' &&
		has stuck '^not ok [0-9]+ vm: rmmod harness_stuck' &&
		has stuck '^ok [0-9]+ vm: guest finished$' &&
		has stuck '^ok [0-9]+ vm: kernel log clean$'; then
		result ok "selftest: stuck module reference fails rmmod"
	else
		result "not ok" "selftest: stuck module reference fails rmmod" \
			"$OUT/stuck.rc" "$OUT/stuck.tap" "$OUT/stuck.stderr"
	fi
fi

# 3. a clean run passes
run clean --tap "$TAP_OK"
if rc_is clean 0 && plan_ok clean && lacks clean '^not ok' &&
	count_is clean '^ok [0-9]+ tap_ok.sh: ' 2 &&
	has clean '^ok [0-9]+ vm: tap_ok.sh exit status and plan$' &&
	has clean '^ok [0-9]+ vm: guest finished$' &&
	has clean '^ok [0-9]+ vm: kernel log clean$'; then
	result ok "selftest: clean run passes"
else
	result "not ok" "selftest: clean run passes" \
		"$OUT/clean.rc" "$OUT/clean.tap" "$OUT/clean.stderr"
fi

# 4. a heap overflow by a few bytes, which only slab debugging sees
if ! ko=$(build slab_overflow harness_overflow); then
	result "not ok" "selftest: build harness_overflow" "$OUT/slab_overflow.build.log"
else
	run overflow --slab-debug --module "$ko" --tap "$TAP_OK"
	if rc_is overflow 1 && plan_ok overflow &&
		has overflow '^ok [0-9]+ vm: slab debugging on ' &&
		has overflow '^ok [0-9]+ vm: insmod harness_overflow$' &&
		has overflow '^ok [0-9]+ tap_ok.sh: ' &&
		has overflow '^ok [0-9]+ vm: rmmod harness_overflow$' &&
		has overflow '^ok [0-9]+ vm: guest finished$' &&
		has overflow '^not ok [0-9]+ vm: kernel log clean' &&
		has overflow '^#   .*Right Redzone overwritten' &&
		dmesg_shown overflow; then
		result ok "selftest: kmalloc overflow fails the kernel log check with --slab-debug"
	else
		result "not ok" "selftest: kmalloc overflow fails the kernel log check with --slab-debug" \
			"$OUT/overflow.rc" "$OUT/overflow.tap" "$OUT/overflow.stderr"
	fi
fi

echo "# $((N - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
