/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * dmabuf-exporter userspace API.
 *
 * The module exposes one character device per memory kind under
 * /dev/dmabuf-exporter/. Every kind node speaks the kernel's standard dma-heap
 * ABI (DMA_HEAP_IOCTL_ALLOC from <linux/dma-heap.h>), so existing dma-heap
 * users work by pointing them at our path. The ioctls below are the
 * extensions for what no standard ABI expresses.
 *
 * Rules for every struct here (see the kernel's
 * Documentation/process/botching-up-ioctls.rst):
 *  - only __u32/__u64 members, naturally aligned, explicit padding;
 *  - "flags", padding and reserved members must be zero on input, otherwise
 *    the ioctl fails with EINVAL;
 *  - a struct may grow at its end: the kernel accepts an older, shorter struct
 *    (missing members read as zero) and a newer, longer one as long as the
 *    bytes it does not know are zero (otherwise E2BIG).
 */
#ifndef _UAPI_LINUX_DMABUF_EXPORTER_H
#define _UAPI_LINUX_DMABUF_EXPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** DMABUF_EXPORTER_API_VERSION - version of this interface. */
#define DMABUF_EXPORTER_API_VERSION	1

/** DMABUF_EXPORTER_DEV_DIR - directory of the device nodes. */
#define DMABUF_EXPORTER_DEV_DIR		"/dev/dmabuf-exporter"

/**
 * DMABUF_EXPORTER_DEV_SYSTEM - node of the "system" kind: cached,
 * scatter-gather, zeroed pages. Speaks DMA_HEAP_IOCTL_ALLOC.
 */
#define DMABUF_EXPORTER_DEV_SYSTEM	DMABUF_EXPORTER_DEV_DIR "/system"

/**
 * DMABUF_EXPORTER_DEV_SYSTEM_UNCACHED - node of the "system-uncached" kind:
 * the same pages as "system", mapped write-combined by the CPU (userspace and
 * kernel mappings), caches cleaned after zeroing. Speaks DMA_HEAP_IOCTL_ALLOC.
 */
#define DMABUF_EXPORTER_DEV_SYSTEM_UNCACHED DMABUF_EXPORTER_DEV_DIR "/system-uncached"

/**
 * DMABUF_EXPORTER_DEV_CONTIG - node of the "contig" kind: physically
 * contiguous, zeroed memory, as large as the page allocator can give in one
 * piece. Speaks DMA_HEAP_IOCTL_ALLOC.
 */
#define DMABUF_EXPORTER_DEV_CONTIG	DMABUF_EXPORTER_DEV_DIR "/contig"

/**
 * DMABUF_EXPORTER_DEV_CTL - the extension node: allocation with kind, size
 * and name in one call, and queries of buffers.
 */
#define DMABUF_EXPORTER_DEV_CTL		DMABUF_EXPORTER_DEV_DIR "/ctl"

/**
 * enum dmabuf_exporter_kind - memory kinds
 * @DMABUF_EXPORTER_KIND_SYSTEM: cached, scatter-gather.
 * @DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED: write-combined, scatter-gather.
 * @DMABUF_EXPORTER_KIND_CONTIG: cached, physically contiguous.
 * @DMABUF_EXPORTER_KIND_COUNT: number of kinds DMABUF_EXPORTER_IOCTL_ALLOC
 *	can allocate; not a kind.
 * @DMABUF_EXPORTER_KIND_USER: pinned user memory
 *	(DMABUF_EXPORTER_IOCTL_IMPORT_USER); reported by queries only.
 * @DMABUF_EXPORTER_KIND_MEMFD: memfd pages (UDMABUF_CREATE*); reported by
 *	queries only.
 */
enum dmabuf_exporter_kind {
	DMABUF_EXPORTER_KIND_SYSTEM = 0,
	DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED = 1,
	DMABUF_EXPORTER_KIND_CONTIG = 2,
	DMABUF_EXPORTER_KIND_COUNT,
	DMABUF_EXPORTER_KIND_USER = 0x100,
	DMABUF_EXPORTER_KIND_MEMFD = 0x101,
};

/** DMABUF_EXPORTER_NAME_LEN - buffer names, NUL included (as DMA_BUF_SET_NAME). */
#define DMABUF_EXPORTER_NAME_LEN	32

