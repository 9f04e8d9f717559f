// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ioctl fuzzer for every node of ours (system, system-uncached, contig, ctl,
 * and edu0 when the edu importer is loaded) and for our dma-buf fds: the
 * known ioctls with struct-aware random and edge-case fields (sizes, offsets,
 * flags, pointers, fds of every sort, reserved bytes), the same ioctl numbers
 * with other struct sizes and directions, and random numbers of our magic
 * 0xDB and the dma-heap magic.
 *
 * Checked on every call: it succeeds or fails with an errno that the uAPI
 * documents for that node and ioctl (ENOTTY for numbers the node does not
 * know); a failed call creates no fd; a successful export creates exactly
 * one. Every fd the kernel returns is closed and every mapping unmapped at
 * once, and at the end no buffer, byte, pin, fd or module reference is left.
 *
 * UDMABUF_CREATE_LIST also gets lists built item by item (see "list
 * shapes" below), whose outcome is known in advance: valid items mixed with
 * zero-size, unaligned, end-of-file and past-the-end ones, huge pages a
 * hugetlbfs memfd has not faulted in, and counts at and above
 * udmabuf_list_limit or whose array size overflows 32 bits.
 *
 * Pointers only ever point into a private arena (followed by a PROT_NONE
 * page) or at nothing, so the kernel's writes cannot corrupt the fuzzer.
 * Environment: DMX_FUZZ_SEED (printed), DMX_FUZZ_ITERS (default 8000),
 * DMX_FUZZ_SECONDS (time bound, default 8).
 */
#include <stddef.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <xf86drm.h>

#include "edu_test.h"
#include "kselftest_harness.h"
#include "stress.h"

#define ARENA_PAGES	6
#define MAX_FDS		48
#define MAX_PROBE	256

/* Sets of errnos (all below 128 on Linux). */
typedef unsigned __int128 errset;
#define BIT(e)		((errset)1 << (e))

enum node_type { NT_KIND, NT_CTL, NT_EDU, NT_BUF, NT_COUNT };

struct node {
	const char *name;
	enum node_type type;
	int fd;
};

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t x = rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng = x;
}

/* ---- values ---------------------------------------------------------- */

static uint8_t *arena;	/* ARENA_PAGES pages, then a PROT_NONE page */
static size_t arena_len;
static int fd_pool[MAX_FDS], nfd_pool;
static int dmabuf_pool[MAX_FDS], ndmabuf_pool, sealed_memfd;
static int closed_fd;

static uint64_t v_size(void)
{
	const uint64_t pg = DMX_PAGE;
	static const uint64_t fixed[] = {
		0, 1, 2, 7, 4095, 4096, 4097, 8192, 65536, 1 << 20,
		(4 << 20) + 4096, 1ull << 32, 1ull << 40, (1ull << 63),
		~0ull, ~0ull - 4095, ~0ull - 4096, 0x7fffffffull, 0xffffffffull,
	};

	switch (rnd() % 4) {
	case 0:
		return rnd() % (16 * pg);
	case 1:
		return (1 + rnd() % 16) * pg;
	case 2:
		return rnd();
	default:
		return fixed[rnd() % (sizeof(fixed) / sizeof(fixed[0]))] +
		       (rnd() % 8 == 0 ? pg - 1 : 0);
	}
}

static uint64_t v_flags(void)
{
	switch (rnd() % 6) {
	case 0:
	case 1:
		return 0;
	case 2:
		return 1ull << (rnd() % 64);
	case 3:
		return ~0ull;
	case 4:
		return rnd() % 4;
	default:
		return rnd();
	}
}

static uint64_t v_fd_flags(void)
{
	static const uint64_t fixed[] = {
		O_RDWR | O_CLOEXEC, O_RDONLY | O_CLOEXEC, O_WRONLY | O_CLOEXEC,
		O_RDWR, O_ACCMODE | O_CLOEXEC, O_CLOEXEC | O_NONBLOCK,
	};

	if (rnd() % 3)
		return fixed[rnd() % (sizeof(fixed) / sizeof(fixed[0]))];
	return v_flags();
}

/* Zero mostly: must-be-zero fields set now and then. */
static uint64_t v_zero(void)
{
	return rnd() % 8 ? 0 : v_flags();
}

static uint64_t v_fd(void)
{
	switch (rnd() % 8) {
	case 0:
		return (uint32_t)-1;
	case 1:
		return (uint32_t)closed_fd;
	case 2:
		return rnd() % 2 ? 0x7fffffff : (uint32_t)rnd();
	default:
		return (uint32_t)fd_pool[rnd() % nfd_pool];
	}
}

/* A user pointer: into the arena, next to or into the guard page, or bad. */
static uint64_t v_ptr(size_t need)
{
	uintptr_t base = (uintptr_t)arena;

	switch (rnd() % 10) {
	case 0:
		return 0;
	case 1:
		return base + arena_len - (need ? need : 1) + 1 + rnd() % 8;
	case 2:
		return base + arena_len;	/* the guard page */
	case 3:
		return 0xffff888000000000ull + (rnd() % 4096);
	case 4:
		return ~0ull - rnd() % 4096;
	case 5:
		return base + rnd() % 64;	/* unaligned */
	default:
		return base + (rnd() % ARENA_PAGES) * DMX_PAGE;
	}
}

/* A name pointer: sometimes a too long or unterminated string. */
static uint64_t v_name(void)
{
	uint8_t *s = arena + 3 * DMX_PAGE;

	switch (rnd() % 4) {
	case 0:
		memcpy(s, "fuzz-name", 10);
		return (uintptr_t)s;
	case 1:
		memset(s, 'n', 40);
		s[rnd() % 40] = 0;
		return (uintptr_t)s;
	case 2:
		/* Unterminated up to the guard page. */
		memset(arena + arena_len - 16, 'x', 16);
		return (uintptr_t)(arena + arena_len - 16);
	default:
		return v_ptr(1);
	}
}

/* An address for IMPORT_USER: arena pages (pinnable), or edge cases. */
static uint64_t v_addr(void)
{
	switch (rnd() % 6) {
	case 0:
		return v_ptr(0);
	case 1:
		return 0x7ffffffff000ull - (rnd() % 4) * DMX_PAGE;
	default:
		return (uintptr_t)arena + (rnd() % ARENA_PAGES) * DMX_PAGE;
	}
}

/* ---- structs ---------------------------------------------------------- */

/*
 * Field types. Each has edge-case values and a valid one: F_BUF is an fd
 * that should be a dma-buf, F_MEMFD one that should be a sealed memfd.
 */
enum ftype { F_SIZE, F_FLAGS, F_FDFLAGS, F_ZERO, F_FD, F_PTR, F_NAME, F_ADDR,
	     F_KIND, F_SMALL, F_ERRNO, F_HANDLE, F_BUF, F_MEMFD, F_OFF,
	     F_IMPFLAGS, F_SYNCFLAGS, F_DEVOFF, F_DEVLEN };

struct field {
	uint16_t off;
	uint8_t size;	/* 4 or 8 */
	uint8_t type;
};

struct ioc {
	const char *name;
	unsigned long cmd;
	enum node_type node;
	errset errnos;		/* allowed on failure */
	int exports;		/* a success creates one fd */
	const struct field *fields;
	int nfields;
};

