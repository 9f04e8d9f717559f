# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers of the harness self-tests (tests/vm/selftest.sh and
# tests/debug-kernel/selftest.sh), sourced by them. The caller sets:
#   OUT      directory for the builds, and the TAP output, stderr and exit
#            status of each run
#   KDIR     kernel the broken modules are built against: anything
#            scripts/kernels/kmake.sh takes (a release or a build tree)
#   RUN_VM   array: run-vm.sh and the options every run gets (kernel, ...)
#   PREFIX   prefix of the runs' --name
#   SRC_ROOT the source tree, for mutant() (our driver with a planted bug)
# Results are numbered in N; FAILS counts the failures.

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BROKEN=$SELFTEST_DIR/../broken
TAP_OK=$SELFTEST_DIR/tap_ok.sh
N=0
FAILS=0
WHY=""	# the first check that failed since the last result

result() {	# ok|"not ok" DESCRIPTION [LOGFILE...]
	local st=$1 desc=$2 f
	shift 2
	N=$((N + 1))
	echo "$st $N $desc"
	if [ "$st" != ok ]; then
		FAILS=$((FAILS + 1))
		echo "# failed check: ${WHY:-see the logs below}"
		for f in "$@"; do
			[ -s "$f" ] || continue
			echo "# --- ${f##*/} ---"
			sed 's/^/#   /' "$f"
		done
	fi
	WHY=""
}

# Records the first failing check of a result, for its diagnostics.
why() {	# DESCRIPTION
	[ -n "$WHY" ] || WHY=$1
	return 1
}

# Copies tests/vm/broken/DIR into OUT and builds it there.
build() {	# DIR MODNAME → prints the .ko path
	local dir=$1 mod=$2 dst=$OUT/$1
	rm -rf "$dst"
	mkdir -p "$dst" || return 1
	cp "$BROKEN/$dir/Kbuild" "$BROKEN/$dir/$mod.c" "$dst/" || return 1
	"$SELFTEST_DIR/../../../scripts/kernels/kmake.sh" "$KDIR" "$dst" modules \
		>"$OUT/$dir.build.log" 2>&1 || return 1
	[ -f "$dst/$mod.ko" ] || return 1
	echo "$dst/$mod.ko"
}

# Runs run-vm.sh; leaves stdout, stderr and the exit status in $OUT/NAME.*
run() {	# NAME RUN-VM-ARGS...
	local name=$1
	shift
	"${RUN_VM[@]}" --name "$PREFIX$name" "$@" \
		>"$OUT/$name.tap" 2>"$OUT/$name.stderr"
	echo $? >"$OUT/$name.rc"
}

has() {	# NAME REGEX: the run's TAP has a matching line
	grep -q -E "$2" "$OUT/$1.tap" || why "no line /$2/ in $1.tap"
}

lacks() {	# NAME REGEX: the run's TAP has no matching line
	! grep -q -E "$2" "$OUT/$1.tap" || why "a line /$2/ in $1.tap"
}

count_is() {	# NAME REGEX N: the run's TAP has exactly N matching lines
	local n
	n=$(grep -c -E "$2" "$OUT/$1.tap")
	[ "$n" = "$3" ] || why "$n lines /$2/ in $1.tap, not $3"
}

rc_is() {	# NAME STATUS
	local rc
	rc=$(cat "$OUT/$1.rc")
	[ "$rc" = "$2" ] || why "$1 exited $rc, not $2"
}

# The run's stderr has the guest's saved dmesg.
dmesg_shown() {	# NAME
	grep -q 'guest kernel log (dmesg.*BEGIN' "$OUT/$1.stderr" ||
		why "$1.stderr shows no saved dmesg"
}

# Every result counted and the plan at the end matches.
plan_ok() {	# NAME
	local n
	n=$(grep -c -E '^(not )?ok [0-9]+ ' "$OUT/$1.tap")
	[ "$(tail -n 1 "$OUT/$1.tap")" = "1..$n" ] ||
		why "$1.tap: the plan is not 1..$n at the end"
}

# Builds our driver from a copy of the source tree with one change made by
# the awk program (which must change something), against KDIR.
mutant() {	# NAME FILE AWK-PROGRAM → prints the .ko path
	local name=$1 file=$2 prog=$3 src=$OUT/mutant-$1
	rm -rf "$src"
	mkdir -p "$src" || return 1
	cp -R "$SRC_ROOT/driver" "$SRC_ROOT/uapi" "$SRC_ROOT/VERSION" "$src/" ||
		return 1
	awk "$prog" "$SRC_ROOT/driver/$file" >"$src/driver/$file" || return 1
	if cmp -s "$SRC_ROOT/driver/$file" "$src/driver/$file"; then
		echo "mutation of $file did not apply" >"$OUT/mutant-$name.build.log"
		return 1
	fi
	"$SRC_ROOT/scripts/build-kmod.sh" "$KDIR" "$src" driver \
		"$OUT/mutant-$name-build" "$OUT/mutant-$name/dmabuf_exporter.ko" \
		>"$OUT/mutant-$name.build.log" 2>&1 || return 1
	echo "$OUT/mutant-$name/dmabuf_exporter.ko"
}
