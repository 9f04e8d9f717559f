#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# modinfo.sh MODULE.ko VERSION: the module describes itself (TAP output).
set -u
ko=$1 version=$2
n=0 failed=0

check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		echo "# expected '$3', got '$2'"
		failed=1
	fi
}

nonempty() {
	n=$((n + 1))
	if [ -n "$2" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 is empty"
		failed=1
	fi
}

echo "TAP version 13"
check "license is GPL" "$(modinfo -F license "$ko")" "GPL"
check "version is the project's" "$(modinfo -F version "$ko")" "$version"
check "imports the DMA_BUF namespace" \
	"$(modinfo -F import_ns "$ko" | grep -c '^DMA_BUF$')" "1"
nonempty "description" "$(modinfo -F description "$ko")"
nonempty "author" "$(modinfo -F author "$ko")"
check "max_buffer_mb parameter is documented" \
	"$(modinfo -F parm "$ko" | grep -c '^max_buffer_mb:.*(uint)$')" "1"
check "pool_max_mb parameter is documented with its default" \
	"$(modinfo -F parm "$ko" | grep -c '^pool_max_mb:.*default 64.*(uint)$')" "1"
check "register_heaps parameter says the module then cannot be unloaded" \
	"$(modinfo -F parm "$ko" | grep -c '^register_heaps:.*cannot be unloaded.*(bool)$')" "1"
check "heap_prefix parameter names its default" \
	"$(modinfo -F parm "$ko" | grep -c '^heap_prefix:.*default: "dmabuf-exporter-".*(charp)$')" "1"
echo "1..$n"
exit $failed