#define FLD(s, m, t) { offsetof(s, m), sizeof(((s *)0)->m), t }
#define RES(s, i) { offsetof(s, reserved) + 8 * (i), 8, F_ZERO }
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct field heap_fields[] = {
	FLD(struct dma_heap_allocation_data, len, F_SIZE),
	FLD(struct dma_heap_allocation_data, fd, F_ZERO),
	FLD(struct dma_heap_allocation_data, fd_flags, F_FDFLAGS),
	FLD(struct dma_heap_allocation_data, heap_flags, F_ZERO),
};
static const struct field info_fields[] = {
	FLD(struct dmabuf_exporter_info, flags, F_ZERO),
	FLD(struct dmabuf_exporter_info, pad, F_ZERO),
	RES(struct dmabuf_exporter_info, 0), RES(struct dmabuf_exporter_info, 2),
};
static const struct field alloc_fields[] = {
	FLD(struct dmabuf_exporter_alloc, size, F_SIZE),
	FLD(struct dmabuf_exporter_alloc, kind, F_KIND),
	FLD(struct dmabuf_exporter_alloc, fd_flags, F_FDFLAGS),
	FLD(struct dmabuf_exporter_alloc, flags, F_ZERO),
	FLD(struct dmabuf_exporter_alloc, fd, F_ZERO),
	FLD(struct dmabuf_exporter_alloc, name, F_NAME),
	RES(struct dmabuf_exporter_alloc, 0), RES(struct dmabuf_exporter_alloc, 3),
};
static const struct field query_fields[] = {
	FLD(struct dmabuf_exporter_query, fd, F_BUF),
	FLD(struct dmabuf_exporter_query, flags, F_ZERO),
	FLD(struct dmabuf_exporter_query, name, F_PTR),
	FLD(struct dmabuf_exporter_query, name_len, F_SIZE),
	RES(struct dmabuf_exporter_query, 1),
};
static const struct field import_fields[] = {
	FLD(struct dmabuf_exporter_import_user, addr, F_ADDR),
	FLD(struct dmabuf_exporter_import_user, len, F_SIZE),
	FLD(struct dmabuf_exporter_import_user, flags, F_IMPFLAGS),
	FLD(struct dmabuf_exporter_import_user, fd_flags, F_FDFLAGS),
	FLD(struct dmabuf_exporter_import_user, fd, F_ZERO),
	FLD(struct dmabuf_exporter_import_user, pad, F_ZERO),
	FLD(struct dmabuf_exporter_import_user, name, F_NAME),
	RES(struct dmabuf_exporter_import_user, 2),
};
static const struct field inject_fields[] = {
	FLD(struct dmabuf_exporter_inject, fd, F_BUF),
	FLD(struct dmabuf_exporter_inject, op, F_SMALL),
	FLD(struct dmabuf_exporter_inject, count, F_SMALL),
	FLD(struct dmabuf_exporter_inject, error, F_ERRNO),
	RES(struct dmabuf_exporter_inject, 1),
};
static const struct field counters_fields[] = {
	FLD(struct dmabuf_exporter_counters, fd, F_BUF),
	FLD(struct dmabuf_exporter_counters, flags, F_ZERO),
	RES(struct dmabuf_exporter_counters, 3),
};
static const struct field udmabuf_fields[] = {
	FLD(struct udmabuf_create, memfd, F_MEMFD),
	FLD(struct udmabuf_create, flags, F_FLAGS),
	FLD(struct udmabuf_create, offset, F_OFF),
	FLD(struct udmabuf_create, size, F_SIZE),
};
static const struct field udmabuf_list_fields[] = {
	FLD(struct udmabuf_create_list, flags, F_FLAGS),
	FLD(struct udmabuf_create_list, count, F_SMALL),
	/* The items follow the head; two of them are filled. */
	{ 8, 4, F_MEMFD }, { 12, 4, F_ZERO }, { 16, 8, F_OFF }, { 24, 8, F_SIZE },
	{ 32, 4, F_MEMFD }, { 36, 4, F_ZERO }, { 40, 8, F_OFF }, { 48, 8, F_SIZE },
};
static const struct field edu_info_fields[] = {
	FLD(struct dmabuf_exporter_edu_info, flags, F_ZERO),
	FLD(struct dmabuf_exporter_edu_info, pad, F_ZERO),
	RES(struct dmabuf_exporter_edu_info, 3),
};
static const struct field edu_devbuf_fields[] = {
	FLD(struct dmabuf_exporter_edu_devbuf, data, F_PTR),
	FLD(struct dmabuf_exporter_edu_devbuf, offset, F_DEVOFF),
	FLD(struct dmabuf_exporter_edu_devbuf, len, F_DEVLEN),
	FLD(struct dmabuf_exporter_edu_devbuf, flags, F_ZERO),
	FLD(struct dmabuf_exporter_edu_devbuf, pad, F_ZERO),
	RES(struct dmabuf_exporter_edu_devbuf, 1),
};
static const struct field edu_xfer_fields[] = {
	FLD(struct dmabuf_exporter_edu_xfer, buf, F_BUF),
	FLD(struct dmabuf_exporter_edu_xfer, flags, F_SMALL),
	FLD(struct dmabuf_exporter_edu_xfer, offset, F_OFF),
	FLD(struct dmabuf_exporter_edu_xfer, dev_offset, F_DEVOFF),
	FLD(struct dmabuf_exporter_edu_xfer, len, F_DEVLEN),
	RES(struct dmabuf_exporter_edu_xfer, 0),
};
static const struct field edu_copy_fields[] = {
	FLD(struct dmabuf_exporter_edu_copy, src, F_BUF),
	FLD(struct dmabuf_exporter_edu_copy, dst, F_BUF),
	FLD(struct dmabuf_exporter_edu_copy, src_offset, F_OFF),
	FLD(struct dmabuf_exporter_edu_copy, dst_offset, F_OFF),
	FLD(struct dmabuf_exporter_edu_copy, len, F_DEVLEN),
	FLD(struct dmabuf_exporter_edu_copy, flags, F_SMALL),
	FLD(struct dmabuf_exporter_edu_copy, pad, F_ZERO),
	RES(struct dmabuf_exporter_edu_copy, 1),
};
static const struct field edu_attach_fields[] = {
	FLD(struct dmabuf_exporter_edu_attach, fd, F_BUF),
	FLD(struct dmabuf_exporter_edu_attach, flags, F_ZERO),
	FLD(struct dmabuf_exporter_edu_attach, pad, F_ZERO),
	RES(struct dmabuf_exporter_edu_attach, 0),
};
static const struct field edu_detach_fields[] = {
	FLD(struct dmabuf_exporter_edu_detach, handle, F_HANDLE),
	FLD(struct dmabuf_exporter_edu_detach, flags, F_ZERO),
	RES(struct dmabuf_exporter_edu_detach, 1),
};
static const struct field sync_range_fields[] = {
	FLD(struct dmabuf_exporter_sync_range, fd, F_BUF),
	FLD(struct dmabuf_exporter_sync_range, pad, F_ZERO),
	FLD(struct dmabuf_exporter_sync_range, flags, F_SYNCFLAGS),
	FLD(struct dmabuf_exporter_sync_range, offset, F_OFF),
	FLD(struct dmabuf_exporter_sync_range, length, F_SIZE),
	RES(struct dmabuf_exporter_sync_range, 1),
};
static const struct field sync_fields[] = {
	FLD(struct dma_buf_sync, flags, F_SYNCFLAGS),
};
static const struct field export_sync_fields[] = {
	FLD(struct dma_buf_export_sync_file, flags, F_FLAGS),
	FLD(struct dma_buf_export_sync_file, fd, F_ZERO),
};
static const struct field import_sync_fields[] = {
	FLD(struct dma_buf_import_sync_file, flags, F_FLAGS),
	FLD(struct dma_buf_import_sync_file, fd, F_FD),
};

/* DMA errors every edu transfer may give (uapi/linux/dmabuf_exporter_edu.h). */
#define EDU_DMA_ERR	(BIT(EINTR) | BIT(ETIMEDOUT) | BIT(EIO) | BIT(ENODEV) | BIT(ENOMEM))
/* What an exporter may answer an importer's attach and map: ours (EACCES for
 * read-only pages), or anyone's ENOMEM, EINVAL.
 */
#define EXPORTER_ERR	(BIT(EACCES) | BIT(ENOMEM) | BIT(EINVAL))
#define STRUCT_ERR	(BIT(EINVAL) | BIT(E2BIG) | BIT(EFAULT))

