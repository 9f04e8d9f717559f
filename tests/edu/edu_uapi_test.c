// SPDX-License-Identifier: GPL-2.0-only
/*
 * The uAPI of /dev/dmabuf-exporter/edu0: what INFO reports, the device
 * buffer through DEVBUF_WRITE/READ, and every errno of every ioctl. Each
 * refused call is also checked to have started no DMA transfer, left no fd
 * and kept no buffer alive.
 */
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>

#include "edu_test.h"
#include "kselftest_harness.h"

EDU_SKIP_PROGRAM_WITHOUT_NODE

#define PAGE		4096u
#define BUF_LEN		(4 * PAGE)

/* An ioctl number of ours with another struct size. */
#define EDU_IOC_SIZED(dir, nr, size) \
	_IOC((dir), DMABUF_EXPORTER_EDU_IOC_MAGIC, (nr), (size))
#define EDU_INFO_SIZED(size)	EDU_IOC_SIZED(_IOC_READ | _IOC_WRITE, 0x40, (size))
#define EDU_COPY_SIZED(size)	EDU_IOC_SIZED(_IOC_WRITE, 0x45, (size))

/* ---- INFO and the device buffer ------------------------------------------ */

FIXTURE(devbuf) {
	int edu;
	struct dmabuf_exporter_edu_info info;
};

FIXTURE_SETUP(devbuf)
{
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	ASSERT_EQ(0, __edu_info(self->edu, &self->info));
}

FIXTURE_TEARDOWN(devbuf)
{
	close(self->edu);
}

TEST_F(devbuf, info_reports_version_buffer_size_and_dma_bits)
{
	unsigned int bits = 0;

	EXPECT_EQ(DMABUF_EXPORTER_EDU_API_VERSION, self->info.api_version);
	/* 4096, minus the last byte QEMU <= 7.2 cannot transfer. */
	EXPECT_EQ(4095, self->info.devbuf_size);
	ASSERT_EQ(0, edu_param_get("dma_bits", &bits));
	EXPECT_EQ(bits, self->info.dma_bits);
	EXPECT_LE(1, self->info.max_handles);
	EXPECT_EQ(0, self->info.pad);
}

TEST_F(devbuf, write_then_read_returns_the_same_bytes)
{
	uint32_t n = self->info.devbuf_size;
	uint8_t in[4096], out[4096];
	int64_t before = edu_transfers(self->edu);

	edu_pattern(in, 0, n, 11);
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, in, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, out, n));
	EXPECT_EQ(0, memcmp(in, out, n));
	/* One transfer each way: the bytes really went through the device. */
	EXPECT_EQ(before + 2, edu_transfers(self->edu));
}

TEST_F(devbuf, partial_write_leaves_the_rest_unchanged)
{
	uint32_t n = self->info.devbuf_size;
	uint8_t a[4096], b[500], out[4096];

	edu_pattern(a, 0, n, 12);
	edu_pattern(b, 0, sizeof(b), 13);
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, a, n));
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 1000, b, sizeof(b)));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, out, n));
	EXPECT_EQ(0, memcmp(out, a, 1000));
	EXPECT_EQ(0, memcmp(out + 1000, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(out + 1500, a + 1500, n - 1500));
}

TEST_F(devbuf, last_usable_byte_can_be_read_and_written)
{
	uint32_t last = self->info.devbuf_size - 1;
	uint8_t v = 0xa5, out = 0;

	ASSERT_EQ(0, __edu_devbuf_write(self->edu, last, &v, 1));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, last, &out, 1));
	EXPECT_EQ(v, out);
}

TEST_F(devbuf, read_into_an_unwritable_pointer_is_efault)
{
	uint8_t *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, __edu_devbuf_read(self->edu, 0, ro, 16));
	EXPECT_EQ(-EFAULT, __edu_devbuf_read(self->edu, 0, (void *)8, 16));
	munmap(ro, PAGE);
}

