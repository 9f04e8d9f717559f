#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-userspace-build.sh SRCDIR: the library and tools build anywhere.
# Configures a scratch build of SRCDIR with -Dmodule=false -Dtests=false
# (README's "library and tools only"), in an environment that cannot see a
# kernel: as root, in a private mount namespace with empty /lib/modules,
# /usr/src (kernel headers, linux-source tarballs) and kernel cache; in any
# case with DMX_CACHE pointing nowhere and no pkg-config file but the
# build's own, so libdrm is missing too (dmabuf-bench then has no vgem rows).
# Then builds, installs into a scratch DESTDIR, and compiles the example of
# docs/library.md against the installed library with pkg-config. TAP.
set -eu
src=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
build=$scratch/build dest=$scratch/dest log=$scratch/log
mkdir -p "$scratch/no-pkgconfig" "$dest"
cache=${DMX_CACHE:-/var/cache/dmabuf-exporter}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=1
	echo "not ok $n - $1"
	[ ! -s "$log" ] || sed 's/^/# /' "$log" | tail -n 30
}
echo "TAP version 13"
echo "1..7"

# The build, in a clean environment; hidden kernel directories where we may.
# shellcheck disable=SC2016 # expanded by the inner shell
steps='set -e
meson setup "$1" "$2" -Dmodule=false -Dtests=false --prefix=/usr --libdir=lib
meson compile -C "$1"
DESTDIR="$3" meson install -C "$1" --no-rebuild --quiet'
hidden=""
for d in /lib/modules /usr/src "$cache"; do
	[ -d "$d" ] && hidden="$hidden $d"
done
run_build() {
	env -i PATH=/usr/bin:/bin HOME="$scratch" LANG=C.UTF-8 \
		DMX_CACHE="$scratch/no-kernel-cache" \
		PKG_CONFIG_LIBDIR="$scratch/no-pkgconfig" "$@"
}
mode="environment only (not root: kernel directories visible, unused)"
# shellcheck disable=SC2016
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	mode="private mount namespace hiding:$hidden"
	run_build unshare -m --propagation private sh -c '
		for d in $4; do mount -t tmpfs -o mode=755,size=1m none "$d"; done
		'"$steps" sh "$build" "$src" "$dest" "$hidden" >"$log" 2>&1
else
	run_build sh -c "$steps" sh "$build" "$src" "$dest" >"$log" 2>&1
fi && st=0 || st=$?
echo "# $mode"
if [ "$st" -eq 0 ]; then
	ok "configure, build and install with -Dmodule=false -Dtests=false and no kernel, linux-source or libdrm"
else
	not_ok "configure, build and install with -Dmodule=false -Dtests=false and no kernel, linux-source or libdrm"
	for i in 2 3 4 5 6 7; do echo "ok $i - # SKIP the build failed"; done
	exit 1
fi

# Nothing of a kernel was looked for: not in meson's log, not a target.
: >"$log"
grep -n -E '/lib/modules|/usr/src|linux-source|linux-headers|kernel cache|list-kernels|kmake|dmabuf-exporter/kernels' \
	"$build/meson-logs/meson-log.txt" >"$log" || :
ninja -C "$build" -t targets all 2>/dev/null |
	grep -v '^meson-internal' | grep -E '\.ko:|kselftest|checkpatch|debug-kernel|_test:' >>"$log" || :
if [ -s "$log" ]; then
	not_ok "no kernel, kernel cache or test looked for or built"
else
	ok "no kernel, kernel cache or test looked for or built"
fi

# Installed: the library, headers, pkg-config file, tools and man pages;
# nothing of the module (DKMS tree, udev rule, modprobe.d).
: >"$log"
for f in usr/lib/libdmabuf-helper.so.0 usr/lib/libdmabuf-helper.a \
	usr/lib/pkgconfig/dmabuf-helper.pc \
	usr/include/dmabuf-exporter/dmabuf-helper.h \
	usr/include/dmabuf-exporter/linux/dmabuf_exporter.h \
	usr/share/man/man3/libdmabuf-helper.3 \
	usr/bin/dmabuf-info usr/bin/dmabuf-alloc usr/bin/dmabuf-bench usr/bin/dmabuf-demo; do
	[ -e "$dest/$f" ] || echo "missing: /$f" >>"$log"