static const struct ioc iocs[] = {
	{ "DMA_HEAP_IOCTL_ALLOC", DMA_HEAP_IOCTL_ALLOC, NT_KIND,
	  BIT(EINVAL) | BIT(ENOMEM) | BIT(EFAULT) | BIT(EMFILE), 1,
	  heap_fields, N(heap_fields) },
	{ "INFO", DMABUF_EXPORTER_IOCTL_INFO, NT_KIND, STRUCT_ERR, 0,
	  info_fields, N(info_fields) },
	{ "INFO", DMABUF_EXPORTER_IOCTL_INFO, NT_CTL, STRUCT_ERR, 0,
	  info_fields, N(info_fields) },
	{ "ALLOC", DMABUF_EXPORTER_IOCTL_ALLOC, NT_CTL,
	  STRUCT_ERR | BIT(ENOMEM) | BIT(EMFILE), 1,
	  alloc_fields, N(alloc_fields) },
	{ "QUERY", DMABUF_EXPORTER_IOCTL_QUERY, NT_CTL, STRUCT_ERR | BIT(EBADF), 0,
	  query_fields, N(query_fields) },
	{ "IMPORT_USER", DMABUF_EXPORTER_IOCTL_IMPORT_USER, NT_CTL,
	  STRUCT_ERR | BIT(EOPNOTSUPP) | BIT(ENOMEM) | BIT(EMFILE), 1,
	  import_fields, N(import_fields) },
	{ "INJECT", DMABUF_EXPORTER_IOCTL_INJECT, NT_CTL,
	  STRUCT_ERR | BIT(EPERM) | BIT(EBADF), 0,
	  inject_fields, N(inject_fields) },
	{ "COUNTERS", DMABUF_EXPORTER_IOCTL_COUNTERS, NT_CTL, STRUCT_ERR | BIT(EBADF), 0,
	  counters_fields, N(counters_fields) },
	/* Every node; EINTR: a signal during START's wait for fences. */
	{ "SYNC_RANGE", DMABUF_EXPORTER_IOCTL_SYNC_RANGE, NT_KIND,
	  STRUCT_ERR | BIT(EBADF) | BIT(EINTR), 0,
	  sync_range_fields, N(sync_range_fields) },
	{ "SYNC_RANGE", DMABUF_EXPORTER_IOCTL_SYNC_RANGE, NT_CTL,
	  STRUCT_ERR | BIT(EBADF) | BIT(EINTR), 0,
	  sync_range_fields, N(sync_range_fields) },
	/* udmabuf's errnos; ENOMEM from our module limits. */
	{ "UDMABUF_CREATE", UDMABUF_CREATE, NT_CTL,
	  BIT(EBADFD) | BIT(EINVAL) | BIT(EFAULT) | BIT(ENOMEM) | BIT(EMFILE), 1,
	  udmabuf_fields, N(udmabuf_fields) },
	{ "UDMABUF_CREATE_LIST", UDMABUF_CREATE_LIST, NT_CTL,
	  BIT(EBADFD) | BIT(EINVAL) | BIT(EFAULT) | BIT(ENOMEM) | BIT(EMFILE), 1,
	  udmabuf_list_fields, N(udmabuf_list_fields) },
	{ "EDU_INFO", DMABUF_EXPORTER_EDU_IOCTL_INFO, NT_EDU, STRUCT_ERR | BIT(ENODEV), 0,
	  edu_info_fields, N(edu_info_fields) },
	{ "EDU_DEVBUF_WRITE", DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE, NT_EDU,
	  STRUCT_ERR | EDU_DMA_ERR, 0, edu_devbuf_fields, N(edu_devbuf_fields) },
	{ "EDU_DEVBUF_READ", DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ, NT_EDU,
	  STRUCT_ERR | EDU_DMA_ERR, 0, edu_devbuf_fields, N(edu_devbuf_fields) },
	{ "EDU_READ_DMABUF", DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF, NT_EDU,
	  STRUCT_ERR | EDU_DMA_ERR | EXPORTER_ERR | BIT(EBADF) | BIT(ENOENT), 0,
	  edu_xfer_fields, N(edu_xfer_fields) },
	{ "EDU_WRITE_DMABUF", DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF, NT_EDU,
	  STRUCT_ERR | EDU_DMA_ERR | EXPORTER_ERR | BIT(EBADF) | BIT(ENOENT), 0,
	  edu_xfer_fields, N(edu_xfer_fields) },
	{ "EDU_COPY", DMABUF_EXPORTER_EDU_IOCTL_COPY, NT_EDU,
	  STRUCT_ERR | EDU_DMA_ERR | EXPORTER_ERR | BIT(EBADF) | BIT(ENOENT), 0,
	  edu_copy_fields, N(edu_copy_fields) },
	{ "EDU_ATTACH", DMABUF_EXPORTER_EDU_IOCTL_ATTACH, NT_EDU,
	  STRUCT_ERR | EXPORTER_ERR | BIT(EBADF) | BIT(EEXIST) | BIT(ENOSPC) |
	  BIT(ENODEV), 0, edu_attach_fields, N(edu_attach_fields) },
	{ "EDU_DETACH", DMABUF_EXPORTER_EDU_IOCTL_DETACH, NT_EDU,
	  STRUCT_ERR | BIT(ENOENT) | BIT(ENODEV), 0,
	  edu_detach_fields, N(edu_detach_fields) },
	/* The dma-buf core's ioctls on our buffers (begin/end_cpu_access). */
	{ "DMA_BUF_IOCTL_SYNC", DMA_BUF_IOCTL_SYNC, NT_BUF, BIT(EINVAL) | BIT(EFAULT), 0,
	  sync_fields, N(sync_fields) },
	{ "DMA_BUF_SET_NAME_A", DMA_BUF_SET_NAME_A, NT_BUF,
	  BIT(EINVAL) | BIT(EFAULT) | BIT(EBUSY) | BIT(ENOMEM), 0, NULL, 0 },
	{ "DMA_BUF_SET_NAME_B", DMA_BUF_SET_NAME_B, NT_BUF,
	  BIT(EINVAL) | BIT(EFAULT) | BIT(EBUSY) | BIT(ENOMEM), 0, NULL, 0 },
	{ "DMA_BUF_IOCTL_EXPORT_SYNC_FILE", DMA_BUF_IOCTL_EXPORT_SYNC_FILE, NT_BUF,
	  BIT(EINVAL) | BIT(EFAULT) | BIT(ENOMEM) | BIT(EMFILE), 1,
	  export_sync_fields, N(export_sync_fields) },
	{ "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", DMA_BUF_IOCTL_IMPORT_SYNC_FILE, NT_BUF,
	  BIT(EINVAL) | BIT(EFAULT) | BIT(EBADF) | BIT(ENOMEM), 0,
	  import_sync_fields, N(import_sync_fields) },
};

/*
 * The known ioctl a node answers for @cmd, or NULL (then ENOTTY). Our nodes
 * match numbers without their size field, so a different size reaches the
 * same handler; udmabuf's numbers match exactly, as udmabuf does.
 */
#define IOC_BASE(cmd)	((cmd) & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT))

static const struct ioc *handler(enum node_type nt, unsigned long cmd)
{
	int i;

	for (i = 0; i < N(iocs); i++) {
		const struct ioc *k = &iocs[i];
		int exact = k->cmd == UDMABUF_CREATE || k->cmd == UDMABUF_CREATE_LIST ||
			    nt == NT_BUF;

		if (k->node != nt)
			continue;
		if (exact ? cmd == k->cmd : IOC_BASE(cmd) == IOC_BASE(k->cmd))
			return k;
	}
	return NULL;
}