TEST_F(devbuf, longer_struct_with_a_zero_tail_is_accepted)
{
	struct {
		struct dmabuf_exporter_edu_info info;
		uint64_t tail[2];
	} big = {};

	ASSERT_EQ(0, ioctl(self->edu, EDU_INFO_SIZED(sizeof(big)), &big));
	EXPECT_EQ(DMABUF_EXPORTER_EDU_API_VERSION, big.info.api_version);
}

/* ---- errors ------------------------------------------------------------- */

FIXTURE(errors) {
	int edu;
	int node;	/* our exporter, for dma-bufs */
	int buf;	/* BUF_LEN, read-write */
	int64_t transfers;
	int64_t live;
	int fds;
};

FIXTURE_SETUP(errors)
{
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	self->node = dmx_open_node("system");
	if (self->node < 0)
		SKIP(return, DMABUF_EXPORTER_DEV_SYSTEM " missing");
	self->buf = dmx_alloc(self->node, BUF_LEN);
	ASSERT_LE(0, self->buf);
	self->transfers = edu_transfers(self->edu);
	ASSERT_LE(0, self->transfers);
	self->live = dmx_live_buffers(self->node);
	self->fds = dmx_count_fds();
}

/* A refused call starts no transfer and leaves nothing behind. */
FIXTURE_TEARDOWN(errors)
{
	EXPECT_EQ(self->transfers, edu_transfers(self->edu))
		TH_LOG("a refused call started a DMA transfer");
	EXPECT_EQ(self->fds, dmx_count_fds()) TH_LOG("fd leaked");
	EXPECT_EQ(self->live, dmx_live_buffers(self->node))
		TH_LOG("buffer leaked (or still attached)");
	close(self->buf);
	close(self->node);
	close(self->edu);
}

TEST_F(errors, unknown_ioctls_are_enotty)
{
	struct dmabuf_exporter_info xinfo = {};
	struct dma_heap_allocation_data alloc = { .len = PAGE };
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START };

	EXPECT_EQ(-1, ioctl(self->edu, _IO(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->edu, _IOWR(DMABUF_EXPORTER_EDU_IOC_MAGIC, 0x48,
					     struct dmabuf_exporter_edu_info), &xinfo));
	EXPECT_EQ(ENOTTY, errno);
	/* The exporter's own ioctls mean nothing here. */
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_IOCTL_INFO, &xinfo));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->edu, DMA_HEAP_IOCTL_ALLOC, &alloc));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->edu, DMA_BUF_IOCTL_SYNC, &sync));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(errors, every_ioctl_with_an_unreadable_struct_is_efault)
{
	static const unsigned long cmds[] = {
		DMABUF_EXPORTER_EDU_IOCTL_INFO,
		DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE,
		DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ,
		DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF,
		DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF,
		DMABUF_EXPORTER_EDU_IOCTL_COPY,
		DMABUF_EXPORTER_EDU_IOCTL_ATTACH,
		DMABUF_EXPORTER_EDU_IOCTL_DETACH,
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->edu, cmds[i], (void *)16));
		EXPECT_EQ(EFAULT, errno) TH_LOG("ioctl %#lx", cmds[i]);
	}
}

TEST_F(errors, info_with_nonzero_flags_pad_or_reserved_is_einval)
{
	struct dmabuf_exporter_edu_info info;
	unsigned int i;

	memset(&info, 0, sizeof(info));
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	memset(&info, 0, sizeof(info));
	info.pad = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 4; i++) {
		memset(&info, 0, sizeof(info));
		info.reserved[i] = 1ull << 63;
		EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_INFO, &info));
		EXPECT_EQ(EINVAL, errno) TH_LOG("reserved[%u]", i);
	}
}

