#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch a Debian userland of another architecture into the kernel cache, for
# guests of that architecture and for cross builds, without installing
# anything on the machine. Prints its directory.
#
#   guest-root.sh ARCH [SUITE]        (SUITE: default this machine's release)
#
# The guests of this machine's own architecture run the host's programs (the
# host root over 9p). A guest of another architecture cannot: it gets this
# tree's /bin, /sbin, /lib and /usr instead (tests/vm/guest/init), with the
# host's other directories, so the build tree keeps its absolute paths. The
# same tree is the sysroot of the cross build (libc, libdrm and their
# headers). Packages come through the private apt configuration (apt.sh),
# resolved from an empty package status, and are unpacked with dpkg-deb -x.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 ARCH [SUITE]" >&2; exit 2; }
arch=$1
suite=${2:-$(dmx_host_codename)}

# What tests/vm/guest/guest.sh and the test scripts run, the static busybox
# of the initramfs, and what the test programs link against.
PKGS="bash dash coreutils diffutils util-linux kmod grep sed mawk findutils gzip xz-utils
procps busybox-static libc6 libdrm2 libdrm-dev libc6-dev udev python3 e2fsprogs mount"
# Bumped when PKGS or the layout changes: the cache entry is made again.
FORMAT=4

root=$DMX_CACHE/guest-root/$suite-$arch
if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$FORMAT" ]; then
	echo "$root"
	exit 0
fi

dmx_apt_init "$suite" "$arch"
dmx_apt_update

# The dependency closure from nothing installed: the private status is empty.
debs=$DMX_APT_DIR/guest-root-debs
rm -rf "$debs"
mkdir -p "$debs/partial"
echo "guest-root: fetching a $suite/$arch userland" >&2
# shellcheck disable=SC2086
dmx_apt_get -qq -y --download-only --no-install-recommends \
	-o Dir::Cache::archives="$debs" -o APT::Get::AllowUnauthenticated=false \
	install $PKGS >"$debs.log" 2>&1 || {
	cat "$debs.log" >&2
	dmx_die "cannot fetch the $suite/$arch userland"
}

tmp=$root.new
rm -rf "$tmp"
mkdir -p "$tmp"
dmx_unpack_debs "$debs" "$tmp"
rm -rf "$debs" "$debs.log"
# Mount points the guest binds over: the kernel's modules and config.
mkdir -p "$tmp/lib/modules" "$tmp/boot"
[ -x "$tmp/bin/bash" ] && [ -x "$tmp/bin/busybox" ] ||
	dmx_die "$suite/$arch userland: no bash or busybox after unpacking"
echo "$FORMAT" >"$tmp/.complete"
rm -rf "$root"
mv "$tmp" "$root"
echo "$root"