/* A value the ioctl accepts for the field, as far as one can tell. */
static uint64_t valid_value(uint8_t type)
{
	switch (type) {
	case F_SIZE:
		return (1 + rnd() % 4) * DMX_PAGE;
	case F_FDFLAGS:
		return rnd() % 4 ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC;
	case F_FD:
		return (uint32_t)fd_pool[rnd() % nfd_pool];
	case F_BUF:
		return (uint32_t)dmabuf_pool[rnd() % ndmabuf_pool];
	case F_MEMFD:
		return (uint32_t)sealed_memfd;
	case F_OFF:
		return rnd() % 2 ? 0 : (rnd() % 4) * DMX_PAGE;
	case F_IMPFLAGS:
		return DMABUF_EXPORTER_IMPORT_WRITE;
	case F_DEVOFF:	/* within the edu device's 4095 bytes */
		return rnd() % 2 ? 0 : rnd() % 2048;
	case F_DEVLEN:
		return 1 + rnd() % 2047;
	case F_SYNCFLAGS:
		return (rnd() % 2 ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
		       (1 + rnd() % 3);
	case F_PTR:
	case F_ADDR:
		return (uintptr_t)arena + (rnd() % ARENA_PAGES) * DMX_PAGE;
	case F_NAME:
		memcpy(arena + 3 * DMX_PAGE, "fuzz-name", 10);
		return rnd() % 2 ? (uintptr_t)(arena + 3 * DMX_PAGE) : 0;
	case F_KIND:
		return rnd() % 3;
	case F_SMALL:	/* flags with few bits, ops, counts */
		return rnd() % 4 ? 0 : rnd() % 3;
	case F_HANDLE:
		return rnd() % 3;
	case F_ERRNO:
		return 1 + rnd() % 4095;
	default:	/* F_FLAGS, F_ZERO */
		return 0;
	}
}

static void fill_field(uint8_t *s, size_t len, const struct field *f, bool valid)
{
	uint64_t v;

	if (f->off + f->size > len)
		return;
	if (valid) {
		v = valid_value(f->type);
		goto store;
	}
	switch (f->type) {
	case F_SIZE:
		v = v_size();
		break;
	case F_FLAGS:
		v = v_flags();
		break;
	case F_FDFLAGS:
		v = v_fd_flags();
		break;
	case F_ZERO:
		v = v_zero();
		break;
	case F_FD:
	case F_BUF:
	case F_MEMFD:
		v = v_fd();
		break;
	case F_OFF:
		v = rnd() % 2 ? rnd() % (64 * DMX_PAGE) : v_size();
		break;
	case F_IMPFLAGS:
	case F_SYNCFLAGS:
		v = v_flags();
		break;
	case F_DEVOFF:
	case F_DEVLEN:
		v = rnd() % 2 ? 4090 + rnd() % 8 : v_size();
		break;
	case F_PTR:
		v = v_ptr(64);
		break;
	case F_NAME:
		v = rnd() % 3 ? 0 : v_name();
		break;
	case F_ADDR:
		v = v_addr();
		break;
	case F_KIND: {
		static const uint64_t kinds[] = { 0, 1, 2, 3, 0x100, 0x101, ~0ull };

		v = rnd() % 4 ? rnd() % 3 : kinds[rnd() % N(kinds)];
		break;
	}
	case F_SMALL:
		v = rnd() % 4 ? rnd() % 5 : v_flags();
		break;
	case F_ERRNO:
		v = rnd() % 2 ? 1 + rnd() % 4095 : v_flags();
		break;
	case F_HANDLE:
		v = rnd() % 2 ? rnd() % 8 : v_fd();
		break;
	default:
		v = 0;
	}
store:
	if (f->size == 4) {
		uint32_t v32 = (uint32_t)v;

		memcpy(s + f->off, &v32, 4);
	} else {
		memcpy(s + f->off, &v, 8);
	}
}

/* ---- fd bookkeeping --------------------------------------------------- */

static uint8_t known_open[MAX_PROBE];
static int probe_end;

/*
 * New fds take the lowest free numbers, so probing up to a little past the
 * highest fd open now finds every fd a call creates.
 */
static void snapshot_fds(void)
{
	int fd;

	probe_end = 0;
	for (fd = 0; fd < MAX_PROBE; fd++) {
		known_open[fd] = fcntl(fd, F_GETFD) >= 0;
		if (known_open[fd])
			probe_end = fd + 9;
	}
}

/* Close every fd that was not open at the snapshot; how many there were. */
static int close_new_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < probe_end; fd++) {
		if (known_open[fd] || fcntl(fd, F_GETFD) < 0)
			continue;
		close(fd);
		n++;
	}
	return n;
}

/* Calls and successes per known ioctl; then other numbers, mmap, list shapes. */
static unsigned long n_calls[N(iocs) + 3], n_ok[N(iocs) + 3];
#define STAT_OTHER	N(iocs)
#define STAT_MMAP	(N(iocs) + 1)
#define STAT_SHAPES	(N(iocs) + 2)

/* ---- UDMABUF_CREATE_LIST shapes (issue #12) ---------------------------- */

/*
 * Lists built item by item from shapes a review found the random fields
 * reach too rarely: a zero-size item among valid ones made our pre-6.11
 * page walk write past its folio array until the memfd's end (the ioctl's
 * result did not show it: only slab debugging or KASAN saw it). Each list's
 * outcome is known: one bad item, bad flags or a bad count must fail the
 * call with a documented errno; an all-valid list must succeed, or fail
 * with ENOMEM from the module limits, and give a buffer exactly as long as
 * its items. The draws come from a stream of their own (srnd()), seeded
 * from the seed, so a seed still repeats the main sequence of calls it
 * made before the shapes existed, with the shapes interleaved.
 */
#define LIST_PAGES	8	/* room for udmabuf_list_limit + 1 items */
#define LIST_LIMIT	1024	/* udmabuf_list_limit while fuzzing (its default) */
#define SEALED_PAGES	16	/* sealed_memfd's size */
#define ODD_PAGES	5	/* odd_memfd: 5 pages and ODD_TAIL bytes */
#define ODD_TAIL	100
#define HUGE_FD_PAGES	4	/* huge_memfd: huge pages 0 and 2 faulted in, 1 and 3 holes */

static uint64_t rng_shape;

static uint64_t srnd(void)
{
	uint64_t x = rng_shape;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_shape = x;
}

static uint8_t *list_arena;	/* LIST_PAGES pages, then a PROT_NONE page */
static int odd_memfd, unsealed_memfd, devnull_fd, ctl_fd;
static int huge_memfd = -1;	/* -1: no huge pages to be had */
static uint64_t huge_size;	/* bytes per huge page */

enum item_shape {
	IS_VALID, IS_AT_END, IS_HUGE_VALID,	/* the valid ones */
	IS_ZERO, IS_UNALIGNED_OFF, IS_UNALIGNED_SIZE, IS_PAGE_BEYOND,
	IS_PAST_END, IS_PARTIAL_PAGE, IS_HUGE_HOLE, IS_BAD_FD, IS_PAD,
	IS_COUNT
};
#define IS_FIRST_BAD	IS_ZERO

static const char *const shape_name[IS_COUNT] = {
	"valid", "at-end", "huge-faulted", "zero-size", "unaligned-offset",
	"unaligned-size", "page-beyond-end", "past-end", "partial-last-page",
	"huge-hole", "not-a-memfd", "pad",
};

enum list_kind { LK_MIXED, LK_AT_LIMIT, LK_ABOVE_LIMIT, LK_OVERFLOW, LK_ZERO_COUNT, LK_COUNT };

static const char *const list_kind_name[LK_COUNT] = {
	"mixed", "at-limit", "limit+1", "count-overflow", "count-0",
};

/* Per list kind: calls, successes; per item shape: items sent. */
static unsigned long lk_calls[LK_COUNT], lk_ok[LK_COUNT], shape_items[IS_COUNT];

/*
 * Fills @it with an item of @shape (a hugetlbfs shape becomes a shmem one
 * without huge pages); true if the item is valid.
 */
