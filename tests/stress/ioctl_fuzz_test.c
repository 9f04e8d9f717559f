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

/* ---- the fixture ------------------------------------------------------ */

static const char *const limit_params[] = {
	"max_buffer_mb", "max_total_mb", "max_pinned_mb",
};

FIXTURE(fuzz) {
	unsigned long saved[3];
	struct baseline base;
	struct node nodes[6];
	int nnodes;
	int own[MAX_FDS], nown;
};

/*
 * Limits low enough that a random size never makes the guest allocate or
 * pin much (and never reaches the OOM killer), high enough for everything
 * the fuzzer keeps.
 */
FIXTURE_SETUP(fuzz)
{
	static const unsigned long low[] = { 4, 48, 8 };
	static const char *const kinds[] = { "system", "system-uncached", "contig" };
	struct drm_mode_create_dumb dumb = { .width = 32, .height = 32, .bpp = 32 };
	struct dmabuf_exporter_import_user imp = {};
	struct udmabuf_create c = {};
	int i, fd, memfd, vgem;

	DMX_REQUIRE_MODULE();
	for (i = 0; i < 3; i++) {
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
	ASSERT_EQ(0, ftruncate(memfd, 16 * DMX_PAGE));
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
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->own[self->nown++] = fd;
	fd_pool[nfd_pool++] = fd;
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

	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, dmx_write_param(limit_params[i], self->saved[i]));
}

/* Calls and successes per known ioctl; the last two: other numbers, mmap. */
static unsigned long n_calls[N(iocs) + 2], n_ok[N(iocs) + 2];
#define STAT_OTHER	N(iocs)
#define STAT_MMAP	(N(iocs) + 1)

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
	int bufs[MAX_FDS], nbufs = 0, i;
	char why[256];

	if (secs > MAX_SECONDS)
		secs = MAX_SECONDS;
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	rng = seed | 1;
	printf("# fuzz seed %llu (DMX_FUZZ_SEED=%llu repeats it), nodes:",
	       (unsigned long long)seed, (unsigned long long)seed);
	for (i = 0; i < self->nnodes; i++)
		printf(" %s", self->nodes[i].name);
	printf("\n");
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
		cur_iter = it;
		if (fuzz_one(self->nodes, self->nnodes, bufs, nbufs, why, sizeof(why),
			     &successes, &fds_closed)) {
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
	for (i = 0; i < N(iocs) + 2; i++) {
		const char *name = i == STAT_OTHER ? "other-numbers" :
				   i == STAT_MMAP ? "mmap" : iocs[i].name;

		printf(" %s%s %lu/%lu", name,
		       i < N(iocs) && iocs[i].node == NT_KIND ? "(kind)" : "",
		       n_calls[i], n_ok[i]);
	}
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
	EXPECT_BACK_TO_BASELINE(&self->base);
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
