// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <sys/mman.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUFX_API void *dmabufx_map(int buf_fd, size_t len, int prot)
{
	void *addr;

	/* dma-bufs only support shared mappings. */
	addr = mmap(NULL, len, prot, MAP_SHARED, buf_fd, 0);
	return addr == MAP_FAILED ? NULL : addr;
}

DMABUFX_API int dmabufx_unmap(void *addr, size_t len)
{
	return munmap(addr, len);
}

static int dmabuf_sync(int buf_fd, unsigned int access, uint64_t when)
{
	struct dma_buf_sync sync;

	if (!access || (access & ~DMA_BUF_SYNC_RW)) {
		errno = EINVAL;
		return -1;
	}
	sync.flags = when | access;
	return dmabufx__sync_ioctl(buf_fd, &sync);
}

DMABUFX_API int dmabufx_sync_begin(int buf_fd, unsigned int access)
{
	return dmabuf_sync(buf_fd, access, DMA_BUF_SYNC_START);
}

DMABUFX_API int dmabufx_sync_end(int buf_fd, unsigned int access)
{
	return dmabuf_sync(buf_fd, access, DMA_BUF_SYNC_END);
}
