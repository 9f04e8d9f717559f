#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run dmabuf-bench in a QEMU guest of the newest installed kernel (6.12 has
# every yardstick: /dev/dma_heap/system and /dev/udmabuf) with the module
# and vgem loaded, then write:
#   build/bench/bench-KVER.json      the raw results
#   docs/benchmarks.png              the plot (gnuplot)
# and print the Markdown table for docs/benchmarks.md.
#
#   scripts/bench.sh [dmabuf-bench options]     e.g. --reps 9
#
# The guest gets 3 GiB so that 256 MiB buffers of every provider fit, and
# udmabuf's size_limit_mb is raised to 512 there (its default, 64 MiB,
# would refuse the 256 MiB row). Under TCG (the default) every figure is an
# emulated machine's: compare columns of one run, not runs of two machines.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" >/dev/null

kver=${KVER:-$(scripts/list-kernels.sh | tail -n 1)}
out=$build/bench
mkdir -p "$out"
json=$out/bench-$kver.json

tests/vm/run-vm.sh --kernel "$kver" --mem 3G --timeout 1800 --modprobe vgem \
	--module "$PWD/$build/driver/dmabuf_exporter-$kver.ko" \
	--exec -- sh -c 'p=/sys/module/udmabuf/parameters/size_limit_mb
		[ -w $p ] && echo 512 >$p
		exec "$@"' sh "$PWD/$build/tools/dmabuf-bench" --json "$@" >"$json"

python3 scripts/bench-report.py "$json" "$out/bench-$kver.dat" \
	"$(uname -m) host $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), QEMU TCG guest"
gnuplot -e "datafile='$out/bench-$kver.dat'; outfile='docs/benchmarks.png'; kver='$kver'" \
	scripts/bench-plot.gp
echo "bench: $json, docs/benchmarks.png" >&2