/** DMABUF_EXPORTER_IOC_MAGIC - ioctl type of the extension ioctls. */
#define DMABUF_EXPORTER_IOC_MAGIC	0xDB

/**
 * struct dmabuf_exporter_info - module-wide state and limits
 * @api_version:	out: DMABUF_EXPORTER_API_VERSION of the running module.
 * @flags:		in: must be zero.
 * @max_buffer_size:	out: largest buffer length, in bytes, one allocation
 *			may ask for (module parameter max_buffer_mb); larger
 *			requests fail with ENOMEM.
 * @live_buffers:	out: buffers exported by the module and not yet
 *			released (a buffer lives until its last fd, mapping and
 *			importer are gone).
 * @live_bytes:		out: total size of those buffers.
 * @page_size:		out: the kernel's page size; lengths are rounded up to
 *			a multiple of it.
 * @pad:		must be zero.
 * @reserved:		must be zero.
 *
 * Tests and tools use the counters to prove that buffers are freed at their
 * last reference.
 */
struct dmabuf_exporter_info {
	__u32 api_version;
	__u32 flags;
	__u64 max_buffer_size;
	__u64 live_buffers;
	__u64 live_bytes;
	__u32 page_size;
	__u32 pad;
	__u64 pinned_bytes;
	__u64 reserved[3];
};

/**
 * DMABUF_EXPORTER_IOCTL_INFO - read module-wide state and limits
 *
 * Takes a &struct dmabuf_exporter_info; accepted on every node.
 * Errors: EINVAL for nonzero @flags, @pad or @reserved; E2BIG for a longer
 * struct whose unknown tail is not zero; EFAULT for a bad pointer.
 */
#define DMABUF_EXPORTER_IOCTL_INFO \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x00, struct dmabuf_exporter_info)

/**
 * struct dmabuf_exporter_alloc - allocate a buffer of a given kind
 * @size:	in: length in bytes, rounded up to whole pages.
 * @kind:	in: an &enum dmabuf_exporter_kind.
 * @fd_flags:	in: O_CLOEXEC and an access mode (O_RDONLY, O_WRONLY, O_RDWR),
 *		as for DMA_HEAP_IOCTL_ALLOC.
 * @flags:	in: must be zero.
 * @fd:		out: the new dma-buf fd.
 * @name:	in: user pointer to a NUL-terminated name of at most
 *		DMABUF_EXPORTER_NAME_LEN - 1 characters, or 0 for none; shown in
 *		/proc/PID/fdinfo/FD and the dma-buf debugfs list, changeable later
 *		with DMA_BUF_SET_NAME.
 * @reserved:	must be zero.
 */
struct dmabuf_exporter_alloc {
	__u64 size;
	__u32 kind;
	__u32 fd_flags;
	__u32 flags;
	__u32 fd;
	__u64 name;
	__u64 reserved[4];
};

/**
 * DMABUF_EXPORTER_IOCTL_ALLOC - allocate a buffer (ctl node only)
 *
 * Takes a &struct dmabuf_exporter_alloc. Errors: EINVAL for a zero size, a
 * size that overflows when rounded up, an unknown kind, unknown fd_flags,
 * nonzero flags or reserved, a name too long; EFAULT for a bad pointer
 * (argument or name); ENOMEM when the size is over max_buffer_mb, the module
 * would hold more than max_total_mb, memory ran out, or a contig buffer is
 * larger than the page allocator can give in one piece; EINTR on a fatal
 * signal; EMFILE when out of fds. Nothing is left allocated on any error.
 */
#define DMABUF_EXPORTER_IOCTL_ALLOC \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x01, struct dmabuf_exporter_alloc)

/**
 * DMABUF_EXPORTER_QUERY_BUS_ADDR - &dmabuf_exporter_query.out_flags bit:
 * @bus_addr is valid.
 */
#define DMABUF_EXPORTER_QUERY_BUS_ADDR	0x1U