static bool make_item(struct udmabuf_create_item *it, enum item_shape shape)
{
	const uint64_t pg = DMX_PAGE;
	uint64_t k, hp, in;

	if (huge_memfd < 0 && shape == IS_HUGE_VALID)
		shape = IS_VALID;
	if (huge_memfd < 0 && shape == IS_HUGE_HOLE)
		shape = IS_PAGE_BEYOND;
	shape_items[shape]++;
	*it = (struct udmabuf_create_item){ .memfd = (uint32_t)sealed_memfd };
	k = srnd() % SEALED_PAGES;
	switch (shape) {
	case IS_VALID:
		if (srnd() % 3 == 0) {
			/* Whole pages of the odd memfd. */
			it->memfd = (uint32_t)odd_memfd;
			k = srnd() % ODD_PAGES;
			it->offset = k * pg;
			it->size = (1 + srnd() % (ODD_PAGES - k)) * pg;
		} else {
			it->offset = k * pg;
			it->size = (1 + srnd() % (SEALED_PAGES - k)) * pg;
		}
		return true;
	case IS_AT_END:		/* offset + size exactly the memfd's size */
		it->offset = k * pg;
		it->size = (SEALED_PAGES - k) * pg;
		return true;
	case IS_HUGE_VALID:	/* inside one faulted huge page */
		hp = 2 * (srnd() % 2);
		if (srnd() % 4 == 0) {
			it->offset = hp * huge_size;
			it->size = huge_size;
		} else {
			in = srnd() % (huge_size / pg);
			k = huge_size / pg - in;	/* pages left in it */
			it->offset = hp * huge_size + in * pg;
			it->size = (1 + srnd() % (k < 16 ? k : 16)) * pg;
		}
		it->memfd = (uint32_t)huge_memfd;
		return true;
	case IS_ZERO:
		/*
		 * At offset 0 half the time: its last byte, offset - 1, was
		 * then -1, and the old walk went on to the memfd's end.
		 */
		if (srnd() % 3 == 0) {
			it->memfd = (uint32_t)odd_memfd;
			k = srnd() % ODD_PAGES;
		}
		it->offset = srnd() % 2 ? 0 : k * pg;
		it->size = 0;
		return false;
	case IS_UNALIGNED_OFF:
		it->offset = (srnd() % 8) * pg + 1 + srnd() % (pg - 1);
		it->size = pg;
		return false;
	case IS_UNALIGNED_SIZE:
		it->offset = (srnd() % 8) * pg;
		it->size = (1 + srnd() % 4) * pg + (srnd() % 2 ? 1 + srnd() % (pg - 1) :
						     -(1 + srnd() % (pg - 1)));
		return false;
	case IS_PAGE_BEYOND:	/* offset + size one page past the end */
		it->offset = k * pg;
		it->size = (SEALED_PAGES - k + 1) * pg;
		return false;
	case IS_PAST_END: {
		static const uint64_t far[] = {
			1ull << 32, 1ull << 40, 1ull << 62, 1ull << 63,
			~0ull << 12,	/* wraps around when the size is added */
		};

		it->offset = srnd() % 2 ? (SEALED_PAGES + srnd() % 4) * pg :
					  far[srnd() % N(far)];
		it->size = (1 + srnd() % 2) * pg;
		return false;
	}
	case IS_PARTIAL_PAGE:	/* reaches into the page the odd memfd ends in */
		it->memfd = (uint32_t)odd_memfd;
		k = srnd() % (ODD_PAGES + 1);
		it->offset = k * pg;
		it->size = (ODD_PAGES + 1 - k) * pg;
		return false;
	case IS_HUGE_HOLE:
		it->memfd = (uint32_t)huge_memfd;
		if (srnd() % 2) {
			/* Inside huge page 1 or 3, never faulted in. */
			hp = 1 + 2 * (srnd() % 2);
			it->offset = hp * huge_size + (srnd() % 4) * pg;
			it->size = (1 + srnd() % 4) * pg;
		} else {
			/* From the end of faulted page 0 or 2 into the hole after it. */
			hp = 2 * (srnd() % 2) + 1;
			k = 1 + srnd() % 4;
			it->offset = hp * huge_size - k * pg;
			it->size = (k + 1 + srnd() % 4) * pg;
		}
		return false;
	case IS_BAD_FD: {
		const int fds[] = { unsealed_memfd, devnull_fd, ctl_fd, closed_fd,
				    dmabuf_pool[srnd() % ndmabuf_pool] };

		it->memfd = (uint32_t)fds[srnd() % N(fds)];
		it->size = pg;
		return false;
	}
	case IS_PAD:
		it->offset = k * pg;
		it->size = pg;
		it->__pad = (uint32_t)(1 + srnd() % 0xffffffffu);
		return false;
	default:
		return false;
	}
}

/* A shape for a mixed list: valid half the time. */
static enum item_shape pick_shape(void)
{
	if (srnd() % 2)
		return (enum item_shape)(srnd() % IS_FIRST_BAD);
	return (enum item_shape)(IS_FIRST_BAD + srnd() % (IS_COUNT - IS_FIRST_BAD));
}

/*
 * One list of a known outcome on the ctl node. Returns 0 when it behaved,
 * or -1 with @why filled in.
 */
static int fuzz_list_shape(char *why, size_t whylen, unsigned long *successes,
			   unsigned long *fds_closed)
{
	const uint64_t pg = DMX_PAGE;
	struct udmabuf_create_list *head = (void *)list_arena;
	struct udmabuf_create_item *items = (void *)(list_arena + sizeof(*head));
	const uint64_t max_items = (LIST_PAGES * pg - sizeof(*head)) / sizeof(*items);
	static const uint64_t huge_counts[] = {
		0x0aaaaaab,	/* 24 bytes each: 2^32 + 8, 8 in 32 bits */
		0x0aaaaaac, 0x10000000, 0x80000000, 0xffffffff,
		/* Just past the arena (4 KiB pages): EFAULT. */
		(LIST_PAGES * 4096 - sizeof(struct udmabuf_create_list)) /
			sizeof(struct udmabuf_create_item) + 1,
	};
	enum list_kind lk;
	uint64_t count, total = 0, i, bad_at = ~0ull;
	unsigned int r = (unsigned int)(srnd() % 100);
	bool valid = true, raised = false;
	char bad_items[96] = "";
	int ret, err, newfds;
	off_t len = -1;

	memset(list_arena, 0, sizeof(*head));
	if (r < 70) {
		lk = LK_MIXED;
		count = 1 + srnd() % 6;
		for (i = 0; i < count; i++) {
			enum item_shape sh = pick_shape();

			if (!make_item(&items[i], sh)) {
				valid = false;
				if (strlen(bad_items) < sizeof(bad_items) - 24)
					snprintf(bad_items + strlen(bad_items),
						 sizeof(bad_items) - strlen(bad_items),
						 " %llu:%s", (unsigned long long)i,
						 shape_name[sh]);
			}
		}
	} else if (r < 85) {
		/* Exactly the limit of one-page items, maybe one bad among them. */
		lk = LK_AT_LIMIT;
		count = LIST_LIMIT;
		for (i = 0; i < count; i++)
			items[i] = (struct udmabuf_create_item){
				.memfd = (uint32_t)sealed_memfd,
				.offset = (i % SEALED_PAGES) * pg, .size = pg,
			};
		if (srnd() % 2) {
			enum item_shape sh = (enum item_shape)(IS_FIRST_BAD +
				srnd() % (IS_COUNT - IS_FIRST_BAD));

			bad_at = srnd() % count;
			valid = make_item(&items[bad_at], sh);
			snprintf(bad_items, sizeof(bad_items), " %llu:%s",
				 (unsigned long long)bad_at, shape_name[sh]);
		}
	} else if (r < 92) {
		lk = LK_ABOVE_LIMIT;
		count = LIST_LIMIT + 1;
		for (i = 0; i < count; i++)
			items[i] = (struct udmabuf_create_item){
				.memfd = (uint32_t)sealed_memfd, .size = pg,
			};
		valid = false;
	} else if (r < 97) {
		/*
		 * Counts whose array is far larger than the arena, and one
		 * whose size in 32 bits would be 8: the limit raised so that
		 * they reach the copy of the items (ENOMEM or EFAULT).
		 */
		lk = LK_OVERFLOW;
		count = huge_counts[srnd() % N(huge_counts)];
		if (srnd() % 4) {
			if (dmx_write_param("udmabuf_list_limit", 0xffffffffu)) {
				snprintf(why, whylen, "cannot raise udmabuf_list_limit");
				return -1;
			}
			raised = true;
		}
		for (i = 0; i < max_items; i++)
			items[i] = (struct udmabuf_create_item){
				.memfd = (uint32_t)sealed_memfd, .size = pg,
			};
		valid = false;
	} else {
		lk = LK_ZERO_COUNT;
		count = 0;
		valid = false;
	}
	head->count = (uint32_t)count;
	head->flags = srnd() % 2 ? UDMABUF_FLAGS_CLOEXEC : 0;
	if (srnd() % 16 == 0) {
		head->flags |= 2u << (srnd() % 31);
		valid = false;
	}
	for (i = 0; valid && i < count; i++)
		total += items[i].size;

	errno = 0;
	ret = ioctl(ctl_fd, UDMABUF_CREATE_LIST, head);
	err = errno;
	if (ret >= 0)
		len = lseek(ret, 0, SEEK_END);
	if (raised && dmx_write_param("udmabuf_list_limit", LIST_LIMIT)) {
		snprintf(why, whylen, "cannot restore udmabuf_list_limit");
		return -1;
	}
	newfds = close_new_fds();
	*fds_closed += (unsigned long)newfds;
	lk_calls[lk]++;
	n_calls[STAT_SHAPES]++;

#define LIST_WHY(...) do {						\
	int __n = snprintf(why, whylen, __VA_ARGS__);			\
									\
	if (__n >= 0 && (size_t)__n < whylen)				\
		snprintf(why + __n, whylen - (size_t)__n,		\
			 " (%s list, count %llu, flags %#x, bad items:%s)",\
			 list_kind_name[lk], (unsigned long long)count,	\
			 head->flags, *bad_items ? bad_items : " none");\
} while (0)

	if (ret < 0) {
		if (newfds) {
			LIST_WHY("UDMABUF_CREATE_LIST failed (%s) but left %d new fd(s)",
				 strerror(err), newfds);
			return -1;
		}
		if (err != EINVAL && err != EBADFD && err != EFAULT &&
		    err != ENOMEM && err != EMFILE) {
			LIST_WHY("UDMABUF_CREATE_LIST: undocumented errno %d (%s)",
				 err, strerror(err));
			return -1;
		}
		if (valid && err != ENOMEM) {
			LIST_WHY("UDMABUF_CREATE_LIST of valid items (%llu bytes) failed: %s",
				 (unsigned long long)total, strerror(err));
			return -1;
		}
		return 0;
	}
	lk_ok[lk]++;
	n_ok[STAT_SHAPES]++;
	(*successes)++;
	if (!valid) {
		LIST_WHY("UDMABUF_CREATE_LIST succeeded");
		return -1;
	}
	if (newfds != 1) {
		LIST_WHY("UDMABUF_CREATE_LIST succeeded with %d new fd(s)", newfds);
		return -1;
	}
	if (len < 0 || (uint64_t)len != total) {
		LIST_WHY("UDMABUF_CREATE_LIST gave a buffer of %lld bytes for %llu bytes of items",
			 (long long)len, (unsigned long long)total);
		return -1;
	}
	return 0;
