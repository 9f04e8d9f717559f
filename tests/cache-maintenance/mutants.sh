#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mutants.sh KVER SRCROOT TEST BUILDDIR [RUN-VM OPTIONS...]
#
# The cache-maintenance proof (TEST, cache_maintenance_test) fails on copies
# of our driver that skip the maintenance, built from SRCROOT for kernel KVER
# in BUILDDIR:
#   1. system-uncached never cleans and invalidates its zeroed pages;
#   2. contig never syncs for the CPU or back for the device;
#   3. begin_cpu_access never syncs importers' mappings for the CPU.
# Each mutant must fail its own subtest and pass the others. Prints TAP.

set -u -o pipefail
# Before any other command (tests/vm/host-path.sh says why).
dmx_here=${BASH_SOURCE[0]%/*}
[ "$dmx_here" != "${BASH_SOURCE[0]}" ] || dmx_here=.
# shellcheck source=/dev/null
. "$dmx_here/../vm/host-path.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || exit 2
# shellcheck source-path=SCRIPTDIR source=../vm/selftest/lib.sh
. "$HERE/../vm/selftest/lib.sh"

if [ $# -lt 4 ]; then
	echo "usage: ${0##*/} KVER SRCROOT TEST BUILDDIR [run-vm.sh options...]" >&2
	exit 2
fi
KVER=$1 SRC_ROOT=$2 TEST=$3 OUT=$4
shift 4
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd -P) || exit 2
KDIR=$KVER
RUN_VM=("$HERE/../vm/run-vm.sh" --kernel "$KVER" --modprobe vgem "$@")
PREFIX=cache-mutant-

T=cache_maintenance_test
SUBTESTS=(uncached_pages_are_cleaned_then_invalidated_at_allocation
	contig_is_cleaned_at_allocation_and_synced_around_cpu_access
	importer_mapping_is_synced_at_map_and_around_cpu_access)

# NAME FILE AWK-PROGRAM INDEX: the mutant fails subtest INDEX only.
check() {
	local name=$1 file=$2 prog=$3 want=$4 desc ko i
	desc="a driver whose $name skips its cache maintenance fails ${SUBTESTS[want]}"
	if ! ko=$(mutant "$name" "$file" "$prog"); then
		result "not ok" "$desc: cannot build the mutant" "$OUT/mutant-$name.build.log"
		return
	fi
	run "$name" --module "$ko" --tap "$TEST"
	for i in "${!SUBTESTS[@]}"; do
		if [ "$i" = "$want" ]; then
			has "$name" "^not ok [0-9]+ $T: cache\\.${SUBTESTS[i]}\$" || break
		else
			has "$name" "^ok [0-9]+ $T: cache\\.${SUBTESTS[i]}\$" || break
		fi
	done
	if [ -z "$WHY" ] && rc_is "$name" 1; then
		result ok "$desc"
	else
		result "not ok" "$desc" "$OUT/$name.rc" "$OUT/$name.tap"
	fi
}

echo "TAP version 13"
echo "1..3"
echo "# cache-maintenance mutants: kernel $KVER, build directory $OUT"

check uncached kinds/system.c \
	'/^\tif \(dev_is_dma_coherent\(dmx_dma_dev\) \|\|$/ { print "\tif (1 ||"; next } { print }' 0
# Each call is two lines: the call and its continuation.
check contig kinds/contig.c \
	'skip { skip = 0; next } /^\tdma_sync_single_for_(cpu|device)\(/ { skip = 1; next } { print }' 1
check begin-cpu buffer.c \
	'/^\t\t\tdma_sync_sgtable_for_cpu\(a->dev, &a->sgt, a->dir\);$/ { print "\t\t\t{ }"; next } { print }' 2

echo "# $((N - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
