#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch one Debian kernel (image, modules, headers, kbuild) of any suite and
# architecture into the kernel cache, without installing anything on the
# machine: packages come through a private apt configuration (apt.sh) and are
# unpacked with dpkg-deb -x. Prints the kernel release.
#
#   fetch.sh [--arch ARCH] SUITE PACKAGE
#
# PACKAGE is a kernel image package (linux-image-7.3.4+deb13-amd64) or a
# metapackage that depends on one (linux-image-amd64). The cache entry is
# $DMX_CACHE/kernels/KVER/ (default /var/cache/dmabuf-exporter):
#   root/          the unpacked packages (boot/, lib/modules/KVER/, usr/src/)
#   vmlinuz        the image QEMU boots; config: the kernel's .config
#   kernel.env     what scripts/kernels/kmake.sh and tests/vm/run-vm.sh read
# A kernel built with a compiler this machine lacks (trixie's gcc 14) gets a
# build root of its own release (buildroot.sh), which kmake.sh chroots into.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt.sh"

arch=$DMX_HOST_ARCH
if [ "${1:-}" = --arch ]; then
	arch=$2
	shift 2
fi
[ $# -eq 2 ] || { echo "usage: $0 [--arch ARCH] SUITE PACKAGE" >&2; exit 2; }
suite=$1 package=$2

dmx_apt_init "$suite" "$arch"
dmx_apt_update

# A kernel with a build root needs its headers and kbuild there, at the paths
# their Makefiles name: hard links to the cache entry's (made again if the
# build root was made again).
link_into_buildroot() {
	br=$1 from=$2/root
	[ -n "$br" ] || return 0
	[ -f "$br/usr/src/linux-headers-$kver/Makefile" ] && return 0
	cp -al "$from/usr/src/." "$br/usr/src/" &&
		mkdir -p "$br/usr/lib" &&
		cp -al "$from"/usr/lib/linux-kbuild-* "$br/usr/lib/"
}

# A cached kernel, as it is: its build root made again if it went, its
# release recorded and printed.
cached() {	# ENTRY
	DMX_KBUILDROOT=""
	. "$1/kernel.env"
	if [ -n "$DMX_KBUILDROOT" ]; then
		"$here/buildroot.sh" "${suite%-backports}" "$DMX_KCC" >/dev/null
		link_into_buildroot "$DMX_KBUILDROOT" "$1"
	fi
	echo "$kver" >"$resolved"
	echo "$kver"
	exit 0
}

# Resolved since the package lists were last refreshed (dmx_apt_update, at
# most hourly), and cached: the lists would resolve it to the same kernel,
# so the apt-cache queries below (most of the time of a run where nothing
# is to do) are skipped.
mkdir -p "$DMX_CACHE/kernels/resolved"
resolved=$DMX_CACHE/kernels/resolved/$suite-$arch-$package
if [ -f "$resolved" ] && [ "$resolved" -nt "$DMX_APT_DIR/updated" ]; then
	kver=$(cat "$resolved")
	[ ! -f "$DMX_CACHE/kernels/$kver/.complete" ] || cached "$DMX_CACHE/kernels/$kver"
fi

# Names of the packages a kernel is made of; metapackages and tools excluded.
kernel_pkg_re='^linux-(image|binary|modules|base|headers|kbuild)-[0-9]'

# The dependencies of $1 whose names match $2, first alternatives only.
first_dep() {
	dmx_apt_cache depends --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$1" 2>/dev/null |
		awk -v re="$2" '
			$1 ~ /^\|?Depends:$/ && !inalt && $2 ~ re { print $2 }
			/^ / { inalt = ($1 ~ /^\|/) }'
}

have_pkg() {
	dmx_apt_cache show "$1" >/dev/null 2>&1
}

have_pkg "$package" || dmx_die "$package is not in $suite/$arch on this machine's mirror (it may have left it; a pinned kernel is bumped with scripts/kernels/bump.sh)"

# Follow metapackages (linux-image-amd64, linux-image-6.12-amd64) down to
# the image package, the one that depends on no other image.
image=$package
hops=0
while next=$(first_dep "$image" '^linux-image-[0-9]' | head -n 1) && [ -n "$next" ]; do
	image=$next
	hops=$((hops + 1))
	[ $hops -lt 4 ] || dmx_die "$package: metapackage chain too long"
done
kver=${image#linux-image-}
kver=${kver%-unsigned}
version=$(dmx_apt_cache show "$image" | sed -n 's/^Version: //p' | head -n 1)

entry=$DMX_CACHE/kernels/$kver

[ ! -f "$entry/.complete" ] || cached "$entry"

# Every package the kernel is made of: the image's and the headers'
# dependency closure, restricted to this kernel's own packages.
pkgs="" todo="$image linux-headers-$kver"
# shellcheck disable=SC2086
while set -- $todo && [ $# -gt 0 ]; do
	p=$1
	shift
	todo="$*"
	case " $pkgs " in *" $p "*) continue ;; esac
	have_pkg "$p" || dmx_die "$p (part of $kver) is not in $suite/$arch on this machine's mirror (it may have left it; a pinned kernel is bumped with scripts/kernels/bump.sh)"
	pkgs="$pkgs $p"
	todo="$todo $(first_dep "$p" "$kernel_pkg_re" | tr '\n' ' ')"
done

# For another architecture, this machine's kbuild tools run the build.
if [ "$arch" != "$DMX_HOST_ARCH" ]; then
	pkgs=$(for p in $pkgs; do
		case $p in linux-kbuild-*) echo "$p:$DMX_HOST_ARCH" ;; *) echo "$p" ;; esac
	done | tr '\n' ' ')
