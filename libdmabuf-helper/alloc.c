// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Allocation: from one of our kind nodes, from any dma-heap, or, for
 * "system", from memfd pages turned into a dma-buf by udmabuf; in that order.
 * By name, path or memory properties, optionally named at allocation, with
 * the node that allocated or refused reported back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/ioctl.h>

#include "dmabuf-helper.h"
#include "heap-names.h"
#include "internal.h"

#define DMA_HEAP_DIR	"/dev/dma_heap"

/* A name is one path component: no traversal out of the node directories. */
static int valid_name(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, "..") &&
	       strcmp(name, ".");
}

static int node_path(char *path, size_t size, const char *dir,
		     const char *name)
{
	int n = snprintf(path, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

DMABUFX_API int dmabufx_node_open(const char *kind)
{
	char path[128];

	if (!valid_name(kind)) {
		errno = EINVAL;
		return -1;
	}
	if (node_path(path, sizeof(path), DMABUF_EXPORTER_DEV_DIR, kind) < 0)
		return -1;
	return open(path, O_RDWR | O_CLOEXEC);
}

DMABUFX_API int dmabufx_heap_alloc(int node_fd, uint64_t len,
				 unsigned int fd_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
	};

	if (dmabufx_ioctl(node_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -1;
	return (int)data.fd;
}

/*
 * Our memory kinds, by enum dmabuf_exporter_kind, with their properties:
 * the order in which dmabufx_alloc_props() tries them.
 */
static const struct {
	const char *name;
	unsigned int props;
} kinds[DMABUF_EXPORTER_KIND_COUNT] = {
	[DMABUF_EXPORTER_KIND_SYSTEM] = { "system", DMABUFX_MEM_CACHED },
	[DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED] = { "system-uncached",
						   DMABUFX_MEM_WRITECOMBINE },
	[DMABUF_EXPORTER_KIND_CONTIG] = { "contig",
					  DMABUFX_MEM_CACHED | DMABUFX_MEM_CONTIG },
};

#define ALL_PROPS (DMABUFX_MEM_CACHED | DMABUFX_MEM_WRITECOMBINE | \
		   DMABUFX_MEM_CONTIG)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Returned by the try_*() steps when the provider is missing: try the next. */
#define MISSING (-2)

/* One allocation: its options, and the node whose answer counts so far. */
struct attempt {
	const char *name;
	char node[DMABUFX_PATH_MAX];
};

static void set_node(struct attempt *a, const char *path)
{
	snprintf(a->node, sizeof(a->node), "%s", path);
}

/*
 * Name a new buffer, or close it: a buffer that cannot be named is a failed
 * allocation, never passed over for another provider.
 */
static int name_or_close(const struct attempt *a, int buf)
{
	int err;

	if (!a->name || dmabufx_set_name(buf, a->name) == 0)
		return buf;
	err = errno;
	close(buf);
	errno = err;
	return -1;
}

/* @path's DMA_HEAP_IOCTL_ALLOC; MISSING when there is no such heap. */
static int try_heap(struct attempt *a, const char *path, uint64_t len,
		    unsigned int fd_flags)
{
	int node, buf, err;

	set_node(a, path);
	node = dmabufx__open_node(path);
	if (node < 0)
		return dmabufx__provider_missing(errno) ? MISSING : -1;
	buf = dmabufx_heap_alloc(node, len, fd_flags);
	err = errno;
	close(node);
	if (buf < 0) {
		errno = err;
		return dmabufx__provider_missing(err) ? MISSING : -1;
	}
	return name_or_close(a, buf);
}

static int try_heap_in(struct attempt *a, const char *dir, const char *name,
		       uint64_t len, unsigned int fd_flags)
{
	char path[DMABUFX_PATH_MAX];

	if (node_path(path, sizeof(path), dir, name) < 0) {
		a->node[0] = '\0';
		return -1;
	}
	return try_heap(a, path, len, fd_flags);
}

/* Zero-filled memfd pages of @len bytes, exported through udmabuf @dev. */
static int try_udmabuf(struct attempt *a, const char *dev, uint64_t len,
		       unsigned int fd_flags)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int memfd, buf, err;

	set_node(a, dev);
	if (len > UINT64_MAX - page + 1) {
		errno = EINVAL;
		return -1;
	}
	len = (len + page - 1) & ~(page - 1);
	memfd = dmabufx_memfd_create("dmabuf-helper", len);
	if (memfd < 0)
		return -1;
	buf = dmabufx_import_memfd_at(dev, memfd, 0, len, fd_flags);
	err = errno;
	/* udmabuf holds the pages; the memfd itself is no longer needed. */
	close(memfd);
	if (buf < 0) {
		errno = err;
		return dmabufx__provider_missing(err) ? MISSING : -1;
	}
	return name_or_close(a, buf);
}

/*
 * One of our kinds. A named buffer is allocated and named in one call on
 * the ctl node; where the ctl node cannot be used (root only by default, or
 * missing), through the kind's node and DMA_BUF_SET_NAME_B.
 */
static int try_our_kind(struct attempt *a, unsigned int kind, uint64_t len,
			unsigned int fd_flags)
{
	struct dmabuf_exporter_alloc req = {
		.size = len,
		.kind = kind,
		.fd_flags = fd_flags,
		.name = (uintptr_t)a->name,
	};
	int ctl, ret, err;

	if (a->name) {
		ctl = dmabufx__open_node(DMABUF_EXPORTER_DEV_CTL);
		if (ctl >= 0) {
			ret = dmabufx_ioctl(ctl, DMABUF_EXPORTER_IOCTL_ALLOC,
					    &req);
			err = errno;
			close(ctl);
			if (ret == 0) {
				set_node(a, DMABUF_EXPORTER_DEV_CTL);
				return (int)req.fd;
			}
			if (err != ENOTTY) {
				set_node(a, DMABUF_EXPORTER_DEV_CTL);
				errno = err;
				return -1;
			}
		}
	}
	return try_heap_in(a, DMABUF_EXPORTER_DEV_DIR, kinds[kind].name, len,
			   fd_flags);
}

/*
 * Every provider of one of our kinds, in order: our node, the kernel's
 * dma-heaps of that kind's names (but @skip, tried already), and for
 * system udmabuf.
 */
static int try_kind(struct attempt *a, unsigned int kind, const char *skip,
		    uint64_t len, unsigned int fd_flags)
{
	static const char *const udmabuf_devs[] = {
		DMABUF_EXPORTER_DEV_CTL, DMABUFX_UDMABUF_DEV,
	};
	unsigned int i;
	int buf;

	buf = try_our_kind(a, kind, len, fd_flags);
	if (buf != MISSING)
		return buf;
	for (i = 0; i < ARRAY_SIZE(dmabufx__heap_names); i++) {
		if (dmabufx__heap_names[i].kind != kind ||
		    (skip && !strcmp(skip, dmabufx__heap_names[i].name)))
			continue;
		buf = try_heap_in(a, DMA_HEAP_DIR, dmabufx__heap_names[i].name,
				  len, fd_flags);
		if (buf != MISSING)
			return buf;
	}
	/* udmabuf memory is ordinary cached shmem: a stand-in for system only. */
	if (kind != DMABUF_EXPORTER_KIND_SYSTEM)
		return MISSING;
	for (i = 0; i < ARRAY_SIZE(udmabuf_devs); i++) {
		buf = try_udmabuf(a, udmabuf_devs[i], len, fd_flags);
		if (buf != MISSING)
			return buf;
	}
	return MISSING;
}

static int kind_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(name, kinds[i].name))
			return (int)i;
	return -1;
}

