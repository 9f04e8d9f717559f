#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The main job of the README: install what is missing, build everything, and
# in a QEMU guest of each installed kernel (or of --kernel KVER) load the
# module and run dmabuf-demo: allocate, map, write, sync, read back, verify.
#
#   demo.sh [--kernel KVER] [-- DMABUF-DEMO OPTIONS...]
set -eu
cd "$(dirname "$0")/.."

kernels=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels="$kernels $2"; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

./scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
[ -n "$kernels" ] || kernels=$(./scripts/list-kernels.sh)

build=$(pwd)/build
status=0
for kver in $kernels; do
	echo "=== dmabuf-demo in a QEMU guest running Linux $kver"
	./tests/vm/run-vm.sh --kernel "$kver" \
		--module "$build/driver/dmabuf_exporter-$kver.ko" \
		--exec -- "$build/tools/dmabuf-demo" "$@" || status=1
done
exit $status
