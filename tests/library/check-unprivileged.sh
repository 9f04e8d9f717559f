#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-unprivileged.sh PROG...: the host test programs, run as an
# unprivileged user (nobody, no capabilities), report SKIP for what needs
# root and never fail. Exit 77 (skip) when not run as root, as then the
# programs ran unprivileged in their own meson tests already.
set -eu
[ "$(id -u)" = 0 ] || { echo "not root: the host tests ran unprivileged already"; exit 77; }
command -v setpriv >/dev/null || { echo "no setpriv (util-linux)"; exit 77; }
progs=""
for prog in "$@"; do
	progs="$progs $(realpath "$prog")"
done
# Somewhere a user may read; the build directory may be another's.
cd /tmp
fail=0
for prog in $progs; do
	status=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$prog" 2>&1) || status=$?
	bad=$(printf '%s\n' "$out" | grep -c '^not ok' || true)
	echo "$(basename "$prog"): status $status, $bad failed; $(printf '%s\n' "$out" | grep '^# Totals' || echo 'no totals')"
	if [ "$status" != 0 ] || [ "$bad" != 0 ]; then
		printf '%s\n' "$out" | grep -B5 '^not ok' || true
		fail=1
	fi
done
exit $fail
