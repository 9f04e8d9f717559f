#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run dmabuf-bench in a QEMU guest of the newest cached kernel of one
# architecture (ARCH, default this machine's; 6.12 and newer have every
# yardstick on x86-64: /dev/dma_heap/system and /dev/udmabuf) with the module
# and vgem loaded, then write:
#   BUILD/bench/bench-KVER.json      the raw results
#   docs/benchmarks.png              the plot (gnuplot; benchmarks-ARCH.png
#                                    for another architecture)
# and print the Markdown table for docs/benchmarks.md. BUILD is build/, or
# build-ARCH/ (a cross build, scripts/cross-file.sh) for another architecture.
#
#   [ARCH=arm64] [KVER=...] [SCRATCH_DISK=SIZE] [APPEND=...] scripts/bench.sh [dmabuf-bench options]
#   e.g. --reps 9
#
# SCRATCH_DISK (default 128M; empty: none) attaches a fresh virtio-blk disk
# of that size (run-vm.sh --scratch-disk) and passes it to dmabuf-bench as
# --disk, for the O_DIRECT rows. The disk is new and sparse: its reads come
# from the host's page cache, so those rows measure the guest's I/O path
# (pinning, the copy), not a real disk.
# APPEND adds to the guest's kernel command line: APPEND=swiotlb=force
# bounces every DMA mapping, which is where the vgem-mapped sync rows show
# what a partial sync saves.
#
# The guest gets 3 GiB so that 256 MiB buffers of every provider fit, and
# udmabuf's size_limit_mb is raised to 512 there (its default, 64 MiB,
# would refuse the 256 MiB row). Under TCG (the default) every figure is an
# emulated machine's: compare columns of one run, not runs of two machines.
set -eu
cd "$(dirname "$0")/.."
host_arch=$(dpkg --print-architecture)
arch=${ARCH:-$host_arch}
if [ "$arch" = "$host_arch" ]; then
	plot=docs/benchmarks.png
	machine="$(uname -m) host"
else
	plot=docs/benchmarks-$arch.png
	machine="$arch guest (-cpu max) on an $(uname -m) host"
fi
build=$(scripts/build.sh "$arch" ${BUILD:+"$BUILD"})

kver=${KVER:-$(scripts/list-kernels.sh --arch "$arch" | tail -n 1)}
out=$build/bench
mkdir -p "$out"
json=$out/bench-$kver.json

disk=${SCRATCH_DISK-128M}
# shellcheck disable=SC2016 # expanded by the guest's shell
tests/vm/run-vm.sh --kernel "$kver" --mem 3G --timeout 1800 --modprobe vgem \
	${APPEND:+--append "$APPEND"} \
	${disk:+--scratch-disk "$disk"} \
	--module "$PWD/$build/driver/dmabuf_exporter-$kver.ko" \
	--exec -- sh -c 'p=/sys/module/udmabuf/parameters/size_limit_mb
		[ -w $p ] && echo 512 >$p
		exec "$@" ${DMX_TEST_DISK:+--disk "$DMX_TEST_DISK"}' \
	sh "$PWD/$build/tools/dmabuf-bench" --json "$@" >"$json"

python3 scripts/bench-report.py "$json" "$out/bench-$kver.dat" \
	"$machine $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), QEMU TCG guest"
# The columns with at least one figure (a provider the kernel lacks has none).
cols=$(awk -F '" ' '{ n = split($2, v, " "); for (i = 1; i <= n; i++) if (v[i] != "NaN") seen[i + 1] = 1 }
	END { for (c = 2; c <= 7; c++) if (seen[c]) { printf "%s%d", s, c; s = " " } }' "$out/bench-$kver.dat")
gnuplot -e "datafile='$out/bench-$kver.dat'; outfile='$plot'; kver='$kver'; cols='$cols'" \
	scripts/bench-plot.gp
echo "bench: $json, $plot" >&2
