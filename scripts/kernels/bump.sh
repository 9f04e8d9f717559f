#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Move the pin of the newest kernel in kernels.conf to the newest kernel of
# its suite that has headers and a linux-source package, and fetch it:
#
#   bump.sh [--arch ARCH]
#
# Rewrites the pinned line (a versioned linux-image package of a -backports
# suite) in place; prints the old and the new kernel. Run the test suite
# afterwards, and commit kernels.conf with what the new kernel needed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt.sh"

arch=$DMX_HOST_ARCH
if [ "${1:-}" = --arch ]; then
	arch=$2
	shift 2
fi
conf=$here/kernels.conf
line=$(grep -E "^$arch [a-z]+-backports linux-image-[0-9]" "$conf" | tail -n 1)
[ -n "$line" ] || dmx_die "no pinned $arch kernel of a -backports suite in $conf"
suite=$(echo "$line" | cut -d' ' -f2)
old=$(echo "$line" | cut -d' ' -f3)
# The flavour is what follows the version (amd64, rt-amd64, cloud-amd64).
oldver=${old#linux-image-}
flavour=${oldver#*-}

dmx_apt_init "$suite" "$arch"
DMX_APT_REFRESH=1 dmx_apt_update
# Newest first: every image of the flavour the suite has.
new=""
for pkg in $(dmx_apt_cache pkgnames linux-image- | grep -E "^linux-image-[0-9][^-]*-$flavour\$" | sort -rV); do
	kver=${pkg#linux-image-}
	series=$(echo "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	if dmx_apt_cache show "linux-headers-$kver" >/dev/null 2>&1 &&
		dmx_apt_cache show "linux-source-$series" >/dev/null 2>&1; then
		new=$pkg
		break
	fi
done
[ -n "$new" ] || dmx_die "no $flavour kernel with headers and linux-source in $suite"
if [ "$new" = "$old" ]; then
	echo "bump: $old is still the newest in $suite"
	exit 0
fi
"$here/fetch.sh" --arch "$arch" "$suite" "$new" >/dev/null
sed -i "s|^$arch $suite $old\$|$arch $suite $new|" "$conf"
echo "bump: $old -> $new"
