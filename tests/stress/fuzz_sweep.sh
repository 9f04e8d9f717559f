#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fuzz_sweep.sh FUZZER ITERS SEED...
#
# Runs the ioctl fuzzer (tests/stress/ioctl_fuzz_test) once per seed with
# DMX_FUZZ_ITERS=ITERS, inside a guest with the module loaded, and prints
# one line per seed and a summary. Before each seed it writes the seed to
# the kernel log (/dev/kmsg), so that a kernel report in the log names the
# seed that caused it. Exits 1 if any seed failed. For sweeps by hand:
#
#   tests/vm/run-vm.sh --kernel KVER --slab-debug --module build/driver/dmabuf_exporter-KVER.ko \
#       --modprobe vgem --timeout 1800 \
#       --exec -- tests/stress/fuzz_sweep.sh build/tests/stress/ioctl_fuzz_test 500 $(seq 1 300)

set -u

if [ $# -lt 3 ]; then
	echo "usage: ${0##*/} FUZZER ITERS SEED..." >&2
	exit 2
fi
FUZZER=$1
ITERS=$2
shift 2

OUT=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-sweep.XXXXXX") || exit 2
seeds=0 failed=0 iters=0 ok_calls=0 fds=0 lists=0
t0=$SECONDS
for seed in "$@"; do
	seeds=$((seeds + 1))
	echo "fuzz_sweep: seed $seed" >/dev/kmsg 2>/dev/null
	DMX_FUZZ_SEED=$seed DMX_FUZZ_ITERS=$ITERS DMX_FUZZ_SECONDS=240 \
		"$FUZZER" -f fuzz >"$OUT/$seed.out" 2>&1
	rc=$?
	line=$(grep -m1 '^# fuzz: ' "$OUT/$seed.out")
	# "# fuzz: N iterations, N succeeded, N returned fds closed, N failures (seed S)"
	read -r n s f _ <<<"$(sed -E 's/^# fuzz: ([0-9]+) iterations, ([0-9]+) succeeded, ([0-9]+) returned.*/\1 \2 \3/' <<<"$line")"
	iters=$((iters + ${n:-0}))
	ok_calls=$((ok_calls + ${s:-0}))
	fds=$((fds + ${f:-0}))
	# "# fuzz list shapes: N lists, calls/successes: ..."
	l=$(sed -n -E 's/^# fuzz list shapes: ([0-9]+) lists.*/\1/p' "$OUT/$seed.out" | head -n 1)
	lists=$((lists + ${l:-0}))
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		echo "FAIL seed $seed (exit status $rc): ${line:-no summary}"
		grep -E '^# (seed [0-9]+ iteration|fuzzer crashed)|FAIL|^# .*Expected' "$OUT/$seed.out" | head -n 20
	else
		echo "ok seed $seed: ${line#\# fuzz: }"
	fi
done
echo "fuzz_sweep: $seeds seeds, $iters iterations ($ITERS per seed; $lists UDMABUF_CREATE_LIST shapes), $ok_calls calls succeeded, $fds fds closed, $failed seeds failed, $((SECONDS - t0)) s"
rm -rf "$OUT"
[ "$failed" -eq 0 ]