#undef LIST_WHY
}

/* ---- the fixture ------------------------------------------------------ */

static const char *const limit_params[] = {
	"max_buffer_mb", "max_total_mb", "max_pinned_mb", "udmabuf_list_limit",
};
#define NLIMITS	N(limit_params)

/*
 * The hugetlbfs memfd of the list shapes: HUGE_FD_PAGES huge pages, 0 and 2
 * faulted in, 1 and 3 holes, sealed against shrinking. It needs two free
 * huge pages; the pool grows by what is missing (*@old_nr: the size to
 * restore, else -1), as udmabuf_compat_test does. Returns the fd, or -1
 * with *@why saying why there is none (the hugetlbfs shapes then become
 * shmem ones).
 */
static int make_huge_memfd(long *old_nr, long *free_before, const char **why)
{
	long kb = dmx_meminfo("Hugepagesize"), nr = dmx_read_number(DMX_NR_HUGEPAGES);
	long free_pages = dmx_meminfo("HugePages_Free");
	uint64_t hp;
	int fd;

	*old_nr = -1;
	if (kb <= 0 || nr < 0 || free_pages < 0) {
		*why = "this kernel has no huge pages";
		return -1;
	}
	huge_size = (uint64_t)kb * 1024;
	if (free_pages < 2) {
		if (dmx_write_nr_hugepages(nr + 2 - free_pages)) {
			*why = "cannot write " DMX_NR_HUGEPAGES;
			return -1;
		}
		*old_nr = nr;
		free_pages = dmx_meminfo("HugePages_Free");
		if (free_pages < 2) {
			*why = "the kernel provides fewer than 2 free huge pages";
			return -1;
		}
	}
	*free_before = free_pages;
	fd = memfd_create("dmx-fuzz-huge", MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (fd < 0) {
		*why = "memfd_create(MFD_HUGETLB) failed";
		return -1;
	}
	if (ftruncate(fd, (off_t)(HUGE_FD_PAGES * huge_size))) {
		*why = "ftruncate of the hugetlbfs memfd failed";
		goto err_close;
	}
	/* One mapping per faulted page: only those get reserved. */
	for (hp = 0; hp < HUGE_FD_PAGES; hp += 2) {
		uint8_t *p = mmap(NULL, huge_size, PROT_READ | PROT_WRITE, MAP_SHARED,
				  fd, (off_t)(hp * huge_size));

		if (p == MAP_FAILED) {
			*why = "cannot map a huge page";
			goto err_close;
		}
		p[0] = (uint8_t)(hp + 1);
		munmap(p, huge_size);
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		*why = "cannot seal the hugetlbfs memfd";
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return -1;
}

FIXTURE(fuzz) {
	unsigned long saved[NLIMITS];
	struct baseline base;
	struct node nodes[6];
	int nnodes;
	int own[MAX_FDS], nown;
	long old_nr_huge;	/* nr_hugepages to restore, or -1 */
	long free_huge_before;	/* HugePages_Free before the hugetlbfs memfd */
	const char *no_huge;	/* why there is no hugetlbfs memfd */
};

/*
 * Limits low enough that a random size never makes the guest allocate or
 * pin much (and never reaches the OOM killer), high enough for everything
 * the fuzzer keeps.
 */
FIXTURE_SETUP(fuzz)
{
	static const unsigned long low[] = { 4, 48, 8, LIST_LIMIT };
	static const char *const kinds[] = { "system", "system-uncached", "contig" };
	struct drm_mode_create_dumb dumb = { .width = 32, .height = 32, .bpp = 32 };
	struct dmabuf_exporter_import_user imp = {};
	struct udmabuf_create c = {};
	int i, fd, memfd, vgem;

	self->old_nr_huge = -1;
	DMX_REQUIRE_MODULE();
	for (i = 0; i < (int)NLIMITS; i++) {
		ASSERT_EQ(0, read_param(limit_params[i], &self->saved[i]));
		ASSERT_EQ(0, dmx_write_param(limit_params[i], low[i]));
	}
	ASSERT_EQ(0, take_baseline(&self->base));

	arena_len = ARENA_PAGES * DMX_PAGE;
	arena = mmap(NULL, arena_len + DMX_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, arena);
	ASSERT_EQ(0, mprotect(arena + arena_len, DMX_PAGE, PROT_NONE));
	memset(arena, 0, arena_len);
	list_arena = mmap(NULL, (LIST_PAGES + 1) * DMX_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, list_arena);
	ASSERT_EQ(0, mprotect(list_arena + LIST_PAGES * DMX_PAGE, DMX_PAGE, PROT_NONE));
	ASSERT_LE(8 + (LIST_LIMIT + 1) * sizeof(struct udmabuf_create_item),
		  LIST_PAGES * DMX_PAGE);

	/* Nodes; their fds are also in the pool (a node is not a dma-buf). */
	self->nnodes = 0;
	for (i = 0; i < 3; i++) {
		fd = dmx_open_node(kinds[i]);
		ASSERT_LE(0, fd);
		self->nodes[self->nnodes++] = (struct node){ kinds[i], NT_KIND, fd };
	}
	fd = dmx_open_node("ctl");
	ASSERT_LE(0, fd);
	self->nodes[self->nnodes++] = (struct node){ "ctl", NT_CTL, fd };
	ctl_fd = fd;
	fd = edu_open();
	if (fd >= 0)
		self->nodes[self->nnodes++] = (struct node){ "edu0", NT_EDU, fd };

	nfd_pool = 0;
	ndmabuf_pool = 0;
	self->nown = 0;
	for (i = 0; i < self->nnodes; i++)
		fd_pool[nfd_pool++] = self->nodes[i].fd;
	/* Our buffers, one per kind and of each import path. */
	for (i = 0; i < 3; i++) {
		fd = dmx_alloc(self->nodes[i].fd, (uint64_t)(i + 1) * DMX_PAGE);
		ASSERT_LE(0, fd);
		self->own[self->nown++] = fd;
		fd_pool[nfd_pool++] = fd;
		dmabuf_pool[ndmabuf_pool++] = fd;
	}
	imp.addr = (uintptr_t)arena + 4 * DMX_PAGE;
	imp.len = DMX_PAGE;
	imp.fd_flags = O_RDONLY | O_CLOEXEC;	/* read-only pages: EACCES paths */
	ASSERT_EQ(0, ioctl(self->nodes[3].fd, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &imp));
	self->own[self->nown++] = (int)imp.fd;
	fd_pool[nfd_pool++] = (int)imp.fd;
	dmabuf_pool[ndmabuf_pool++] = (int)imp.fd;
	memfd = memfd_create("dmx-fuzz", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, SEALED_PAGES * DMX_PAGE));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	c.memfd = (uint32_t)memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = 4 * DMX_PAGE;
	fd = ioctl(self->nodes[3].fd, UDMABUF_CREATE, &c);
	ASSERT_LE(0, fd);
	self->own[self->nown++] = fd;
	fd_pool[nfd_pool++] = fd;
	dmabuf_pool[ndmabuf_pool++] = fd;
	sealed_memfd = memfd;
	/* Non-dma-buf fds: a sealed memfd (udmabuf accepts it), an unsealed one, /dev/null. */
	fd_pool[nfd_pool++] = memfd;
	self->own[self->nown++] = memfd;
	fd = memfd_create("dmx-fuzz-unsealed", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4 * DMX_PAGE));
	self->own[self->nown++] = fd;
	fd_pool[nfd_pool++] = fd;
	unsealed_memfd = fd;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->own[self->nown++] = fd;
	fd_pool[nfd_pool++] = fd;
	devnull_fd = fd;
	/*
	 * For the list shapes only (kept out of the pools, so that a seed
	 * draws the same calls as before them): a sealed memfd ending inside
	 * a page, and a hugetlbfs memfd with holes when huge pages can be had.
	 */
	fd = memfd_create("dmx-fuzz-odd", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, (off_t)(ODD_PAGES * DMX_PAGE + ODD_TAIL)));
	ASSERT_EQ(0, fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	self->own[self->nown++] = fd;
	odd_memfd = fd;
	self->no_huge = NULL;
	huge_memfd = make_huge_memfd(&self->old_nr_huge, &self->free_huge_before,
				     &self->no_huge);
	if (huge_memfd >= 0)
		self->own[self->nown++] = huge_memfd;
	/* Another exporter's dma-buf. */
	vgem = vgem_open();
	if (vgem >= 0) {
		if (!drmIoctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb) &&
		    !drmPrimeHandleToFD(vgem, dumb.handle, DRM_CLOEXEC | DRM_RDWR, &fd)) {
			self->own[self->nown++] = fd;
			fd_pool[nfd_pool++] = fd;
			dmabuf_pool[ndmabuf_pool++] = fd;
		}
		close(vgem);	/* the dma-buf keeps the object */
	}
	/* A number certainly not open: new fds take the lowest free one. */
	snapshot_fds();
	closed_fd = MAX_PROBE - 1;
	ASSERT_GT(closed_fd, probe_end);
	ASSERT_GT(0, fcntl(closed_fd, F_GETFD));
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	for (i = 0; i < (int)NLIMITS; i++)
		EXPECT_EQ(0, dmx_write_param(limit_params[i], self->saved[i]));
	if (self->old_nr_huge >= 0)
		EXPECT_EQ(0, dmx_write_nr_hugepages(self->old_nr_huge));
}


