/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libdmabuf-helper. */
#ifndef DMABUFX_HELPER_INTERNAL_H
#define DMABUFX_HELPER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Symbols are hidden by default (-fvisibility=hidden); this exports one. */
#define DMABUFX_API __attribute__((visibility("default")))

/* Open a device node O_RDWR | O_CLOEXEC; -1 + errno. */
int dmabufx__open_node(const char *path);

/* Errnos that mean "this provider is not there": try the next one. */
int dmabufx__provider_missing(int err);

/* UDMABUF_CREATE of [offset, offset + len) of @memfd through @dev_fd. */
int dmabufx__udmabuf_create(int dev_fd, int memfd, uint64_t offset,
			   uint64_t len, unsigned int fd_flags);

/*
 * Copy the library's struct to the caller's of @dst_size bytes: truncated
 * when the caller's is older, the unknown tail zeroed when it is newer.
 */
int dmabufx__copy_out(void *dst, size_t dst_size, const void *src,
		      size_t src_size);

/*
 * @request with @size in its size field, read-write: the caller's struct
 * version, which the module's extensible ioctls accept (copy_struct_from_user).
 */
unsigned long dmabufx__sized_request(unsigned long request, size_t size);

/*
 * dmabufx_ioctl() on @ctl_fd, or on our ctl node opened for this call when
 * @ctl_fd is -1 (closed again, errno kept).
 */
int dmabufx__ctl_ioctl(int ctl_fd, unsigned long request, void *arg);

/* DMA_BUF_IOCTL_SYNC, retried on EINTR and on EAGAIN (a fence pending). */
int dmabufx__sync_ioctl(int buf_fd, void *sync);

#endif
