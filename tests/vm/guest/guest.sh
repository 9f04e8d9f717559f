#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of tests/vm/run-vm.sh. Runs inside the QEMU guest, chrooted into
# the host root (read-only 9p), started by tests/vm/guest/init as
#
#	guest.sh RESULTS_DIR
#
# RESULTS_DIR is the writable per-run 9p share. The runner leaves the run's
# settings in RESULTS_DIR/config (bash, written with declare -p):
#
#	VM_MODE          tap | exec | shell
#	VM_CWD           host working directory of the runner
#	VM_MODPROBE=()   module names for modprobe, in order
#	VM_MODULES=()    .ko paths for insmod, in order
#	VM_MODNAMES=()   their module names (for rmmod)
#	VM_MODPARAMS=()  their insmod parameters
#	VM_MODSTAYS=()   1 where rmmod must be refused (the module pins itself)
#	VM_PROGS=()      TAP programs (tap mode)
#	VM_EXEC=()       command and arguments (exec mode)
#	VM_BUILTIN=()    VM_MODPROBE names built into the kernel (a custom
#	                 kernel without /lib/modules: nothing to load)
#	VM_ENV=()        NAME=VALUE for the programs' environment
#	VM_SLAB_DEBUG    1: the kernel was booted with slab debugging
#	                 (run-vm.sh --slab-debug); check that it took effect
#	VM_SCRATCH_DISK  1: a virtio-blk scratch disk is attached
#	                 (run-vm.sh --scratch-disk); export it as DMX_TEST_DISK
#	VM_TERM          host $TERM (shell mode)
#	VM_CONSOLE       the console device (/dev/ttyS0, /dev/ttyAMA0)
#	VM_TTY_SIZE      "ROWS COLS" of the host terminal (shell mode), or ""
#
# Every step leaves its result in RESULTS_DIR as soon as it is known, so that
# the runner can report partial results after a hang or a panic:
#
#	slabdebug.rc/.log   --slab-debug only: slab debugging is on
#	scratch.rc/.log     --scratch-disk only: the disk is there
#	modprobe.I.rc/.log  insmod.I.rc/.log  rmmod.I.rc/.log
#	prog.I.out, prog.I.err, prog.I.rc
#	exec.out, exec.err, exec.rc
#	expected-warnings       functions whose WARNING a test provoked on purpose
#	kmemleak.expected       kernels with kmemleak only, written at the start:
#	kmemleak.rc/.log        the scan after the rmmods
#	dmesg                   the kernel log, saved after the last rmmod
#	exit-status             written last: the guest got to the end
#
# An .rc file holds a number, or "skip: REASON" for a step not attempted.

R=${1:?usage: guest.sh RESULTS_DIR}
set -u

say() { echo "vm-guest: $*"; }

# A command's output as one line, so that it cannot pass for a kernel message
# in the console log.
oneline() { tr -s '\n' ' ' <"$1"; }

# shellcheck source=/dev/null
. "$R/config" || { say "cannot read $R/config"; exit 1; }

cd "$VM_CWD" 2>/dev/null || cd / || exit 1

# After a quiet boot, send everything to the console log: if the guest hangs
# or panics before dmesg is saved, that log is all the runner gets.
[ "$VM_MODE" = shell ] || dmesg -n 8 2>/dev/null

# kmemleak (debug kernels): announce the scan at the end now, so that a run
# that never gets there reports it as not reached rather than leaving it out.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w "$KMEMLEAK" ] && [ "$VM_MODE" != shell ]; then
	: >"$R/kmemleak.expected"
else
	KMEMLEAK=""
fi

is_builtin() {
	local b
	for b in "${VM_BUILTIN[@]}"; do
		[ "$b" = "$1" ] && return 0
	done
	return 1
}

load_failed=""

# --slab-debug: every check of slub_debug=FZPU must be on in the kmalloc
# caches (an unknown or misspelt option would leave them off silently).
if [ "${VM_SLAB_DEBUG:-0}" = 1 ]; then
	rc=0
	: >"$R/slabdebug.log"
	# The smallest kmalloc cache is 128 bytes where DMA needs cache-line
	# alignment (arm64 before 6.5), 8 elsewhere: check the first of 64 or
	# 128, and 1k.
	small=kmalloc-64
	[ -d /sys/kernel/slab/$small ] || small=kmalloc-128
	for c in "$small" kmalloc-1k; do
		for a in sanity_checks red_zone poison store_user; do
			v=$(cat "/sys/kernel/slab/$c/$a" 2>/dev/null)
			if [ "$v" != 1 ]; then
				echo "/sys/kernel/slab/$c/$a is '${v:-missing}', not 1" >>"$R/slabdebug.log"
				rc=1
			fi
		done
	done
	if ! grep -q -E '(^| )(page_poison=1|init_on_free=1)( |$)' /proc/cmdline; then
		echo "neither page_poison=1 nor init_on_free=1 in /proc/cmdline" >>"$R/slabdebug.log"
		rc=1
	fi
	echo "$rc" >"$R/slabdebug.rc"
	say "slab debugging check: status $rc"
