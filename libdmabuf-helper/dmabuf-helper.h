/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmabuf-helper: allocate, map and synchronise dma-buf buffers.
 *
 * Conventions: functions returning int give -1 and set errno on error;
 * functions returning a pointer give NULL and set errno. Every file
 * descriptor the library opens or creates has O_CLOEXEC set unless the caller
 * asks otherwise. ioctls interrupted by a signal (EINTR) or refused for now
 * (EAGAIN) are retried.
 */
#ifndef DMABUF_HELPER_H
#define DMABUF_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/dma-buf.h>
#include <linux/dmabuf_exporter.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * dmabuf_helper_version() - the library's version string, e.g. "0.1.0".
 */
const char *dmabuf_helper_version(void);

/**
 * dmabuf_ioctl() - ioctl() that retries on EINTR and EAGAIN.
 * @fd:		file descriptor.
 * @request:	ioctl request.
 * @arg:	its argument.
 *
 * Return: what ioctl() returns; -1 with errno on error.
 */
int dmabuf_ioctl(int fd, unsigned long request, void *arg);

/**
 * dmabuf_node_open() - open a memory-kind node of the dmabuf_exporter module.
 * @kind:	kind name, e.g. "system" (opens /dev/dmabuf-exporter/system).
 *
 * Return: a file descriptor (O_RDWR | O_CLOEXEC) the caller closes, or -1
 * with errno (ENOENT when the module is not loaded, EINVAL for a bad name).
 */
int dmabuf_node_open(const char *kind);

/**
 * dmabuf_heap_alloc() - allocate a buffer with DMA_HEAP_IOCTL_ALLOC.
 * @node_fd:	an open dma-heap node: one of ours or /dev/dma_heap/<name>.
 * @len:	length in bytes; the kernel rounds it up to whole pages.
 * @fd_flags:	flags of the new fd: O_CLOEXEC and an access mode
 *		(O_RDWR to map it writable).
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: EINVAL for a zero
 * length or bad flags, ENOMEM when the memory or the size limit is exceeded,
 * EMFILE when the process is out of fds.
 */
int dmabuf_heap_alloc(int node_fd, uint64_t len, unsigned int fd_flags);

/**
 * dmabuf_exporter_info() - read module-wide state (DMABUF_EXPORTER_IOCTL_INFO).
 * @node_fd:	an open node of ours.
 * @info:	filled in on success.
 *
 * Return: 0, or -1 with errno (ENOTTY when @node_fd is not one of ours).
 */
int dmabuf_exporter_info(int node_fd, struct dmabuf_exporter_info *info);

/**
 * dmabuf_size() - size of a dma-buf in bytes.
 * @buf_fd:	dma-buf fd.
 *
 * Return: the size, or -1 with errno (ESPIPE if @buf_fd is not a dma-buf).
 */
int64_t dmabuf_size(int buf_fd);

/**
 * dmabuf_map() - map a whole dma-buf shared into the address space.
 * @buf_fd:	dma-buf fd.
 * @len:	bytes to map from offset 0; at most the buffer size.
 * @prot:	PROT_READ and/or PROT_WRITE.
 *
 * Return: the address, to be released with dmabuf_unmap(), or NULL with
 * errno.
 */
void *dmabuf_map(int buf_fd, size_t len, int prot);

/**
 * dmabuf_unmap() - undo dmabuf_map().
 * @addr:	address returned by dmabuf_map().
 * @len:	the length given to it.
 *
 * Return: 0, or -1 with errno.
 */
int dmabuf_unmap(void *addr, size_t len);

/**
 * dmabuf_sync_begin() - start CPU access (DMA_BUF_IOCTL_SYNC, SYNC_START).
 * @buf_fd:	dma-buf fd.
 * @access:	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW.
 *
 * Every CPU access through a mapping must be bracketed by dmabuf_sync_begin()
 * and dmabuf_sync_end() with the same @access, so the exporter can make
 * device writes visible to the CPU and CPU writes visible to devices.
 *
 * Return: 0, or -1 with errno (EINVAL for bad @access).
 */
int dmabuf_sync_begin(int buf_fd, unsigned int access);

/**
 * dmabuf_sync_end() - end CPU access (DMA_BUF_IOCTL_SYNC, SYNC_END).
 * @buf_fd:	dma-buf fd.
 * @access:	the access given to dmabuf_sync_begin().
 *
 * Return: 0, or -1 with errno.
 */
int dmabuf_sync_end(int buf_fd, unsigned int access);

#ifdef __cplusplus
}
#endif

#endif /* DMABUF_HELPER_H */
