#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-vm.sh - run dmabuf-exporter tests in a QEMU guest booting a Debian
# kernel, on the host's root file system shared read-only over 9p.
#
# See usage() below and tests/vm/README.md.

set -u -o pipefail
# Before any other command (tests/vm/host-path.sh says why).
dmx_here=${BASH_SOURCE[0]%/*}
[ "$dmx_here" != "${BASH_SOURCE[0]}" ] || dmx_here=.
# shellcheck source=/dev/null
. "$dmx_here/host-path.sh"

# ---------------------------------------------------------------------------
# Kernel log check. A run fails if the guest's kernel log (boot to the end)
# has a line matching one of LOG_BAD (extended regexps, matched against the
# message text with the "[    1.234567] " timestamp removed), unless that line
# also matches one of LOG_NOISE: known, harmless boot messages of the Debian
# kernels under QEMU that happen to contain a bad word. Keep LOG_NOISE narrow.
# ---------------------------------------------------------------------------
LOG_BAD=(
	'WARNING:'
	'BUG:'
	'^BUG '
	'kernel BUG at'
	'Oops'
	'KASAN'
	'possible circular locking'
	'inconsistent lock state'
	'possible recursive locking'
	'refcount_t:'
	'Bad page state'
	'general protection fault'
	'Call Trace:'
	'kmemleak'
	'UBSAN'
	'DMA-API:'
	'list_add corruption'
	'list_del corruption'
	'slab-out-of-bounds'
	'use-after-free'
	'sleeping function called from invalid context'
	'Kernel panic'
	# Slab debugging (slub_debug=FZPU, --slab-debug) and page poisoning
	# (page_poison=1): mm/slub.c's reports start "BUG <cache> (<taint>): "
	# (matched by '^BUG ' above), then name what was hit; 6.12 adds
	# "[<what> overwritten] 0x...", and every repair is a "FIX <cache>: "
	# line. Before 5.14 the detail lines started "INFO: ". mm/page_poison.c
	# reports a poisoned free page written to as "pagealloc: ...".
	'Redzone overwritten'
	'Poison overwritten'
	'[Pp]adding overwritten'
	'Freechain corrupt'
	'Freepointer corrupt'
	'Freelist Pointer check fails'
	'Object corrupt'
	'Object already free'
	'Invalid object pointer'
	'Not a valid slab page'
	'Wrong number of objects'
	'Wrong object count'
	'Attempt to free object'
	'No slab cache for object'
	'Objects remaining'
	'SLUB metadata consistency check failed'
	'^FIX [^ ]+: '
	'^INFO: (Slab 0x|Allocated in |Freed in |0x[0-9a-f]+-0x[0-9a-f]+)'
	'slab_out_of_bounds'
	'pagealloc: (memory corruption|single bit error|corrupted page)'
)
LOG_NOISE=(
	# Boots of 6.1.0-56 and 6.12.117+deb12 under TCG (-cpu max, 1-4 CPUs,
	# swiotlb=force, intel-iommu, edu, vgem, vivid) log none of LOG_BAD.
	# With --kvm the guest sees the host CPU, and arch/x86/kernel/cpu/bugs.c
	# reports missing mitigations as "<vulnerability>: WARNING: ...".
	'^(MDS|TAA|MMIO Stale Data|Register File Data Sampling|SRBDS|L1D Flush|GDS|Spectre V[12]|RETBleed|ITS|Transient Scheduler Attacks|Speculative Store Bypass|Speculative Return Stack Overflow|VMSCAPE) ?: WARNING: '
	# What the debug kernel (scripts/debug-kernel/) says at boot about its
	# kmemleak and DMA-API debugging; their reports look different.
	'^kmemleak: Kernel memory leak detector initialized '
	'^DMA-API: preallocated [0-9]+ debug entries$'
	'^DMA-API: debugging enabled by kernel config$'
)
# The summary line of a kmemleak scan: reported by the "vm: kmemleak scan
# clean" subtest, which prints the leaks; only ignored when that subtest ran.
LOG_KMEMLEAK_SCAN='^kmemleak: [0-9]+ new suspected memory leaks'

# ---------------------------------------------------------------------------

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || exit 3
GUEST_INIT=$HERE/guest/init
GUEST_SCRIPT=$HERE/guest/guest.sh
INITRAMFS_FORMAT=1	# bump when the initramfs layout changes
HOST_ARCH=$(dpkg --print-architecture)

usage() {
	cat <<EOF
Usage: $PROG --kernel KVER [options] (--tap PROG... | --exec -- CMD [ARGS...] | --shell)
       $PROG --kernel-image PATH [--kernel KVER] [options] (--tap ... | --exec ... | --shell)

Boot kernel KVER (from the kernel cache, scripts/kernels/fetch.sh, else
/boot/vmlinuz-KVER; or a kernel image of your own) in QEMU with the host
root shared read-only over 9p, load modules, run tests in a chroot of the host
root, unload the modules, check for memory leaks if the kernel has kmemleak,
and check the kernel log.

Modes (exactly one):
  --tap PROG...         run each test program (absolute or relative host path,
                        printing TAP 13) and print one merged TAP stream on
                        stdout; program stderr goes to stderr
  --exec -- CMD [ARGS]  run one command; its stdout/stderr are passed through;
                        exit status: CMD's if non-zero, else 1 if rmmod or the
                        kernel log check failed, else 0
  --shell               interactive shell on the serial console (stdio) with
                        the modules loaded; the guest powers off on exit

Options:
  --kernel KVER         kernel release to boot (required without --kernel-image):
                        a cached kernel boots with its modules and config
                        bound over /lib/modules and /boot in the guest
  --kernel-image PATH   boot this x86 bzImage instead of /boot/vmlinuz-KVER,
                        e.g. scripts/debug-kernel/build.sh's; KVER defaults to
                        its release and must match it. Modules the guest needs
                        for 9p are taken from /lib/modules/KVER if that exists,
                        else they must be built in. A modules.builtin file next
                        to the image names what is built in: a --modprobe of
                        one of those succeeds without loading anything
  --module PATH.ko      insmod this module after the modprobes (repeatable,
                        loaded in order, removed in reverse order; a failing
                        rmmod fails the run)
  --module-params ARGS  insmod the previous --module with these parameters
                        (space-separated NAME=VALUE)
  --module-stays        the previous --module must refuse rmmod ("in use"),
                        as one that registered dma-heaps does: a refused
                        rmmod passes, a successful one fails the run
  --modprobe NAME       modprobe this distro module first (repeatable)
  --env NAME=VALUE      set this in the environment of the test programs or
                        the command (repeatable)
  --append ARGS         extra kernel command line arguments (repeatable)
  --slab-debug          boot with slab debugging and page poisoning, as far as
                        the kernel's config has them: slub_debug=FZPU
                        (CONFIG_SLUB_DEBUG), page_poison=1
                        (CONFIG_PAGE_POISONING; else init_on_free=1), so that
                        heap overflows and writes to freed memory show in the
                        kernel log; the guest checks that it took effect
                        ("vm: slab debugging on")
  --scratch-disk SIZE   attach a raw virtio-blk disk of SIZE bytes (K, M, G
                        suffixes as truncate(1) takes them), created empty
                        in the run directory for this run only; the guest
                        loads virtio_blk (a module in Debian's kernels, built
                        into the debug kernels) and the test programs find
                        it in DMX_TEST_DISK (/dev/vda); "vm: scratch disk"
                        reports it
  --qemu-arg ARG        extra QEMU argument (repeatable; one word each:
                        --qemu-arg -device --qemu-arg edu)
  --timeout SECS        kill QEMU after SECS seconds (default 600; in --shell
                        mode the default is no timeout; 0 disables it)
  --mem SIZE            guest memory (default 2G)
  --smp N               guest CPUs (default 2)
  --kvm                 use KVM instead of TCG (hangs on some hosts)
  --workdir DIR         cache and scratch directory
                        (default \${TMPDIR:-/tmp}/dmabuf-exporter-vm)
  --name LABEL          label for messages and the run directory
  --keep                keep the run directory (console log, results, dmesg)
  --verbose             copy the guest console to stderr as it runs
  -h, --help            this help

TAP mode prints, in order: "vm: scratch disk" (--scratch-disk only), "vm: modprobe NAME" and "vm: insmod NAME" subtests,
each program's results renamed "BASENAME: NAME", a "vm: BASENAME exit status
and plan" subtest per program, "vm: rmmod NAME" subtests, "vm: kmemleak scan
clean" (only on kernels with kmemleak), "vm: guest finished" and "vm: kernel
log clean", then the plan.

Exit status: 0 all ok, 1 test or check failure (or timeout), 2 usage error,
3 infrastructure problem (QEMU, kernel or initramfs tools missing, QEMU failed).
Environment: QEMU (default qemu-system-x86_64, or qemu-system-aarch64 for an
arm64 kernel of the kernel cache).
EOF
}

die_usage() {
	echo "$PROG: $*" >&2
	echo "Try '$PROG --help'." >&2
	exit 2
}

die_infra() {
	echo "$PROG: $*" >&2
	exit 3
}

# --- arguments -------------------------------------------------------------

KVER=""
KIMAGE=""
MODULES=()
MODPARAMS=()	# per --module: insmod parameters
MODSTAYS=()	# per --module: 1 when rmmod must be refused
MODPROBES=()
ENVS=()
APPEND=()
SLAB_DEBUG=0
SCRATCH_DISK=""
QEMU_ARGS=()
TIMEOUT=""
MEM=2G
SMP=2
KVM=0
WORKDIR=${TMPDIR:-/tmp}/dmabuf-exporter-vm
LABEL=""
KEEP=0
VERBOSE=0
MODE=""
PROGS=()
EXEC=()

need_arg() {
	[ "$2" -ge 2 ] || die_usage "option $1 needs an argument"
}

set_mode() {
	[ -z "$MODE" ] || die_usage "only one of --tap, --exec, --shell"
	MODE=$1
}

while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--kernel) need_arg "$1" $#; KVER=$2; shift 2 ;;
	--kernel-image) need_arg "$1" $#; KIMAGE=$2; shift 2 ;;
	--module) need_arg "$1" $#; MODULES+=("$2"); MODPARAMS+=(""); MODSTAYS+=(0); shift 2 ;;
	--module-params)
		need_arg "$1" $#
		[ ${#MODULES[@]} -gt 0 ] || die_usage "--module-params follows a --module"
		MODPARAMS[${#MODULES[@]} - 1]=$2
		shift 2
		;;
	--module-stays)
		[ ${#MODULES[@]} -gt 0 ] || die_usage "--module-stays follows a --module"
		MODSTAYS[${#MODULES[@]} - 1]=1
		shift
		;;
	--modprobe) need_arg "$1" $#; MODPROBES+=("$2"); shift 2 ;;
	--env)
		need_arg "$1" $#
		[[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die_usage "--env takes NAME=VALUE"
		ENVS+=("$2")
		shift 2
		;;
	--append) need_arg "$1" $#; APPEND+=("$2"); shift 2 ;;
	--slab-debug) SLAB_DEBUG=1; shift ;;
	--scratch-disk) need_arg "$1" $#; SCRATCH_DISK=$2; shift 2 ;;
	--qemu-arg) need_arg "$1" $#; QEMU_ARGS+=("$2"); shift 2 ;;
	--timeout) need_arg "$1" $#; TIMEOUT=$2; shift 2 ;;
	--mem) need_arg "$1" $#; MEM=$2; shift 2 ;;
	--smp) need_arg "$1" $#; SMP=$2; shift 2 ;;
	--kvm) KVM=1; shift ;;
	--workdir) need_arg "$1" $#; WORKDIR=$2; shift 2 ;;
	--name) need_arg "$1" $#; LABEL=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--verbose) VERBOSE=1; shift ;;
	--shell) set_mode shell; shift ;;
	--exec)
		set_mode exec
		shift
		[ "${1:-}" = "--" ] && shift
		[ $# -gt 0 ] || die_usage "--exec needs a command"
		EXEC=("$@")
		shift $#
		;;
	--tap)
		set_mode tap
		shift
		while [ $# -gt 0 ] && [[ $1 != --* ]]; do
			PROGS+=("$1")
			shift
		done
		[ ${#PROGS[@]} -gt 0 ] || die_usage "--tap needs at least one program"
		;;
	--*=*) die_usage "write '${1%%=*} ${1#*=}' (no '=')" ;;
	*) die_usage "unknown argument '$1'" ;;
	esac
done

# The release of an x86 bzImage, from its setup header (boot protocol 2.00+:
# "HdrS" at 0x202, a pointer to the version string at 0x20e, relative to 0x200).
bzimage_release() {
	local magic off
	magic=$(od -A n -t x4 -j 514 -N 4 "$1" 2>/dev/null | tr -d ' ')
	[ "$magic" = 53726448 ] || return 1
	off=$(od -A n -t u2 -j 526 -N 2 "$1" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	dd if="$1" bs=1 skip=$((off + 512)) count=256 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d ' ' -f 1
}

if [ -n "$KIMAGE" ]; then
	[ -f "$KIMAGE" ] || die_usage "--kernel-image $KIMAGE: no such file"
	[ -r "$KIMAGE" ] || die_infra "--kernel-image $KIMAGE: not readable"
	KIMAGE_REL=$(bzimage_release "$KIMAGE") || KIMAGE_REL=""
	[ -n "$KIMAGE_REL" ] ||
		die_usage "--kernel-image $KIMAGE: not an x86 bzImage (no version in its header)"
	if [ -z "$KVER" ]; then
		KVER=$KIMAGE_REL
	elif [ "$KVER" != "$KIMAGE_REL" ]; then
		die_usage "--kernel $KVER, but $KIMAGE is release $KIMAGE_REL (reconfigure the build?)"
	fi
fi
[ -n "$KVER" ] || die_usage "--kernel KVER is required"
[[ $KVER != */* ]] || die_usage "--kernel takes a release (uname -r), not a path"
[ -n "$MODE" ] || die_usage "one of --tap, --exec or --shell is required"
if [ -z "$TIMEOUT" ]; then
	if [ "$MODE" = shell ]; then TIMEOUT=0; else TIMEOUT=600; fi
