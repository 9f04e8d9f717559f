#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-install.sh BUILDDIR SRCDIR VERSION: "meson install" into a scratch
# DESTDIR puts every file where it belongs, the installed pkg-config file
# works, and the example program of docs/library.md compiles and links
# against the installed library and headers only.
set -eu
build=$1 src=$2 version=$3
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null

prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
libdir=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["libdir"])')
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
root=$dest$prefix
fail=0
need() {
	for f in "$@"; do
		if [ -e "$f" ]; then :; else echo "missing: ${f#"$dest"}"; fail=1; fi
	done
}
need "$dest$libdir/libdmabuf-helper.so.0" "$dest$libdir/libdmabuf-helper.so" \
	"$dest$libdir/libdmabuf-helper.a" "$dest$libdir/pkgconfig/dmabuf-helper.pc" \
	"$root/include/dmabuf-exporter/dmabuf-helper.h" \
	"$root/include/dmabuf-exporter/linux/dmabuf_exporter.h"
for t in dmabuf-alloc dmabuf-bench dmabuf-demo dmabuf-info; do
	need "$root/bin/$t" "$root/share/man/man1/$t.1"
done
need "$root/share/man/man3/libdmabuf-helper.3" "$root/share/man/man3/dmabufx_alloc.3"
need "$dest/lib/udev/rules.d/60-dmabuf-exporter.rules" \
	"$dest/lib/modprobe.d/dmabuf-exporter.conf" \
	"$root/share/doc/dmabuf-exporter/examples/61-dmabuf-exporter-udmabuf.rules" \
	"$root/share/doc/dmabuf-exporter/examples/62-dmabuf-exporter-dma-heap.rules" \
	"$root/sbin/dmabuf-exporter-heap-links" \
	"$root/share/man/man8/dmabuf-exporter-heap-links.8"
need "$root/src/dmabuf-exporter-$version/dkms.conf" \
	"$root/src/dmabuf-exporter-$version/driver/Kbuild" \
	"$root/src/dmabuf-exporter-$version/uapi/linux/dmabuf_exporter.h" \
	"$root/src/dmabuf-exporter-$version/VERSION"
[ -x "$root/sbin/dmabuf-exporter-heap-links" ] ||
	{ echo "not executable: $root/sbin/dmabuf-exporter-heap-links"; fail=1; }
# Nothing in includedir/linux: that directory is the kernel headers package's.
if [ -e "$root/include/linux" ]; then
	echo "installed into $root/include/linux, which belongs to the kernel headers"
	fail=1
fi
[ $fail -eq 0 ] || exit 1

# The example program of docs/library.md, built as a user would.
awk '/<!-- example: compiled by tests\/library -->/ {f=1; next}
     f && /^```c/ {p=1; next} p && /^```/ {exit} p' "$src/docs/library.md" >"$dest/example.c"
[ -s "$dest/example.c" ] || { echo "no example found in docs/library.md"; exit 1; }
export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
flags=$(pkg-config --cflags --libs dmabuf-helper)
# shellcheck disable=SC2086
cc -Wall -Wextra -Werror -o "$dest/example" "$dest/example.c" $flags
echo "ok: installed layout; example compiled with: $flags"