TEST_F(errors, struct_shorter_than_version_1_is_einval)
{
	struct dmabuf_exporter_edu_info info = {};

	EXPECT_EQ(-1, ioctl(self->edu, EDU_INFO_SIZED(8), &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->edu, EDU_COPY_SIZED(16), &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->edu, EDU_INFO_SIZED(0), &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(errors, longer_struct_with_a_nonzero_tail_is_e2big)
{
	struct {
		struct dmabuf_exporter_edu_info info;
		uint64_t tail[2];
	} big = {};

	big.tail[1] = 1;
	EXPECT_EQ(-1, ioctl(self->edu, EDU_INFO_SIZED(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(errors, devbuf_zero_length_is_einval)
{
	uint8_t b[8] = {};

	EXPECT_EQ(-EINVAL, __edu_devbuf_write(self->edu, 0, b, 0));
	EXPECT_EQ(-EINVAL, __edu_devbuf_read(self->edu, 0, b, 0));
}

TEST_F(errors, devbuf_range_past_the_device_buffer_is_einval)
{
	static const struct { uint32_t off, len; } bad[] = {
		{ 0, 4096 }, { 4095, 1 }, { 4000, 96 }, { 1, 4095 },
		{ UINT32_MAX, 2 }, { 1, UINT32_MAX }, { UINT32_MAX, UINT32_MAX },
	};
	static uint8_t b[8192];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, __edu_devbuf_write(self->edu, bad[i].off, b,
						      bad[i].len))
			TH_LOG("write off %u len %u", bad[i].off, bad[i].len);
		EXPECT_EQ(-EINVAL, __edu_devbuf_read(self->edu, bad[i].off, b,
						     bad[i].len))
			TH_LOG("read off %u len %u", bad[i].off, bad[i].len);
	}
}

TEST_F(errors, devbuf_nonzero_flags_pad_or_reserved_is_einval)
{
	uint8_t b[8] = {};
	struct dmabuf_exporter_edu_devbuf io = {
		.data = (uintptr_t)b, .len = sizeof(b),
	};

	io.flags = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE, &io));
	EXPECT_EQ(EINVAL, errno);
	io.flags = 0;
	io.pad = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ, &io));
	EXPECT_EQ(EINVAL, errno);
	io.pad = 0;
	io.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE, &io));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(errors, devbuf_write_from_an_unreadable_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, __edu_devbuf_write(self->edu, 0, (void *)8, 16));
}

/* Both directions of a dma-buf transfer share these checks. */
static const unsigned long xfer_cmds[] = {
	DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF,
	DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF,
};

static int xfer(int edu, unsigned int dir, uint32_t buf, uint32_t flags,
		uint64_t off, uint32_t dev_off, uint32_t len)
{
	return __edu_xfer(edu, xfer_cmds[dir], buf, flags, off, dev_off, len);
}

TEST_F(errors, bad_dmabuf_fd_is_ebadf)
{
	int closed = dup(self->buf);
	uint32_t bad[] = { UINT32_MAX, (uint32_t)INT_MAX, 0 };
	unsigned int d, i;

	ASSERT_LE(0, closed);
	close(closed);
	bad[2] = (uint32_t)closed;
	for (d = 0; d < 2; d++) {
		for (i = 0; i < 3; i++) {
			int fd = (int)bad[i];

			EXPECT_EQ(-EBADF, xfer(self->edu, d, (uint32_t)fd, 0, 0,
					       0, 16))
				TH_LOG("dir %u fd %d", d, fd);
		}
	}
	for (i = 0; i < 3; i++) {
		uint32_t h = 0;

		EXPECT_EQ(-EBADF, __edu_copy(self->edu, bad[i], self->buf, 0, 0,
					     0, 16));
		EXPECT_EQ(-EBADF, __edu_copy(self->edu, self->buf, bad[i], 0, 0,
					     PAGE, 16));
		EXPECT_EQ(-EBADF, __edu_attach(self->edu, (int)bad[i], &h));
	}
}

TEST_F(errors, fd_that_is_not_a_dmabuf_is_einval)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int memfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
	int fds[3] = { devnull, memfd, self->edu };
	unsigned int d, i;
	uint32_t h = 0;

	ASSERT_LE(0, devnull);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, BUF_LEN));
	for (i = 0; i < 3; i++) {
		for (d = 0; d < 2; d++)
			EXPECT_EQ(-EINVAL, xfer(self->edu, d, (uint32_t)fds[i], 0,
						0, 0, 16));
		EXPECT_EQ(-EINVAL, __edu_copy(self->edu, (uint32_t)fds[i],
					      self->buf, 0, 0, 0, 16));
		EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf,
					      (uint32_t)fds[i], 0, 0, 0, 16));
		EXPECT_EQ(-EINVAL, __edu_attach(self->edu, fds[i], &h));
	}
	close(memfd);
	close(devnull);
}

