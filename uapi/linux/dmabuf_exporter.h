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

#endif /* _UAPI_LINUX_DMABUF_EXPORTER_H */