fi
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die_usage "--timeout takes whole seconds"
[[ $SMP =~ ^[1-9][0-9]*$ ]] || die_usage "--smp takes a number"
[[ $MEM =~ ^[1-9][0-9]*[MGmg]?$ ]] || die_usage "--mem takes a size such as 2G"
[ -z "$SCRATCH_DISK" ] || [[ $SCRATCH_DISK =~ ^[1-9][0-9]*[KMG]?$ ]] ||
	die_usage "--scratch-disk takes a size such as 64M"
[ -z "$LABEL" ] && LABEL=$MODE
SAFE_LABEL=$(printf '%s' "$LABEL" | tr -c 'A-Za-z0-9_.-' '_')

# Paths as the guest sees them: the same absolute host paths.
abspath() {
	local p=$1
	[[ $p == /* ]] || p=$PWD/$p
	printf '%s\n' "$p"
}

MODNAMES=()
for i in "${!MODULES[@]}"; do
	ko=$(abspath "${MODULES[i]}")
	[ -f "$ko" ] || die_usage "--module ${MODULES[i]}: no such file"
	MODULES[i]=$ko
	name=$(modinfo -F name "$ko" 2>/dev/null | head -n 1)
	if [ -z "$name" ]; then
		name=${ko##*/}
		name=${name%%.ko*}
		name=${name//-/_}
	fi
	MODNAMES[i]=$name
done
for i in "${!PROGS[@]}"; do
	p=$(abspath "${PROGS[i]}")
	if [ ! -f "$p" ] || [ ! -x "$p" ]; then
		die_usage "--tap ${PROGS[i]}: not an executable file"
	fi
	PROGS[i]=$p
done

# --- infrastructure checks -------------------------------------------------

# A kernel of the kernel cache (scripts/kernels/fetch.sh) boots from there,
# its modules and config bound over /lib/modules and /boot in the guest
# (guest/init); otherwise an installed kernel (/boot, /lib/modules).
KROOT=""
KENTRY=${DMX_CACHE:-/var/cache/dmabuf-exporter}/kernels/$KVER
if [ -z "$KIMAGE" ] && [ -f "$KENTRY/.complete" ]; then
	KROOT=$(cd "$KENTRY/root" && pwd -P)
fi
# The guest's architecture: a cached kernel says it; any other is the host's.
KARCH=$HOST_ARCH
if [ -n "$KROOT" ]; then
	# shellcheck source=/dev/null
	KARCH=$(DMX_KARCH="" && . "$KENTRY/kernel.env" && echo "${DMX_KARCH:-$HOST_ARCH}")
fi
# Another architecture's guest runs that architecture's Debian userland
# (scripts/kernels/guest-root.sh) instead of the host's programs.
GUEST_ROOT=""
case $KARCH in
amd64)
	QEMU=${QEMU:-qemu-system-x86_64}
	MACHINE=(-machine q35)
	CPU=max
	CONSOLE_TTY=ttyS0
	QEMU_PKG=qemu-system-x86
	;;
arm64)
	QEMU=${QEMU:-qemu-system-aarch64}
	MACHINE=(-machine virt)
	# pauth-impdef: QEMU's own pointer-authentication hash, much faster
	# under TCG than the architected one and as good for a test guest.
	CPU=max,pauth-impdef=on
	CONSOLE_TTY=ttyAMA0
	QEMU_PKG=qemu-system-arm
	;;
*) die_infra "$KVER: no guest set-up for architecture $KARCH" ;;
esac
if [ "$KARCH" != "$HOST_ARCH" ]; then
	[ "$KVM" = 0 ] || die_usage "--kvm: $KVER is an $KARCH kernel on an $HOST_ARCH host"
	GUEST_ROOT=$("$HERE/../../scripts/kernels/guest-root.sh" "$KARCH") ||
		die_infra "no $KARCH userland for the guest (scripts/kernels/guest-root.sh $KARCH)"
