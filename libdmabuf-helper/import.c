// SPDX-License-Identifier: LGPL-2.1-or-later
/* Turning memory the caller has into dma-bufs: memfds and user ranges. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUFX_API int dmabufx_memfd_create(const char *name, uint64_t len)
{
	int fd, err;

	fd = memfd_create(name ? name : "dmabuf-helper",
			  MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	/* udmabuf insists the memfd cannot shrink under the buffer. */
	if (ftruncate(fd, (off_t)len) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int dmabufx__udmabuf_create(int dev_fd, int memfd, uint64_t offset,
			   uint64_t len, unsigned int fd_flags)
{
	struct udmabuf_create req = {
		.memfd = (uint32_t)memfd,
		.flags = (fd_flags & O_CLOEXEC) ? UDMABUF_FLAGS_CLOEXEC : 0,
		.offset = offset,
		.size = len,
	};

	/* udmabuf returns the new fd as the ioctl's result. */
	return dmabufx_ioctl(dev_fd, UDMABUF_CREATE, &req);
}

DMABUFX_API int dmabufx_import_memfd_at(const char *dev, int memfd,
				      uint64_t offset, uint64_t len,
				      unsigned int fd_flags)
{
	int node, buf, err;

	if (!dev || (fd_flags & ~(O_CLOEXEC | O_ACCMODE))) {
		errno = EINVAL;
		return -1;
	}
	node = dmabufx__open_node(dev);
	if (node < 0)
		return -1;
	buf = dmabufx__udmabuf_create(node, memfd, offset, len, fd_flags);
	err = errno;
	close(node);
	errno = err;
	return buf;
}

DMABUFX_API int dmabufx_import_memfd(int memfd, uint64_t offset, uint64_t len,
				   unsigned int fd_flags, char *used,
				   size_t used_len)
{
	static const char *const devs[] = {
		DMABUF_EXPORTER_DEV_CTL, DMABUFX_UDMABUF_DEV,
	};
	unsigned int i;
	int buf;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		buf = dmabufx_import_memfd_at(devs[i], memfd, offset, len,
					     fd_flags);
		if (buf >= 0) {
			if (used && used_len) {
				snprintf(used, used_len, "%s", devs[i]);
			}
			return buf;
		}
		if (!dmabufx__provider_missing(errno))
			return -1;
	}
	errno = ENOENT;
	return -1;
}

DMABUFX_API int dmabufx_import_user(void *addr, uint64_t len, unsigned int flags,
				  unsigned int fd_flags, const char *name)
{
	struct dmabuf_exporter_import_user req = {
		.addr = (uintptr_t)addr,
		.len = len,
		.flags = flags,
		.fd_flags = fd_flags,
		.name = (uintptr_t)name,
	};

	if (dmabufx__ctl_ioctl(-1, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req) < 0)
		return -1;
	return (int)req.fd;
}
