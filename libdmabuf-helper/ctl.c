// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ctl node's per-buffer ioctls: QUERY, COUNTERS and INJECT. Each struct
 * is the caller's, passed with its size, and the ioctl is issued with that
 * size, so programs and modules of different struct versions work together.
 */
#include <errno.h>
#include <stddef.h>

#include <linux/ioctl.h>

#include "dmabuf-helper.h"
#include "internal.h"

#define OFFSETOFEND(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* The first versions end with their reserved members. */
_Static_assert(OFFSETOFEND(struct dmabuf_exporter_query, reserved) ==
	       DMABUFX_QUERY_SIZE_VER0, "DMABUFX_QUERY_SIZE_VER0");
_Static_assert(OFFSETOFEND(struct dmabuf_exporter_counters, reserved) ==
	       DMABUFX_COUNTERS_SIZE_VER0, "DMABUFX_COUNTERS_SIZE_VER0");
_Static_assert(OFFSETOFEND(struct dmabuf_exporter_inject, reserved) ==
	       DMABUFX_INJECT_SIZE_VER0, "DMABUFX_INJECT_SIZE_VER0");

static int check_args(const void *arg, size_t size, size_t size_ver0,
		      int buf_fd)
{
	if (!arg || size < size_ver0 || size > _IOC_SIZEMASK) {
		errno = EINVAL;
		return -1;
	}
	if (buf_fd < 0) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

/* @request with the caller's @size, on @ctl_fd or a ctl node of its own. */
static int ctl_ioctl(int ctl_fd, unsigned long request, void *arg, size_t size)
{
	return dmabufx__ctl_ioctl(ctl_fd, dmabufx__sized_request(request, size),
				  arg) < 0 ? -1 : 0;
}

DMABUFX_API int dmabufx_query(int ctl_fd, int buf_fd,
			      struct dmabuf_exporter_query *query, size_t size)
{
	if (check_args(query, size, DMABUFX_QUERY_SIZE_VER0, buf_fd) < 0)
		return -1;
	query->fd = (uint32_t)buf_fd;
	return ctl_ioctl(ctl_fd, DMABUF_EXPORTER_IOCTL_QUERY, query, size);
}

DMABUFX_API int dmabufx_counters(int ctl_fd, int buf_fd,
				 struct dmabuf_exporter_counters *counters,
				 size_t size)
{
	if (check_args(counters, size, DMABUFX_COUNTERS_SIZE_VER0, buf_fd) < 0)
		return -1;
	counters->fd = (uint32_t)buf_fd;
	return ctl_ioctl(ctl_fd, DMABUF_EXPORTER_IOCTL_COUNTERS, counters, size);
}

DMABUFX_API int dmabufx_inject(int ctl_fd, int buf_fd,
			       struct dmabuf_exporter_inject *inject,
			       size_t size)
{
	if (check_args(inject, size, DMABUFX_INJECT_SIZE_VER0, buf_fd) < 0)
		return -1;
	inject->fd = (uint32_t)buf_fd;
	return ctl_ioctl(ctl_fd, DMABUF_EXPORTER_IOCTL_INJECT, inject, size);
}
