// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names and descriptions of any dma-buf, whoever exported it: the dma-buf
 * core prints size, exporter and name in /proc/PID/fdinfo/FD for all.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "internal.h"

DMABUFX_API int dmabufx_set_name(int buf_fd, const char *name)
{
	/*
	 * The kernel copies at most DMA_BUF_NAME_LEN bytes and refuses longer
	 * names with EINVAL; check first so the errno does not depend on
	 * whether the bytes after the limit happen to be readable.
	 */
	if (!name || strlen(name) >= DMA_BUF_NAME_LEN) {
		errno = EINVAL;
		return -1;
	}
	return dmabufx_ioctl(buf_fd, DMA_BUF_SET_NAME_B, (void *)name);
}

/* Copy a value up to the end of its line, cut to @size with a NUL. */
static void copy_value(char *dst, size_t size, const char *src)
{
	size_t n = strcspn(src, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, base);
	return (errno || end == s || (*end && *end != '\n')) ? -1 : 0;
}

/* Parse into the library's own struct; the callers copy out the caller's size. */
static int parse_fdinfo(const char *text, struct dmabufx_fdinfo *info)
{
	const char *line, *val;
	int have_exp = 0;
	uint64_t v;

	memset(info, 0, sizeof(*info));
	for (line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		val = strchr(line, ':');
		if (!val || val > line + strcspn(line, "\n"))
			continue;
		for (val++; *val == ' ' || *val == '\t'; val++)
			;
#define KEY(k) (!strncmp(line, k ":", sizeof(k)))
		if (KEY("size") && !parse_u64(val, 10, &v))
			info->size = v;
		else if (KEY("ino") && !parse_u64(val, 10, &v))
			info->inode = v;
		else if (KEY("flags") && !parse_u64(val, 8, &v))
			info->flags = (unsigned int)v;
		else if (KEY("count") && !parse_u64(val, 10, &v))
			info->count = (unsigned int)v;
		else if (KEY("exp_name")) {
			copy_value(info->exp_name, sizeof(info->exp_name), val);
			have_exp = 1;
		} else if (KEY("name"))
			copy_value(info->name, sizeof(info->name), val);
#undef KEY
	}
	/* Only dma-bufs have an exporter; anything else is not one. */
	if (!have_exp) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int dmabufx__copy_out(void *dst, size_t dst_size, const void *src,
		      size_t src_size)
{
	if (dst_size <= src_size) {
		memcpy(dst, src, dst_size);
	} else {
		memcpy(dst, src, src_size);
		memset((char *)dst + src_size, 0, dst_size - src_size);
	}
	return 0;
}

DMABUFX_API int dmabufx_fdinfo_parse(const char *text,
				     struct dmabufx_fdinfo *info, size_t size)
{
	struct dmabufx_fdinfo fi;

	if (!text || !info || size < DMABUFX_FDINFO_SIZE_VER0) {
		errno = EINVAL;
		return -1;
	}
	if (parse_fdinfo(text, &fi) < 0)
		return -1;
	return dmabufx__copy_out(info, size, &fi, sizeof(fi));
}

DMABUFX_API int dmabufx_fdinfo_pid(int pid, int fd, struct dmabufx_fdinfo *info,
				   size_t size)
{
	char path[64], text[4096];
	ssize_t n;
	int f, err;

	if (!info || size < DMABUFX_FDINFO_SIZE_VER0) {
		errno = EINVAL;
		return -1;
	}
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0) {
		/* No such fd in an existing process reads as ENOENT. */
		if (errno == ENOENT && (!pid || pid == getpid()))
			errno = EBADF;
		return -1;
	}
	do {
		n = read(f, text, sizeof(text) - 1);
	} while (n < 0 && errno == EINTR);
	err = errno;
	close(f);
	if (n < 0) {
		errno = err;
		return -1;
	}
	text[n] = '\0';
	return dmabufx_fdinfo_parse(text, info, size);
}

DMABUFX_API int dmabufx_fdinfo(int buf_fd, struct dmabufx_fdinfo *info,
			       size_t size)
{
	return dmabufx_fdinfo_pid(0, buf_fd, info, size);
}