fi
command -v "$QEMU" >/dev/null || die_infra "$QEMU not found (apt-get install $QEMU_PKG)"
# The guest binds the kernel's modules over the host's /lib/modules, which a
# container without an installed kernel lacks: make the empty mount point.
[ -d /lib/modules ] || mkdir -p /lib/modules 2>/dev/null ||
	die_infra "no /lib/modules on the host and cannot create it (run as root)"
MODDIR=${KROOT}/lib/modules/$KVER
BUILTIN=()	# --modprobe names built into a --kernel-image kernel
if [ -n "$KIMAGE" ]; then
	VMLINUZ=$(abspath "$KIMAGE")
	# Without installed modules, 9p and virtio must be built in (guest/init
	# says so if the host root cannot be mounted).
	[ -d "$MODDIR" ] || MODDIR=""
	builtin_list=$(dirname "$VMLINUZ")/modules.builtin
	if [ -r "$builtin_list" ]; then
		for m in "${MODPROBES[@]}"; do
			if grep -q -E "/(${m//_/[-_]})\.ko\$" "$builtin_list"; then
				BUILTIN+=("$m")
			fi
		done
	fi
elif [ -n "$KROOT" ]; then
	VMLINUZ=$KENTRY/vmlinuz
	[ -r "$VMLINUZ" ] || die_infra "kernel $VMLINUZ not found or not readable"
else
	VMLINUZ=/boot/vmlinuz-$KVER
	[ -r "$VMLINUZ" ] || die_infra "kernel $VMLINUZ not found or not readable"
	[ -d "$MODDIR" ] || die_infra "$MODDIR not found: the guest needs the kernel's modules"
fi
for t in cpio modinfo timeout sha256sum; do
	command -v "$t" >/dev/null || die_infra "$t not found"
done
if [ ! -r "$GUEST_INIT" ] || [ ! -r "$GUEST_SCRIPT" ]; then
	die_infra "guest scripts missing under $HERE/guest"