/**
 * struct dmabuf_exporter_query - describe one of our buffers
 * @fd:		in: a dma-buf fd exported by this module.
 * @flags:	in: must be zero.
 * @kind:	out: its &enum dmabuf_exporter_kind.
 * @out_flags:	out: DMABUF_EXPORTER_QUERY_* bits.
 * @size:	out: length in bytes.
 * @name:	in: user pointer to a buffer of @name_len bytes that receives
 *		the NUL-terminated name ("" when unnamed), or 0 to skip it.
 * @name_len:	in: size of that buffer; a name that does not fit is cut.
 * @attachments: out: devices attached now.
 * @mapped_attachments: out: of those, how many have it mapped for DMA.
 * @mmaps:	out: userspace mappings (VMAs) alive now.
 * @vmaps:	out: kernel mappings (vmap) alive now.
 * @segments:	out: physically contiguous runs of pages in the buffer: 1
 *		for a contig buffer, usually more for the others.
 * @bus_addr:	out: for a contig buffer and a caller with CAP_SYS_RAWIO, the
 *		address at which a device that DMAs straight to memory (no
 *		IOMMU, no bounce buffering) sees its first byte; 0 otherwise.
 *		It reveals the physical memory layout, hence the capability.
 * @reserved:	must be zero.
 */
struct dmabuf_exporter_query {
	__u32 fd;
	__u32 flags;
	__u32 kind;
	__u32 out_flags;
	__u64 size;
	__u64 name;
	__u32 name_len;
	__u32 attachments;
	__u32 mapped_attachments;
	__u32 mmaps;
	__u32 vmaps;
	__u32 segments;
	__u64 bus_addr;
	__u64 reserved[4];
};

/**
 * DMABUF_EXPORTER_IOCTL_QUERY - describe a buffer (ctl node only)
 *
 * Takes a &struct dmabuf_exporter_query. Errors: EBADF when @fd is not open;
 * EINVAL when it is not a dma-buf, a dma-buf of another exporter, or flags
 * or reserved are nonzero; EFAULT for a bad pointer.
 */
#define DMABUF_EXPORTER_IOCTL_QUERY \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x02, struct dmabuf_exporter_query)

/**
 * DMABUF_EXPORTER_IMPORT_WRITE - &dmabuf_exporter_import_user.flags bit:
 * pin the pages writable, so devices and other mappings may write them.
 * Without it the pages are pinned read-only and the dma-buf can only be
 * mapped read-only (its fd_flags access mode must then be O_RDONLY).
 */
#define DMABUF_EXPORTER_IMPORT_WRITE	0x1U

/**
 * struct dmabuf_exporter_import_user - export a range of user memory
 * @addr:	in: start of the range; page-aligned (EINVAL otherwise: round
 *		the range out to pages yourself, knowing that the whole pages
 *		are then shared).
 * @len:	in: its length in bytes; page-aligned, nonzero.
 * @flags:	in: DMABUF_EXPORTER_IMPORT_* bits; others must be zero.
 * @fd_flags:	in: O_CLOEXEC and an access mode, as for
 *		DMA_HEAP_IOCTL_ALLOC.
 * @fd:		out: the new dma-buf fd.
 * @pad:	must be zero.
 * @name:	in: user pointer to a name as for &dmabuf_exporter_alloc, or 0.
 * @reserved:	must be zero.
 *
 * The pages of [@addr, @addr + @len) are pinned (pin_user_pages() with
 * FOLL_LONGTERM) and stay pinned and valid until the last reference to the
 * dma-buf is gone, even if the range is unmapped or the process exits. They
 * count against the caller's RLIMIT_MEMLOCK (CAP_IPC_LOCK exempts) until
 * then, and against the module's max_pinned_mb.
 */
struct dmabuf_exporter_import_user {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 fd_flags;
	__u32 fd;
	__u32 pad;
	__u64 name;
	__u64 reserved[4];
};

/**
 * DMABUF_EXPORTER_IOCTL_IMPORT_USER - pin user memory, export it (ctl node)
 *
 * Takes a &struct dmabuf_exporter_import_user. Errors: EINVAL for an
 * unaligned or zero address or length, a range that wraps, unknown flags or
 * fd_flags, a writable access mode without DMABUF_EXPORTER_IMPORT_WRITE,
 * nonzero pad or reserved, a name too long; EFAULT when part of the range is
 * not mapped, is an I/O or PFN mapping (another dma-buf's mmap, for
 * example), or is read-only for a writable import; EOPNOTSUPP (or EFAULT,
 * depending on the kernel) for memory that cannot be pinned long-term, such
 * as writable shared mappings of files on a regular filesystem; ENOMEM when
 * RLIMIT_MEMLOCK or max_pinned_mb would be exceeded or memory ran out;
 * EINTR on a fatal signal; EMFILE when out of fds. Nothing stays pinned on
 * any error.
 */