fi

# --scratch-disk: the only virtio disk (the root is 9p), /dev/vda. Debian's
# kernels build virtio_blk as a module, the debug kernels build it in (no
# /lib/modules there to modprobe from). devtmpfs makes the node; wait for it.
scratch_disk=""
if [ "${VM_SCRATCH_DISK:-0}" = 1 ]; then
	rc=1
	: >"$R/scratch.log"
	if [ ! -d /sys/bus/virtio/drivers/virtio_blk ]; then
		modprobe virtio_blk >>"$R/scratch.log" 2>&1
	fi
	for _ in $(seq 100); do
		if [ -b /dev/vda ] && [ "$(cat /sys/block/vda/serial 2>/dev/null)" = dmx-scratch ]; then
			rc=0
			break
		fi
		sleep 0.1
	done
	if [ "$rc" = 0 ]; then
		scratch_disk=/dev/vda
		echo "/dev/vda, $(($(cat /sys/block/vda/size) / 2048)) MiB" >>"$R/scratch.log"
	else
		echo "no virtio disk with serial dmx-scratch at /dev/vda" >>"$R/scratch.log"
	fi
	echo "$rc" >"$R/scratch.rc"
	say "scratch disk: status $rc"
fi

for i in "${!VM_MODPROBE[@]}"; do
	name=${VM_MODPROBE[i]}
	if [ -n "$load_failed" ]; then
		echo "skip: not attempted, $load_failed failed" >"$R/modprobe.$i.rc"
		continue
	fi
	# The runner lists only names in the modules.builtin shipped with a
	# custom kernel image; Debian kernels always go through modprobe.
	if is_builtin "$name" && [ ! -d "/lib/modules/$(uname -r)" ]; then
		say "modprobe $name: built into the kernel"
		echo "built into $(uname -r)" >"$R/modprobe.$i.log"
		echo 0 >"$R/modprobe.$i.rc"
		continue
	fi
	say "modprobe $name"
	modprobe "$name" >"$R/modprobe.$i.log" 2>&1
	rc=$?
	echo "$rc" >"$R/modprobe.$i.rc"
	if [ "$rc" -ne 0 ]; then
		load_failed="modprobe $name"
		say "modprobe $name failed: $(oneline "$R/modprobe.$i.log")"
	fi
done

# modprobe applies the kernel command line's MODULE.PARAM=VALUE words, and
# insmod does not: pass them as modprobe would (before the explicit ones,
# which win).
cmdline_params() {	# MODULE
	local w out=()
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case $w in "$1".*=*) out+=("${w#"$1".}") ;; esac
	done
	echo "${out[*]}"
}

loaded=()
for i in "${!VM_MODULES[@]}"; do
	ko=${VM_MODULES[i]}
	if [ -n "$load_failed" ]; then
		echo "skip: not attempted, $load_failed failed" >"$R/insmod.$i.rc"
		continue
	fi
	params="$(cmdline_params "${VM_MODNAMES[i]}") ${VM_MODPARAMS[i]:-}"
	say "insmod $ko ${params# }"
	# shellcheck disable=SC2086 # parameters, one word each
	insmod "$ko" $params >"$R/insmod.$i.log" 2>&1
	rc=$?
	echo "$rc" >"$R/insmod.$i.rc"
	if [ "$rc" -eq 0 ]; then
		loaded[i]=1
	else
		load_failed="insmod ${VM_MODNAMES[i]}"
		say "insmod $ko failed: $(oneline "$R/insmod.$i.log")"
	fi
done

for kv in "${VM_ENV[@]}"; do
	export "${kv?}"
done
[ -z "$scratch_disk" ] || export DMX_TEST_DISK=$scratch_disk
# A test that provokes a kernel WARNING on purpose names the function that
# warns, one per line, here; the runner then accepts that splat (run-vm.sh).
export DMX_VM_EXPECTED_WARNINGS=$R/expected-warnings

status=0
case "$VM_MODE" in
tap)
	for i in "${!VM_PROGS[@]}"; do
		prog=${VM_PROGS[i]}
		: >>"$R/prog.$i.out"
		if [ -n "$load_failed" ]; then
			echo "skip: not run, $load_failed failed" >"$R/prog.$i.rc"
			continue
		fi
		say "running $prog"
		start=$SECONDS
		"$prog" </dev/null >>"$R/prog.$i.out" 2>>"$R/prog.$i.err"
		rc=$?
		echo "$((SECONDS - start))" >"$R/prog.$i.time"
		echo "$rc" >"$R/prog.$i.rc"
		say "$prog exited with status $rc"
	done
	;;
