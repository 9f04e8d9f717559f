/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * dmabuf_exporter_edu userspace API: a reference dma-buf importer driving
 * QEMU's "edu" PCI device (1234:11e8).
 *
 * Each bound edu device gets a node /dev/dmabuf-exporter/eduN. The device has
 * a small buffer of its own and a DMA engine that copies between that buffer
 * and memory. The ioctls below let userspace move data between dma-bufs
 * (from any exporter) and the device buffer, so that a test can see exactly
 * what the device read and wrote, and check that the dma-buf sync protocol
 * (DMA_BUF_IOCTL_SYNC, fences) makes CPU and device agree.
 *
 * A dma-buf is named either by a dma-buf file descriptor (attached and mapped
 * for the device for the duration of one call) or by a handle from
 * DMABUF_EXPORTER_EDU_IOCTL_ATTACH (attached and mapped once, until
 * DMABUF_EXPORTER_EDU_IOCTL_DETACH or until the node is closed).
 *
 * Rules for every struct here, as in <linux/dmabuf_exporter.h>:
 *  - only __u32/__u64 members, naturally aligned, explicit padding;
 *  - "flags" bits not defined here, padding and reserved members must be
 *    zero on input, otherwise the ioctl fails with EINVAL;
 *  - a struct may grow at its end: the kernel accepts a newer, longer struct
 *    as long as the bytes it does not know are zero (otherwise E2BIG); one
 *    shorter than the version below is refused with EINVAL.
 * Unknown ioctls fail with ENOTTY.
 *
 * Errors every DMA-performing ioctl can return besides its own: EINTR (a
 * signal arrived; calls are restarted automatically under SA_RESTART, which
 * is safe because each call can be repeated), ETIMEDOUT (a transfer did not
 * finish within the dma_timeout_ms module parameter, or the fences of a
 * dma-buf did not signal within fence_timeout_ms), EIO (the device stopped
 * responding and was disabled, or an exporter handed out an unusable
 * mapping), ENODEV (the device was unbound while the node was open), ENOMEM.
 */
#ifndef _UAPI_LINUX_DMABUF_EXPORTER_EDU_H
#define _UAPI_LINUX_DMABUF_EXPORTER_EDU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** DMABUF_EXPORTER_EDU_API_VERSION - version of this interface. */
#define DMABUF_EXPORTER_EDU_API_VERSION	1

/**
 * DMABUF_EXPORTER_EDU_DEV_PREFIX - path of the nodes without the device
 * number: the first bound edu device is /dev/dmabuf-exporter/edu0.
 */
#define DMABUF_EXPORTER_EDU_DEV_PREFIX	"/dev/dmabuf-exporter/edu"

/**
 * DMABUF_EXPORTER_EDU_IOC_MAGIC - ioctl type; shared with
 * <linux/dmabuf_exporter.h>, whose numbers stay below 0x40.
 */
#define DMABUF_EXPORTER_EDU_IOC_MAGIC	0xDB

/**
 * DMABUF_EXPORTER_EDU_HANDLE - in &struct dmabuf_exporter_edu_xfer flags:
 * @buf is a handle from DMABUF_EXPORTER_EDU_IOCTL_ATTACH, not a dma-buf fd.
 */
#define DMABUF_EXPORTER_EDU_HANDLE	0x1

/**
 * DMABUF_EXPORTER_EDU_SRC_HANDLE - in &struct dmabuf_exporter_edu_copy flags:
 * @src is a handle, not a dma-buf fd.
 */
#define DMABUF_EXPORTER_EDU_SRC_HANDLE	0x1

/**
 * DMABUF_EXPORTER_EDU_DST_HANDLE - in &struct dmabuf_exporter_edu_copy flags:
 * @dst is a handle, not a dma-buf fd.
 */
#define DMABUF_EXPORTER_EDU_DST_HANDLE	0x2

