#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the kernel's own dma-heap selftest
# (tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c) of one kernel, from
# that kernel's linux-source tarball, against that kernel's uAPI headers.
# None of it is committed; everything is taken out of the tarball here:
#
#   build-heap-selftest.sh KVER|TARBALL OUTPUT CC...
#
# KVER: a kernel of the kernel cache, whose series' tarball
# scripts/kernels/source.sh fetches; or a linux-source tarball's path.
set -eu

[ $# -ge 3 ] || { echo "usage: $0 KVER|TARBALL OUTPUT CC..." >&2; exit 2; }
src=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$src" ]; then
	tarball=$src
else
	tarball=$("$here/../../scripts/kernels/source.sh" "$src")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" --wildcards \
	'*/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/include/uapi/linux/dma-heap.h' \
	'*/include/uapi/linux/dma-buf.h' \
	'*/include/uapi/linux/bits.h' \
	'*/include/uapi/drm/drm.h' \
	'*/include/uapi/drm/drm_mode.h'
top=$(echo "$tmp"/*)
mkdir -p "$tmp/uapi/linux" "$tmp/uapi/drm"
cp "$top/include/uapi/linux/dma-heap.h" "$top/include/uapi/linux/dma-buf.h" \
	"$top/include/uapi/linux/bits.h" "$tmp/uapi/linux/"
cp "$top/include/uapi/drm/drm.h" "$top/include/uapi/drm/drm_mode.h" "$tmp/uapi/drm/"
# The raw uAPI headers still carry __user, which "make headers" strips.
"$@" -O2 -Wall -D__user= -I"$top/tools/testing/selftests" -I"$tmp/uapi" \
	-o "$out" "$top/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c"