exec)
	if [ -n "$load_failed" ]; then
		echo "skip: not run, $load_failed failed" >"$R/exec.rc"
		status=1
	else
		say "running ${VM_EXEC[*]}"
		"${VM_EXEC[@]}" </dev/null >>"$R/exec.out" 2>>"$R/exec.err"
		status=$?
		echo "$status" >"$R/exec.rc"
	fi
	;;
shell)
	echo
	echo "vm-guest: $(uname -r): debug shell in the host root (read-only);"
	echo "vm-guest: /tmp and /run are writable (tmpfs), $R holds the run's results."
	[ -n "$load_failed" ] && echo "vm-guest: NOTE: $load_failed failed"
	echo "vm-guest: exit the shell to power off."
	if [ -n "${VM_TTY_SIZE:-}" ]; then
		# shellcheck disable=SC2086 # "ROWS COLS"
		set -- $VM_TTY_SIZE
		stty -F "$VM_CONSOLE" rows "$1" cols "$2" 2>/dev/null
	fi
	export TERM=${VM_TERM:-linux}
	: >"$R/shell-ready"
	# A session of its own with the console as the controlling terminal, so that
	# job control and ^C work when the host side is a terminal.
	setsid -c -w bash -i <"$VM_CONSOLE" >"$VM_CONSOLE" 2>&1
	status=$?
	echo "vm-guest: shell exited with status $status"
	;;
*)
	say "unknown mode '$VM_MODE'"
	status=1
	;;
esac

# Unload in reverse order. A module can stay busy for a moment after the
# last user exits (deferred fput, RCU), so retry briefly before failing.
for ((i = ${#VM_MODULES[@]} - 1; i >= 0; i--)); do
	name=${VM_MODNAMES[i]}
	if [ -z "${loaded[i]:-}" ]; then
		echo "skip: not loaded" >"$R/rmmod.$i.rc"
		continue
	fi
	say "rmmod $name"
	if [ "${VM_MODSTAYS[i]:-0}" = 1 ]; then
		# It must refuse: a module that cannot take back what it
		# registered (dma-heaps) holds a reference to itself.
		if rmmod "$name" >"$R/rmmod.$i.log" 2>&1; then
			echo "rmmod $name succeeded; it must be refused" >>"$R/rmmod.$i.log"
			echo 1 >"$R/rmmod.$i.rc"
		elif [[ $(<"$R/rmmod.$i.log") == *"in use"* ]] && [ -e "/sys/module/$name" ]; then
			echo 0 >"$R/rmmod.$i.rc"
		else
			echo 1 >"$R/rmmod.$i.rc"
		fi
		continue
	fi
	for delay in 0.2 0.5 1 -; do
		rmmod "$name" >"$R/rmmod.$i.log" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] && break
		[[ $(<"$R/rmmod.$i.log") == *"in use"* ]] || break
		[ "$delay" = - ] || sleep "$delay"
	done
	if [ "$rc" -eq 0 ] && [ -e "/sys/module/$name" ]; then
		echo "rmmod returned 0 but /sys/module/$name is still there" \
			>>"$R/rmmod.$i.log"
		rc=1
	fi
	echo "$rc" >"$R/rmmod.$i.rc"
	[ "$rc" -eq 0 ] || say "rmmod $name failed: $(oneline "$R/rmmod.$i.log")"
done

# kmemleak: unreferenced objects left by the run (the modules are gone, so
# whatever they allocated and did not free is unreferenced now). kmemleak
# reports an object only when it is older than 5 s at the start of a scan
# and its contents did not change since the previous scan, so: one scan to
# take the checksums, then one at least 6 s after the rmmods (see
# Documentation/dev-tools/kmemleak.rst), then read the report.
if [ -n "$KMEMLEAK" ]; then
	say "kmemleak scan"
	t0=$SECONDS
	if echo scan >"$KMEMLEAK" 2>"$R/kmemleak.log"; then
		left=$((6 - (SECONDS - t0)))
		[ "$left" -le 0 ] || sleep "$left"
		if echo scan >"$KMEMLEAK" 2>>"$R/kmemleak.log" &&
			cat "$KMEMLEAK" >"$R/kmemleak.log" 2>&1; then
			rc=0
		else
			rc=1
		fi
	else
		rc=1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "cannot run a kmemleak scan (is kmemleak disabled?)" >>"$R/kmemleak.log"
	elif [ -s "$R/kmemleak.log" ]; then
		n=$(grep -c '^unreferenced object' "$R/kmemleak.log")
		echo "$n unreferenced object(s), listed above" >>"$R/kmemleak.log"
		rc=1
	fi
	echo "$rc" >"$R/kmemleak.rc"
	say "kmemleak scan done (status $rc, $((SECONDS - t0)) s)"
fi

sync
dmesg >"$R/dmesg.tmp" 2>&1 && mv "$R/dmesg.tmp" "$R/dmesg"
echo "$status" >"$R/exit-status"
sync
say "done (status $status)"
exit "$status"