fi
# --slab-debug: what the kernel's config offers. A kernel image of our own
# has its .config (or config) next to it; without one, assume both.
SLAB_DEBUG_ARGS=()
if [ "$SLAB_DEBUG" = 1 ]; then
	kconfig=$KROOT/boot/config-$KVER
	if [ -n "$KIMAGE" ]; then
		kconfig=""
		for f in "$(dirname "$VMLINUZ")/.config" "$(dirname "$VMLINUZ")/config"; do
			[ -r "$f" ] && { kconfig=$f; break; }
		done
	fi
	if [ -n "$kconfig" ] && [ -r "$kconfig" ]; then
		grep -q '^CONFIG_SLUB_DEBUG=y' "$kconfig" ||
			die_infra "--slab-debug: $KVER has no CONFIG_SLUB_DEBUG ($kconfig)"
		SLAB_DEBUG_ARGS=(slub_debug=FZPU)
		if grep -q '^CONFIG_PAGE_POISONING=y' "$kconfig"; then
			SLAB_DEBUG_ARGS+=(page_poison=1)
		else
			SLAB_DEBUG_ARGS+=(init_on_free=1)
		fi
	else
		SLAB_DEBUG_ARGS=(slub_debug=FZPU page_poison=1)
	fi
fi
if [ "$KVM" = 1 ] && [ ! -w /dev/kvm ]; then
	die_infra "--kvm: /dev/kvm is not accessible"
fi

mkdir -p "$WORKDIR" || die_infra "cannot create $WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd -P) || die_infra "cannot use $WORKDIR"

# --- initramfs --------------------------------------------------------------

# Modules the guest needs before it can mount the host root, and optional
# ones (overlay: the guest's /tmp shows the host's /tmp under a tmpfs).
INITRAMFS_ROOT_MODULES=(virtio_pci 9pnet_virtio 9p)
INITRAMFS_OPTIONAL_MODULES=(overlay)

declare -A MOD_SEEN=()
MOD_ORDER=()	# "name<TAB>file", dependencies first

is_builtin() {
	grep -q -E "/$1\.ko\$" "$MODDIR/modules.builtin" 2>/dev/null ||
		grep -q -E "/${1//_/-}\.ko\$" "$MODDIR/modules.builtin" 2>/dev/null
}

add_module() {
	local name=$1 file deps d
	[ -n "${MOD_SEEN[$name]:-}" ] && return 0
	MOD_SEEN[$name]=1
	[ -n "$MODDIR" ] || return 0	# a kernel image with everything built in
	if ! file=$(modinfo -b "${KROOT:-/}" -k "$KVER" -F filename "$name" 2>/dev/null); then
		is_builtin "$name" && return 0
		echo "$PROG: module $name not found for $KVER" >&2
		return 1
	fi
	file=$(printf '%s\n' "$file" | head -n 1)
	case "$file" in
	"(builtin)" | "") return 0 ;;
	esac
	deps=$(modinfo -b "${KROOT:-/}" -k "$KVER" -F depends "$name" 2>/dev/null | head -n 1)
	for d in ${deps//,/ }; do
		add_module "$d" || return 1
	done
	MOD_ORDER+=("$name"$'\t'"$file")
}

# The static busybox of the initramfs, for the guest's architecture.
initramfs_busybox() {
	local busybox
	if [ -n "$GUEST_ROOT" ]; then
		echo "$GUEST_ROOT/bin/busybox"
		return
	fi
	busybox=$(command -v busybox) || { echo "$PROG: busybox not found (apt-get install busybox-static)" >&2; return 1; }
	if ldd "$busybox" >/dev/null 2>&1; then
		[ -x /bin/busybox.static ] || { echo "$PROG: $busybox is not static (install busybox-static)" >&2; return 1; }
		busybox=/bin/busybox.static
	fi
	echo "$busybox"
}

build_initramfs() {
	local stage=$1 out=$2 entry name file base n=0
	local busybox
	busybox=$(initramfs_busybox) || return 1
	mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/mnt" "$stage/modules" || return 1
	cp "$busybox" "$stage/bin/busybox" || return 1
	cp "$GUEST_INIT" "$stage/init" && chmod 755 "$stage/init" || return 1
	: >"$stage/modules/order"
	for entry in "${MOD_ORDER[@]}"; do
		name=${entry%%$'\t'*}
		file=${entry#*$'\t'}
		n=$((n + 1))
		base=$(printf '%02d-%s' "$n" "$name")
		case "$file" in
		*.ko.xz) xz -dc "$file" >"$stage/modules/$base.ko" ;;
		*.ko.zst) zstd -qdc "$file" >"$stage/modules/$base.ko" ;;
		*.ko.gz) gzip -dc "$file" >"$stage/modules/$base.ko" ;;
		*.ko) cp "$file" "$stage/modules/$base.ko" ;;
		*) false ;;
		esac || { echo "$PROG: cannot unpack $file" >&2; return 1; }
		echo "$base" >>"$stage/modules/order"
	done
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out" || return 1
}

get_initramfs() {
	local m key stage tmp
	for m in "${INITRAMFS_ROOT_MODULES[@]}"; do
		add_module "$m" || return 1
	done
	for m in "${INITRAMFS_OPTIONAL_MODULES[@]}"; do
		add_module "$m" 2>/dev/null || true
	done
	# Cache key: kernel release + hash of everything that goes in.
	key=$({
		echo "format $INITRAMFS_FORMAT $KVER"
		cat "$GUEST_INIT"
		printf '%s\n' "${MOD_ORDER[@]}"
		for m in "${MOD_ORDER[@]}"; do stat -L -c '%s %Y' "${m#*$'\t'}"; done
		stat -L -c '%s %Y' "$(initramfs_busybox)"
	} | sha256sum | cut -c1-16)
	INITRAMFS=$WORKDIR/initramfs-$KVER-$key.cpio
	[ -s "$INITRAMFS" ] && return 0
	stage=$(mktemp -d "$WORKDIR/.stage.XXXXXX") || return 1
	tmp=$stage.cpio
	if ! build_initramfs "$stage" "$tmp"; then
		rm -rf "$stage" "$tmp"
		return 1
	fi
	rm -rf "$stage"
	# Atomic: parallel runs may build the same file; either copy is good.
	mv -f "$tmp" "$INITRAMFS"
}

get_initramfs || die_infra "cannot build the initramfs for $KVER"

# --- run directory -----------------------------------------------------------

