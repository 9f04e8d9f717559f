#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a command as if a cached kernel's headers were installed: in a private
# mount namespace, /usr/src and /lib/modules show that kernel's headers at
# the paths Debian's packages use (/usr/src/linux-headers-KVER,
# /lib/modules/KVER/build), so tools that expect installed headers (dkms)
# work unchanged, and nothing is installed on the machine. A kernel that
# needs its build root runs the command chrooted there, with each --bind
# directory visible at the same path.
#
#   with-headers.sh [--bind DIR]... KVER COMMAND [ARGUMENTS...]
set -eu

DMX_CACHE=${DMX_CACHE:-/var/cache/dmabuf-exporter}
binds=""
while [ "${1:-}" = --bind ]; do
	binds="$binds $2"
	shift 2
done
[ $# -ge 2 ] || { echo "usage: $0 [--bind DIR]... KVER COMMAND [ARGUMENTS...]" >&2; exit 2; }
kver=$1
shift
entry=$DMX_CACHE/kernels/$kver
[ -f "$entry/.complete" ] || { echo "with-headers: $kver is not in the kernel cache" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "with-headers: needs root (mount namespace)" >&2; exit 1; }
DMX_KBUILDROOT=""
. "$entry/kernel.env"

# shellcheck disable=SC2016
exec unshare -m --propagation private sh -c '
	entry=$1 kver=$2 root=$3 binds=$4
	shift 4
	set -e
	if [ -n "$root" ]; then
		for d in $binds; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		# /proc: objtool reads it.
		mount -t proc proc "$root/proc"
		# Parallel builds may get here together: any of them may link.
		mkdir -p "$root/lib/modules/$kver"
		ln -s "/usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build" 2>/dev/null ||
			[ -L "$root/lib/modules/$kver/build" ]
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ "$@"
	fi
	# The headers trees by symbolic link, so their relative links to
	# ../../lib/linux-kbuild-* resolve inside the cache.
	mount -t tmpfs -o mode=755 tmpfs /usr/src
	for d in "$entry"/root/usr/src/*; do
		ln -s "$d" "/usr/src/${d##*/}"
	done
	# A machine without any kernel modules (a container) has no mount
	# point: an empty /lib/modules is what any kernel package would make.
	[ -d /lib/modules ] || mkdir /lib/modules
	mount -t tmpfs -o mode=755 tmpfs /lib/modules
	mkdir -p "/lib/modules/$kver"
	ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
	exec "$@"' sh "$entry" "$kver" "$DMX_KBUILDROOT" "$binds" "$@"
