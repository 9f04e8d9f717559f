// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
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
