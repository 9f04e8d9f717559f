#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build a dmabuf-exporter debug kernel (x86_64) once and cache it:
#
#   build.sh [--series S]     build unless cached; print the cache directory
#   build.sh [--series S] --stamp FILE [--link PATH]
#                             build unless cached; write the cache directory
#                             to FILE and point the symlink PATH at it, each
#                             only when it changed (for meson/ninja); print
#                             nothing unless it builds
#   build.sh [--series S] --print-dir      print the cache directory only
#   build.sh [--series S] --print-release  print the release (uname -r) only
#
# --series 6.12 (the default) or 6.1: which of Debian's linux-source-SERIES
# tarballs to build (/usr/src/linux-source-SERIES.tar.xz).
#
# The kernel: the tarball, "make tinyconfig", then debug.config (next to this
# script) and, if there is one, debug-SERIES.config (what that series needs
# differently; its lines win) merged with scripts/kconfig/merge_config.sh in
# allnoconfig mode (every option the fragments do not ask for stays off),
# "make olddefconfig", a check that every option of the fragments is set as
# asked (or the build stops), and "make bzImage modules" (modules_prepare and
# Module.symvers, so that out-of-tree modules build against the tree).
#
# The cache directory, DIR = ROOT/RELEASE-HASH, HASH covering the fragments,
# the tarball's kernel and package version, the compiler and BUILD_FORMAT:
#   DIR/linux/            the built tree: make -C DIR/linux M=... modules
#   DIR/bzImage           the kernel image (tests/vm/run-vm.sh --kernel-image)
#   DIR/modules.builtin   what is built in, next to the image for run-vm.sh
#   DIR/release, DIR/config, DIR/build.log
# It is built in ROOT/.tmp-* and renamed into place when complete, so an
# interrupted build leaves no half cache; a lock keeps two builds of the same
# configuration from running at once.
#
# Environment:
#   DMX_DEBUG_KERNEL_SERIES the series when --series is not given
#   DMX_DEBUG_KERNEL_CACHE  cache ROOT (default /var/cache/dmabuf-exporter/
#                           debug-kernel, or ~/.cache/dmabuf-exporter/
#                           debug-kernel when that is not writable)
#   LINUX_SOURCE_TARBALL    default /usr/src/linux-source-SERIES.tar.xz; the
#                           series is then the tarball's unless one is given
#   DMX_DEBUG_KERNEL_JOBS   make -j (default: the number of CPUs)
#
# Needs: bc bison flex libelf-dev (objtool) gcc make xz-utils (all in
# scripts/install-deps.sh). See docs/debug-kernel.md.
set -eu

# Bump when a change here changes what gets built (not for comments).
BUILD_FORMAT=1
ARCH=x86_64
export ARCH

PROG=debug-kernel
HERE=$(cd "$(dirname "$0")" && pwd -P)
FRAGMENT=$HERE/debug.config
DEFAULT_SERIES=6.12

die() {
	echo "$PROG: $*" >&2
	exit 1
}

usage() {
	sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

mode=build
series=${DMX_DEBUG_KERNEL_SERIES:-}
stamp=""
link=""
while [ $# -gt 0 ]; do
	case $1 in
	--series) [ $# -ge 2 ] || usage; series=$2; shift 2 ;;
	--stamp) [ $# -ge 2 ] || usage; stamp=$2; shift 2 ;;
	--link) [ $# -ge 2 ] || usage; link=$2; shift 2 ;;
	--print-dir) mode=print-dir; shift ;;
	--print-release) mode=print-release; shift ;;
	-h | --help) usage ;;
	*) echo "$PROG: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -z "$link" ] || [ -n "$stamp" ] || die "--link needs --stamp"
case $series in
'' | [0-9]*.[0-9]*) ;;
*) die "--series takes a kernel series such as 6.1 or 6.12, not '$series'" ;;
esac
# Without LINUX_SOURCE_TARBALL the series names the tarball; with it, the
# tarball names the series (checked against --series below, if given).
if [ -n "${LINUX_SOURCE_TARBALL:-}" ]; then
	TARBALL=$LINUX_SOURCE_TARBALL
else
	TARBALL=/usr/src/linux-source-${series:-$DEFAULT_SERIES}.tar.xz
fi

[ -r "$FRAGMENT" ] || die "$FRAGMENT missing"
case $HERE in
*[[:space:]]*) die "$HERE: the fragments' path must not contain blanks" ;;
esac
[ -r "$TARBALL" ] || die "$TARBALL missing: run scripts/install-deps.sh"

