// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf's ABI on /dev/dmabuf-exporter/ctl. Each test runs against our
 * node and, where the kernel has it (6.12), against /dev/udmabuf itself:
 * the same calls must give the same results. Our deliberate extra strictness
 * (unknown flags, nonzero __pad) is tested on our node only, and so are
 * huge pages a hugetlbfs memfd has not faulted in yet (see that test).
 *
 * The hugetlbfs tests reserve HUGE_PAGES huge pages in the pool
 * (/proc/sys/vm/nr_hugepages) and give them back; every one of them checks
 * that all huge pages are free again in the end, so a pin or reference we
 * forgot to drop (also on an error path) fails it.
 */
#include <linux/udmabuf.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

#define MB (1 << 20)
#define HUGE_PAGES 8

static int memfd_sealed(size_t len, unsigned int seals)
{
	int fd = memfd_create("dmx-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)len) || (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int __create(int dev, int memfd, uint32_t flags, uint64_t offset,
		    uint64_t size)
{
	struct udmabuf_create c = {
		.memfd = (uint32_t)memfd,
		.flags = flags,
		.offset = offset,
		.size = size,
	};
	int fd = ioctl(dev, UDMABUF_CREATE, &c);

	return fd < 0 ? -errno : fd;
}

FIXTURE(udmabuf) {
	int dev;
};

FIXTURE_VARIANT(udmabuf) {
	const char *path;
	int ours;
};

FIXTURE_VARIANT_ADD(udmabuf, ours) {
	.path = DMABUF_EXPORTER_DEV_CTL,
	.ours = 1,
};

FIXTURE_VARIANT_ADD(udmabuf, kernel) {
	.path = "/dev/udmabuf",
	.ours = 0,
};

FIXTURE_SETUP(udmabuf)
{
	DMX_REQUIRE_MODULE();
	self->dev = open(variant->path, O_RDWR | O_CLOEXEC);
	if (self->dev < 0 && !variant->ours)
		SKIP(return, "this kernel has no /dev/udmabuf");
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(udmabuf)
{
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(udmabuf, create_shares_the_memfd_pages)
{
	const size_t len = 4 * 4096;
	uint8_t *mem, *map;
	int memfd, buf;

	memfd = memfd_sealed(len, F_SEAL_SHRINK);
	ASSERT_LE(0, memfd);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	mem[4096 + 5] = 0x5a;

	buf = __create(self->dev, memfd, UDMABUF_FLAGS_CLOEXEC, 4096, 2 * 4096);
	ASSERT_LE(0, buf);
	EXPECT_EQ(2 * 4096, dmx_buf_size(buf));
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0x5a, map[5]);
	map[4096] = 0xa5;
	EXPECT_EQ(0xa5, mem[2 * 4096]);
	munmap(map, 2 * 4096);
	close(buf);
	munmap(mem, len);
	close(memfd);
}

TEST_F(udmabuf, without_cloexec_flag_the_fd_is_inherited)
{
	int memfd = memfd_sealed(4096, F_SEAL_SHRINK), buf;

	ASSERT_LE(0, memfd);
	buf = __create(self->dev, memfd, 0, 0, 4096);
	ASSERT_LE(0, buf);
	EXPECT_EQ(0, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	close(buf);
	close(memfd);
}

TEST_F(udmabuf, create_list_concatenates_the_items)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[2];
	} req = { .head = { .flags = UDMABUF_FLAGS_CLOEXEC, .count = 2 } };
	int a = memfd_sealed(4096, F_SEAL_SHRINK), b = memfd_sealed(8192, F_SEAL_SHRINK);
	uint8_t *map;
	int buf;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(1, pwrite(a, "A", 1, 0));
	ASSERT_EQ(1, pwrite(b, "B", 1, 4096));
	req.items[0] = (struct udmabuf_create_item){ .memfd = (uint32_t)a, .size = 4096 };
	req.items[1] = (struct udmabuf_create_item){
		.memfd = (uint32_t)b, .offset = 4096, .size = 4096,
	};
	buf = ioctl(self->dev, UDMABUF_CREATE_LIST, &req);
	ASSERT_LE(0, buf);
	map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('A', map[0]);
	EXPECT_EQ('B', map[4096]);
	munmap(map, 8192);
	close(buf);
	close(a);
	close(b);
}

TEST_F(udmabuf, memfd_without_shrink_seal_is_einval)
{
	int memfd = memfd_sealed(4096, 0);

	ASSERT_LE(0, memfd);
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, 4096));
	close(memfd);
}