RUNDIR=$(mktemp -d "$WORKDIR/run.$SAFE_LABEL.XXXXXX") || die_infra "cannot create a run directory"
RES=$RUNDIR/results
CONSOLE=$RUNDIR/console.log
QEMU_ERR=$RUNDIR/qemu.stderr
mkdir "$RES" || die_infra "cannot create $RES"
: >"$CONSOLE"
: >"$QEMU_ERR"
# A fresh, empty disk for every run, gone with the run directory.
SCRATCH_IMG=""
if [ -n "$SCRATCH_DISK" ]; then
	SCRATCH_IMG=$RUNDIR/scratch.img
	truncate -s "$SCRATCH_DISK" "$SCRATCH_IMG" ||
		die_infra "cannot create a $SCRATCH_DISK scratch disk in $RUNDIR"
fi

QPID=""
FEED_PID=""
TAIL_PIDS=()

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local p
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	[ -n "$FEED_PID" ] && kill "$FEED_PID" 2>/dev/null
	for p in "${TAIL_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	if [ "$KEEP" = 1 ]; then
		echo "vm[$LABEL]: kept run directory $RUNDIR" >&2
	else
		rm -rf "$RUNDIR"
	fi
}
trap cleanup EXIT
trap 'echo "vm[$LABEL]: interrupted" >&2; exit 130' INT
trap 'echo "vm[$LABEL]: terminated" >&2; exit 143' TERM HUP

# Settings for guest.sh (bash, sourced there).
{
	VM_MODE=$MODE
	VM_CWD=$PWD
	VM_MODPROBE=("${MODPROBES[@]}")
	VM_MODULES=("${MODULES[@]}")
	VM_MODNAMES=("${MODNAMES[@]}")
	VM_MODPARAMS=("${MODPARAMS[@]}")
	VM_MODSTAYS=("${MODSTAYS[@]}")
	VM_PROGS=("${PROGS[@]}")
	VM_EXEC=("${EXEC[@]}")
	VM_BUILTIN=("${BUILTIN[@]}")
	VM_ENV=("${ENVS[@]}")
	VM_SLAB_DEBUG=$SLAB_DEBUG
	VM_SCRATCH_DISK=$([ -n "$SCRATCH_DISK" ] && echo 1 || echo 0)
	VM_TERM=${TERM:-linux}
	VM_CONSOLE=/dev/$CONSOLE_TTY
	VM_TTY_SIZE=""
	if [ "$MODE" = shell ] && [ -t 0 ]; then
		VM_TTY_SIZE=$(stty size 2>/dev/null)
	fi
	declare -p VM_MODE VM_CWD VM_MODPROBE VM_MODULES VM_MODNAMES VM_MODPARAMS \
		VM_MODSTAYS VM_PROGS VM_EXEC \
		VM_BUILTIN VM_ENV VM_SLAB_DEBUG VM_SCRATCH_DISK VM_TERM VM_CONSOLE VM_TTY_SIZE
} >"$RES/config"
printf '%s\n' "$GUEST_SCRIPT" >"$RES/guest-script"
printf '%s\n' "$KROOT" >"$RES/kernel-root"
for i in "${!PROGS[@]}"; do
	: >"$RES/prog.$i.out"
	: >"$RES/prog.$i.err"
done
: >"$RES/exec.out"
: >"$RES/exec.err"

# --- QEMU --------------------------------------------------------------------

# QEMU option values: a comma is written as two commas.
qesc() { printf '%s' "${1//,/,,}"; }

