# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced first by the scripts meson test runs, before any other command:
# meson test (1.0) puts a cross build's sysroot and toolchain directories
# before PATH when a test's arguments are cross-built programs (meant for
# Wine), so the guest userland's programs and the cross binutils would
# shadow the host's of the same names. Builtins only, until PATH is clean.

dmx_host_path=""
dmx_ifs=$IFS
IFS=:
for dmx_dir in $PATH; do
	case $dmx_dir in
	*/guest-root/* | /usr/lib/gcc-cross/* | /usr/*-linux-gnu/*) continue ;;
	esac
	dmx_host_path=${dmx_host_path:+$dmx_host_path:}$dmx_dir
done
IFS=$dmx_ifs
PATH=$dmx_host_path
unset dmx_host_path dmx_ifs dmx_dir
