#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# test-dkms.sh BUILDDIR KVER...: install the DKMS source tree into a scratch
# DESTDIR with "meson install" (the tree users get), then "dkms add" and
# "dkms build" it for each kernel with private --dkmstree/--sourcetree, so
# nothing lands in /var/lib/dkms or /usr/src. Kernels of the kernel cache
# are built where their headers look installed (scripts/kernels/
# with-headers.sh: a private mount namespace, and the kernel's build root for
# one built with a compiler this machine lacks, with that root's dkms).
# Prints TAP: one test per kernel.
set -u
build=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"
# with-headers.sh makes the kernels' headers look installed in a private
# mount namespace: root only. A host run as a user skips the whole test.
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (dkms builds in a private mount namespace)"
	exit 0
fi
echo "1..$(( $# + 2 ))"

if ! command -v dkms >/dev/null; then
	echo "not ok 1 - dkms installed: no dkms (scripts/install-deps.sh installs it)"
	exit 1
fi
meson install -C "$build" --destdir "$tmp/dest" --no-rebuild --quiet >"$tmp/install.log" 2>&1
src=$(find "$tmp/dest" -name dkms.conf -path '*/dmabuf-exporter-*' | head -n 1)
if [ -z "$src" ]; then
	echo "not ok 1 - meson install puts a DKMS tree under PREFIX/src"
	sed 's/^/# /' "$tmp/install.log"
	exit 1
fi
src=$(dirname "$src")
ver=${src##*/dmabuf-exporter-}
echo "ok 1 - meson install puts a DKMS tree under PREFIX/src (version $ver)"

with_headers=$(cd "$(dirname "$0")/../../scripts/kernels" && pwd)/with-headers.sh
cache=${DMX_CACHE:-/var/cache/dmabuf-exporter}/kernels
# dkms add and build for one kernel, in a tree of its own. The headers are
# named as installed (dkms 3.2 would look under --installtree instead). --sourcetree is
# where dkms looks for NAME-VERSION/. Signing is off: dkms would otherwise
# create a MOK key pair in /var/lib/dkms, outside our trees (a sign_file
# that does not exist is its documented "won't be signed").
dk() {	# KVER
	mkdir -p "$tmp/tree-$1" "$tmp/install"
	set -- "$1" env sign_file=/nonexistent/sign-file sh -c '
		dkms --dkmstree "$1" --sourcetree "$2" --installtree "$3" \
			add -m dmabuf-exporter -v "$4" &&
		dkms --dkmstree "$1" --sourcetree "$2" --installtree "$3" \
			build -m dmabuf-exporter -v "$4" -k "$5" \
			--kernelsourcedir "/lib/modules/$5/build"' sh \
		"$tmp/tree-$1" "${src%/*}" "$tmp/install" "$ver" "$1"
	if [ -f "$cache/$1/.complete" ]; then
		"$with_headers" --bind "$tmp" "$@"
	else
		shift
		"$@"
	fi
}

n=1 status=0
before=$(ls /var/lib/dkms 2>/dev/null | sort)
for kver in "$@"; do
	n=$((n + 1))
	log=$tmp/build-$kver.log
	if dk "$kver" >"$log" 2>&1 &&
	   ko=$(find "$tmp/tree-$kver/dmabuf-exporter/$ver/$kver" -name 'dmabuf_exporter.ko*' | head -n 1) &&
	   [ -n "$ko" ] &&
	   modinfo -F vermagic "$ko" | grep -q "^$kver "; then
		echo "ok $n - dkms build for $kver"
	else
		echo "not ok $n - dkms build for $kver"
		sed 's/^/# /' "$log"
		make_log=$(find "$tmp/tree-$kver" -name make.log | head -n 1)
		[ -n "$make_log" ] && sed 's/^/# make.log: /' "$make_log"
		status=1
	fi
done
n=$((n + 1))
if [ "$(ls /var/lib/dkms 2>/dev/null | sort)" = "$before" ]; then
	echo "ok $n - nothing written to /var/lib/dkms"
else
	echo "not ok $n - nothing written to /var/lib/dkms: it changed"
	status=1
fi
exit $status