# Variables that would change what Kbuild builds or where: the build must
# depend on the fragment and the tarball only.
unset KBUILD_OUTPUT KBUILD_EXTMOD LOCALVERSION KCFLAGS KCPPFLAGS KAFLAGS \
	CROSS_COMPILE LLVM MAKEFLAGS MFLAGS MAKELEVEL O M W C V

# --- cache root ---------------------------------------------------------------

writable_dir() {
	mkdir -p "$1" 2>/dev/null && [ -w "$1" ]
}
if [ -n "${DMX_DEBUG_KERNEL_CACHE:-}" ]; then
	root=$DMX_DEBUG_KERNEL_CACHE
	writable_dir "$root" ||
		die "cannot write the cache directory $root (DMX_DEBUG_KERNEL_CACHE)"
else
	root=/var/cache/dmabuf-exporter/debug-kernel
	if ! writable_dir "$root"; then
		root=${XDG_CACHE_HOME:-${HOME:?}/.cache}/dmabuf-exporter/debug-kernel
		writable_dir "$root" ||
			die "cannot write /var/cache/dmabuf-exporter/debug-kernel nor $root; set DMX_DEBUG_KERNEL_CACHE"
	fi
fi
root=$(cd "$root" && pwd -P)

# --- identity: release and cache key ------------------------------------------

# The tarball's kernel version (from its top Makefile) takes a second or two
# to read out of 150 MB of xz: remember it per tarball (path, size, mtime).
tarball_id=$(stat -L -c '%n %s %Y' "$TARBALL")
memo=$root/.version-$(printf '%s\n' "$tarball_id" | sha256sum | cut -c1-16)
if [ -s "$memo" ]; then
	kversion=$(cat "$memo")
else
	top=$(tar -tJf "$TARBALL" 2>/dev/null | head -n 1) || true
	top=${top%%/*}
	[ -n "$top" ] || die "cannot list $TARBALL"
	kversion=$(tar -xJOf "$TARBALL" --occurrence=1 "$top/Makefile" | awk '
		$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 }
		$1 == "SUBLEVEL" { s = $3 }
		$1 == "EXTRAVERSION" { e = $3; print v "." p "." s e; exit }')
	case $kversion in
	[0-9]*.[0-9]*.[0-9]*) ;;
	*) die "cannot read the kernel version from $top/Makefile in $TARBALL" ;;
	esac
	printf '%s\n' "$kversion" >"$memo.$$" && mv -f "$memo.$$" "$memo"
fi
kseries=${kversion%%.*}.$(echo "$kversion" | cut -d. -f2)
[ -z "$series" ] || [ "$series" = "$kseries" ] ||
	die "$TARBALL holds Linux $kversion, not series $series"

# The shared fragment, then the series' own (its lines win over the shared
# ones, in merge_config.sh and in the check after it).
FRAGMENTS=$FRAGMENT
series_fragment=$HERE/debug-$kseries.config
[ -r "$series_fragment" ] && FRAGMENTS="$FRAGMENTS $series_fragment"

# shellcheck disable=SC2086 # FRAGMENTS: paths without blanks (checked above)
localversion=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' $FRAGMENTS | tail -n 1)
release=$kversion$localversion
if [ "$mode" = print-release ]; then
	echo "$release"
	exit 0
fi

# The Debian package version tells two builds of the same upstream version
# apart (Debian patches); a tarball of no package is told apart by size/mtime.
pkg=$(dpkg-query -S "$TARBALL" 2>/dev/null | cut -d: -f1) || pkg=""
if [ -n "$pkg" ]; then
	origin="$pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)"
else
	origin=$tarball_id
fi
key=$({
	echo "format $BUILD_FORMAT arch $ARCH"
	echo "kernel $kversion from $origin"
	gcc --version | head -n 1
	cat "$FRAGMENT"
	# (Only when there is one: the key of a series without one is that of
	# the single-fragment builds before it.)
	if [ "$FRAGMENTS" != "$FRAGMENT" ]; then
		echo "series fragment ${series_fragment##*/}"
		cat "$series_fragment"
	fi
} | sha256sum | cut -c1-12)
dir=$root/$release-$key

# Writes FILE only when its contents change (ninja then rebuilds nothing).
update_file() {	# FILE CONTENTS
	if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
		printf '%s\n' "$2" >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
	fi
}

finish() {
	if [ -n "$stamp" ]; then
		mkdir -p "$(dirname "$stamp")"
		if [ -n "$link" ] && [ "$(readlink "$link" 2>/dev/null)" != "$dir" ]; then
			rm -rf "$link"
			ln -s "$dir" "$link"
		fi
		update_file "$stamp" "$dir"
	else
		echo "$dir"
	fi
	exit 0
}

