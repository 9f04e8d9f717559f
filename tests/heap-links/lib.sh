# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by heap_links_test.sh and heap_links_udev_test.sh (the caller has
# checked HEAP_LINKS): TAP results, what /dev/dma_heap holds of the table's
# names, and which of those names the kernel has heaps of.
#   D        /dev/dma_heap
#   out diag scratch files whose contents a failing ok() prints (the caller
#            removes them on exit)
#   table    the command's table, "NAME KIND" per line
#   heaps    the table's names the kernel has a heap of

D=/dev/dma_heap
out=$(mktemp)
diag=$(mktemp)
n=0

ok() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		cat "$out" "$diag" | sed 's/^/#   /'
	fi
	: >"$out"
	: >"$diag"
}

# A line per name of the table in /dev/dma_heap: symlink target, "char"
# or "other".
state() {	# what /dev/dma_heap holds of the table's names
	local row name p
	[ -d "$D" ] || { echo "(no $D)"; return; }
	for row in "${table[@]}"; do
		read -r name _ <<<"$row"
		p=$D/$name
		if [ -L "$p" ]; then echo "$name -> $(readlink "$p")"
		elif [ -c "$p" ]; then echo "$name char"
		elif [ -e "$p" ]; then echo "$name other"; fi
	done | LC_ALL=C sort
}

mapfile -t table < <("$HEAP_LINKS" --list)
heaps=()
for row in "${table[@]}"; do
	read -r name _ <<<"$row"
	[ -e "/sys/class/dma_heap/$name" ] && heaps+=("$name")
done
