// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Allocation: from one of our kind nodes, from any dma-heap, or, for
 * "system", from memfd pages turned into a dma-buf by udmabuf; in that order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/ioctl.h>

#include "dmabuf-helper.h"
#include "internal.h"

#define DMA_HEAP_DIR	"/dev/dma_heap"

/* A name is one path component: no traversal out of the node directories. */
static int valid_name(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, "..") &&
	       strcmp(name, ".");
}

static int node_path(char *path, size_t size, const char *dir,
		     const char *name)
{
	int n = snprintf(path, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static void report_used(char *used, size_t used_len, const char *path)
{
	if (used && used_len)
		snprintf(used, used_len, "%s", path);
}

DMABUFX_API int dmabufx_node_open(const char *kind)
{
	char path[128];

	if (!valid_name(kind)) {
		errno = EINVAL;
		return -1;
	}
	if (node_path(path, sizeof(path), DMABUF_EXPORTER_DEV_DIR, kind) < 0)
		return -1;
	return open(path, O_RDWR | O_CLOEXEC);
}

DMABUFX_API int dmabufx_heap_alloc(int node_fd, uint64_t len,
				 unsigned int fd_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
	};

	if (dmabufx_ioctl(node_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -1;
	return (int)data.fd;
}

/* Open @path and allocate from it; -1 + errno (ENOENT: no such node). */
static int alloc_from_heap_path(const char *path, uint64_t len,
				unsigned int fd_flags)
{
	int node, buf, err;

	node = dmabufx__open_node(path);
	if (node < 0)
		return -1;
	buf = dmabufx_heap_alloc(node, len, fd_flags);
	err = errno;
	close(node);
	errno = err;
	return buf;
}

/* Zero-filled memfd pages of @len bytes, exported through udmabuf @dev. */
static int alloc_from_udmabuf(const char *dev, uint64_t len,
			      unsigned int fd_flags)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int memfd, buf, err;

	if (len > UINT64_MAX - page + 1) {
		errno = EINVAL;
		return -1;
	}
	len = (len + page - 1) & ~(page - 1);
	memfd = dmabufx_memfd_create("dmabuf-helper", len);
	if (memfd < 0)
		return -1;
	buf = dmabufx_import_memfd_at(dev, memfd, 0, len, fd_flags);
	err = errno;
	/* udmabuf holds the pages; the memfd itself is no longer needed. */
	close(memfd);
	errno = err;
	return buf;
}

DMABUFX_API int dmabufx_alloc(const char *provider, uint64_t len,
			    unsigned int fd_flags, char *used, size_t used_len)
{
	static const char *const udmabuf_devs[] = {
		DMABUF_EXPORTER_DEV_CTL, DMABUFX_UDMABUF_DEV,
	};
	char path[128];
	unsigned int i;
	int buf;

	if (!provider || !len || (fd_flags & ~(O_CLOEXEC | O_ACCMODE))) {
		errno = EINVAL;
		return -1;
	}
	/* An explicit path: that node and nothing else. */
	if (provider[0] == '/') {
		buf = alloc_from_heap_path(provider, len, fd_flags);
		if (buf >= 0)
			report_used(used, used_len, provider);
		return buf;
	}
	if (!valid_name(provider)) {
		errno = EINVAL;
		return -1;
	}

	if (node_path(path, sizeof(path), DMABUF_EXPORTER_DEV_DIR, provider) < 0)
		return -1;
	buf = alloc_from_heap_path(path, len, fd_flags);
	if (buf >= 0 || !dmabufx__provider_missing(errno))
		goto out;

	if (node_path(path, sizeof(path), DMA_HEAP_DIR, provider) < 0)
		return -1;
	buf = alloc_from_heap_path(path, len, fd_flags);
	if (buf >= 0 || !dmabufx__provider_missing(errno))
		goto out;

	/* udmabuf memory is ordinary cached shmem: a stand-in for "system" only. */
	if (strcmp(provider, "system")) {
		errno = ENOENT;
		return -1;
	}
	for (i = 0; i < sizeof(udmabuf_devs) / sizeof(udmabuf_devs[0]); i++) {
		snprintf(path, sizeof(path), "%s", udmabuf_devs[i]);
		buf = alloc_from_udmabuf(path, len, fd_flags);
		if (buf >= 0 || !dmabufx__provider_missing(errno))
			goto out;
	}
	errno = ENOENT;
	return -1;
out:
	if (buf >= 0)
		report_used(used, used_len, path);
	return buf;
}

DMABUFX_API int dmabufx_alloc_named(unsigned int kind, uint64_t len,
				  unsigned int fd_flags, const char *name)
{
	struct dmabuf_exporter_alloc req = {
		.size = len,
		.kind = kind,
		.fd_flags = fd_flags,
		.name = (uintptr_t)name,
	};
	int ctl, err, ret;

	ctl = dmabufx__open_node(DMABUF_EXPORTER_DEV_CTL);
	if (ctl < 0)
		return -1;
	ret = dmabufx_ioctl(ctl, DMABUF_EXPORTER_IOCTL_ALLOC, &req);
	err = errno;
	close(ctl);
	errno = err;
	return ret < 0 ? -1 : (int)req.fd;
}

DMABUFX_API int dmabufx_exporter_info(int node_fd,
				      struct dmabuf_exporter_info *info,
				      size_t size)
{
	if (!info || size < DMABUFX_EXPORTER_INFO_SIZE_VER0 ||
	    size > _IOC_SIZEMASK) {
		errno = EINVAL;
		return -1;
	}
	/* The caller's size, not ours, goes into the ioctl number. */
	memset(info, 0, size);
	return dmabufx_ioctl(node_fd,
			     _IOC(_IOC_READ | _IOC_WRITE,
				  _IOC_TYPE(DMABUF_EXPORTER_IOCTL_INFO),
				  _IOC_NR(DMABUF_EXPORTER_IOCTL_INFO), size),
			     info);
}

DMABUFX_API int64_t dmabufx_size(int buf_fd)
{
	/* dma-buf files report their size through SEEK_END. */
	off_t size = lseek(buf_fd, 0, SEEK_END);

	if (size < 0)
		return -1;
	if (lseek(buf_fd, 0, SEEK_SET) < 0)
		return -1;
	return size;
}