fi

debs=$DMX_APT_DIR/debs/$kver
rm -rf "$debs"
mkdir -p "$debs"
echo "fetch: $kver ($version, $suite/$arch):$pkgs" >&2
# shellcheck disable=SC2086
(cd "$debs" && dmx_apt_get -qq download $pkgs) ||
	dmx_die "downloading $kver failed (has it left $suite? run with DMX_APT_REFRESH=1 to refresh the lists)"

tmp=$entry.new
rm -rf "$tmp"
mkdir -p "$tmp/root"
dmx_unpack_debs "$debs" "$tmp/root"
rm -rf "$debs"

root=$tmp/root
# trixie ships everything under usr/; make lib/modules reachable either way.
[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
moddir=$root/lib/modules/$kver
[ -d "$moddir" ] || dmx_die "$kver: no lib/modules/$kver in the packages"
# link_first NAME PATH...: $tmp/NAME -> the first PATH under root/ that is
# a file; fails if none is.
link_first() {
	name=$1
	shift
	for f in "$@"; do
		[ -f "$root/$f" ] || continue
		ln -s "root/$f" "$tmp/$name"
		return
	done
	return 1
}
link_first vmlinuz "boot/vmlinuz-$kver" "lib/modules/$kver/vmlinuz" "boot/vmlinux-$kver" ||
	dmx_die "$kver: no kernel image in the packages"
link_first config "boot/config-$kver" "lib/modules/$kver/config" \
	"usr/src/linux-headers-$kver/.config" || :
# Where programs look for the running kernel's config (trixie's packages keep
# it next to the modules only).
if [ ! -e "$root/boot/config-$kver" ] && [ -f "$moddir/config" ]; then
	mkdir -p "$root/boot"
	ln -s "../lib/modules/$kver/config" "$root/boot/config-$kver"
fi
depmod -b "$root" "$kver" || dmx_die "$kver: depmod failed"

# The compiler the kernel was built with (Debian's .kernelvariables name it).
headers=$root/usr/src/linux-headers-$kver
[ -f "$headers/Makefile" ] || dmx_die "$kver: no headers in the packages"
cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\).*/\1/p' "$headers/.kernelvariables" 2>/dev/null | head -n 1)
buildroot=""
cross=""
[ "$arch" = "$DMX_HOST_ARCH" ] || cross=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null)
if [ -n "$cc" ] && [ "$arch" = "$DMX_HOST_ARCH" ] &&
	! command -v "$cc" >/dev/null; then
	buildroot=$("$here/buildroot.sh" "${suite%-backports}" "$cc")
fi

cat >"$tmp/kernel.env" <<EOF
DMX_KVER='$kver'
DMX_KARCH='$arch'
DMX_KSUITE='$suite'
DMX_KPACKAGE='$image'
DMX_KVERSION='$version'
DMX_KCC='$cc'
DMX_KCROSS='$cross'
DMX_KBUILDROOT='$buildroot'
EOF
touch "$tmp/.complete"
rm -rf "$entry"
mv "$tmp" "$entry"
link_into_buildroot "$buildroot" "$entry"
echo "$kver" >"$resolved"
echo "$kver"
