#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-readme-install.sh SRCDIR VERSION: README's "Install" commands put
# the DKMS tree where dkms looks. Runs the README's own "meson setup" line
# (into a scratch directory) and checks the prefix and the install plan
# (meson's introspection: nothing is built or installed), and that the way
# README gives to fix a directory configured with the default prefix (the
# demo's build/) works, where a second plain "meson setup" would not. TAP.
set -eu
src=$(cd "$1" && pwd)
version=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log=$scratch/log
n=0 failed=0
result() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		failed=1
		echo "not ok $n - $2"
		sed 's/^/# /' "$log" | tail -n 20
	fi
}
echo "TAP version 13"
echo "1..4"

# The first ```sh block after "## Install".
awk '/^## Install/ {f=1; next} f && /^```sh/ {p=1; next} p && /^```/ {exit} p' \
	"$src/README.md" >"$scratch/block"
setup=$(grep '^meson setup ' "$scratch/block" || :)
: >"$log"
if [ -z "$setup" ] || ! grep -q '^sudo meson install -C build-install$' "$scratch/block"; then
	{ echo "README's Install block:"; cat "$scratch/block"; } >"$log"
	result 1 "README's Install block sets up and installs build-install"
	exit 1
fi
result 0 "README's Install block sets up and installs build-install"

# prefix DIR: the prefix DIR is configured with.
prefix() {
	meson introspect "$1" --buildoptions |
		python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])'
}
# installs DIR: where the DKMS tree's dkms.conf would be installed.
dkms_conf() {
	meson introspect "$1" --installed |
		python3 -c 'import json,sys; print(*[v for v in json.load(sys.stdin).values() if v.endswith("/dkms.conf")])'
}
want=/usr/src/dmabuf-exporter-$version/dkms.conf

# README's line, run as written but for the directories.
cmd=$(printf '%s\n' "$setup" | sed "s|^meson setup build-install |meson setup \"\$1\" \"\$2\" |")
: >"$log"
if (cd "$scratch" && sh -c "$cmd" sh "$scratch/build-install" "$src") >"$log" 2>&1 &&
	[ "$(prefix "$scratch/build-install")" = /usr ] &&
	[ "$(dkms_conf "$scratch/build-install")" = "$want" ]; then
	result 0 "README's meson setup: prefix /usr, DKMS tree in /usr/src where dkms looks"
else
	echo "prefix $(prefix "$scratch/build-install" 2>&1), dkms.conf to $(dkms_conf "$scratch/build-install" 2>&1)" >>"$log"
	result 1 "README's meson setup: prefix /usr, DKMS tree in /usr/src where dkms looks"
fi

# The trap: a directory configured with the default prefix keeps it when
# set up again with --prefix=/usr...
: >"$log"
kver=$(uname -r)
meson setup "$scratch/build" "$src" -Dtests=false -Dkernels="$kver" >"$log" 2>&1 || :
meson setup "$scratch/build" "$src" --prefix=/usr >>"$log" 2>&1 || :
if [ "$(prefix "$scratch/build")" = /usr/local ]; then
	: >"$log"
	result 0 "a second plain meson setup --prefix=/usr keeps /usr/local (why README uses its own directory)"
else
	echo "prefix now $(prefix "$scratch/build" 2>&1): README's warning is out of date" >>"$log"
	result 1 "a second plain meson setup --prefix=/usr keeps /usr/local (why README uses its own directory)"
fi
# ...and README's fix for it works.
: >"$log"
grep -q 'meson setup --reconfigure --prefix=/usr DIR' "$src/README.md" ||
	echo "README does not give meson setup --reconfigure --prefix=/usr DIR" >"$log"
meson setup --reconfigure --prefix=/usr "$scratch/build" "$src" >>"$log" 2>&1 || :
if [ "$(prefix "$scratch/build")" = /usr ] && [ "$(dkms_conf "$scratch/build")" = "$want" ] &&
	! grep -q 'README does not' "$log"; then
	result 0 "meson setup --reconfigure --prefix=/usr moves the DKMS tree to /usr/src"
else
	result 1 "meson setup --reconfigure --prefix=/usr moves the DKMS tree to /usr/src"
fi
exit $failed
