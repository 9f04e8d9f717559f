// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Range syncs: DMABUF_EXPORTER_IOCTL_SYNC_RANGE through our ctl node, for
 * buffers of the dmabuf_exporter module.
 */
#include <errno.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUFX_API int dmabufx_sync_range(int buf_fd, unsigned int flags,
				   uint64_t offset, uint64_t length)
{
	struct dmabuf_exporter_sync_range req = {
		.fd = (uint32_t)buf_fd,
		.flags = flags,
		.offset = offset,
		.length = length,
	};

	/* A negative fd would reach the kernel as a large one: EBADF too. */
	if (buf_fd < 0) {
		errno = EBADF;
		return -1;
	}
	/*
	 * EINTR (a signal during the wait for fences) is retried: nothing was
	 * synced, and the call may be repeated.
	 */
	return dmabufx__ctl_ioctl(-1, DMABUF_EXPORTER_IOCTL_SYNC_RANGE, &req) < 0 ?
	       -1 : 0;
}