TEST_F(udmabuf, memfd_sealed_against_writes_is_einval)
{
	int w = memfd_sealed(4096, F_SEAL_SHRINK | F_SEAL_WRITE);
	int fw = memfd_sealed(4096, F_SEAL_SHRINK | F_SEAL_FUTURE_WRITE);

	ASSERT_LE(0, w);
	ASSERT_LE(0, fw);
	EXPECT_EQ(-EINVAL, __create(self->dev, w, 0, 0, 4096)) TH_LOG("F_SEAL_WRITE");
	EXPECT_EQ(-EINVAL, __create(self->dev, fw, 0, 0, 4096)) TH_LOG("F_SEAL_FUTURE_WRITE");
	close(w);
	close(fw);
}

TEST_F(udmabuf, not_a_memfd_or_not_open_is_ebadfd)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-EBADFD, __create(self->dev, fds[0], 0, 0, 4096)) TH_LOG("pipe");
	EXPECT_EQ(-EBADFD, __create(self->dev, 999, 0, 0, 4096)) TH_LOG("closed fd");
	close(fds[0]);
	close(fds[1]);
}

TEST_F(udmabuf, unaligned_empty_or_oversized_ranges_are_einval)
{
	int memfd = memfd_sealed(4 * 4096, F_SEAL_SHRINK);

	ASSERT_LE(0, memfd);
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 1, 4096)) TH_LOG("offset");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, 4095)) TH_LOG("size");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, 0)) TH_LOG("empty");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, 64 * MB + 4096)) TH_LOG("over 64 MiB");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, 8 * 4096)) TH_LOG("past the end");
	close(memfd);
}

/*
 * A zero-size item among valid ones: before 6.11 our page walk took its last
 * byte as offset - 1 and wrote past the folio array until the memfd ended
 * (a heap overflow only slab debugging or KASAN shows). The memfd is much
 * longer than the buffer so such a walk would overrun it by far.
 */
TEST_F(udmabuf, list_with_a_zero_size_item_is_einval)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[3];
	} req = { .head = { .count = 3 } };
	int memfd = memfd_sealed(256 * 4096, F_SEAL_SHRINK);
	unsigned int zero_at;

	ASSERT_LE(0, memfd);
	for (zero_at = 0; zero_at < 3; zero_at++) {
		unsigned int i;

		for (i = 0; i < 3; i++)
			req.items[i] = (struct udmabuf_create_item){
				.memfd = (uint32_t)memfd,
				.offset = 4096 * i,
				.size = i == zero_at ? 0 : 4096,
			};
		EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, &req))
			TH_LOG("zero-size item %u", zero_at);
		EXPECT_EQ(EINVAL, errno);
	}
	close(memfd);
}

TEST_F(udmabuf, list_longer_than_the_limit_is_einval)
{
	struct udmabuf_create_list head = { .count = 1025 };

	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, &head));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(udmabuf, unreadable_arguments_are_efault)
{
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(udmabuf, unknown_flags_and_nonzero_pad_are_einval_on_our_node)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item item;
	} req = { .head = { .count = 1 } };
	int memfd;

	if (!variant->ours)
		SKIP(return, "the kernel's udmabuf ignores both");
	memfd = memfd_sealed(4096, F_SEAL_SHRINK);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0x2, 0, 4096));
	req.item = (struct udmabuf_create_item){
		.memfd = (uint32_t)memfd, .__pad = 1, .size = 4096,
	};
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, &req));
	EXPECT_EQ(EINVAL, errno);
	close(memfd);
}

/*
 * A hugetlbfs memfd of @len bytes sealed with @seals, its first @faulted
 * bytes faulted in through a shared mapping (returned in *@map, which
 * covers all of @len), or -1.
 */
static int huge_memfd(size_t len, unsigned int seals, size_t faulted,
		      uint8_t **map)
{
	int fd = memfd_create("dmx-udmabuf-huge",
			      MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_CLOEXEC);
	size_t off;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)len))
		goto err_close;
	*map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*map == MAP_FAILED)
		goto err_close;
	for (off = 0; off < faulted; off += 4096)
		(*map)[off] = 0;
	if (seals && fcntl(fd, F_ADD_SEALS, seals)) {
		munmap(*map, len);
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return -1;
}

FIXTURE(hugetlb) {
	int dev;
	size_t huge;		/* bytes per huge page */
	long free_before;	/* HugePages_Free after setup */
	long old_nr;		/* nr_hugepages to restore, or -1 */
};

FIXTURE_VARIANT(hugetlb) {
	const char *path;
	int ours;
};

FIXTURE_VARIANT_ADD(hugetlb, ours) {
	.path = DMABUF_EXPORTER_DEV_CTL,
	.ours = 1,
};

