// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf's ABI on /dev/dmabuf-exporter/ctl. Each test runs against our
 * node and, where the kernel has it (6.12), against /dev/udmabuf itself:
 * the same calls must give the same results. Our deliberate extra strictness
 * (unknown flags, nonzero __pad) is tested on our node only.
 */
#include <linux/udmabuf.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

#define MB (1 << 20)

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

TEST_HARNESS_MAIN