TEST_F(errors, unknown_handle_is_enoent)
{
	const uint32_t hf = DMABUF_EXPORTER_EDU_HANDLE;
	uint32_t bad[] = { 0, 1, 64, UINT32_MAX };
	unsigned int d, i;

	for (i = 0; i < 4; i++) {
		for (d = 0; d < 2; d++)
			EXPECT_EQ(-ENOENT, xfer(self->edu, d, bad[i], hf, 0, 0, 16));
		EXPECT_EQ(-ENOENT, __edu_copy(self->edu, bad[i], self->buf,
					      DMABUF_EXPORTER_EDU_SRC_HANDLE, 0,
					      0, 16));
		EXPECT_EQ(-ENOENT, __edu_copy(self->edu, self->buf, bad[i],
					      DMABUF_EXPORTER_EDU_DST_HANDLE, 0,
					      0, 16));
		EXPECT_EQ(-ENOENT, __edu_detach(self->edu, bad[i]));
	}
}

TEST_F(errors, zero_length_is_einval)
{
	EXPECT_EQ(-EINVAL, xfer(self->edu, 0, self->buf, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, xfer(self->edu, 1, self->buf, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, self->buf, 0, 0,
				      PAGE, 0));
}

TEST_F(errors, range_past_the_dmabuf_is_einval)
{
	static const struct { uint64_t off; uint32_t len; } bad[] = {
		{ BUF_LEN, 1 }, { BUF_LEN - 10, 11 }, { BUF_LEN + PAGE, 16 },
		{ UINT64_MAX, 2 }, { UINT64_MAX - 8, 16 }, { 1ull << 63, 16 },
	};
	unsigned int d, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (d = 0; d < 2; d++)
			EXPECT_EQ(-EINVAL, xfer(self->edu, d, self->buf, 0,
						bad[i].off, 0, bad[i].len))
				TH_LOG("dir %u off %llu len %u", d,
				       (unsigned long long)bad[i].off, bad[i].len);
}

TEST_F(errors, range_past_the_device_buffer_is_einval)
{
	static const struct { uint32_t dev_off, len; } bad[] = {
		{ 0, 4096 }, { 4095, 1 }, { 2048, 2048 }, { UINT32_MAX, 2 },
		{ 1, UINT32_MAX },
	};
	unsigned int d, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (d = 0; d < 2; d++)
			EXPECT_EQ(-EINVAL, xfer(self->edu, d, self->buf, 0, 0,
						bad[i].dev_off, bad[i].len))
				TH_LOG("dir %u dev_off %u len %u", d,
				       bad[i].dev_off, bad[i].len);
}

TEST_F(errors, xfer_with_unknown_flags_or_reserved_is_einval)
{
	struct dmabuf_exporter_edu_xfer x = { .buf = (uint32_t)self->buf, .len = 16 };
	unsigned int d;

	for (d = 0; d < 2; d++) {
		x.flags = 2;
		EXPECT_EQ(-1, ioctl(self->edu, xfer_cmds[d], &x));
		EXPECT_EQ(EINVAL, errno);
		x.flags = 1u << 31;
		EXPECT_EQ(-1, ioctl(self->edu, xfer_cmds[d], &x));
		EXPECT_EQ(EINVAL, errno);
		x.flags = 0;
		x.reserved[0] = 1;
		EXPECT_EQ(-1, ioctl(self->edu, xfer_cmds[d], &x));
		EXPECT_EQ(EINVAL, errno);
		x.reserved[0] = 0;
	}
}

TEST_F(errors, device_write_into_a_read_only_dmabuf_is_ebadf)
{
	int ro = -1, wo = -1;

	ASSERT_EQ(0, __dmx_alloc(self->node, BUF_LEN, O_RDONLY | O_CLOEXEC, 0, 0, &ro));
	ASSERT_EQ(0, __dmx_alloc(self->node, BUF_LEN, O_WRONLY | O_CLOEXEC, 0, 0, &wo));
	/* Like write(2) and copy_file_range(2): access follows the fd. */
	EXPECT_EQ(-EBADF, __edu_write_dmabuf(self->edu, ro, 0, 0, 0, 16));
	EXPECT_EQ(-EBADF, __edu_copy(self->edu, self->buf, ro, 0, 0, 0, 16));
	EXPECT_EQ(-EBADF, __edu_read_dmabuf(self->edu, wo, 0, 0, 0, 16));
	EXPECT_EQ(-EBADF, __edu_copy(self->edu, wo, self->buf, 0, 0, 0, 16));
	close(wo);
	close(ro);
}

TEST_F(errors, copy_range_past_either_buffer_is_einval)
{
	int small = dmx_alloc(self->node, PAGE);

	ASSERT_LE(0, small);
	EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, small, 0, 0, 0,
				      PAGE + 1));
	EXPECT_EQ(-EINVAL, __edu_copy(self->edu, small, self->buf, 0, 1, 0, PAGE));
	EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, small, 0,
				      UINT64_MAX, 0, 2));
	EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, small, 0, 0,
				      UINT64_MAX - 1, 4));
	EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, small, 0, 0, 0,
				      UINT64_MAX));
	close(small);
}

