#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# run-in-kernel-tree.sh KVER MODULE.ko WORKDIR [RUN-VM.SH OPTION]...
#
# Proves the kselftest target works where kernel developers run theirs: takes
# tools/testing/selftests (and what its Makefiles include) out of Debian's
# linux-source-6.12 tarball into WORKDIR, installs our target there as
# tools/testing/selftests/dmabuf-exporter, builds it with
# "make -C tools/testing/selftests TARGETS=dmabuf-exporter", and runs
# "... run_tests" inside a QEMU guest of KVER with the module loaded. Prints
# the runner's TAP (one result per test program, with the program's own
# output as comments) and fails if any is not ok. Further options go to
# run-vm.sh (meson passes the vivid parameters every guest gets).
set -eu

[ $# -ge 3 ] || {
	echo "usage: $0 KVER MODULE.ko WORKDIR [RUN-VM.SH OPTION]..." >&2
	exit 2
}
kver=$1 ko=$2 work=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}

mkdir -p "$work"
work=$(cd "$work" && pwd)
tree=$work/linux
if [ ! -f "$tree/tools/testing/selftests/lib.mk" ]; then
	rm -rf "$tree" "$work/extract"
	mkdir -p "$work/extract"
	tar -xJf "$tarball" -C "$work/extract" --wildcards \
		'*/tools/testing/selftests/Makefile' \
		'*/tools/testing/selftests/lib.mk' \
		'*/tools/testing/selftests/kselftest*' \
		'*/tools/testing/selftests/run_kselftest.sh' \
		'*/tools/testing/selftests/gen_kselftest_tar.sh' \
		'*/tools/scripts/*' \
		'*/scripts/subarch.include' \
		'*/Makefile'
	mv "$work/extract"/* "$tree"
	rmdir "$work/extract"
fi

# The target is flat, as kselftest targets are: the programs (some from
# subdirectories of tests/ here) and every header they include next to the
# Makefile, our uAPI headers under include/linux.
target=$tree/tools/testing/selftests/dmabuf-exporter
rm -rf "$target"
mkdir -p "$target/include/linux"
cp "$src"/tests/Makefile "$src"/tests/config "$src"/tests/settings \
	"$src"/tests/dmx_test.h \
	"$src"/tests/edu/edu_test.h "$src"/tests/stress/stress.h \
	"$src"/tools/vgem.h "$target/"
for prog in $(sed -n 's/^\t\([a-z_]*_test\).*/\1/p' "$src/tests/Makefile"); do
	for dir in tests tests/stress tests/edu tests/faults tests/storage tests/pool; do
		[ -f "$src/$dir/$prog.c" ] && break
	done
	cp "$src/$dir/$prog.c" "$target/"
done
cp "$src/uapi/linux/dmabuf_exporter.h" "$src/uapi/linux/dmabuf_exporter_edu.h" \
	"$target/include/linux/"

log=$work/build.log
if ! make -C "$tree/tools/testing/selftests" TARGETS=dmabuf-exporter >"$log" 2>&1; then
	cat "$log" >&2
	echo "run-in-kernel-tree: the target does not build in the kernel tree" >&2
	exit 1
fi

# The runner's output stays in the guest's /tmp (a tmpfs) until the end:
# written to the results share while the programs run, its 9p writes would
# pin pages under the tests that count the system's pinned user pages
# (/proc/vmstat, see dmx_pins_held()).
out=$work/run.log
status=0
"$src/tests/vm/run-vm.sh" --kernel "$kver" --modprobe vgem --modprobe vivid \
	--module "$ko" "$@" --exec -- sh -c '
		make -C "$1" TARGETS=dmabuf-exporter run_tests >/tmp/run.log 2>&1
		rc=$?
		cat /tmp/run.log
		exit $rc' sh "$tree/tools/testing/selftests" \
	>"$out" 2>"$work/vm.log" || status=$?

# The runner's own TAP: one result per program, each preceded by what the
# program printed (its own TAP, which the runner turns into comments).
echo "TAP version 13"
awk '/^(not )?ok [0-9]+ selftests: dmabuf-exporter: / {
	n++; if ($1 == "not") $3 = n; else $2 = n; print; next
} /^#/' "$out"
n=$(grep -cE '^(not )?ok [0-9]+ selftests: dmabuf-exporter: ' "$out" || true)
echo "1..$n"
if [ "$status" -ne 0 ] || [ "$n" -eq 0 ] ||
   grep -qE '^not ok [0-9]+ selftests: dmabuf-exporter: ' "$out"; then
	cat "$out" "$work/vm.log" >&2
	exit 1
fi
