// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUFX_API const char *dmabufx_version(void)
{
	return DMABUF_VERSION;
}

DMABUFX_API int dmabufx_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	/*
	 * A signal may interrupt a long allocation (EINTR). EAGAIN is not
	 * retried: on a non-blocking fd of another subsystem (V4L2) it means
	 * "not now", and retrying would spin.
	 */
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret;
}

unsigned long dmabufx__sized_request(unsigned long request, size_t size)
{
	return _IOC(_IOC_READ | _IOC_WRITE, _IOC_TYPE(request),
		    _IOC_NR(request), size);
}

int dmabufx__ctl_ioctl(int ctl_fd, unsigned long request, void *arg)
{
	int ctl = ctl_fd, ret, err;

	if (ctl_fd == -1) {
		ctl = dmabufx__open_node(DMABUF_EXPORTER_DEV_CTL);
		if (ctl < 0)
			return -1;
	}
	ret = dmabufx_ioctl(ctl, request, arg);
	if (ctl_fd == -1) {
		err = errno;
		close(ctl);
		errno = err;
	}
	return ret;
}

int dmabufx__sync_ioctl(int buf_fd, void *sync)
{
	int ret;

	/* Exporters may refuse a sync with EAGAIN while a fence is pending. */
	do {
		ret = ioctl(buf_fd, DMA_BUF_IOCTL_SYNC, sync);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

int dmabufx__open_node(const char *path)
{
	int fd;

	do {
		fd = open(path, O_RDWR | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	return fd;
}

int dmabufx__provider_missing(int err)
{
	/*
	 * ENOENT: no such node. ENODEV/ENXIO: a stale node whose driver is
	 * gone. ENOTTY: the node exists but does not speak this ioctl (a
	 * module too old for it).
	 */
	return err == ENOENT || err == ENODEV || err == ENXIO || err == ENOTTY;
}