FIXTURE_VARIANT_ADD(hugetlb, kernel) {
	.path = "/dev/udmabuf",
	.ours = 0,
};

FIXTURE_SETUP(hugetlb)
{
	long kb = dmx_meminfo("Hugepagesize"), nr = dmx_read_number(DMX_NR_HUGEPAGES);
	long free_pages;
	int err;

	self->old_nr = -1;
	DMX_REQUIRE_MODULE();
	self->dev = open(variant->path, O_RDWR | O_CLOEXEC);
	if (self->dev < 0 && !variant->ours)
		SKIP(return, "this kernel has no /dev/udmabuf");
	ASSERT_LE(0, self->dev);
	if (kb <= 0 || nr < 0)
		SKIP(return, "this kernel has no huge pages");
	self->huge = (size_t)kb * 1024;

	/* Last: a failed setup gets no teardown to restore the pool. */
	if (nr < HUGE_PAGES) {
		err = dmx_write_nr_hugepages(HUGE_PAGES);
		if (err)
			SKIP(return, "cannot write /proc/sys/vm/nr_hugepages: %s",
			     strerror(-err));
		self->old_nr = nr;
	}
	free_pages = dmx_meminfo("HugePages_Free");
	if (free_pages < HUGE_PAGES) {
		if (self->old_nr >= 0)
			dmx_write_nr_hugepages(self->old_nr);
		SKIP(return, "the kernel provides %ld free huge pages, %d needed",
		     free_pages, HUGE_PAGES);
	}
	self->free_before = free_pages;
}

FIXTURE_TEARDOWN(hugetlb)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->old_nr >= 0)
		dmx_write_nr_hugepages(self->old_nr);
}

/* Everything closed: every huge page the test used must be free again. */
#define EXPECT_ALL_HUGE_PAGES_FREE() \
	EXPECT_EQ(self->free_before, dmx_meminfo("HugePages_Free"))

TEST_F(hugetlb, pages_are_shared_at_any_page_offset)
{
	const size_t len = 2 * self->huge;
	uint8_t *mem, *map;
	int memfd, buf;

	memfd = huge_memfd(len, F_SEAL_SHRINK, len, &mem);
	ASSERT_LE(0, memfd);
	mem[self->huge - 4096 + 7] = 0x11;
	mem[self->huge + 7] = 0x22;

	/* Page-aligned, not huge-page-aligned, across two huge pages. */
	buf = __create(self->dev, memfd, UDMABUF_FLAGS_CLOEXEC,
		       self->huge - 4096, 2 * 4096);
	ASSERT_LE(0, buf);
	EXPECT_EQ(2 * 4096, dmx_buf_size(buf));
	map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0x11, map[7]);
	EXPECT_EQ(0x22, map[4096 + 7]);
	map[4096 + 8] = 0x33;
	EXPECT_EQ(0x33, mem[self->huge + 8]);
	munmap(map, 2 * 4096);
	close(buf);
	munmap(mem, len);
	close(memfd);
	EXPECT_ALL_HUGE_PAGES_FREE();
}

TEST_F(hugetlb, list_mixes_huge_and_shmem_memfds)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[3];
	} req = { .head = { .flags = UDMABUF_FLAGS_CLOEXEC, .count = 3 } };
	const size_t len = 2 * self->huge;
	int shm = memfd_sealed(4096, F_SEAL_SHRINK);
	uint8_t *mem, *map;
	size_t size;
	int huge, buf;

	huge = huge_memfd(len, F_SEAL_SHRINK, len, &mem);
	ASSERT_LE(0, huge);
	ASSERT_LE(0, shm);
	ASSERT_EQ(1, pwrite(shm, "S", 1, 0));
	mem[0] = 'A';
	mem[self->huge + 4096] = 'B';
	req.items[0] = (struct udmabuf_create_item){
		.memfd = (uint32_t)huge, .size = self->huge,
	};
	req.items[1] = (struct udmabuf_create_item){ .memfd = (uint32_t)shm, .size = 4096 };
	req.items[2] = (struct udmabuf_create_item){
		.memfd = (uint32_t)huge, .offset = self->huge + 4096, .size = 4096,
	};
	size = self->huge + 2 * 4096;
	buf = ioctl(self->dev, UDMABUF_CREATE_LIST, &req);
	ASSERT_LE(0, buf);
	EXPECT_EQ((int64_t)size, dmx_buf_size(buf));
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('A', map[0]);
	EXPECT_EQ('S', map[self->huge]);
	EXPECT_EQ('B', map[self->huge + 4096]);
	munmap(map, size);
	close(buf);
	munmap(mem, len);
	close(huge);
	close(shm);
	EXPECT_ALL_HUGE_PAGES_FREE();
}

