// SPDX-License-Identifier: GPL-2.0-only
/*
 * Storage I/O straight into and out of our mappings (issue 15): the
 * "system" kind maps its pages themselves, so GUP can pin them for O_DIRECT,
 * io_uring fixed buffers and vmsplice; the write-combined and contiguous
 * kinds are PFN mappings, which it cannot (EFAULT, documented in
 * docs/user-memory.md).
 *
 * The disk is a scratch virtio-blk disk (run-vm.sh --scratch-disk), named
 * by DMX_TEST_DISK; its contents are ours to overwrite. Tests that need it
 * skip without it, and only then. Every comparison is byte for byte, with a
 * pattern that differs per offset and per test, against data read back
 * through a path that does not touch the mapping under test.
 */
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <sys/uio.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

/* Chunks of every order the system kind allocates: 1 MiB, 64 KiB, 4 KiB. */
#define LEN	((1u << 20) + (64u << 10) + 3 * 4096)
/* Where on the disk each test writes, so that none reads another's data. */
#define DISK_SLOT(n)	((off_t)(n) * (2 << 20))

static const char *test_disk(void)
{
	const char *disk = getenv("DMX_TEST_DISK");

	return disk && *disk ? disk : NULL;
}

#define DISK_OR_SKIP(disk) do {						\
	disk = test_disk();						\
	if (!disk)							\
		SKIP(return, "DMX_TEST_DISK is not set (run-vm.sh --scratch-disk)"); \
} while (0)

struct mapped {
	int node;
	int fd;
	uint8_t *map;
	size_t len;
};

/* A buffer of @kind, mapped shared read-write. */
static int map_buffer(const char *kind, size_t len, struct mapped *m)
{
	m->len = len;
	m->node = dmx_open_node(kind);
	if (m->node < 0)
		return -errno;
	m->fd = dmx_alloc(m->node, len);
	if (m->fd < 0)
		return m->fd;
	m->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->map == MAP_FAILED)
		return -errno;
	return 0;
}

static void unmap_buffer(struct mapped *m)
{
	if (m->map && m->map != MAP_FAILED)
		munmap(m->map, m->len);
	if (m->fd >= 0)
		close(m->fd);
	if (m->node >= 0)
		close(m->node);
	m->map = NULL;
	m->fd = -1;
	m->node = -1;
}

static void *aligned_buf(size_t len)
{
	void *p = NULL;

	return posix_memalign(&p, 4096, len) ? NULL : p;
}

/* @len bytes of the pattern @seed on the disk at @off, through O_DIRECT. */
static int disk_write_pattern(const char *disk, off_t off, size_t len,
			      unsigned int seed)
{
	uint8_t *p = aligned_buf(len);
	int fd, ret = 0;

	if (!p)
		return -ENOMEM;
	dmx_fill(p, 0, len, seed);
	fd = open(disk, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, p, len, off) != (ssize_t)len || fsync(fd))
		ret = -errno ?: -EIO;
	if (fd >= 0)
		close(fd);
	free(p);
	return ret;
}

/*
 * The disk's bytes at @off as a plain buffered read sees them after the
 * page cache was dropped: not through O_DIRECT, not through our mapping.
 * Returns the first byte that is not the pattern @seed, -1 if none, or
 * -2 - errno.
 */
static int64_t disk_mismatch_buffered(const char *disk, off_t off, size_t len,
				      unsigned int seed)
{
	uint8_t *p = malloc(len);
	int64_t ret = -1;
	int fd;

	if (!p)
		return -2 - ENOMEM;
	fd = open(disk, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -2 - errno;
		goto out;
	}
	/* Drop the block device's page cache: the read goes to the disk. */
	if (ioctl(fd, BLKFLSBUF, 0) ||
	    dmx_write_file("/proc/sys/vm/drop_caches", "3") ||
	    pread(fd, p, len, off) != (ssize_t)len)
		ret = -2 - (errno ?: EIO);
	else
		ret = dmx_mismatch(p, 0, len, seed);
	close(fd);
out:
	free(p);
	return ret;
}

