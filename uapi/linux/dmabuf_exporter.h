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
 * @DMABUF_EXPORTER_KIND_COUNT: number of kinds; not a kind.
 */
enum dmabuf_exporter_kind {
	DMABUF_EXPORTER_KIND_SYSTEM = 0,
	DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED = 1,
	DMABUF_EXPORTER_KIND_CONTIG = 2,
	DMABUF_EXPORTER_KIND_COUNT
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
	__u64 reserved[4];
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

#endif /* _UAPI_LINUX_DMABUF_EXPORTER_H */