TEST_F(hugetlb, seals_are_checked_as_for_shmem)
{
	uint8_t *m0, *m1;
	int none = huge_memfd(self->huge, 0, self->huge, &m0);
	int w = huge_memfd(self->huge, 0, self->huge, &m1);

	ASSERT_LE(0, none);
	ASSERT_LE(0, w);
	/* F_SEAL_WRITE needs the writable mapping gone. */
	munmap(m1, self->huge);
	ASSERT_EQ(0, fcntl(w, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_WRITE));
	EXPECT_EQ(-EINVAL, __create(self->dev, none, 0, 0, 4096)) TH_LOG("no seals");
	EXPECT_EQ(-EINVAL, __create(self->dev, w, 0, 0, 4096)) TH_LOG("F_SEAL_WRITE");
	munmap(m0, self->huge);
	close(none);
	close(w);
	EXPECT_ALL_HUGE_PAGES_FREE();
}

TEST_F(hugetlb, unaligned_or_past_the_end_is_einval)
{
	uint8_t *mem;
	int memfd = huge_memfd(self->huge, F_SEAL_SHRINK, self->huge, &mem);

	ASSERT_LE(0, memfd);
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 1, 4096)) TH_LOG("offset");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, 4095)) TH_LOG("size");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, 0, self->huge + 4096))
		TH_LOG("size past the end");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, self->huge, 4096))
		TH_LOG("offset at the end");
	munmap(mem, self->huge);
	close(memfd);
	EXPECT_ALL_HUGE_PAGES_FREE();
}

/*
 * Huge pages never faulted in: EINVAL, on every kernel, as udmabuf before
 * 6.11. Not compared with the kernel's udmabuf: from 6.11 it allocates them
 * through memfd_pin_folios(), which in 6.12 takes them from the pool as if
 * reserved when nothing reserved them (a VM_BUG_ON on our debug kernel, a
 * wrapped-around reserve count on Debian's). A failing item in a list
 * releases what the items before it took: all huge pages are free after.
 * fallocate() is the way to get the pages without touching them.
 */
TEST_F(hugetlb, pages_not_faulted_in_are_einval_and_nothing_leaks)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[3];
	} req = { .head = { .count = 3 } };
	const size_t len = 2 * self->huge;
	int shm = memfd_sealed(4096, F_SEAL_SHRINK);
	int memfd, buf, fds[2];
	uint8_t *mem;

	if (!variant->ours)
		SKIP(return, "6.12's udmabuf allocates them without a reservation");
	/* Only the first huge page is faulted in. */
	memfd = huge_memfd(len, F_SEAL_SHRINK, self->huge, &mem);
	ASSERT_LE(0, memfd);
	ASSERT_LE(0, shm);
	ASSERT_EQ(0, pipe(fds));

	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, self->huge, 4096))
		TH_LOG("second huge page alone");
	EXPECT_EQ(-EINVAL, __create(self->dev, memfd, 0, self->huge - 4096, 2 * 4096))
		TH_LOG("across into the second");

	/* Shmem and a held huge page first, then the failing item. */
	req.items[0] = (struct udmabuf_create_item){ .memfd = (uint32_t)shm, .size = 4096 };
	req.items[1] = (struct udmabuf_create_item){
		.memfd = (uint32_t)memfd, .size = self->huge,
	};
	req.items[2] = (struct udmabuf_create_item){
		.memfd = (uint32_t)memfd, .offset = self->huge, .size = 4096,
	};
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, &req));
	EXPECT_EQ(EINVAL, errno) TH_LOG("list ending in a missing huge page");
	req.items[2] = (struct udmabuf_create_item){ .memfd = (uint32_t)fds[0], .size = 4096 };
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, &req));
	EXPECT_EQ(EBADFD, errno) TH_LOG("list ending in a pipe");

	/* fallocate() puts the missing huge page in: now it works. */
	ASSERT_EQ(0, fallocate(memfd, 0, (off_t)self->huge, (off_t)self->huge));
	buf = __create(self->dev, memfd, 0, self->huge - 4096, 2 * 4096);
	EXPECT_LE(0, buf) TH_LOG("after fallocate(): %s", strerror(-buf));
	if (buf >= 0)
		close(buf);

	munmap(mem, len);
	close(memfd);
	close(shm);
	close(fds[0]);
	close(fds[1]);
	EXPECT_ALL_HUGE_PAGES_FREE();
}

TEST_HARNESS_MAIN
