#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A minimal build root of a Debian release with one given compiler, for
# kernels built with a compiler (and kbuild tools linked against a C library)
# this machine does not have: trixie's kernels want gcc-14 and glibc 2.38+.
# Made once with debootstrap from this machine's configured mirror, then
# reused. Prints its path. Runs as root (debootstrap, and kmake.sh's chroot).
#
#   buildroot.sh RELEASE COMPILER        e.g. buildroot.sh trixie gcc-14
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt.sh"

[ $# -eq 2 ] || { echo "usage: $0 RELEASE COMPILER" >&2; exit 2; }
release=$1 cc=$2
arch=$DMX_HOST_ARCH
root=$DMX_CACHE/buildroot/$release-$arch

# pahole (dwarves): kbuild compares its version with the kernel's own; dkms:
# packaging/dkms/test-dkms.sh builds the DKMS tree here.
pkgs="$cc,make,libc6-dev,libelf-dev,bc,dwarves,dkms"
if [ "$(cat "$root/.complete" 2>/dev/null)" = "$pkgs" ]; then
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null ||
	dmx_die "debootstrap not found (scripts/install-deps.sh installs it)"
[ "$(id -u)" -eq 0 ] || dmx_die "making a build root needs root"

main=$(dmx_archive_source "")
[ -n "$main" ] || dmx_die "no Debian archive among this machine's apt sources"
uri=$(printf '%s\n' "$main" | cut -f 1)
keyring=$(printf '%s\n' "$main" | cut -f 3)
set --
[ "$keyring" = - ] || set -- --keyring="$keyring"

echo "buildroot: debootstrap $release ($cc) into $root" >&2
rm -rf "$root"
mkdir -p "$root"
log=$DMX_CACHE/buildroot/$release-$arch.log
if ! debootstrap --variant=minbase --arch="$arch" "$@" \
	--include="$pkgs" \
	"$release" "$root" "$uri" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	dmx_die "debootstrap of $release failed (log: $log)"
fi
echo "$pkgs" >"$root/.complete"
echo "$root"