/**
 * struct dmabuf_exporter_edu_info - device and driver state
 * @api_version:	out: DMABUF_EXPORTER_EDU_API_VERSION of the driver.
 * @flags:		in: must be zero.
 * @devbuf_size:	out: bytes of the device buffer that transfers may use.
 *			The edu device has 4096; QEMU releases up to at least
 *			7.2 abort the whole virtual machine on a transfer that
 *			reaches the last byte, so the driver uses 4095.
 * @dma_bits:		out: DMA address width the driver set for the device
 *			(module parameter dma_bits; QEMU's default edu has 28).
 * @transfers:		out: DMA transfers the device has run since it was
 *			bound. A call that is refused starts none.
 * @max_handles:	out: how many dma-bufs one open node may keep attached.
 * @pad:		in: must be zero.
 * @reserved:		in: must be zero.
 */
struct dmabuf_exporter_edu_info {
	__u32 api_version;
	__u32 flags;
	__u32 devbuf_size;
	__u32 dma_bits;
	__u64 transfers;
	__u32 max_handles;
	__u32 pad;
	__u64 reserved[4];
};

/**
 * struct dmabuf_exporter_edu_devbuf - move bytes between userspace and the
 * device buffer
 * @data:	in: user pointer to @len bytes.
 * @offset:	in: first byte in the device buffer.
 * @len:	in: bytes; @offset + @len must not exceed devbuf_size.
 * @flags:	in: must be zero.
 * @pad:	in: must be zero.
 * @reserved:	in: must be zero.
 *
 * The bytes travel by device DMA through a coherent kernel buffer, so what
 * DEVBUF_READ returns is what the device holds.
 */
