#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run kbuild for an external module directory against one kernel:
#
#   kmake.sh [--tree DIR] KERNEL MODDIR [MAKE ARGUMENTS...]   (e.g. modules W=1)
#
# KERNEL is a kernel release in the kernel cache (fetch.sh), an installed
# kernel's release (/lib/modules/KERNEL/build), or a kernel build tree.
# MODDIR is an absolute path. A cached kernel built with a compiler this
# machine lacks is built in its build root (buildroot.sh, entered through
# with-headers.sh): the tree holding MODDIR (--tree, default MODDIR itself:
# what its Kbuild reads must be in it) is bound at the same path inside.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
DMX_CACHE=${DMX_CACHE:-/var/cache/dmabuf-exporter}

tree=""
if [ "${1:-}" = --tree ]; then
	tree=$2
	shift 2
fi
[ $# -ge 2 ] || { echo "usage: $0 [--tree DIR] KERNEL MODDIR [MAKE ARGUMENTS...]" >&2; exit 2; }
kernel=$1 moddir=$2
shift 2
tree=${tree:-$moddir}
case $tree in /*) ;; *) echo "kmake: $tree: not an absolute path" >&2; exit 2 ;; esac
case $moddir in "$tree" | "$tree"/*) ;; *) echo "kmake: $moddir is not under $tree" >&2; exit 2 ;; esac

entry=$DMX_CACHE/kernels/$kernel
if [ -d "$kernel" ]; then
	exec make -C "$kernel" M="$moddir" "$@"
elif [ -f "$entry/.complete" ]; then
	. "$entry/kernel.env"
	if [ -n "$DMX_KBUILDROOT" ]; then
		exec "$here/with-headers.sh" --bind "$tree" "$kernel" \
			make -C "/usr/src/linux-headers-$kernel" M="$moddir" "$@"
	fi
	# Debian's headers Makefile is one line including the common tree's
	# Makefile by its absolute path: name that file, relocated into the cache.
	kdir=$entry/root/usr/src/linux-headers-$kernel
	common=$(sed -n 's/^include //p' "$kdir/Makefile")
	if [ -n "${DMX_KCROSS:-}" ]; then
		# Another architecture: the cross compiler of the same version,
		# and what Debian's .kernelvariables read to choose it.
		case $DMX_KARCH in arm64) karch=arm64 ;; *) karch=$DMX_KARCH ;; esac
		set -- ARCH="$karch" CROSS_COMPILE="$DMX_KCROSS-" \
			DEB_HOST_ARCH="$DMX_KARCH" DEB_HOST_GNU_TYPE="$DMX_KCROSS" \
			DEB_BUILD_ARCH="$(dpkg --print-architecture)" "$@"
	fi
	exec make -C "$kdir" -f "$entry/root$common" M="$moddir" "$@"
elif [ -d "/lib/modules/$kernel/build" ]; then
	exec make -C "/lib/modules/$kernel/build" M="$moddir" "$@"
fi
echo "kmake: no kernel $kernel (fetch it with $here/fetch.sh, or install its headers)" >&2
exit 1
