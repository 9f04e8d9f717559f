// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Mapping objects: a shared mapping with its own fd, its length and its
 * access, which keeps begin/end CPU-access syncs in pairs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "internal.h"

struct dmabufx_mapping {
	void *addr;
	size_t len;
	int fd;			/* the mapping's own duplicate */
	unsigned int access;	/* DMA_BUF_SYNC_READ, _WRITE or _RW */
	int begun;		/* inside CPU access */
};

DMABUFX_API struct dmabufx_mapping *dmabufx_mapping_open(int buf_fd, size_t len,
							 unsigned int access)
{
	struct dmabufx_mapping *m;
	int prot = 0, err;
	int64_t size;

	if (!access || (access & ~DMA_BUF_SYNC_RW)) {
		errno = EINVAL;
		return NULL;
	}
	if (buf_fd < 0) {
		errno = EBADF;
		return NULL;
	}
	if (access & DMA_BUF_SYNC_READ)
		prot |= PROT_READ;
	if (access & DMA_BUF_SYNC_WRITE)
		prot |= PROT_WRITE;
	if (!len) {
		size = dmabufx_size(buf_fd);
		if (size < 0)
			return NULL;
		if (!size || (uint64_t)size > SIZE_MAX) {
			errno = EINVAL;
			return NULL;
		}
		len = (size_t)size;
	}

	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	/* Our own fd: the caller may close theirs, and its number be reused. */
	m->fd = fcntl(buf_fd, F_DUPFD_CLOEXEC, 0);
	if (m->fd < 0)
		goto err_free;
	m->addr = mmap(NULL, len, prot, MAP_SHARED, m->fd, 0);
	if (m->addr == MAP_FAILED)
		goto err_close;
	m->len = len;
	m->access = access;
	return m;

err_close:
	err = errno;
	close(m->fd);
	errno = err;
err_free:
	err = errno;
	free(m);
	errno = err;
	return NULL;
}

DMABUFX_API void *dmabufx_mapping_addr(const struct dmabufx_mapping *mapping)
{
	return mapping ? mapping->addr : NULL;
}

DMABUFX_API size_t dmabufx_mapping_len(const struct dmabufx_mapping *mapping)
{
	return mapping ? mapping->len : 0;
}

DMABUFX_API int dmabufx_mapping_fd(const struct dmabufx_mapping *mapping)
{
	return mapping ? mapping->fd : -1;
}

DMABUFX_API unsigned int
dmabufx_mapping_access(const struct dmabufx_mapping *mapping)
{
	return mapping ? mapping->access : 0;
}

DMABUFX_API int dmabufx_mapping_begin(struct dmabufx_mapping *mapping)
{
	if (!mapping) {
		errno = EINVAL;
		return -1;
	}
	/* A second begin would nest, which DMA_BUF_IOCTL_SYNC knows nothing of. */
	if (mapping->begun) {
		errno = EALREADY;
		return -1;
	}
	if (dmabufx_sync_begin(mapping->fd, mapping->access) < 0)
		return -1;
	mapping->begun = 1;
	return 0;
}

DMABUFX_API int dmabufx_mapping_end(struct dmabufx_mapping *mapping)
{
	if (!mapping || !mapping->begun) {
		errno = EINVAL;
		return -1;
	}
	/* Over whatever the kernel says: ending twice would be unpaired. */
	mapping->begun = 0;
	return dmabufx_sync_end(mapping->fd, mapping->access);
}

DMABUFX_API int dmabufx_mapping_close(struct dmabufx_mapping *mapping)
{
	int err = 0;

	if (!mapping)
		return 0;
	if (mapping->begun && dmabufx_mapping_end(mapping) < 0)
		err = errno;
	if (munmap(mapping->addr, mapping->len) < 0 && !err)
		err = errno;
	close(mapping->fd);
	free(mapping);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

DMABUFX_API void dmabufx_mapping_closep(struct dmabufx_mapping **mappingp)
{
	int saved = errno;

	if (mappingp && *mappingp) {
		dmabufx_mapping_close(*mappingp);
		*mappingp = NULL;
	}
	errno = saved;
}