/* The same through O_DIRECT into a heap buffer. */
static int64_t disk_mismatch_direct(const char *disk, off_t off, size_t len,
				    unsigned int seed)
{
	uint8_t *p = aligned_buf(len);
	int64_t ret;
	int fd;

	if (!p)
		return -2 - ENOMEM;
	fd = open(disk, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || pread(fd, p, len, off) != (ssize_t)len)
		ret = -2 - (errno ?: EIO);
	else
		ret = dmx_mismatch(p, 0, len, seed);
	if (fd >= 0)
		close(fd);
	free(p);
	return ret;
}

/*
 * Allocate, fill and free other system buffers: if a released buffer's
 * pages had gone back to the allocator while pinned, these would get them
 * (zeroed, then this junk) and the pinned data would be gone.
 */
static void churn_system_buffers(struct __test_metadata *_metadata)
{
	struct mapped m[16];
	int i;

	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, map_buffer("system", 2 << 20, &m[i]));
		memset(m[i].map, 0x5a, m[i].len);
	}
	for (i = 0; i < 16; i++)
		unmap_buffer(&m[i]);
}

/* --- the kernel log ------------------------------------------------------ */

/* /dev/kmsg, positioned at its end: only what is logged from now on. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* The first record since kmsg_open() that reports a kernel problem. */
static bool kmsg_complaint(int fd, char *rec, size_t size)
{
	static const char *const bad[] = {
		"Bad page", "BUG", "WARNING", "refcount_t", "Oops",
	};
	ssize_t n;
	size_t i;

	for (;;) {
		n = read(fd, rec, size - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			return false;
		rec[n] = '\0';
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(rec, bad[i]))
				return true;
	}
}

/* --- io_uring, raw ------------------------------------------------------- */

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_ptr, *cq_ptr;
	size_t sq_len, cq_len, sqes_len;
};

static int ring_setup(struct ring *r)
{
	struct io_uring_params p = { 0 };

	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq_ptr = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, IORING_OFF_SQ_RING);
	r->cq_ptr = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, IORING_OFF_SQES);
	if (r->sq_ptr == MAP_FAILED || r->cq_ptr == MAP_FAILED ||
	    r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)((char *)r->sq_ptr + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq_ptr + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq_ptr + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq_ptr + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq_ptr + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq_ptr + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_ptr + p.cq_off.cqes);
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_ptr && r->cq_ptr != MAP_FAILED)
		munmap(r->cq_ptr, r->cq_len);
	if (r->sq_ptr && r->sq_ptr != MAP_FAILED)
		munmap(r->sq_ptr, r->sq_len);
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}

/* IORING_REGISTER_BUFFERS of one range: 0 or -errno. */
static int ring_register(struct ring *r, void *addr, size_t len)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };

	if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS,
		    &iov, 1))
		return -errno;
	return 0;
}

/*
 * One READ_FIXED or WRITE_FIXED of registered buffer 0, waited for: the
 * completion's result (bytes, or -errno), or -errno of the submission.
 */