static const char *node_type_name[NT_COUNT] = { "kind", "ctl", "edu", "dma-buf" };

/*
 * One random call. Returns 0 when it behaved, or -1 with @why filled in.
 */
static int fuzz_one(struct node *nodes, int nnodes, const int *bufs, int nbufs,
		    char *why, size_t whylen, unsigned long *successes,
		    unsigned long *fds_closed)
{
	struct node *target, buf_node;
	const struct ioc *known = NULL, *h;
	unsigned long cmd;
	size_t size, len;
	uint8_t *arg;
	uint64_t argp;
	int ret, err, newfds, i;
	unsigned int r = (unsigned int)(rnd() % 100);

	if (r < 15) {
		buf_node = (struct node){ "dma-buf", NT_BUF, bufs[rnd() % nbufs] };
		target = &buf_node;
	} else {
		target = &nodes[rnd() % nnodes];
	}

	/* mmap of our buffers with random geometry, unmapped at once. */
	if (target->type == NT_BUF && rnd() % 3 == 0) {
		static const int prots[] = { PROT_READ, PROT_WRITE,
					     PROT_READ | PROT_WRITE, PROT_EXEC, PROT_NONE };
		static const int flags[] = { MAP_SHARED, MAP_PRIVATE,
					     MAP_SHARED | MAP_FIXED_NOREPLACE };
		size_t mlen = rnd() % 2 ? v_size() : (1 + rnd() % 5) * DMX_PAGE;
		off_t off = rnd() % 2 ? (off_t)(rnd() % 5 * DMX_PAGE) : (off_t)v_size();
		int prot = prots[rnd() % N(prots)], fl = flags[rnd() % N(flags)];
		void *want = fl & MAP_FIXED_NOREPLACE ? arena + arena_len : NULL;
		void *p = mmap(want, mlen, prot, fl, target->fd, off);

		n_calls[STAT_MMAP]++;
		if (p != MAP_FAILED) {
			n_ok[STAT_MMAP]++;
			munmap(p, mlen);
			(*successes)++;
			return 0;
		}
		err = errno;
		if (err == EINVAL || err == EACCES || err == ENOMEM ||
		    err == EOVERFLOW || err == EPERM || err == EEXIST ||
		    err == ENODEV)
			return 0;
		snprintf(why, whylen, "mmap(len %zu, off %lld, prot %#x, flags %#x) on a dma-buf: %s",
			 mlen, (long long)off, prot, fl, strerror(err));
		return -1;
	}

	r = (unsigned int)(rnd() % 100);
	if (r < 75) {
		/* A known ioctl of any node (the wrong node must say ENOTTY). */
		/* Mostly one the target answers, to get past ENOTTY. */
		do
			known = &iocs[rnd() % N(iocs)];
		while (known->node != target->type && rnd() % 8);
		cmd = known->cmd;
		size = _IOC_SIZE(cmd);
		if (rnd() % 5 == 0) {
			/* Another struct size: shorter, longer, odd, the most. */
			switch (rnd() % 4) {
			case 0:
				size = rnd() % (size + 1);
				break;
			case 1:
				size += 1 + rnd() % 64;
				break;
			case 2:
				size = rnd() % 512;
				break;
			default:
				size = _IOC_SIZEMASK;
			}
			cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
		}
	} else if (r < 92) {
		/* Our magic, any number, direction and size. */
		unsigned int nr = rnd() % 2 ? rnd() % 8 : (rnd() % 2 ? 0x40 + rnd() % 8 : rnd() % 256);

		size = rnd() % 2 ? rnd() % 128 : rnd() % (_IOC_SIZEMASK + 1);
		cmd = _IOC(rnd() % 4, DMABUF_EXPORTER_IOC_MAGIC, nr, size);
	} else {
		/* The dma-heap magic and the dma-buf one. */
		size = rnd() % 64;
		cmd = _IOC(rnd() % 4, rnd() % 2 ? DMA_HEAP_IOC_MAGIC : DMA_BUF_BASE,
			   rnd() % 4, size);
	}

	/* The argument: random or zero bytes, then the known fields. */
	len = size > 64 ? size : 64;
	if (len > arena_len / 2)
		len = arena_len / 2;
	arg = arena + (rnd() % 2 ? 0 : arena_len - len);
	if (rnd() % 3)
		memset(arg, 0, len);
	else
		for (i = 0; i < (int)len; i++)
			arg[i] = (uint8_t)rnd();
	h = handler(target->type, cmd);
	argp = (uintptr_t)arg;
	if (known && rnd() % 2) {
		/*
		 * Valid but for at most one field, so that calls get past the
		 * first check and reach allocation, pinning and DMA paths.
		 */
		int odd = known->nfields && rnd() % 3 ?
			  (int)(rnd() % known->nfields) : -1;

		memset(arg, 0, len);
		for (i = 0; i < known->nfields; i++)
			fill_field(arg, len, &known->fields[i], i != odd);
	} else {
		if (known)
			for (i = 0; i < known->nfields; i++)
				if (rnd() % 8)
					fill_field(arg, len, &known->fields[i], false);
		if (rnd() % 10 == 0)
			argp = v_ptr(size);
	}

	errno = 0;
	ret = ioctl(target->fd, cmd, (void *)(uintptr_t)argp);
	err = errno;
	newfds = close_new_fds();
	*fds_closed += (unsigned long)newfds;
	n_calls[h ? h - iocs : STAT_OTHER]++;
	if (ret >= 0)
		n_ok[h ? h - iocs : STAT_OTHER]++;

	if (ret < 0) {
		errset allowed = h ? h->errnos : BIT(ENOTTY);

		if (newfds) {
			snprintf(why, whylen, "%s %#lx on %s failed (%s) but left %d new fd(s)",
				 h ? h->name : "unknown", cmd, target->name,
				 strerror(err), newfds);
			return -1;
		}
		if (err >= 128 || !(allowed & BIT(err))) {
			snprintf(why, whylen, "%s %#lx (size %zu) on %s node %s: unexpected errno %d (%s)",
				 h ? h->name : "unknown ioctl", cmd, size,
				 node_type_name[target->type], target->name,
				 err, strerror(err));
			return -1;
		}
		return 0;
	}
	(*successes)++;
	if (!h) {
		snprintf(why, whylen, "unknown ioctl %#lx on %s succeeded", cmd, target->name);
		return -1;
	}
	if (h->exports ? newfds != 1 : newfds != 0) {
		snprintf(why, whylen, "%s %#lx on %s succeeded with %d new fd(s)",
			 h->name, cmd, target->name, newfds);
		return -1;
	}
	return 0;
}