TEST_F(errors, copy_between_overlapping_ranges_of_one_dmabuf_is_einval)
{
	static const struct { uint64_t src, dst, len; } bad[] = {
		{ 0, 0, 16 }, { 0, 1, 16 }, { 1, 0, 16 }, { 100, 4095, 4000 },
		{ 4095, 100, 4000 }, { 0, PAGE, PAGE + 1 },
	};
	int again = dup(self->buf);
	unsigned int i;

	ASSERT_LE(0, again);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, self->buf, 0,
					      bad[i].src, bad[i].dst, bad[i].len));
		/* Another fd of the same dma-buf is the same buffer. */
		EXPECT_EQ(-EINVAL, __edu_copy(self->edu, self->buf, again, 0,
					      bad[i].src, bad[i].dst, bad[i].len));
	}
	close(again);
}

TEST_F(errors, copy_with_unknown_flags_pad_or_reserved_is_einval)
{
	struct dmabuf_exporter_edu_copy c = {
		.src = (uint32_t)self->buf, .dst = (uint32_t)self->buf,
		.dst_offset = PAGE, .len = 16,
	};

	c.flags = 4;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_COPY, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.pad = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_COPY, &c));
	EXPECT_EQ(EINVAL, errno);
	c.pad = 0;
	c.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_COPY, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(errors, attach_with_nonzero_flags_pad_or_reserved_is_einval)
{
	struct dmabuf_exporter_edu_attach a = { .fd = (uint32_t)self->buf };

	a.flags = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	a.pad = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.pad = 0;
	a.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(errors, detach_with_nonzero_flags_or_reserved_is_einval)
{
	struct dmabuf_exporter_edu_detach d = {};
	uint32_t h = 0;

	ASSERT_EQ(0, __edu_attach(self->edu, self->buf, &h));
	d.handle = h;
	d.flags = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_DETACH, &d));
	EXPECT_EQ(EINVAL, errno);
	d.flags = 0;
	d.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_DETACH, &d));
	EXPECT_EQ(EINVAL, errno);
	/* Still attached: the refused calls changed nothing. */
	EXPECT_EQ(0, __edu_detach(self->edu, h));
}

TEST_F(errors, attaching_the_same_dmabuf_twice_is_eexist)
{
	int again = dup(self->buf);
	uint32_t h = 0, h2 = 0;

	ASSERT_LE(0, again);
	ASSERT_EQ(0, __edu_attach(self->edu, self->buf, &h));
	EXPECT_NE(0, h);
	EXPECT_EQ(-EEXIST, __edu_attach(self->edu, self->buf, &h2));
	EXPECT_EQ(-EEXIST, __edu_attach(self->edu, again, &h2));
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	close(again);
}