static int alloc_by_name(struct attempt *a, const char *provider, uint64_t len,
			 unsigned int fd_flags)
{
	unsigned int i;
	int kind, buf;

	/* An explicit path: that node and nothing else. */
	if (provider[0] == '/') {
		buf = try_heap(a, provider, len, fd_flags);
		return buf == MISSING ? -1 : buf;
	}
	if (!valid_name(provider)) {
		errno = EINVAL;
		return -1;
	}
	kind = kind_of(provider);
	if (kind >= 0)
		return try_kind(a, (unsigned int)kind, NULL, len, fd_flags);
	/* A heap name of the table: the kernel's heap of that name, then the kind. */
	for (i = 0; i < ARRAY_SIZE(dmabufx__heap_names); i++) {
		if (strcmp(provider, dmabufx__heap_names[i].name))
			continue;
		buf = try_heap_in(a, DMA_HEAP_DIR, provider, len, fd_flags);
		if (buf != MISSING)
			return buf;
		return try_kind(a, dmabufx__heap_names[i].kind, provider, len,
				fd_flags);
	}
	buf = try_heap_in(a, DMABUF_EXPORTER_DEV_DIR, provider, len, fd_flags);
	if (buf != MISSING)
		return buf;
	return try_heap_in(a, DMA_HEAP_DIR, provider, len, fd_flags);
}

static int alloc_by_props(struct attempt *a, unsigned int props, uint64_t len,
			  unsigned int fd_flags)
{
	unsigned int k;
	int buf;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		if ((kinds[k].props & props) != props)
			continue;
		buf = try_kind(a, k, NULL, len, fd_flags);
		if (buf != MISSING)
			return buf;
	}
	return MISSING;
}