#define DMABUF_EXPORTER_IOCTL_IMPORT_USER \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x03, struct dmabuf_exporter_import_user)

/**
 * enum dmabuf_exporter_op - dma_buf operations of a buffer, for failure
 * injection
 * @DMABUF_EXPORTER_OP_ATTACH: an importer attaching a device.
 * @DMABUF_EXPORTER_OP_MAP: mapping an attachment for DMA.
 * @DMABUF_EXPORTER_OP_VMAP: a kernel mapping (vmap).
 * @DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS: DMA_BUF_SYNC_START and in-kernel
 *	begin_cpu_access.
 * @DMABUF_EXPORTER_OP_MMAP: a userspace mapping.
 * @DMABUF_EXPORTER_OP_COUNT: number of operations; not one.
 */
enum dmabuf_exporter_op {
	DMABUF_EXPORTER_OP_ATTACH = 0,
	DMABUF_EXPORTER_OP_MAP = 1,
	DMABUF_EXPORTER_OP_VMAP = 2,
	DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS = 3,
	DMABUF_EXPORTER_OP_MMAP = 4,
	DMABUF_EXPORTER_OP_COUNT
};

/**
 * struct dmabuf_exporter_inject - make a buffer's next calls fail
 * @fd:		in: a dma-buf fd exported by this module.
 * @op:		in: an &enum dmabuf_exporter_op.
 * @count:	in: how many of the next calls of @op fail; 0 stops failing.
 * @error:	in: the positive errno they fail with, 1 to 511 (512 and up
 *		are the kernel's internal restart codes).
 * @reserved:	must be zero.
 *
 * Only while the module parameter test_exporter is 1 (off by default, root
 * only): for testing how importers handle an exporter's errors.
 */
struct dmabuf_exporter_inject {
	__u32 fd;
	__u32 op;
	__u32 count;
	__u32 error;
	__u64 reserved[2];
};

/**
 * DMABUF_EXPORTER_IOCTL_INJECT - inject failures (ctl node, test mode)
 *
 * Takes a &struct dmabuf_exporter_inject. Errors: EPERM when test_exporter
 * is 0; EBADF when @fd is not open; EINVAL when it is not one of our
 * buffers, for an unknown @op, an @error out of range (with a nonzero
 * @count), nonzero reserved; EFAULT.
 */
#define DMABUF_EXPORTER_IOCTL_INJECT \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x04, struct dmabuf_exporter_inject)

/**
 * struct dmabuf_exporter_counters - what importers did with a buffer
 * @fd:		in: a dma-buf fd exported by this module.
 * @flags:	in: must be zero.
 * @attach:	out: successful attaches.
 * @detach:	out: detaches.
 * @map:	out: successful DMA mappings, by direction: [0] bidirectional,
 *		[1] to the device, [2] from the device (enum dma_data_direction).
 * @unmap:	out: unmappings, by the direction they were mapped with.
 * @vmap:	out: successful kernel mappings.
 * @vunmap:	out: kernel unmappings.
 * @begin_cpu_access: out: successful begin_cpu_access calls.
 * @end_cpu_access: out: end_cpu_access calls.
 * @mmap:	out: successful userspace mappings.
 * @failed:	out: calls failed by injection.
 * @reserved:	must be zero.
 *
 * Always counted, test mode or not; a balanced importer leaves attach ==
 * detach, map[d] == unmap[d], vmap == vunmap.
 */
struct dmabuf_exporter_counters {
	__u32 fd;
	__u32 flags;
	__u64 attach;
	__u64 detach;
	__u64 map[3];
	__u64 unmap[3];
	__u64 vmap;
	__u64 vunmap;
	__u64 begin_cpu_access;
	__u64 end_cpu_access;
	__u64 mmap;
	__u64 failed;
	__u64 reserved[4];
};

