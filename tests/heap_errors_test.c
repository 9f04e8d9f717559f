// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every error path of the kind nodes' ioctls, with the exact errno, and
 * proof that a refused request leaves no buffer and no fd behind. Each test
 * runs once per kind.
 */
#include <stdint.h>
#include <sys/resource.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

FIXTURE(errors) {
	int node;
	int info_node;
	int64_t live;
	int fds;
};

FIXTURE_VARIANT(errors) {
	const char *kind;
	bool dma_heap;
};

DMX_KIND_VARIANTS(errors);

FIXTURE_SETUP(errors)
{
	int ret;

	DMX_REQUIRE_MODULE();
	self->node = -1;
	self->info_node = -1;
	if (variant->dma_heap) {
		ASSERT_TRUE(dmx_heaps_registered())
			TH_LOG("the module was not loaded with register_heaps=1");
	}
	ret = dmx_open_kind(variant->kind, variant->dma_heap, &self->node,
			    &self->info_node);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", variant->kind, strerror(-ret));
	self->live = dmx_live_buffers(self->info_node);
	ASSERT_LE(0, self->live);
	self->fds = dmx_count_fds();
}

/* Nothing a failing call did may outlive it. */
FIXTURE_TEARDOWN(errors)
{
	if (self->info_node < 0)	/* not set up */
		return;
	EXPECT_EQ(self->live, dmx_live_buffers(self->info_node)) TH_LOG("buffer leaked");
	EXPECT_EQ(self->fds, dmx_count_fds()) TH_LOG("fd leaked");
	close(self->node);
	close(self->info_node);
}

static int alloc_errno(int node, uint64_t len, uint32_t fd_flags,
		       uint64_t heap_flags, uint32_t in_fd)
{
	int fd = -1;
	int ret = __dmx_alloc(node, len, fd_flags, heap_flags, in_fd, &fd);

	if (!ret)
		close(fd);
	return ret;
}

TEST_F(errors, len_zero_is_einval)
{
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, 0, O_RDWR, 0, 0));
}

TEST_F(errors, len_that_overflows_when_rounded_up_is_einval)
{
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, UINT64_MAX, O_RDWR, 0, 0));
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, UINT64_MAX - DMX_PAGE + 2,
				       O_RDWR, 0, 0));
}

TEST_F(errors, len_over_the_limit_is_enomem)
{
	struct dmabuf_exporter_info info;

	ASSERT_EQ(0, __dmx_info(self->info_node, &info));
	EXPECT_EQ(-ENOMEM, alloc_errno(self->node, info.max_buffer_size + 1,
				       O_RDWR, 0, 0));
	EXPECT_EQ(-ENOMEM, alloc_errno(self->node, UINT64_MAX - 2 * DMX_PAGE,
				       O_RDWR, 0, 0));
	EXPECT_EQ(-ENOMEM, alloc_errno(self->node, 1ULL << 63, O_RDWR, 0, 0));
}

TEST_F(errors, unknown_fd_flags_are_einval)
{
	static const uint32_t bad[] = {
		O_NONBLOCK, O_APPEND, O_CREAT, O_TRUNC, O_DIRECT, 1u << 31,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, alloc_errno(self->node, 4096, O_RDWR | bad[i], 0, 0))
			TH_LOG("fd_flags 0x%x", bad[i]);
}

TEST_F(errors, nonzero_heap_flags_are_einval)
{
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, 4096, O_RDWR, 1, 0));
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, 4096, O_RDWR, 1ULL << 63, 0));
}

TEST_F(errors, nonzero_input_fd_is_einval)
{
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, 4096, O_RDWR, 0, 3));
	EXPECT_EQ(-EINVAL, alloc_errno(self->node, 4096, O_RDWR, 0, UINT32_MAX));
}

/*
 * Our node's rule only: the dma-heap core accepts such a struct, allocates,
 * and the fd number is lost.
 */
#ifndef DMX_VIA_DMA_HEAP
TEST_F(errors, struct_too_short_to_return_the_fd_is_einval)
{
	struct dma_heap_allocation_data data = { .len = 4096 };

	EXPECT_EQ(-1, ioctl(self->node, DMX_HEAP_ALLOC_SIZED(8), &data));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->node, DMX_HEAP_ALLOC_SIZED(0), &data));
	EXPECT_EQ(EINVAL, errno);
}
#endif