static int ring_rw_fixed(struct ring *r, int op, int fd, void *addr,
			 size_t len, off_t off)
{
	unsigned int tail = *r->sq_tail, head, idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (uint8_t)op;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)addr;
	sqe->len = (uint32_t)len;
	sqe->off = (uint64_t)off;
	sqe->buf_index = 0;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * Registering a file-backed mapping as a fixed buffer: before 6.5,
 * io_uring pinned it and then refused everything but shmem and hugetlbfs
 * with EOPNOTSUPP; since 6.5 ("io_uring: rsrc: delegate VMA file-backed
 * check to GUP") GUP decides, and pins pages it can.
 */
static bool io_uring_takes_file_mappings(void)
{
	return dmx_kernel_at_least(6, 5);
}

/* --- O_DIRECT ------------------------------------------------------------- */

TEST(odirect_read_from_disk_into_system_mapping_is_byte_exact)
{
	struct mapped m = { .node = -1, .fd = -1 };
	const char *disk;
	int fd;

	DISK_OR_SKIP(disk);
	ASSERT_EQ(0, disk_write_pattern(disk, DISK_SLOT(0), LEN, 11));
	ASSERT_EQ(0, map_buffer("system", LEN, &m));
	memset(m.map, 0xa5, LEN);

	fd = open(disk, O_RDONLY | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, __dmx_sync(m.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ((ssize_t)LEN, pread(fd, m.map, LEN, DISK_SLOT(0)))
		TH_LOG("O_DIRECT read into the mapping: %s", strerror(errno));
	ASSERT_EQ(0, __dmx_sync(m.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(-1, dmx_mismatch(m.map, 0, LEN, 11));
	close(fd);
	unmap_buffer(&m);
}

TEST(odirect_write_from_system_mapping_reads_back_byte_exact)
{
	struct mapped m = { .node = -1, .fd = -1 };
	const char *disk;
	int fd;

	DISK_OR_SKIP(disk);
	ASSERT_EQ(0, disk_write_pattern(disk, DISK_SLOT(1), LEN, 0));
	ASSERT_EQ(0, map_buffer("system", LEN, &m));
	ASSERT_EQ(0, __dmx_sync(m.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	dmx_fill(m.map, 0, LEN, 12);
	ASSERT_EQ(0, __dmx_sync(m.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));

	fd = open(disk, O_WRONLY | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ((ssize_t)LEN, pwrite(fd, m.map, LEN, DISK_SLOT(1)))
		TH_LOG("O_DIRECT write from the mapping: %s", strerror(errno));
	EXPECT_EQ(0, fsync(fd));
	close(fd);
	unmap_buffer(&m);

	EXPECT_EQ(-1, disk_mismatch_buffered(disk, DISK_SLOT(1), LEN, 12));
	EXPECT_EQ(-1, disk_mismatch_direct(disk, DISK_SLOT(1), LEN, 12));
}

/* The PFN-mapped kinds: GUP cannot pin their mappings, as documented. */
static void odirect_on_pfn_mapping_is_efault(struct __test_metadata *_metadata,
					     const char *kind)
{
	struct mapped m = { .node = -1, .fd = -1 };
	const size_t len = 64 << 10;
	const char *disk;
	int fd;

	DISK_OR_SKIP(disk);
	ASSERT_EQ(0, map_buffer(kind, len, &m));
	fd = open(disk, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, pread(fd, m.map, len, DISK_SLOT(2)));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, m.map, len, DISK_SLOT(2)));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
	unmap_buffer(&m);
}

TEST(odirect_on_uncached_mapping_is_efault)
{
	odirect_on_pfn_mapping_is_efault(_metadata, "system-uncached");
}

TEST(odirect_on_contig_mapping_is_efault)
{
	odirect_on_pfn_mapping_is_efault(_metadata, "contig");
}

/* --- io_uring fixed buffers -------------------------------------------- */

TEST(io_uring_fixed_buffer_over_system_mapping_reads_and_writes_byte_exact)
{
	struct mapped m = { .node = -1, .fd = -1 };
	const size_t half = LEN / 2 & ~(size_t)4095;
	struct ring r;
	const char *disk;
	int fd, ret;

	DISK_OR_SKIP(disk);
	ASSERT_EQ(0, map_buffer("system", LEN, &m));
	ASSERT_EQ(0, ring_setup(&r));
	ret = ring_register(&r, m.map, LEN);
	if (!io_uring_takes_file_mappings()) {
		EXPECT_EQ(-EOPNOTSUPP, ret)
			TH_LOG("before 6.5 io_uring refuses file mappings");
		goto out;
	}
	ASSERT_EQ(0, ret) TH_LOG("register: %s", strerror(-ret));

	fd = open(disk, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* Out of the first half, back into the second. */
	ASSERT_EQ(0, __dmx_sync(m.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	dmx_fill(m.map, 0, half, 13);
	memset(m.map + half, 0xa5, half);
	EXPECT_EQ((int)half, ring_rw_fixed(&r, IORING_OP_WRITE_FIXED, fd, m.map,
					   half, DISK_SLOT(3)));
	EXPECT_EQ((int)half, ring_rw_fixed(&r, IORING_OP_READ_FIXED, fd,
					   m.map + half, half, DISK_SLOT(3)));
	ASSERT_EQ(0, __dmx_sync(m.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(-1, dmx_mismatch(m.map + half, 0, half, 13)) TH_LOG("disk -> mapping");
	close(fd);
	EXPECT_EQ(-1, disk_mismatch_direct(disk, DISK_SLOT(3), half, 13))
		TH_LOG("mapping -> disk");
out:
	ring_close(&r);
	unmap_buffer(&m);
}

static void io_uring_pfn_mapping_is_efault(struct __test_metadata *_metadata,
					   const char *kind)
{
	struct mapped m = { .node = -1, .fd = -1 };
	struct ring r;

	ASSERT_EQ(0, map_buffer(kind, 64 << 10, &m));
	ASSERT_EQ(0, ring_setup(&r));
	EXPECT_EQ(-EFAULT, ring_register(&r, m.map, m.len));
	ring_close(&r);
	unmap_buffer(&m);
}

TEST(io_uring_register_of_uncached_mapping_is_efault)
{
	io_uring_pfn_mapping_is_efault(_metadata, "system-uncached");
}

TEST(io_uring_register_of_contig_mapping_is_efault)
{
	io_uring_pfn_mapping_is_efault(_metadata, "contig");
}

/* --- released while pinned --------------------------------------------- */

/*
 * The buffer's fd closed and its mapping gone while io_uring still holds
 * the pages registered: the buffer is released (the module no longer lists
 * it), the pages are not: a WRITE_FIXED from them afterwards writes the
 * bytes they held, and the kernel has nothing to say about it.
 */
TEST(buffer_released_under_io_uring_registration_keeps_its_pages)
{
	struct mapped m = { .node = -1, .fd = -1 };
	char rec[1024];
	struct ring r;
	const char *disk;
	int64_t live;
	uint8_t *addr;
	int fd, kmsg, ctl, ret;

	DISK_OR_SKIP(disk);
	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, map_buffer("system", LEN, &m));
	dmx_fill(m.map, 0, LEN, 14);
	ASSERT_EQ(0, ring_setup(&r));
	ret = ring_register(&r, m.map, LEN);
	if (!io_uring_takes_file_mappings()) {
		EXPECT_EQ(-EOPNOTSUPP, ret)
			TH_LOG("before 6.5 io_uring refuses file mappings");
		goto out;
	}
	ASSERT_EQ(0, ret) TH_LOG("register: %s", strerror(-ret));

	live = dmx_live_buffers(ctl);
	addr = m.map;
	unmap_buffer(&m);
	EXPECT_EQ(live - 1, dmx_live_buffers(ctl)) TH_LOG("buffer not released");
	churn_system_buffers(_metadata);

	/* The registered range is known by its old address only. */
	fd = open(disk, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(LEN, ring_rw_fixed(&r, IORING_OP_WRITE_FIXED, fd, addr, LEN,
				     DISK_SLOT(4)));
	close(fd);
	EXPECT_EQ(-1, disk_mismatch_direct(disk, DISK_SLOT(4), LEN, 14));
out:
	ring_close(&r);
	EXPECT_FALSE(kmsg_complaint(kmsg, rec, sizeof(rec))) TH_LOG("%s", rec);
	close(kmsg);
	unmap_buffer(&m);
	close(ctl);
}

/*
 * vmsplice() into a pipe holds references to the pages (on every kernel):
 * the buffer released, the pipe still delivers its bytes.
 */
TEST(buffer_released_under_vmsplice_keeps_its_pages)
{
	struct mapped m = { .node = -1, .fd = -1 };
	const size_t len = 256 << 10;
	struct iovec iov;
	char rec[1024];
	int pipefd[2], kmsg, ctl;
	int64_t live;
	uint8_t *out;
	size_t got = 0;
	ssize_t n;

	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_LE((int)len, fcntl(pipefd[1], F_SETPIPE_SZ, (int)len));
	ASSERT_EQ(0, map_buffer("system", len, &m));
	dmx_fill(m.map, 0, len, 15);

	iov.iov_base = m.map;
	iov.iov_len = len;
	EXPECT_EQ((ssize_t)len, vmsplice(pipefd[1], &iov, 1, 0))
		TH_LOG("vmsplice of the mapping: %s", strerror(errno));

	live = dmx_live_buffers(ctl);
	unmap_buffer(&m);
	EXPECT_EQ(live - 1, dmx_live_buffers(ctl)) TH_LOG("buffer not released");
	churn_system_buffers(_metadata);

	out = malloc(len);
	ASSERT_NE(NULL, out);
	while (got < len) {
		n = read(pipefd[0], out + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	EXPECT_EQ(len, got);
	EXPECT_EQ(-1, dmx_mismatch(out, 0, got, 15));
	free(out);
	close(pipefd[0]);
	close(pipefd[1]);
	EXPECT_FALSE(kmsg_complaint(kmsg, rec, sizeof(rec))) TH_LOG("%s", rec);
	close(kmsg);
	close(ctl);
}

/* --- the mapping itself -------------------------------------------------- */

/*
 * MADV_DONTNEED zaps the page table entries of a range (a PFN mapping
 * refuses it with EINVAL); the next access maps the buffer's own pages
 * again: the same bytes, and writes reach the buffer (seen through a second
 * mapping), including through GUP (an O_DIRECT read into the zapped range).
 */
TEST(madv_dontneed_then_access_maps_the_same_bytes)
{
	struct mapped m = { .node = -1, .fd = -1 };
	/* The 1 MiB chunk's last 8 pages, the 64 KiB one, a 4 KiB one. */
	const size_t off = (1u << 20) - 8 * 4096, len = 25 * 4096;
	const char *disk = test_disk();
	uint8_t *second;
	int fd;

	ASSERT_EQ(0, map_buffer("system", LEN, &m));
	second = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
	ASSERT_NE(MAP_FAILED, second);
	dmx_fill(m.map, 0, LEN, 16);

	ASSERT_GE(LEN, off + len);
	ASSERT_EQ(0, madvise(m.map + off, len, MADV_DONTNEED));
	EXPECT_EQ(-1, dmx_mismatch(m.map, 0, LEN, 16)) TH_LOG("refault");

	ASSERT_EQ(0, madvise(m.map + off, len, MADV_DONTNEED));
	dmx_fill(m.map + off, off, len, 17);
	EXPECT_EQ(-1, dmx_mismatch(second + off, off, len, 17))
		TH_LOG("write after refault did not reach the buffer");

	if (disk) {
		ASSERT_EQ(0, disk_write_pattern(disk, DISK_SLOT(5), len, 18));
		ASSERT_EQ(0, madvise(m.map + off, len, MADV_DONTNEED));
		fd = open(disk, O_RDONLY | O_DIRECT | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_EQ((ssize_t)len, pread(fd, m.map + off, len, DISK_SLOT(5)));
		close(fd);
		EXPECT_EQ(-1, dmx_mismatch(second + off, 0, len, 18))
			TH_LOG("O_DIRECT into a zapped range");
	}
	munmap(second, LEN);
	unmap_buffer(&m);
}

TEST(madv_dontneed_on_pfn_mapping_is_einval)
{
	struct mapped m = { .node = -1, .fd = -1 };

	ASSERT_EQ(0, map_buffer("system-uncached", 64 << 10, &m));
	EXPECT_EQ(-1, madvise(m.map, m.len, MADV_DONTNEED));
	EXPECT_EQ(EINVAL, errno);
	unmap_buffer(&m);
}

/* VM_DONTEXPAND: mremap() cannot grow a mapping past the buffer. */
TEST(mremap_cannot_grow_system_mapping)
{
	struct mapped m = { .node = -1, .fd = -1 };
	void *p;

	ASSERT_EQ(0, map_buffer("system", 64 << 10, &m));
	p = mremap(m.map, m.len, 2 * m.len, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	if (p != MAP_FAILED)
		munmap(p, 2 * m.len);
	else
		unmap_buffer(&m);
}

/* The offset and bounds checks stand for page mappings too. */
TEST(system_mapping_past_the_buffer_is_einval)
{
	struct mapped m = { .node = -1, .fd = -1 };
	void *p;

	ASSERT_EQ(0, map_buffer("system", 64 << 10, &m));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, m.fd, 64 << 10);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, m.fd, (64 << 10) - 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	unmap_buffer(&m);
}

TEST_HARNESS_MAIN
