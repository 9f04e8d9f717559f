/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libdmabuf-helper. */
#ifndef DMABUF_HELPER_INTERNAL_H
#define DMABUF_HELPER_INTERNAL_H

#include <stdint.h>

/* Symbols are hidden by default (-fvisibility=hidden); this exports one. */
#define DMABUF_API __attribute__((visibility("default")))

/* Open a device node O_RDWR | O_CLOEXEC; -1 + errno. */
int dmabuf__open_node(const char *path);

/* Errnos that mean "this provider is not there": try the next one. */
int dmabuf__provider_missing(int err);

/* UDMABUF_CREATE of [offset, offset + len) of @memfd through @dev_fd. */
int dmabuf__udmabuf_create(int dev_fd, int memfd, uint64_t offset,
			   uint64_t len, unsigned int fd_flags);

#endif
