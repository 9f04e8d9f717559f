#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# checkpatch.sh CHECKPATCH SRCROOT: run the kernel's checkpatch.pl over every
# kernel source file (driver/ and the uAPI header). Fails when it reports any
# error, warning or check for any of them; the output says which.
set -eu
checkpatch=$1 root=$2
status=0
for f in "$root"/driver/*.[ch] "$root"/driver/*/*.[ch] "$root"/uapi/linux/*.h \
	 "$root"/tests/vm/broken/*/*.c "$root"/tests/misuse/dmx_*.c \
	 "$root"/tests/misuse/compat.h; do
	[ -f "$f" ] || continue
	# compat.h is the one place allowed to test kernel versions.
	ignore=
	[ "$(basename "$f")" = compat.h ] && ignore="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON"
	# shellcheck disable=SC2086
	out=$(perl "$checkpatch" --no-tree --strict --show-types $ignore -f "$f" 2>&1) || true
	if echo "$out" | grep -q "^total: 0 errors, 0 warnings, 0 checks"; then
		echo "checkpatch: ${f#"$root"/}: clean"
	else
		echo "$out"
		echo "checkpatch: ${f#"$root"/}: NOT clean"
		status=1
	fi
done
exit $status
