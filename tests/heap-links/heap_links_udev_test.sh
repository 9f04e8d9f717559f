#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The opt-in udev rule 62-dmabuf-exporter-dma-heap.rules with the real udev
# of the host root, in a guest: with the rule in /run/udev/rules.d, a
# systemd-udevd started here and an "add" trigger of the misc devices make
# exactly the symlinks dmabuf-exporter-heap-links makes (commas included),
# and none where the kernel has the heap. Cleans up after itself: udevd
# stopped, the rule and the symlinks removed. Prints TAP.
#
# Environment (tests/heap-links/meson.build):
#   HEAP_LINKS   the dmabuf-exporter-heap-links command
#   HEAP_RULES   the generated 62-dmabuf-exporter-dma-heap.rules
#   UDEVD        systemd-udevd (default /lib/systemd/systemd-udevd)
set -u
: "${HEAP_LINKS:?}" "${HEAP_RULES:?}"
UDEVD=${UDEVD:-/lib/systemd/systemd-udevd}
# The guest runs this in a chroot of the host root, where udevadm otherwise
# ignores every request ("Running in chroot, ignoring request.").
export SYSTEMD_IGNORE_CHROOT=1
RULES_DIR=/run/udev/rules.d
# shellcheck source=tests/heap-links/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cleanup() {
	udevadm control --exit >/dev/null 2>&1
	rm -f "$RULES_DIR/${HEAP_RULES##*/}" "$out" "$diag"
}
trap cleanup EXIT

udevd_pid() { pgrep -x systemd-udevd | head -n 1; }

kernel_heaps=${heaps[*]}

echo "TAP version 13"
echo "1..$((8 + ${#table[@]}))"

if [ -n "$(udevd_pid)" ]; then
	echo "Bail out! a systemd-udevd is already running"
	exit 1
fi

# What the command makes: the reference for what udev must make.
"$HEAP_LINKS" --quiet >"$out" 2>&1
by_command=$(state)
"$HEAP_LINKS" --remove --quiet >>"$out" 2>&1
rc=$?
{ [ "$rc" = 0 ] && ! state | grep -q ' -> '; } >"$diag" 2>&1
ok $? "the command's symlinks removed before udev runs"

mkdir -p "$RULES_DIR" && cp "$HEAP_RULES" "$RULES_DIR/" >>"$out" 2>&1
ok $? "the rule copied to $RULES_DIR"

"$UDEVD" --daemon --resolve-names=never >>"$out" 2>&1
rc=$?
for _ in $(seq 50); do
	udevadm control --ping >/dev/null 2>&1 && break
	sleep 0.1
done
[ "$rc" = 0 ] && [ -n "$(udevd_pid)" ] && udevadm control --ping >>"$out" 2>&1
ok $? "systemd-udevd started ($("$UDEVD" --version 2>/dev/null || echo '?'))"

udevadm trigger --action=add --subsystem-match=misc >>"$out" 2>&1 &&
	udevadm settle --timeout=60 >>"$out" 2>&1
ok $? "udevadm trigger --action=add -s misc, then settle"

for row in "${table[@]}"; do
	read -r name kind <<<"$row"
	p=$D/$name
	if [ -e "/sys/class/dma_heap/$name" ]; then
		[ -c "$p" ] && [ ! -L "$p" ]
		ok $? "$name: the kernel's heap, no symlink made"
	else
		{ [ "$(readlink "$p")" = "../dmabuf-exporter/$kind" ] && [ "$p" -ef "/dev/dmabuf-exporter/$kind" ]; } >"$diag" 2>&1
		ok $? "$name: udev made a symlink to our $kind node"
	fi
done

{ echo "command:"; echo "$by_command"; echo "udev:"; state; } >"$diag"
[ "$(state)" = "$by_command" ]
ok $? "udev made exactly what the command makes (${kernel_heaps:+kernel heaps: }${kernel_heaps:-no kernel heaps})"

"$HEAP_LINKS" >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] && ! grep -q '^create ' "$out"
ok $? "the command after udev: exit 0, nothing left to create"

pid=$(udevd_pid)
udevadm control --exit >>"$out" 2>&1
rc=$?
for _ in $(seq 50); do
	{ [ -n "$pid" ] && [ -d "/proc/$pid" ]; } || break
	sleep 0.1
done
[ "$rc" = 0 ] && [ -n "$pid" ] && [ ! -d "/proc/$pid" ]
ok $? "systemd-udevd stopped"

"$HEAP_LINKS" --remove --quiet >"$out" 2>&1
rc=$?
{ [ "$rc" = 0 ] && ! state | grep -q ' -> '; } >"$diag" 2>&1
ok $? "the command with --remove removes udev's symlinks too"
