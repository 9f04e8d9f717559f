#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The main job of the README: install what is missing, build what the demo
# runs (the module for each kernel of the kernel cache, and dmabuf-demo:
# never the debug kernels or the tests, which ./scripts/run-tests.sh
# builds), and in a QEMU guest of each cached kernel (or of --kernel KVER)
# load the module and run dmabuf-demo: allocate, map, write, sync, read
# back, verify.
#
#   demo.sh [--kernel KVER] [-- DMABUF-DEMO OPTIONS...]
set -eu
cd "$(dirname "$0")/.."

kernels=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels="$kernels $2"; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

./scripts/install-deps.sh
# The same build directory as ./scripts/run-tests.sh (scripts/build.sh),
# configured the same way: the tests later build the rest in it.
if [ ! -f build/build.ninja ]; then
	mkdir -p build
	meson setup build >build/setup.log 2>&1 || { cat build/setup.log >&2; exit 1; }
	rm -f build/setup.log
	./scripts/list-kernels.sh --arch "$(dpkg --print-architecture)" >build/kernels.list
fi
[ -n "$kernels" ] || kernels=$(./scripts/list-kernels.sh)
targets=tools/dmabuf-demo
for kver in $kernels; do
	targets="$targets driver/dmabuf_exporter-$kver"
done
echo "=== building dmabuf-demo and the module for:" $kernels
# shellcheck disable=SC2086 # one target per word
if ! meson compile -C build $targets >build/demo-compile.log 2>&1; then
	grep -E -B2 -A6 'error|FAILED|ERROR' build/demo-compile.log | tail -40 >&2
	echo "demo: the build failed (build/demo-compile.log)" >&2
	exit 1
fi

build=$(pwd)/build
status=0
for kver in $kernels; do
	echo "=== dmabuf-demo in a QEMU guest running Linux $kver"
	./tests/vm/run-vm.sh --kernel "$kver" \
		--module "$build/driver/dmabuf_exporter-$kver.ko" \
		--exec -- "$build/tools/dmabuf-demo" "$@" || status=1
done
exit $status