CMDLINE="console=$CONSOLE_TTY panic=-1 quiet"
# Read by guest/init (the kernel hands unknown name=value words to init's
# environment): the userland to run instead of the host's.
[ -z "$GUEST_ROOT" ] || CMDLINE="$CMDLINE dmx_guest_root=$GUEST_ROOT"
[ ${#SLAB_DEBUG_ARGS[@]} -gt 0 ] && CMDLINE="$CMDLINE ${SLAB_DEBUG_ARGS[*]}"
[ ${#APPEND[@]} -gt 0 ] && CMDLINE="$CMDLINE ${APPEND[*]}"

if [ "$KVM" = 1 ]; then
	ACCEL=(-accel kvm -cpu host)
else
	# One TCG thread for all vCPUs: with a thread per vCPU, a vCPU can run
	# a stale translation of code another vCPU is patching (text_poke_bp),
	# and the guest dies on "Oops: int3" in a patched static branch.
	# shellcheck disable=SC2054 # a comma inside a QEMU option value
	ACCEL=(-accel tcg,thread=single -cpu "$CPU")
fi

# shellcheck disable=SC2054 # commas inside QEMU option values
QCMD=("$QEMU"
	"${MACHINE[@]}" "${ACCEL[@]}" -m "$MEM" -smp "$SMP"
	-kernel "$VMLINUZ" -initrd "$INITRAMFS" -append "$CMDLINE"
	-nographic -no-reboot -nic none
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$(qesc "$RES"),mount_tag=results,security_model=none,multidevs=remap"
)
if [ "$MODE" != shell ]; then
	QCMD+=(-chardev "file,id=con,path=$(qesc "$CONSOLE")" -serial chardev:con -monitor none)
else
	# shellcheck disable=SC2054
	# The console on stdio (Ctrl-A h for help, Ctrl-A x to quit), and copied
	# to the console log; Ctrl-C goes to the guest.
	QCMD+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$(qesc "$CONSOLE")"
		-serial chardev:con -mon chardev=con,mode=readline)
fi
# The scratch disk on the PCI bus, as virtio-pci (both machines have one):
# /dev/vda in the guest, whose root is 9p and has no other disk.
if [ -n "$SCRATCH_IMG" ]; then
	# shellcheck disable=SC2054 # commas inside QEMU option values
	QCMD+=(-drive "file=$(qesc "$SCRATCH_IMG"),format=raw,if=none,id=scratch"
		-device virtio-blk-pci,drive=scratch,serial=dmx-scratch)
fi
QCMD+=("${QEMU_ARGS[@]}")

TO=()
[ "$TIMEOUT" -gt 0 ] && TO=(timeout -k 10 "$TIMEOUT")

start_tail() {	# FILE...: copy the files to stdout as they grow, until QEMU exits
	tail -q -n +1 -s 0.2 -f --pid="$QPID" "$@" 2>/dev/null &
	TAIL_PIDS+=($!)
}

feed_stdin() {
	while [ ! -e "$RES/shell-ready" ]; do
		sleep 0.2
	done
	exec cat
}

START=$(date +%s)
if [ "$MODE" = shell ]; then
	echo "vm[$LABEL]: booting $KVER; exit the guest shell to power off (QEMU: Ctrl-A x)" >&2
	[ ${#TO[@]} -gt 0 ] && TO=(timeout --foreground -k 10 "$TIMEOUT")
	if [ -t 0 ]; then
		"${TO[@]}" "${QCMD[@]}" 2>"$QEMU_ERR"
		QRC=$?
		# QEMU restores the terminal unless it was killed.
		[ "$QRC" = 0 ] || stty sane 2>/dev/null
	else
		# Piped input (a script): the UART drops what arrives before the
		# guest opens it, so hand stdin over once the guest shell is up.
		mkfifo "$RUNDIR/stdin" || die_infra "mkfifo failed"
		exec 3<&0
		feed_stdin <&3 >"$RUNDIR/stdin" &
		FEED_PID=$!
		"${TO[@]}" "${QCMD[@]}" 2>"$QEMU_ERR" <"$RUNDIR/stdin"
		QRC=$?
		kill "$FEED_PID" 2>/dev/null
	fi
else
	"${TO[@]}" "${QCMD[@]}" </dev/null >>"$QEMU_ERR" 2>&1 &
	QPID=$!
	if [ "$MODE" = exec ]; then
		start_tail "$RES/exec.out"
		start_tail "$RES/exec.err" >&2
	else
		errs=()
		for i in "${!PROGS[@]}"; do errs+=("$RES/prog.$i.err"); done
		start_tail "${errs[@]}" >&2
	fi
	[ "$VERBOSE" = 1 ] && start_tail "$CONSOLE" >&2
	wait "$QPID"
	QRC=$?
	QPID=""
	for p in "${TAIL_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	TAIL_PIDS=()
fi
ELAPSED=$(($(date +%s) - START))

# --- results ------------------------------------------------------------------

FAILED=0
GUEST_FINISHED=1
GUEST_WHY=""
TIMED_OUT=0

if [ "$TIMEOUT" -gt 0 ] && { [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; }; then
	TIMED_OUT=1
	GUEST_FINISHED=0
	GUEST_WHY="timed out after $TIMEOUT s, QEMU killed"
	echo "vm[$LABEL]: TIMEOUT: the guest did not finish within $TIMEOUT s; QEMU was killed" >&2
elif [ "$QRC" != 0 ]; then
	GUEST_FINISHED=0
	GUEST_WHY="QEMU exited with status $QRC"
elif grep -q 'Kernel panic - not syncing' "$CONSOLE" 2>/dev/null; then
	GUEST_FINISHED=0
	GUEST_WHY="kernel panic: $(grep -m1 -o 'Kernel panic - not syncing.*' "$CONSOLE" | tr -d '\r')"
elif [ ! -s "$RES/exit-status" ]; then
	GUEST_FINISHED=0
	GUEST_WHY="the guest wrote no exit status"
fi
QEMU_FAILED=0
if [ "$TIMED_OUT" = 0 ] && [ "$QRC" != 0 ]; then
	QEMU_FAILED=1
fi

# The kernel log: dmesg if the guest saved it, else the console log.
KLOG=$RES/dmesg
KLOG_WHAT="dmesg"
if [ ! -s "$KLOG" ]; then
	KLOG=$CONSOLE
	KLOG_WHAT="console log (dmesg was not saved)"
fi

# Text of a log without CRs, terminal escapes and kernel timestamps,
# and without the guest scripts' own lines (they quote command output).
log_text() {
	tr -d '\r' <"$1" |
		sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|c)//g; /^vm-(init|guest): /d; s/^\[ *[0-9]+\.[0-9]+\] //'
}

# Cuts the WARNING splats the tests announced in expected-warnings (one
# function per line: "WARNING: ... at FILE:LINE FUNC+0x..."), from that line
# to the splat's "---[ end trace" line. Any other splat stays.
drop_expected_warnings() {
	if [ -s "$RES/expected-warnings" ]; then
		awk -v list="$RES/expected-warnings" '
			BEGIN { while ((getline f < list) > 0) if (f != "") want[f] = 1 }
			skip { if (/---\[ end trace/) skip = 0; next }
			/WARNING:/ { for (f in want) if (index($0, " " f "+0x")) { skip = 1; next } }
			{ print }'
	else
		cat
	fi
}

# Prints the bad lines of the kernel log files given, each line once.
bad_log_lines() {
	local bad noise f
	bad=$(printf '%s\n' "${LOG_BAD[@]}")
	noise=$(printf '%s\n' "${LOG_NOISE[@]}")
	[ -e "$RES/kmemleak.expected" ] && noise=$noise$'\n'$LOG_KMEMLEAK_SCAN
	for f in "$@"; do
		[ -s "$f" ] && log_text "$f" | drop_expected_warnings
	done | grep -E -e "$bad" |
		if [ -n "$noise" ]; then grep -v -E -e "$noise"; else cat; fi |
		awk '!seen[$0]++'
}

LOG_CLEAN=1
LOG_WHY=""
if [ ! -s "$KLOG" ]; then
	LOG_CLEAN=0
	LOG_WHY="no kernel log"
else
	# The console log too (not in --shell mode, where it holds the user's
	# session): it has what came after dmesg was saved, up to the power-off.
	if [ "$MODE" = shell ]; then
		BAD_LINES=$(bad_log_lines "$KLOG")
	else
		BAD_LINES=$(bad_log_lines "$KLOG" "$CONSOLE")
	fi
	if [ -n "$BAD_LINES" ]; then
		LOG_CLEAN=0
		LOG_WHY="$(printf '%s\n' "$BAD_LINES" | wc -l) suspicious line(s) in the $KLOG_WHAT"
	elif [ "$KLOG" != "$RES/dmesg" ]; then
		LOG_CLEAN=0
		LOG_WHY="dmesg was not saved"
	fi
fi

# rc file → "ok", "skip: why" or "fail: why"
step_result() {	# RCFILE LOGFILE
	local rc
	if [ ! -s "$1" ]; then
		echo "fail: not reached (guest did not get there)"
		return
	fi
	rc=$(head -n 1 "$1")
	case "$rc" in
	0) echo ok ;;
	skip:*) echo "$rc" ;;
	*)
		local msg
		msg=$(tr -d '\r' <"$2" 2>/dev/null | grep -v '^$' | tail -n 1)
		echo "fail: ${msg:-exit status $rc}"
		;;
	esac
}

signame() {
	kill -l "$1" 2>/dev/null || echo "?"
}

print_file_stderr() {	# TITLE FILE
	echo "===== vm[$LABEL]: $1 BEGIN =====" >&2
	tr -d '\r' <"$2" | sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|c)//g' >&2
	echo "===== vm[$LABEL]: $1 END =====" >&2
}

report_logs() {
	[ -s "$QEMU_ERR" ] && print_file_stderr "QEMU stderr" "$QEMU_ERR"
	if [ "$KLOG" = "$RES/dmesg" ]; then
		print_file_stderr "guest kernel log (dmesg, $KVER)" "$KLOG"
		if [ "$GUEST_FINISHED" = 0 ] && [ -s "$CONSOLE" ]; then
			print_file_stderr "guest console log" "$CONSOLE"
		fi
	elif [ -s "$CONSOLE" ]; then
		print_file_stderr "guest console log ($KVER; dmesg was not saved)" "$CONSOLE"
	else
		echo "vm[$LABEL]: no guest kernel or console log" >&2
	fi
}

# --- TAP output ---------------------------------------------------------------

N=0
tap() {	# ok|not ok  DESCRIPTION  [DIRECTIVE]
	N=$((N + 1))
	[ "$1" = ok ] || FAILED=1
	if [ -n "${3:-}" ]; then
		printf '%s %d %s # %s\n' "$1" "$N" "$2" "$3"
	else
		printf '%s %d %s\n' "$1" "$N" "$2"
	fi
}

tap_step() {	# DESCRIPTION RESULT [LOGFILE]
	case "$2" in
	ok) tap ok "$1" ;;
	skip:*) tap ok "$1" "SKIP ${2#skip: }" ;;
	*)
		tap "not ok" "$1: ${2#fail: }"
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			tr -d '\r' <"$3" | sed 's/^/#   /'
		fi
		;;
	esac
}