struct dmabuf_exporter_edu_devbuf {
	__u64 data;
	__u32 offset;
	__u32 len;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmabuf_exporter_edu_xfer - one transfer between a dma-buf and the
 * device buffer
 * @buf:	in: dma-buf fd, or handle with DMABUF_EXPORTER_EDU_HANDLE.
 * @flags:	in: 0 or DMABUF_EXPORTER_EDU_HANDLE.
 * @offset:	in: first byte in the dma-buf.
 * @dev_offset:	in: first byte in the device buffer.
 * @len:	in: bytes; nonzero, within the dma-buf and within devbuf_size.
 * @reserved:	in: must be zero.
 */
struct dmabuf_exporter_edu_xfer {
	__u32 buf;
	__u32 flags;
	__u64 offset;
	__u32 dev_offset;
	__u32 len;
	__u64 reserved[2];
};

/**
 * struct dmabuf_exporter_edu_copy - copy between two dma-bufs through the
 * device
 * @src:	in: source dma-buf fd, or handle with
 *		DMABUF_EXPORTER_EDU_SRC_HANDLE.
 * @dst:	in: destination dma-buf fd, or handle with
 *		DMABUF_EXPORTER_EDU_DST_HANDLE.
 * @src_offset:	in: first byte read.
 * @dst_offset:	in: first byte written.
 * @len:	in: bytes; nonzero and within both buffers. Ranges in the same
 *		dma-buf must not overlap.
 * @flags:	in: DMABUF_EXPORTER_EDU_SRC_HANDLE, DMABUF_EXPORTER_EDU_DST_HANDLE.
 * @pad:	in: must be zero.
 * @reserved:	in: must be zero.
 *
 * The device reads up to devbuf_size bytes of @src into its buffer, writes
 * them to @dst, and repeats; its buffer holds the last piece afterwards.
 */
struct dmabuf_exporter_edu_copy {
	__u32 src;
	__u32 dst;
	__u64 src_offset;
	__u64 dst_offset;
	__u64 len;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmabuf_exporter_edu_attach - keep a dma-buf attached and mapped
 * @fd:		in: dma-buf fd.
 * @handle:	out: nonzero handle, valid on this open node only.
 * @size:	out: size of the dma-buf in bytes.
 * @flags:	in: must be zero.
 * @pad:	in: must be zero.
 * @reserved:	in: must be zero.
 *
 * The mapping stays as it is between calls, like a device driver's buffer
 * that the hardware keeps using: CPU access must then be bracketed with
 * DMA_BUF_IOCTL_SYNC for device and CPU to see each other's writes. A
 * dma-buf is mapped at most once per device: while it is attached, calls
 * naming it by fd (on any node of the device) use this mapping too.
 */
struct dmabuf_exporter_edu_attach {
	__u32 fd;
	__u32 handle;
	__u64 size;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmabuf_exporter_edu_detach - undo DMABUF_EXPORTER_EDU_IOCTL_ATTACH
 * @handle:	in: handle to unmap and detach.
 * @flags:	in: must be zero.
 * @reserved:	in: must be zero.
 */
struct dmabuf_exporter_edu_detach {
	__u32 handle;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * DMABUF_EXPORTER_EDU_IOCTL_INFO - read device and driver state
 *
 * Takes a &struct dmabuf_exporter_edu_info.
 * Errors: EINVAL (nonzero @flags, @pad or @reserved; struct too short),
 * E2BIG, EFAULT, ENODEV.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_INFO \
	_IOWR(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x40, struct dmabuf_exporter_edu_info)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE - copy user memory into the device
 * buffer
 *
 * Takes a &struct dmabuf_exporter_edu_devbuf.
 * Errors: EINVAL (zero length, range beyond devbuf_size, nonzero
 * flags/pad/reserved), EFAULT (@data unreadable), and the DMA errors above.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE \
	_IOW(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x41, struct dmabuf_exporter_edu_devbuf)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ - copy the device buffer into user
 * memory
 *
 * Takes a &struct dmabuf_exporter_edu_devbuf.
 * Errors: as DEVBUF_WRITE; EFAULT when @data is not writable.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ \
	_IOW(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x42, struct dmabuf_exporter_edu_devbuf)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF - the device reads a dma-buf range
 * into its buffer
 *
 * Takes a &struct dmabuf_exporter_edu_xfer. Waits for the dma-buf's write
 * fences first, and holds a read fence on it while the device reads.
 * Errors: EBADF (@buf is not an open fd, or not open for reading), EINVAL
 * (not a dma-buf; zero length; range outside the dma-buf or the device
 * buffer, including offsets that overflow; unknown flags; nonzero reserved),
 * ENOENT (unknown handle), the exporter's errors from attaching and mapping,
 * and the DMA errors above.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF \
	_IOW(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x43, struct dmabuf_exporter_edu_xfer)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF - the device writes a range of its
 * buffer into a dma-buf
 *
 * Takes a &struct dmabuf_exporter_edu_xfer. Waits for all fences of the
 * dma-buf first, and holds a write fence on it until the data is in memory,
 * so poll() and DMA_BUF_IOCTL_EXPORT_SYNC_FILE wait for the device.
 * Errors: as READ_DMABUF; EBADF also when @buf is not open for writing.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF \
	_IOW(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x44, struct dmabuf_exporter_edu_xfer)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_COPY - copy a range from one dma-buf to another
 * through the device
 *
 * Takes a &struct dmabuf_exporter_edu_copy. Fences as READ_DMABUF for @src
 * and WRITE_DMABUF for @dst.
 * Errors: as READ_DMABUF and WRITE_DMABUF; EINVAL also for overlapping
 * ranges in one dma-buf.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_COPY \
	_IOW(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x45, struct dmabuf_exporter_edu_copy)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_ATTACH - attach and map a dma-buf until detached
 *
 * Takes a &struct dmabuf_exporter_edu_attach; the mapping is bidirectional.
 * Errors: EBADF (@fd not open), EINVAL (not a dma-buf; nonzero
 * flags/pad/reserved), EEXIST (this dma-buf is already attached through a
 * node of this device), ENOSPC (max_handles reached), EFAULT (the handle could not be
 * written back; nothing stays attached), the exporter's errors from
 * attaching and mapping, ENODEV.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_ATTACH \
	_IOWR(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x46, struct dmabuf_exporter_edu_attach)

/**
 * DMABUF_EXPORTER_EDU_IOCTL_DETACH - unmap and detach a handle
 *
 * Takes a &struct dmabuf_exporter_edu_detach.
 * Errors: ENOENT (unknown handle), EINVAL (nonzero flags/reserved), ENODEV.
 */
#define DMABUF_EXPORTER_EDU_IOCTL_DETACH \
	_IOW(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x47, struct dmabuf_exporter_edu_detach)

#endif /* _UAPI_LINUX_DMABUF_EXPORTER_EDU_H */