TEST_F(errors, detaching_twice_is_enoent)
{
	uint32_t h = 0;

	ASSERT_EQ(0, __edu_attach(self->edu, self->buf, &h));
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	EXPECT_EQ(-ENOENT, __edu_detach(self->edu, h));
}

TEST_F(errors, attaching_more_than_max_handles_is_enospc)
{
	struct dmabuf_exporter_edu_info info;
	uint32_t handles[256], extra;
	int bufs[257];
	unsigned int i, n;

	ASSERT_EQ(0, __edu_info(self->edu, &info));
	n = info.max_handles;
	ASSERT_GE(256, n);
	for (i = 0; i <= n; i++) {
		bufs[i] = dmx_alloc(self->node, PAGE);
		ASSERT_LE(0, bufs[i]);
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, __edu_attach(self->edu, bufs[i], &handles[i]))
			TH_LOG("attach %u of %u", i, n);
	EXPECT_EQ(-ENOSPC, __edu_attach(self->edu, bufs[n], &extra));
	/* A freed slot can be used again. */
	ASSERT_EQ(0, __edu_detach(self->edu, handles[0]));
	ASSERT_EQ(0, __edu_attach(self->edu, bufs[n], &handles[0]));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, __edu_detach(self->edu, handles[i]));
	for (i = 0; i <= n; i++)
		close(bufs[i]);
}

TEST_F(errors, attach_whose_reply_cannot_be_written_is_efault_and_undone)
{
	struct dmabuf_exporter_edu_attach *a;
	uint32_t h = 0;

	a = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 0, sizeof(*a));
	a->fd = (uint32_t)self->buf;
	ASSERT_EQ(0, mprotect(a, PAGE, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->edu, DMABUF_EXPORTER_EDU_IOCTL_ATTACH, a));
	EXPECT_EQ(EFAULT, errno);
	munmap(a, PAGE);
	/* Nothing stayed attached: attaching again is not EEXIST. */
	ASSERT_EQ(0, __edu_attach(self->edu, self->buf, &h));
	EXPECT_EQ(1, h);
	EXPECT_EQ(0, __edu_detach(self->edu, h));
}

TEST_F(errors, handles_belong_to_the_node_they_were_made_on)
{
	int other = edu_open(), buf2 = dmx_alloc(self->node, PAGE);
	uint32_t h = 0, h2 = 0;

	ASSERT_LE(0, other);
	ASSERT_LE(0, buf2);
	ASSERT_EQ(0, __edu_attach(self->edu, self->buf, &h));
	EXPECT_EQ(-ENOENT, __edu_read_dmabuf(other, h, DMABUF_EXPORTER_EDU_HANDLE,
					     0, 0, 16));
	EXPECT_EQ(-ENOENT, __edu_detach(other, h));
	/* Numbers are per node: the other node's first handle is its own. */
	ASSERT_EQ(0, __edu_attach(other, buf2, &h2));
	EXPECT_EQ(h, h2);
	EXPECT_EQ(0, __edu_detach(other, h2));
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	close(buf2);
	close(other);
}

/* One mapping per device and buffer: the DMA API forbids overlapping ones. */
TEST_F(errors, attaching_a_dmabuf_attached_through_another_node_is_eexist)
{
	int other = edu_open();
	uint32_t h = 0, h2 = 0;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, __edu_attach(self->edu, self->buf, &h));
	EXPECT_EQ(-EEXIST, __edu_attach(other, self->buf, &h2));
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	/* Free again once detached. */
	EXPECT_EQ(0, __edu_attach(other, self->buf, &h2));
	close(other);
}

TEST_F(errors, closing_the_node_detaches_its_handles)
{
	int node = edu_open(), buf;
	uint32_t h = 0;

	ASSERT_LE(0, node);
	buf = dmx_alloc(self->node, PAGE);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __edu_attach(node, buf, &h));
	close(buf);
	/* The attachment holds the dma-buf... */
	EXPECT_EQ(self->live + 1, dmx_live_buffers(self->node));
	close(node);
	/* ...until the node goes (the teardown checks it is freed). */
}

TEST_HARNESS_MAIN