RE_RESULT='^(not ok|ok)([[:space:]]+[0-9]+)?([[:space:]]*-)?[[:space:]]*([^#]*)(#(.*))?$'
RE_PLAN='^1\.\.([0-9]+)[[:space:]]*(#[[:space:]]*(.*))?$'

# Merge the TAP output of program I into the stream.
tap_program() {
	local i=$1 prog=${PROGS[$1]} base out rc line
	local plan="" plan_skip="" count=0 fails=0 skips=0 bail=""
	local st desc dir why
	base=${prog##*/}
	out=$RES/prog.$i.out
	rc=$(head -n 1 "$RES/prog.$i.rc" 2>/dev/null)

	if [ -s "$out" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line%$'\r'}
			if [[ $line =~ $RE_RESULT ]]; then
				st=${BASH_REMATCH[1]}
				desc=${BASH_REMATCH[4]}
				dir=${BASH_REMATCH[6]}
				desc=${desc%"${desc##*[![:space:]]}"}
				dir=${dir#"${dir%%[![:space:]]*}"}
				[ -n "$desc" ] || desc="test $((count + 1))"
				count=$((count + 1))
				case "${dir^^}" in
				SKIP*)
					skips=$((skips + 1))
					dir="SKIP${dir:4}"
					;;
				TODO*)
					dir="TODO${dir:4}"
					;;
				"") ;;
				*)	# XFAIL, XPASS, ...: keep it as text
					desc="$desc ($dir)"
					dir=""
					;;
				esac
				if [ "$st" = "not ok" ] && [[ ${dir^^} != TODO* ]]; then
					fails=$((fails + 1))
				fi
				N=$((N + 1))
				[ "$st" = ok ] || [[ ${dir^^} == TODO* ]] || FAILED=1
				if [ -n "$dir" ]; then
					printf '%s %d %s: %s # %s\n' "$st" "$N" "$base" "$desc" "$dir"
				else
					printf '%s %d %s: %s\n' "$st" "$N" "$base" "$desc"
				fi
			elif [[ $line =~ $RE_PLAN ]]; then
				[ -n "$plan" ] && bail="${bail:+$bail; }more than one plan"
				plan=${BASH_REMATCH[1]}
				if [[ ${BASH_REMATCH[3]^^} == SKIP* ]]; then
					plan_skip=${BASH_REMATCH[3]:4}
					plan_skip=${plan_skip#"${plan_skip%%[![:space:]]*}"}
					plan_skip=${plan_skip:-skipped}
				fi
			elif [[ $line == "TAP version "* ]] || [ -z "$line" ]; then
				:
			elif [[ $line == "Bail out!"* ]]; then
				bail="${bail:+$bail; }bailed out${line#Bail out!}"
				printf '# %s: %s\n' "$base" "$line"
			elif [[ $line == "#"* ]]; then
				printf '%s\n' "$line"
			else
				printf '# %s\n' "$line"
			fi
		done <"$out"
	fi

	why=""
	case "$rc" in
	"")
		if [ "$TIMED_OUT" = 1 ]; then why="did not finish (the guest timed out)"
		else why="did not finish ($GUEST_WHY)"; fi
		;;
	skip:*) why=${rc#skip: } ;;
	*[!0-9]*) why="bad exit status record '$rc'" ;;
	*)
		if [ "$rc" -ge 128 ]; then
			why="killed by signal $((rc - 128)) (SIG$(signame $((rc - 128))))"
		elif [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ]; then
			why="could not be executed (exit status $rc)"
		elif [ -n "$bail" ]; then
			why=$bail
		elif [ -z "$plan" ]; then
			why="printed no TAP plan (exit status $rc)"
		elif [ "$count" -lt "$plan" ]; then
			why="reported $count of $plan planned results (exit status $rc)"
		elif [ "$count" -gt "$plan" ]; then
			why="reported $count results, more than its plan of $plan"
		elif [ "$rc" -ne 0 ] && [ "$fails" -eq 0 ] && [ "$rc" -ne 4 ]; then
			why="exited with status $rc but reported no failure"
		elif [ "$rc" -eq 4 ] && [ "$fails" -eq 0 ] && [ -z "$plan_skip" ] && [ "$skips" -lt "$count" ]; then
			why="exited with status 4 (skip) but not all results were skipped"
		fi
		;;
	esac
	# Where a guest's time goes, for keeping CI within its budget.
	[ -s "$RES/prog.$i.time" ] && printf '# %s: %s s\n' "$base" "$(head -n 1 "$RES/prog.$i.time")"
	if [ -n "$why" ]; then
		tap "not ok" "vm: $base exit status and plan: $why"
		if [ -s "$RES/prog.$i.err" ]; then
			echo "#   last lines of its stderr:"
			tail -n 5 "$RES/prog.$i.err" | tr -d '\r' | sed 's/^/#     /'
		fi
	elif [ -n "$plan_skip" ]; then
		tap ok "vm: $base exit status and plan" "SKIP $plan_skip"
	else
		tap ok "vm: $base exit status and plan"
	fi
}

