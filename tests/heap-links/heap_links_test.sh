#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dmabuf-exporter-heap-links on a live guest, with the module loaded: every
# name the kernel has no heap of becomes a symlink to our node of its kind,
# allocations through it come from our exporter, a kernel heap of the same
# name is left as it is and still allocates from the kernel, nothing foreign
# is replaced, --remove removes only ours. Leaves the symlinks in place for
# the programs after it (the kernel's dmabuf-heaps selftest, then
# heap_links_udev_test.sh). Prints TAP.
#
# Environment (tests/heap-links/meson.build passes it with run-vm.sh --env):
#   HEAP_LINKS          the dmabuf-exporter-heap-links command
#   DMABUF_ALLOC        the dmabuf-alloc tool
#   DMX_KERNEL_HEAPS    the heaps of the table's names the kernel is
#                       expected to have (space-separated, "" for none);
#                       unset: not checked
set -u
: "${HEAP_LINKS:?}" "${DMABUF_ALLOC:?}"
# shellcheck source=tests/heap-links/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'rm -f "$out" "$diag"' EXIT

# The exporter of a 64 KiB buffer allocated through PATH (DMA_HEAP_IOCTL_ALLOC).
exporter_of() {
	"$DMABUF_ALLOC" --kind "$1" --size 64K --json 2>>"$out" |
		sed -n 's/.*"exporter": *"\([^"]*\)".*/\1/p'
}

# The kernel's heaps of the table's names (other heaps are no concern
# here), and the lines state() prints for them.
kernel_heaps=$(printf '%s\n' "${heaps[@]}" | LC_ALL=C sort | tr '\n' ' ')
kernel_heaps=${kernel_heaps% }
heap_nodes=$(for h in "${heaps[@]}"; do echo "$h char"; done)
has_kernel_heap() { [ -e "/sys/class/dma_heap/$1" ]; }

echo "TAP version 13"
plan=$((7 + 2 * ${#table[@]}))
[ -n "${DMX_KERNEL_HEAPS+set}" ] && plan=$((plan + 1))
echo "1..$plan"
echo "# kernel heaps of these names: ${kernel_heaps:-none}"

if [ -n "${DMX_KERNEL_HEAPS+set}" ]; then
	read -r -a want_heaps <<<"$DMX_KERNEL_HEAPS"
	want=$(printf '%s\n' "${want_heaps[@]}" | LC_ALL=C sort | tr '\n' ' ')
	want=${want% }
	[ "$kernel_heaps" = "$want" ]
	ok $? "of these names, the kernel has exactly the heaps expected of $(uname -r): ${want:-none}"
fi

before=$(state)
"$HEAP_LINKS" --dry-run >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] && [ "$(state)" = "$before" ]
ok $? "the command with --dry-run: exit 0, /dev/dma_heap unchanged"

"$HEAP_LINKS" >"$out" 2>&1
ok $? "the command: exit 0"

for row in "${table[@]}"; do
	read -r name kind <<<"$row"
	p=$D/$name
	if has_kernel_heap "$name"; then
		{ [ -c "$p" ] && [ ! -L "$p" ] &&
			[ "$(stat -c '%t:%T' "$p")" = "$(awk -F: '{printf "%x:%x\n", $1, $2}' "/sys/class/dma_heap/$name/dev")" ]; } >"$diag" 2>&1
		ok $? "$name: the kernel's heap node, left as it is"
		e=$(exporter_of "$p")
		[ "$e" = "$name" ]
		ok $? "$name: allocates from the kernel's heap (exporter '$e')"
	else
		[ "$(readlink "$p")" = "../dmabuf-exporter/$kind" ] && [ "$p" -ef "/dev/dmabuf-exporter/$kind" ]
		ok $? "$name: a symlink to our $kind node"
		e=$(exporter_of "$p")
		[ "$e" = dmabuf_exporter ]
		ok $? "$name: allocates from dmabuf_exporter (exporter '$e')"
	fi
done
linked=$(state)

"$HEAP_LINKS" >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] && ! grep -q '^create ' "$out" && [ "$(state)" = "$linked" ]
ok $? "a second run: exit 0, creates nothing, /dev/dma_heap unchanged"

# A foreign file where a symlink of ours would go.
victim=reserved
has_kernel_heap "$victim" && victim=default_cma_region
rm "$D/$victim"
echo foreign >"$D/$victim"
"$HEAP_LINKS" >"$out" 2>&1
rc=$?
{ [ "$rc" = 1 ] && [ ! -L "$D/$victim" ] && [ "$(cat "$D/$victim")" = foreign ] &&
	grep -q "$D/$victim exists (not a symlink of ours): not replacing it" "$out"; } >"$diag" 2>&1
ok $? "a foreign file at $D/$victim: exit 1, named, kept"

"$HEAP_LINKS" --remove >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] && [ "$(state)" = "$(printf '%s\n' "$victim other" "$heap_nodes" | sed '/^$/d' | LC_ALL=C sort)" ]
ok $? "the command with --remove: exit 0, our symlinks gone, the foreign file and kernel heaps kept"

rm "$D/$victim"
"$HEAP_LINKS" --remove >"$out" 2>&1
rc=$?
if [ -n "$(ls -A /sys/class/dma_heap 2>/dev/null)" ]; then
	[ "$rc" = 0 ] && [ "$(state)" = "$(LC_ALL=C sort <<<"$heap_nodes" | sed '/^$/d')" ]
	ok $? "the command with --remove, nothing of ours left: exit 0, $D keeps the kernel's heaps"
else
	[ "$rc" = 0 ] && [ ! -e "$D" ]
	ok $? "the command with --remove, nothing of ours left: exit 0, the empty $D removed"
fi

"$HEAP_LINKS" --quiet >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] && [ "$(state)" = "$linked" ]
ok $? "applied again for the programs that follow: exit 0, the same symlinks"