/*
 * Our nodes answer ENOTTY. The dma-heap core answers EINVAL: it takes any
 * command number it has as that command whatever the rest of the command
 * says, and refuses every other number with EINVAL (its rule, not ours).
 */
TEST_F(errors, unknown_ioctls_are_enotty_or_the_cores_einval)
{
	int expected = variant->dma_heap ? EINVAL : ENOTTY;
	char arg[64] = { 0 };
	static const unsigned long cmds[] = {
		_IO(DMA_HEAP_IOC_MAGIC, 1),
		_IOWR(DMA_HEAP_IOC_MAGIC, 1, struct dma_heap_allocation_data),
		_IOR(DMA_HEAP_IOC_MAGIC, 0, struct dma_heap_allocation_data),
		_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x7f, struct dmabuf_exporter_info),
		_IOW(DMABUF_EXPORTER_IOC_MAGIC, 0, struct dmabuf_exporter_info),
		DMA_BUF_IOCTL_SYNC,
		0,
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->node, cmds[i], arg)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(expected, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(errors, unreadable_argument_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->node, DMA_HEAP_IOCTL_ALLOC, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->info_node, DMABUF_EXPORTER_IOCTL_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * The fd must not be installed before userspace has been told its number:
 * when the copy back fails, the buffer is freed and no fd appears.
 */
TEST_F(errors, unwritable_argument_is_efault_and_leaks_nothing)
{
	struct dma_heap_allocation_data *ro;

	ro = mmap(NULL, DMX_PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ro->len = 4096;
	ro->fd_flags = O_RDWR | O_CLOEXEC;
	ASSERT_EQ(0, mprotect(ro, DMX_PAGE, PROT_READ));

	EXPECT_EQ(-1, ioctl(self->node, DMA_HEAP_IOCTL_ALLOC, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, DMX_PAGE);
	/* The teardown checks that no buffer and no fd are left. */
}

/* Out of fds: the allocated buffer must be freed again (CVE-2024-56712). */
TEST_F(errors, fd_table_full_is_emfile_and_leaks_nothing)
{
	struct rlimit old, lim;
	int ret;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = (rlim_t)dmx_count_fds() + 3;
	/* Fill the table: the next fd number would be over the limit. */
	{
		int spare[8], n = 0, fd;

		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
		while (n < 8 && (fd = dup(self->node)) >= 0)
			spare[n++] = fd;
		ret = alloc_errno(self->node, 4096, O_RDWR | O_CLOEXEC, 0, 0);
		while (n)
			close(spare[--n]);
	}
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	EXPECT_EQ(-EMFILE, ret);
}

TEST_F(errors, info_nonzero_flags_pad_or_reserved_is_einval)
{
	struct dmabuf_exporter_info info;
	unsigned int i;

	memset(&info, 0, sizeof(info));
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(self->info_node, DMABUF_EXPORTER_IOCTL_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	memset(&info, 0, sizeof(info));
	info.pad = 1;
	EXPECT_EQ(-1, ioctl(self->info_node, DMABUF_EXPORTER_IOCTL_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	for (i = 0; i < sizeof(info.reserved) / sizeof(info.reserved[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->info_node, DMABUF_EXPORTER_IOCTL_INFO, &info));
		EXPECT_EQ(EINVAL, errno) TH_LOG("reserved[%u]", i);
	}
}

TEST_F(errors, info_longer_struct_needs_a_zero_tail)
{
	struct {
		struct dmabuf_exporter_info info;
		uint64_t future;
	} big;

	memset(&big, 0, sizeof(big));
	EXPECT_EQ(0, ioctl(self->info_node, DMX_INFO_SIZED(sizeof(big)), &big));
	EXPECT_EQ(DMABUF_EXPORTER_API_VERSION, big.info.api_version);

	memset(&big, 0, sizeof(big));
	big.future = 1;
	EXPECT_EQ(-1, ioctl(self->info_node, DMX_INFO_SIZED(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(errors, info_shorter_struct_is_einval)
{
	struct dmabuf_exporter_info info;

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-1, ioctl(self->info_node, DMX_INFO_SIZED(sizeof(info) - 8), &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
