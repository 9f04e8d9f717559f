// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUF_API int dmabuf_node_open(const char *kind)
{
	char path[128];
	int n;

	/* A kind is one path component: no traversal out of our directory. */
	if (!kind || !*kind || strchr(kind, '/') || !strcmp(kind, "..") ||
	    !strcmp(kind, ".")) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(path, sizeof(path), "%s/%s", DMABUF_EXPORTER_DEV_DIR, kind);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDWR | O_CLOEXEC);
}

DMABUF_API int dmabuf_heap_alloc(int node_fd, uint64_t len,
				 unsigned int fd_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
	};

	if (dmabuf_ioctl(node_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -1;
	return (int)data.fd;
}

DMABUF_API int dmabuf_exporter_info(int node_fd,
				    struct dmabuf_exporter_info *info)
{
	memset(info, 0, sizeof(*info));
	return dmabuf_ioctl(node_fd, DMABUF_EXPORTER_IOCTL_INFO, info);
}

DMABUF_API int64_t dmabuf_size(int buf_fd)
{
	/* dma-buf files report their size through SEEK_END. */
	off_t size = lseek(buf_fd, 0, SEEK_END);

	if (size < 0)
		return -1;
	if (lseek(buf_fd, 0, SEEK_SET) < 0)
		return -1;
	return size;
}