done
(cd "$dest" && find . \( -path ./usr/src -o -path ./lib/udev -o -path ./lib/modprobe.d \
	-o -path ./usr/lib/udev -o -name '*.ko' \) -print | sed 's/^/module file installed: /') >>"$log"
if [ -s "$log" ]; then
	not_ok "installs the library and tools, nothing of the module"
else
	ok "installs the library and tools, nothing of the module"
fi

# dmabuf-bench without libdrm: not linked to it, no vgem rows.
: >"$log"
export LD_LIBRARY_PATH="$dest/usr/lib"
if readelf -d "$dest/usr/bin/dmabuf-bench" | grep -q 'NEEDED.*libdrm'; then
	echo "dmabuf-bench needs libdrm" >"$log"
fi
"$dest/usr/bin/dmabuf-bench" -p anon -S 4K -b 64K -i 64K -r 1 -t 0 --json \
	>"$scratch/bench.json" 2>>"$log" || echo "dmabuf-bench -p anon: status $?" >>"$log"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
rows = [r["metric"] for r in d["results"]]
assert d["vgem"] is False and "vgem_import" not in rows and "alloc_free" in rows, (d["vgem"], rows)
' "$scratch/bench.json" >>"$log" 2>&1 || :
"$dest/usr/bin/dmabuf-bench" --help | grep -q 'no vgem rows' ||
	echo "--help does not say the vgem rows are left out" >>"$log"
# Man pages are made by help2man, where the machine has it.
if command -v help2man >/dev/null &&
	! grep -q 'no vgem rows' "$dest/usr/share/man/man1/dmabuf-bench.1" 2>/dev/null; then
	echo "the man page does not say the vgem rows are left out" >>"$log"
fi
if [ -s "$log" ]; then
	not_ok "dmabuf-bench without libdrm: runs, no vgem rows, says so in --help and its man page"
else
	ok "dmabuf-bench without libdrm: runs, no vgem rows, says so in --help and its man page"
fi

# The installed tools run (--version) against the installed library.
: >"$log"
for t in dmabuf-info dmabuf-alloc dmabuf-bench dmabuf-demo; do
	"$dest/usr/bin/$t" --version >>"$log" 2>&1 || echo "$t --version: status $?" >>"$log"
done
if grep -q status "$log"; then
	not_ok "installed tools run"
else
	ok "installed tools run"
	: >"$log"
fi
unset LD_LIBRARY_PATH

# The example of docs/library.md, compiled and linked with pkg-config
# against the installed files only.
: >"$log"
awk '/<!-- example: compiled by tests\/library -->/ {f=1; next}
     f && /^```c/ {p=1; next} p && /^```/ {exit} p' "$src/docs/library.md" >"$scratch/example.c"
if [ ! -s "$scratch/example.c" ]; then
	echo "no example found in docs/library.md" >"$log"
else
	flags=$(PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" \
		pkg-config --cflags --libs dmabuf-helper 2>>"$log") || :
	# shellcheck disable=SC2086
	cc -Wall -Wextra -Werror -o "$scratch/example" "$scratch/example.c" $flags >>"$log" 2>&1 ||
		echo "compiling the example failed ($flags)" >>"$log"
fi
if [ -s "$log" ]; then
	not_ok "docs/library.md's example builds against the installed library (pkg-config)"
else
	ok "docs/library.md's example builds against the installed library (pkg-config)"
fi

# The options refuse what cannot work: tests without libdrm.
: >"$log"
if run_build meson setup "$scratch/bad" "$src" -Dmodule=false -Dlibdrm=disabled >"$log" 2>&1; then
	echo "-Dtests=true -Dlibdrm=disabled was accepted" >>"$log"
elif grep -q 'needs -Dtests=false' "$log"; then
	: >"$log"
fi
if [ -s "$log" ]; then
	not_ok "-Dlibdrm=disabled with the tests on is refused with a reason"
else
	ok "-Dlibdrm=disabled with the tests on is refused with a reason"
fi
exit $failed
