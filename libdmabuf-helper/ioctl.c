// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUF_API const char *dmabuf_helper_version(void)
{
	return DMABUF_VERSION;
}

DMABUF_API int dmabuf_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	/*
	 * A signal may interrupt a long allocation (EINTR), and a sync may be
	 * refused while a fence is pending (EAGAIN): both are worth a retry.
	 */
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

int dmabuf__open_node(const char *path)
{
	int fd;

	do {
		fd = open(path, O_RDWR | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	return fd;
}

int dmabuf__provider_missing(int err)
{
	/*
	 * ENOENT: no such node. ENODEV/ENXIO: a stale node whose driver is
	 * gone. ENOTTY: the node exists but does not speak this ioctl (a
	 * module too old for it).
	 */
	return err == ENOENT || err == ENODEV || err == ENXIO || err == ENOTTY;
}
