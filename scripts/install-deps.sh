#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install everything dmabuf-exporter needs on a fresh Debian 12 machine, from
# Debian packages only. Idempotent: when every package is already present it
# only runs dpkg-query and prints nothing.
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
linux-image-amd64
linux-headers-amd64
linux-image-6.12-amd64
linux-headers-6.12-amd64
linux-source-6.12
linux-source-6.1
dkms
gnuplot-nox
help2man
bc
bison
flex
libelf-dev
"

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done

[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Recommends would pull firmware and desktop bits into the kernel packages.
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