if [ "$mode" = print-dir ]; then
	echo "$dir"
	exit 0
fi
[ -f "$dir/bzImage" ] && finish

# --- build --------------------------------------------------------------------

for t in gcc make bc bison flex xz perl; do
	command -v "$t" >/dev/null || die "$t not found: run scripts/install-deps.sh"
done
[ -e /usr/include/gelf.h ] || die "libelf headers missing (objtool): run scripts/install-deps.sh"

# One build per configuration at a time; whoever waited finds it cached.
exec 9>"$root/.lock-$release-$key"
if ! flock -n 9; then
	echo "$PROG: waiting for another build of $dir" >&2
	flock 9
fi
[ -f "$dir/bzImage" ] && finish

# Leftovers of interrupted builds of this configuration (we hold its lock).
rm -rf "$root/.tmp-$release-$key".*

tmp=$(mktemp -d "$root/.tmp-$release-$key.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
log=$tmp/build.log
jobs=${DMX_DEBUG_KERNEL_JOBS:-$(nproc)}
start=$(date +%s)
echo "$PROG: building $release with $jobs jobs (about 10 min on 2 CPUs), log: $log" >&2

fail() {
	echo "$PROG: $*" >&2
	echo "$PROG: last lines of $log:" >&2
	tail -n 40 "$log" >&2
	cp "$log" "$root/failed-$release-$key.log" 2>/dev/null &&
		echo "$PROG: full log kept in $root/failed-$release-$key.log" >&2
	exit 1
}

tar -xJf "$TARBALL" -C "$tmp" >"$log" 2>&1 || fail "cannot extract $TARBALL"
set -- "$tmp"/*/Makefile
{ [ $# -eq 1 ] && [ -f "$1" ]; } || fail "unexpected layout of $TARBALL"
mv "${1%/Makefile}" "$tmp/linux"
tree=$tmp/linux
kmake() {
	make -C "$tree" "$@" >>"$log" 2>&1
}

kmake tinyconfig || fail "make tinyconfig failed"
# -n: allnoconfig with the fragment on top, so that options which become
# visible through the fragment (INET under NET, VT under TTY...) stay off
# instead of taking their defaults.
# shellcheck disable=SC2086
(cd "$tree" && scripts/kconfig/merge_config.sh -n .config $FRAGMENTS) \
	>>"$log" 2>&1 || fail "merge_config.sh failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Every option of the fragments as asked (the last fragment to name an option
# decides), or stop: a dependency missing from the fragments makes Kconfig
# drop an option silently (SLUB_TINY drops KASAN).
# shellcheck disable=SC2086
bad=$(awk '
	FNR == NR {
		if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
			n = index($0, "="); have[substr($0, 1, n - 1)] = substr($0, n + 1)
		}
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ {
		n = index($0, "="); sym = substr($0, 1, n - 1)
		if (!(sym in want)) order[++nsyms] = sym
		want[sym] = substr($0, n + 1)
	}
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
		sym = $2
		if (!(sym in want)) order[++nsyms] = sym
		want[sym] = "n"
	}
	END {
		for (i = 1; i <= nsyms; i++) {
			sym = order[i]
			if (want[sym] == "n") {
				if ((sym in have) && have[sym] != "n")
					print sym " off (got " have[sym] ")"
			} else if (!(sym in have)) {
				print sym "=" want[sym] " (not set)"
			} else if (have[sym] != want[sym]) {
				print sym "=" want[sym] " (got " have[sym] ")"
			}
		}
	}' "$tree/.config" $FRAGMENTS)
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" >>"$log"
	echo "$PROG: options of $FRAGMENTS not in the final .config:" >&2
	printf '  %s\n' "$bad" >&2
	fail "configuration check failed (a dependency missing from the fragment?)"
fi

kmake -j"$jobs" bzImage modules || fail "kernel build failed"

got=$(make -s -C "$tree" kernelrelease 2>>"$log") || fail "make kernelrelease failed"
[ "$got" = "$release" ] || fail "built release $got, expected $release"
cp "$tree/arch/x86/boot/bzImage" "$tree/modules.builtin" "$tmp/" ||
	fail "bzImage or modules.builtin missing"
cp "$tree/.config" "$tmp/config"
echo "$release" >"$tmp/release"
[ -f "$tree/Module.symvers" ] || fail "Module.symvers missing"

took=$(($(date +%s) - start))
took="$((took / 60)) min $((took % 60)) s"
echo "built in $took" >>"$log"
mv "$tmp" "$dir" || fail "cannot rename $tmp to $dir"
trap - EXIT
echo "$PROG: built $release in $took: $dir" >&2
finish