/* The caller's options of @size bytes, openat2-style; -1 + errno. */
static int read_opts(struct dmabufx_alloc_opts *o,
		     const struct dmabufx_alloc_opts *opts, size_t size)
{
	const unsigned char *tail;
	size_t i;

	memset(o, 0, sizeof(*o));
	if (!opts)
		return 0;
	if (size < DMABUFX_ALLOC_OPTS_SIZE_VER0) {
		errno = EINVAL;
		return -1;
	}
	if (size > 4096) {
		errno = E2BIG;
		return -1;
	}
	/* Options of a newer library that this one lacks must be unset. */
	tail = (const unsigned char *)opts;
	for (i = sizeof(*o); i < size; i++) {
		if (tail[i]) {
			errno = E2BIG;
			return -1;
		}
	}
	memcpy(o, opts, size < sizeof(*o) ? size : sizeof(*o));
	return 0;
}

/* Some kind has every property of @props (none has CACHED | WRITECOMBINE). */
static int props_valid(unsigned int props)
{
	unsigned int k;

	if (props & ~ALL_PROPS)
		return 0;
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		if ((kinds[k].props & props) == props)
			return 1;
	return 0;
}

/* By @provider's name or path, or by @props when @provider is NULL. */
static int alloc_common(const char *provider, unsigned int props, uint64_t len,
			unsigned int fd_flags,
			const struct dmabufx_alloc_opts *opts, size_t opts_size)
{
	struct dmabufx_alloc_opts o;
	struct attempt a = { 0 };
	int buf, err;

	if (read_opts(&o, opts, opts_size) < 0)
		return -1;
	a.name = o.name;
	if (!len || (fd_flags & ~(O_CLOEXEC | O_ACCMODE)) ||
	    (o.name && strlen(o.name) >= DMA_BUF_NAME_LEN) ||
	    (!provider && !props_valid(props))) {
		errno = EINVAL;
		buf = -1;
	} else if (provider) {
		buf = alloc_by_name(&a, provider, len, fd_flags);
	} else {
		buf = alloc_by_props(&a, props, len, fd_flags);
	}
	if (buf == MISSING) {
		/* No provider at all: no node answered. */
		a.node[0] = '\0';
		errno = ENOENT;
		buf = -1;
	}
	err = errno;
	if (o.node && o.node_len)
		snprintf(o.node, o.node_len, "%s", a.node);
	errno = err;
	return buf;
}

DMABUFX_API int dmabufx_alloc2(const char *provider, uint64_t len,
			       unsigned int fd_flags,
			       const struct dmabufx_alloc_opts *opts,
			       size_t opts_size)
{
	struct dmabufx_alloc_opts o;

	if (!provider) {
		if (read_opts(&o, opts, opts_size) == 0 && o.node && o.node_len)
			o.node[0] = '\0';
		errno = EINVAL;
		return -1;
	}
	return alloc_common(provider, 0, len, fd_flags, opts, opts_size);
}

DMABUFX_API int dmabufx_alloc_props(unsigned int props, uint64_t len,
				    unsigned int fd_flags,
				    const struct dmabufx_alloc_opts *opts,
				    size_t opts_size)
{
	return alloc_common(NULL, props, len, fd_flags, opts, opts_size);
}

DMABUFX_API int dmabufx_alloc(const char *provider, uint64_t len,
			      unsigned int fd_flags, char *used,
			      size_t used_len)
{
	struct dmabufx_alloc_opts opts = { .node = used, .node_len = used_len };

	return dmabufx_alloc2(provider, len, fd_flags, &opts, sizeof(opts));
}

DMABUFX_API int dmabufx_alloc_named(unsigned int kind, uint64_t len,
				  unsigned int fd_flags, const char *name)
{
	struct dmabuf_exporter_alloc req = {
		.size = len,
		.kind = kind,
		.fd_flags = fd_flags,
		.name = (uintptr_t)name,
	};

	if (dmabufx__ctl_ioctl(-1, DMABUF_EXPORTER_IOCTL_ALLOC, &req) < 0)
		return -1;
	return (int)req.fd;
}

DMABUFX_API int dmabufx_exporter_info(int node_fd,
				      struct dmabuf_exporter_info *info,
				      size_t size)
{
	if (!info || size < DMABUFX_EXPORTER_INFO_SIZE_VER0 ||
	    size > _IOC_SIZEMASK) {
		errno = EINVAL;
		return -1;
	}
	/* The caller's size, not ours, goes into the ioctl number. */
	memset(info, 0, size);
	return dmabufx_ioctl(node_fd,
			     dmabufx__sized_request(DMABUF_EXPORTER_IOCTL_INFO,
						    size),
			     info);
}

DMABUFX_API int64_t dmabufx_size(int buf_fd)
{
	/* dma-buf files report their size through SEEK_END. */
	off_t size = lseek(buf_fd, 0, SEEK_END);

	if (size < 0)
		return -1;
	if (lseek(buf_fd, 0, SEEK_SET) < 0)
		return -1;
	return size;
}
