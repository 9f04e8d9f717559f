#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install everything dmabuf-exporter needs on a fresh Debian 12 machine, from
# Debian packages only, then fetch the kernels it tests on into the kernel
# cache (scripts/kernels/fetch-all.sh). No kernel image is installed: the
# machine's boot loader and default kernel are left as they are. Idempotent:
# when every package is present and every kernel cached it prints nothing.
set -eu

PKGS="
build-essential
perl
python3
gcc
make
meson
ninja-build
pkg-config
libdrm-dev
busybox-static
udev
cpio
xz-utils
kmod
qemu-system-x86
debootstrap
linux-source-6.12
linux-source-6.1
dkms
gnuplot-nox
help2man
valgrind
bc
bison
flex
libelf-dev
dwarves
gcc-aarch64-linux-gnu
qemu-system-arm
"

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
	echo "install-deps: done"
fi

# The kernels of scripts/kernels/kernels.conf, every architecture, unpacked
# into /var/cache/dmabuf-exporter (about 1 GB per architecture, and a trixie
# build root of 0.6 GB for the newest kernel's compiler). Another
# architecture's guests run its Debian userland (0.25 GB), which is also the
# cross build's system root; gcc-aarch64-linux-gnu and qemu-system-arm above
# are the only arm64 things installed on the machine.
kernels=$(dirname "$0")/kernels
host_arch=$(dpkg --print-architecture)
for arch in $("$(dirname "$0")/list-kernels.sh" --arches); do
	$SUDO "$kernels/fetch-all.sh" --arch "$arch" >/dev/null
	[ "$arch" = "$host_arch" ] || $SUDO "$kernels/guest-root.sh" "$arch" >/dev/null
done
