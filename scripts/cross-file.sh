#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Print a meson cross file for building the project for another Debian
# architecture on this machine:
#
#   cross-file.sh ARCH > FILE && meson setup --cross-file FILE BUILDDIR
#
# The compiler is Debian's cross toolchain (gcc-aarch64-linux-gnu, installed
# by scripts/install-deps.sh); the system root is that architecture's Debian
# userland in the kernel cache (scripts/kernels/guest-root.sh), the same tree
# the architecture's guests run, so the programs built here find there, at the
# same paths, the libraries they were linked against.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 ARCH" >&2; exit 2; }
arch=$1
case $arch in
arm64) triplet=aarch64-linux-gnu family=aarch64 ;;
*) echo "${0##*/}: no cross build for $arch" >&2; exit 2 ;;
esac
command -v "$triplet-gcc" >/dev/null ||
	{ echo "${0##*/}: $triplet-gcc not found (apt-get install gcc-$triplet)" >&2; exit 1; }
root=$("$here/kernels/guest-root.sh" "$arch")

cat <<EOF
# Made by scripts/cross-file.sh $arch.
[constants]
root = '$root'

[binaries]
c = ['$triplet-gcc', '--sysroot=' + root]
ar = '$triplet-ar'
strip = '$triplet-strip'
pkgconfig = 'pkg-config'

[properties]
sys_root = root
pkg_config_libdir = [root + '/usr/lib/$triplet/pkgconfig', root + '/usr/share/pkgconfig']
# The Debian architecture, for scripts/list-kernels.sh --arch.
debian_arch = '$arch'

[host_machine]
system = 'linux'
cpu_family = '$family'
cpu = '$family'
endian = 'little'
EOF