emit_tap() {
	local i
	echo "TAP version 13"
	echo "# vm: kernel $KVER, $ELAPSED s"
	if [ "$SLAB_DEBUG" = 1 ]; then
		tap_step "vm: slab debugging on (${SLAB_DEBUG_ARGS[*]})" \
			"$(step_result "$RES/slabdebug.rc" "$RES/slabdebug.log")" "$RES/slabdebug.log"
	fi
	if [ -n "$SCRATCH_DISK" ]; then
		tap_step "vm: scratch disk ($SCRATCH_DISK, DMX_TEST_DISK)" \
			"$(step_result "$RES/scratch.rc" "$RES/scratch.log")" "$RES/scratch.log"
	fi
	for i in "${!MODPROBES[@]}"; do
		tap_step "vm: modprobe ${MODPROBES[i]}" \
			"$(step_result "$RES/modprobe.$i.rc" "$RES/modprobe.$i.log")" "$RES/modprobe.$i.log"
	done
	for i in "${!MODULES[@]}"; do
		tap_step "vm: insmod ${MODNAMES[i]}" \
			"$(step_result "$RES/insmod.$i.rc" "$RES/insmod.$i.log")" "$RES/insmod.$i.log"
	done
	for i in "${!PROGS[@]}"; do
		tap_program "$i"
	done
	for ((i = ${#MODULES[@]} - 1; i >= 0; i--)); do
		desc="vm: rmmod ${MODNAMES[i]}"
		[ "${MODSTAYS[i]}" = 0 ] || desc="$desc refused, as it must be"
		tap_step "$desc" \
			"$(step_result "$RES/rmmod.$i.rc" "$RES/rmmod.$i.log")" "$RES/rmmod.$i.log"
	done
	if [ -e "$RES/kmemleak.expected" ]; then
		tap_step "vm: kmemleak scan clean" \
			"$(step_result "$RES/kmemleak.rc" "$RES/kmemleak.log")" "$RES/kmemleak.log"
	fi
	if [ "$GUEST_FINISHED" = 1 ]; then
		tap ok "vm: guest finished"
	else
		tap "not ok" "vm: guest finished: $GUEST_WHY"
	fi
	if [ "$LOG_CLEAN" = 1 ]; then
		tap ok "vm: kernel log clean"
	else
		tap "not ok" "vm: kernel log clean: $LOG_WHY"
		[ -n "${BAD_LINES:-}" ] && printf '%s\n' "$BAD_LINES" | head -n 50 | sed 's/^/#   /'
	fi
	echo "1..$N"
}

# --- report -------------------------------------------------------------------

SUMMARY=()
summarize_steps() {	# KIND COUNT
	local kind=$1 i res name
	for ((i = 0; i < $2; i++)); do
		if [ "$kind" = modprobe ]; then name=${MODPROBES[i]}; else name=${MODNAMES[i]}; fi
		res=$(step_result "$RES/$kind.$i.rc" "$RES/$kind.$i.log")
		case "$res" in
		ok | skip:*) ;;
		*)
			FAILED=1
			SUMMARY+=("$kind $name FAILED (${res#fail: })")
			;;
		esac
	done
}

case "$MODE" in
tap)
	emit_tap
	STATUS=0
	[ "$FAILED" = 0 ] || STATUS=1
	;;
exec | shell)
	if [ "$SLAB_DEBUG" = 1 ]; then
		res=$(step_result "$RES/slabdebug.rc" "$RES/slabdebug.log")
		if [ "$res" = ok ]; then
			SUMMARY+=("slab debugging on")
		else
			FAILED=1
			SUMMARY+=("slab debugging NOT on (${res#fail: })")
		fi
	fi
	if [ -n "$SCRATCH_DISK" ]; then
		res=$(step_result "$RES/scratch.rc" "$RES/scratch.log")
		if [ "$res" = ok ]; then
			SUMMARY+=("scratch disk attached")
		else
			FAILED=1
			SUMMARY+=("scratch disk NOT attached (${res#fail: })")
		fi
	fi
	summarize_steps modprobe ${#MODPROBES[@]}
	summarize_steps insmod ${#MODULES[@]}
	summarize_steps rmmod ${#MODULES[@]}
	# "rmmod ok" when every module was loaded and removed.
	rm_ok=0
	for i in "${!MODULES[@]}"; do
		[ "$(head -n 1 "$RES/rmmod.$i.rc" 2>/dev/null)" = 0 ] && rm_ok=$((rm_ok + 1))
	done
	if [ ${#MODULES[@]} -gt 0 ] && [ "$rm_ok" = ${#MODULES[@]} ]; then
		SUMMARY+=("rmmod ok")
	fi
	if [ -e "$RES/kmemleak.expected" ]; then
		res=$(step_result "$RES/kmemleak.rc" "$RES/kmemleak.log")
		if [ "$res" = ok ]; then
			SUMMARY+=("kmemleak scan clean")
		else
			FAILED=1
			SUMMARY+=("kmemleak scan NOT clean (${res#fail: })")
			tr -d '\r' <"$RES/kmemleak.log" | head -n 200 |
				while IFS= read -r l; do printf 'vm[%s]:   %s\n' "$LABEL" "$l"; done >&2
		fi
	fi
	if [ "$GUEST_FINISHED" = 0 ]; then
		FAILED=1
		SUMMARY+=("guest did not finish: $GUEST_WHY")
	fi
	if [ "$LOG_CLEAN" = 1 ]; then
		SUMMARY+=("kernel log clean")
	else
		FAILED=1
		SUMMARY+=("kernel log NOT clean: $LOG_WHY")
		if [ -n "${BAD_LINES:-}" ]; then
			printf '%s\n' "$BAD_LINES" | head -n 50 |
				while IFS= read -r l; do printf 'vm[%s]:   %s\n' "$LABEL" "$l"; done >&2
		fi
	fi
	CMD_RC=0
	if [ "$MODE" = exec ]; then
		rc=$(head -n 1 "$RES/exec.rc" 2>/dev/null)
		case "$rc" in
		"") SUMMARY=("command did not finish" "${SUMMARY[@]}") ;;
		skip:*) SUMMARY=("command ${rc#skip: }" "${SUMMARY[@]}") ;;
		0) SUMMARY=("command exited 0" "${SUMMARY[@]}") ;;
		*)
			CMD_RC=$rc
			SUMMARY=("command exited with status $rc" "${SUMMARY[@]}")
			;;
		esac
	elif [ -s "$RES/exit-status" ]; then
		SUMMARY=("shell exited with status $(head -n 1 "$RES/exit-status")" "${SUMMARY[@]}")
	fi
	summary=$(printf '%s, ' "${SUMMARY[@]}")
	echo "vm[$LABEL]: ${summary%, } ($KVER, ${ELAPSED} s)" >&2
	if [ "$CMD_RC" != 0 ]; then
		STATUS=$CMD_RC
	elif [ "$FAILED" = 1 ]; then
		STATUS=1
	else
		STATUS=0
	fi
	;;
esac

if [ "$STATUS" != 0 ] || [ "$FAILED" = 1 ]; then
	report_logs
fi
if [ "$QEMU_FAILED" = 1 ]; then
	echo "vm[$LABEL]: QEMU failed (status $QRC)" >&2
	if [ "$STATUS" = 0 ] || [ "$STATUS" = 1 ]; then
		STATUS=3
	fi
fi
exit "$STATUS"