/**
 * DMABUF_EXPORTER_IOCTL_COUNTERS - read a buffer's counters (ctl node)
 *
 * Takes a &struct dmabuf_exporter_counters. Errors: EBADF, EINVAL (not ours,
 * nonzero flags or reserved), EFAULT.
 */
#define DMABUF_EXPORTER_IOCTL_COUNTERS \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x05, struct dmabuf_exporter_counters)

/**
 * struct dmabuf_exporter_sync_range - CPU access to part of a buffer
 * @fd:		in: a dma-buf fd exported by this module.
 * @pad:	in: must be zero.
 * @flags:	in: DMA_BUF_SYNC_* from <linux/dma-buf.h>, with the rules of
 *		DMA_BUF_IOCTL_SYNC (whose &struct dma_buf_sync.flags is a __u64
 *		too): DMA_BUF_SYNC_START (0) or DMA_BUF_SYNC_END, and
 *		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW; no
 *		other bit.
 * @offset:	in: first byte of the range.
 * @length:	in: bytes in the range; nonzero, and @offset + @length must
 *		not exceed the buffer's size.
 * @reserved:	in: must be zero.
 *
 * DMA_BUF_IOCTL_SYNC for [@offset, @offset + @length) only: the same
 * hand-over between CPU and devices (every device mapping of the buffer,
 * its kernel mapping, the kind's own), for that range's bytes instead of
 * all of them, so that a CPU touching a few bytes of a large buffer does
 * not pay for the whole buffer. DMA_BUF_SYNC_START first waits for the
 * buffer's fences as DMA_BUF_IOCTL_SYNC does (for writers only when
 * reading, for everyone when writing), then makes what devices wrote into
 * the range visible to the CPU; DMA_BUF_SYNC_END makes what the CPU wrote
 * into the range visible to devices. Bytes outside the range are left as
 * they are: a CPU access to them needs a sync of its own.
 *
 * Bounce buffers copy exactly the range. Where caches are maintained by
 * hand (non-coherent devices, arm64) whole cache lines are cleaned or
 * invalidated, so a range that shares a cache line with bytes a device
 * writes at the same time is not safe: keep such ranges apart by at least
 * a cache line (64 bytes on x86-64 and arm64; page-aligned ranges always
 * are).
 *
 * In DMABUF_EXPORTER_IOCTL_COUNTERS a range sync counts as one
 * begin_cpu_access (DMA_BUF_SYNC_START) or end_cpu_access
 * (DMA_BUF_SYNC_END), and in test-exporter mode DMA_BUF_SYNC_START fails
 * like begin_cpu_access (DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS).
 */
struct dmabuf_exporter_sync_range {
	__u32 fd;
	__u32 pad;
	__u64 flags;
	__u64 offset;
	__u64 length;
	__u64 reserved[2];
};

/**
 * DMABUF_EXPORTER_IOCTL_SYNC_RANGE - sync part of a buffer (every node)
 *
 * Takes a &struct dmabuf_exporter_sync_range; accepted on every node.
 * Errors: EBADF when @fd is not open; EINVAL when it is not a dma-buf or a
 * dma-buf of another exporter, for unknown @flags or flags with neither
 * DMA_BUF_SYNC_READ nor DMA_BUF_SYNC_WRITE, a zero @length, a range that
 * wraps or ends past the buffer, nonzero @pad or @reserved, a struct
 * shorter than this one; E2BIG for a longer struct whose unknown tail is
 * not zero; EFAULT for a bad pointer; EINTR when a signal interrupts the
 * wait for fences (nothing was synced; the call may be repeated); in
 * test-exporter mode the error injected into begin_cpu_access. Nothing is
 * synced on any error.
 */
#define DMABUF_EXPORTER_IOCTL_SYNC_RANGE \
	_IOW(DMABUF_EXPORTER_IOC_MAGIC, 0x06, struct dmabuf_exporter_sync_range)

/*
 * The ctl node also speaks udmabuf's ABI (<linux/udmabuf.h>): UDMABUF_CREATE
 * and UDMABUF_CREATE_LIST, with the kernel's structs, rules and errnos, so
 * software written for /dev/udmabuf works on kernels built without it.
 */

#endif /* _UAPI_LINUX_DMABUF_EXPORTER_H */
