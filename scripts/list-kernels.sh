#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Print, one per line and oldest first, every installed kernel we can build
# for and boot: it needs both /boot/vmlinuz-KVER and /lib/modules/KVER/build.
for dir in /lib/modules/*/; do
	kver=$(basename "$dir")
	[ -f "/boot/vmlinuz-$kver" ] && [ -d "$dir/build" ] && echo "$kver"
done | sort -V
