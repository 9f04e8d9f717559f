// SPDX-License-Identifier: LGPL-2.1-or-later
/* Implicit fences of a dma-buf: sync_file export/import and waiting. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "dmabuf-helper.h"
#include "internal.h"

static int valid_access(unsigned int access)
{
	return access && !(access & ~DMA_BUF_SYNC_RW);
}

DMABUFX_API int dmabufx_export_sync_file(int buf_fd, unsigned int access)
{
	struct dma_buf_export_sync_file req = { .flags = access, .fd = -1 };

	if (!valid_access(access)) {
		errno = EINVAL;
		return -1;
	}
	/* The kernel creates the sync_file fd with O_CLOEXEC. */
	if (dmabufx_ioctl(buf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &req) < 0)
		return -1;
	return req.fd;
}

DMABUFX_API int dmabufx_import_sync_file(int buf_fd, unsigned int access,
				       int sync_fd)
{
	struct dma_buf_import_sync_file req = { .flags = access, .fd = sync_fd };

	if (!valid_access(access)) {
		errno = EINVAL;
		return -1;
	}
	return dmabufx_ioctl(buf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &req);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

DMABUFX_API int dmabufx_wait(int buf_fd, unsigned int access, int timeout_ms)
{
	/*
	 * dma-buf poll: POLLIN once the write fences signalled (safe to
	 * read), POLLOUT once all fences did (safe to write).
	 */
	struct pollfd p = {
		.fd = buf_fd,
		.events = (access & DMA_BUF_SYNC_WRITE) ? POLLOUT : POLLIN,
	};
	int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
	int left = timeout_ms, ret;

	if (!valid_access(access) || buf_fd < 0) {
		errno = buf_fd < 0 ? EBADF : EINVAL;
		return -1;
	}
	for (;;) {
		ret = poll(&p, 1, left);
		if (ret > 0) {
			if (p.revents & POLLNVAL) {
				errno = EBADF;
				return -1;
			}
			return 0;
		}
		if (ret == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
		/* Interrupted: wait only for what is left of the timeout. */
		if (timeout_ms >= 0) {
			int64_t rest = deadline - now_ms();

			left = rest > 0 ? (int)rest : 0;
		}
	}
}