/* Where a crash of the fuzzer happened, so that it can be repeated. */
static volatile unsigned long cur_iter;
static uint64_t cur_seed;

static void crash_handler(int sig)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "# fuzzer crashed (signal %d) at seed %llu iteration %lu\n",
			 sig, (unsigned long long)cur_seed, cur_iter);

	if (write(STDOUT_FILENO, msg, (size_t)n) < 0)
		_exit(1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* DMX_FUZZ_SECONDS is capped below the harness's timeout. */
#define MAX_SECONDS	240

TEST_F_TIMEOUT(fuzz, every_ioctl_gives_a_documented_result_and_leaks_nothing,
	       MAX_SECONDS + 60)
{
	unsigned long iters = env_ul("DMX_FUZZ_ITERS", 8000);
	unsigned long secs = env_ul("DMX_FUZZ_SECONDS", 8);
	uint64_t seed = env_ul("DMX_FUZZ_SEED", 0), deadline;
	unsigned long it, successes = 0, fds_closed = 0, failures = 0;
	unsigned long shape_calls = 0;
	int bufs[MAX_FDS], nbufs = 0, i;
	char why[512];

	if (secs > MAX_SECONDS)
		secs = MAX_SECONDS;
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	rng = seed | 1;
	rng_shape = (seed ^ 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull | 1;
	printf("# fuzz seed %llu (DMX_FUZZ_SEED=%llu repeats it), nodes:",
	       (unsigned long long)seed, (unsigned long long)seed);
	for (i = 0; i < self->nnodes; i++)
		printf(" %s", self->nodes[i].name);
	printf("\n");
	if (huge_memfd >= 0)
		printf("# fuzz list shapes: hugetlbfs memfd of %d huge pages of %llu KiB, 0 and 2 faulted in\n",
		       HUGE_FD_PAGES, (unsigned long long)(huge_size >> 10));
	else
		printf("# fuzz list shapes: no hugetlbfs memfd (%s): its shapes become shmem ones\n",
		       self->no_huge);
	fflush(stdout);

	/* The dma-bufs whose own ioctls and mmap are fuzzed. */
	for (i = 0; i < self->nown; i++) {
		char path[64], text[512] = "";
		ssize_t n;
		int f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->own[i]);
		f = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, f);
		n = read(f, text, sizeof(text) - 1);
		close(f);
		if (n > 0 && strstr(text, "exp_name:\t" MODNAME))
			bufs[nbufs++] = self->own[i];
	}
	ASSERT_LT(0, nbufs);

	cur_seed = seed;
	signal(SIGSEGV, crash_handler);
	signal(SIGBUS, crash_handler);
	signal(SIGFPE, crash_handler);
	deadline = now_ns() + secs * 1000000000ull;
	for (it = 0; it < iters && now_ns() < deadline; it++) {
		int bad;

		cur_iter = it;
		/* One call in ten: a UDMABUF_CREATE_LIST of known outcome. */
		if (srnd() % 10 == 0) {
			shape_calls++;
			bad = fuzz_list_shape(why, sizeof(why), &successes, &fds_closed);
		} else {
			bad = fuzz_one(self->nodes, self->nnodes, bufs, nbufs, why,
				       sizeof(why), &successes, &fds_closed);
		}
		if (bad) {
			failures++;
			ksft_print_msg("seed %llu iteration %lu: %s\n",
				       (unsigned long long)seed, it, why);
			if (failures >= 10)
				break;
		}
	}
	printf("# fuzz: %lu iterations, %lu succeeded, %lu returned fds closed, %lu failures (seed %llu)\n",
	       it, successes, fds_closed, failures, (unsigned long long)seed);
	fflush(stdout);
	/* Per ioctl: calls/successes, for the docs and to see what is reached. */
	printf("# fuzz calls/successes:");
	for (i = 0; i < N(iocs) + 3; i++) {
		const char *name = i == STAT_OTHER ? "other-numbers" :
				   i == STAT_MMAP ? "mmap" :
				   i == STAT_SHAPES ? "list-shapes" : iocs[i].name;

		printf(" %s%s %lu/%lu", name,
		       i < N(iocs) && iocs[i].node == NT_KIND ? "(kind)" : "",
		       n_calls[i], n_ok[i]);
	}
	printf("\n");
	/* Per list kind and item shape, what the shapes reached. */
	printf("# fuzz list shapes: %lu lists, calls/successes:", shape_calls);
	for (i = 0; i < LK_COUNT; i++)
		printf(" %s %lu/%lu", list_kind_name[i], lk_calls[i], lk_ok[i]);
	printf("; items:");
	for (i = 0; i < IS_COUNT; i++)
		printf(" %s %lu", shape_name[i], shape_items[i]);
	printf("\n");
	fflush(stdout);
	EXPECT_EQ(0, failures);
	/* A time bound that cuts the run short makes it mean little. */
	EXPECT_LE(iters < 100 ? iters : 100, it) TH_LOG("too few iterations");

	/* Everything released: nodes (edu handles go with theirs), buffers. */
	for (i = 0; i < self->nnodes; i++)
		close(self->nodes[i].fd);
	for (i = 0; i < self->nown; i++)
		close(self->own[i]);
	munmap(arena, arena_len + DMX_PAGE);
	munmap(list_arena, (LIST_PAGES + 1) * DMX_PAGE);
	EXPECT_BACK_TO_BASELINE(&self->base);
	/* The hugetlbfs memfd and every buffer of it gone: its pages free again. */
	if (huge_memfd >= 0) {
		for (i = 0; i < 200 && dmx_meminfo("HugePages_Free") != self->free_huge_before; i++)
			usleep(10 * 1000);
		EXPECT_EQ(self->free_huge_before, dmx_meminfo("HugePages_Free"));
	}
}

/*
 * Found by fuzzing (seed 1772422148, iteration 20268, debug kernel): an
 * offset past the largest file size gave EFBIG from shmem instead of the
 * documented EINVAL. A last page that the memfd only partly covers counts
 * whole, as in udmabuf.
 */
TEST(udmabuf_offset_far_past_the_end_is_einval)
{
	const uint64_t pg = DMX_PAGE;
	static const uint64_t offsets[] = { 1ull << 62, 1ull << 63, 0 };
	int ctl, memfd, buf, i;

	DMX_REQUIRE_MODULE();
	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	memfd = memfd_create("dmx-fuzz-edge", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, (off_t)pg + 100));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	for (i = 0; i < 3; i++) {
		struct udmabuf_create c = {
			.memfd = (uint32_t)memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
			/* The last one wraps around when the size is added. */
			.offset = offsets[i] ? offsets[i] : ~0ull & ~(pg - 1),
			.size = pg,
		};

		EXPECT_EQ(-1, ioctl(ctl, UDMABUF_CREATE, &c)) TH_LOG("offset %#llx",
			(unsigned long long)c.offset);
		EXPECT_EQ(EINVAL, errno);
	}
	{
		struct udmabuf_create c = {
			.memfd = (uint32_t)memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
			.size = pg,
		};

		buf = ioctl(ctl, UDMABUF_CREATE, &c);
		EXPECT_LE(0, buf) TH_LOG("first page: %s", strerror(errno));
		if (buf >= 0)
			close(buf);
		/*
		 * A last page the memfd covers only partly is outside it, as
		 * for the kernel's udmabuf since 6.11 (memfd_pin_folios()).
		 */
		c.size = 2 * pg;
		EXPECT_EQ(-1, ioctl(ctl, UDMABUF_CREATE, &c));
		EXPECT_EQ(EINVAL, errno);
	}
	close(memfd);
	close(ctl);
}

TEST_HARNESS_MAIN
