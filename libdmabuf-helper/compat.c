// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The 0.x names (dmabuf_*), kept so that programs linked against them keep
 * running with this library. They are declared in no header: new code uses
 * dmabufx_*. Calls that fill a struct write exactly the size those programs
 * were built with. To be dropped with the soname bump of 1.0.
 */
#include <stddef.h>
#include <stdint.h>

#include "dmabuf-helper.h"
#include "internal.h"

#define COMPAT(ret, name, params, args)					\
	DMABUFX_API ret dmabuf_##name params;				\
	DMABUFX_API ret dmabuf_##name params				\
	{								\
		return dmabufx_##name args;				\
	}

DMABUFX_API const char *dmabuf_helper_version(void);
DMABUFX_API const char *dmabuf_helper_version(void)
{
	return dmabufx_version();
}

COMPAT(int, ioctl, (int fd, unsigned long request, void *arg),
       (fd, request, arg))
COMPAT(int, node_open, (const char *kind), (kind))
COMPAT(int, heap_alloc, (int node_fd, uint64_t len, unsigned int fd_flags),
       (node_fd, len, fd_flags))
COMPAT(int, alloc, (const char *provider, uint64_t len, unsigned int fd_flags,
		    char *used, size_t used_len),
       (provider, len, fd_flags, used, used_len))
COMPAT(int, alloc_named, (unsigned int kind, uint64_t len,
			  unsigned int fd_flags, const char *name),
       (kind, len, fd_flags, name))
COMPAT(int, memfd_create, (const char *name, uint64_t len), (name, len))
COMPAT(int, import_memfd, (int memfd, uint64_t offset, uint64_t len,
			   unsigned int fd_flags, char *used, size_t used_len),
       (memfd, offset, len, fd_flags, used, used_len))
COMPAT(int, import_memfd_at, (const char *dev, int memfd, uint64_t offset,
			      uint64_t len, unsigned int fd_flags),
       (dev, memfd, offset, len, fd_flags))
COMPAT(int, import_user, (void *addr, uint64_t len, unsigned int flags,
			  unsigned int fd_flags, const char *name),
       (addr, len, flags, fd_flags, name))
COMPAT(int64_t, size, (int buf_fd), (buf_fd))
COMPAT(void *, map, (int buf_fd, size_t len, int prot), (buf_fd, len, prot))
COMPAT(int, unmap, (void *addr, size_t len), (addr, len))
COMPAT(int, sync_begin, (int buf_fd, unsigned int access), (buf_fd, access))
COMPAT(int, sync_end, (int buf_fd, unsigned int access), (buf_fd, access))
COMPAT(int, set_name, (int buf_fd, const char *name), (buf_fd, name))
COMPAT(int, export_sync_file, (int buf_fd, unsigned int access),
       (buf_fd, access))
COMPAT(int, import_sync_file, (int buf_fd, unsigned int access, int sync_fd),
       (buf_fd, access, sync_fd))
COMPAT(int, wait, (int buf_fd, unsigned int access, int timeout_ms),
       (buf_fd, access, timeout_ms))

/* The structs as 0.x programs know them: the first versions. */
COMPAT(int, exporter_info, (int node_fd, struct dmabuf_exporter_info *info),
       (node_fd, info, DMABUFX_EXPORTER_INFO_SIZE_VER0))
COMPAT(int, fdinfo, (int buf_fd, struct dmabufx_fdinfo *info),
       (buf_fd, info, DMABUFX_FDINFO_SIZE_VER0))
COMPAT(int, fdinfo_pid, (int pid, int fd, struct dmabufx_fdinfo *info),
       (pid, fd, info, DMABUFX_FDINFO_SIZE_VER0))
COMPAT(int, fdinfo_parse, (const char *text, struct dmabufx_fdinfo *info),
       (text, info, DMABUFX_FDINFO_SIZE_VER0))
