// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dma-heap user can switch from the kernel's /dev/dma_heap/system to
 * /dev/dmabuf-exporter/system by changing only the path: the same requests
 * give the same results and the same errnos on both. Needs a kernel with
 * dma-heaps (6.12 here; 6.1 has none and skips).
 *
 * Deliberate differences, documented in docs/uapi.md and not compared here:
 * a struct too short to return the fd, unknown ioctl numbers, and
 * MAP_PRIVATE mappings (the kernel's heap allows them, we refuse them).
 */
#include <sys/mman.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

#define KERNEL_HEAP "/dev/dma_heap/system"

struct request {
	const char *what;
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
	uint64_t heap_flags;
	unsigned int size;	/* struct size passed in the ioctl number */
};

static const struct request requests[] = {
	{ "plain", 4096, 0, O_RDWR | O_CLOEXEC, 0, 24 },
	{ "rounded up", 5000, 0, O_RDWR | O_CLOEXEC, 0, 24 },
	{ "read-only fd", 4096, 0, O_RDONLY, 0, 24 },
	{ "write-only fd", 4096, 0, O_WRONLY, 0, 24 },
	{ "len 0", 0, 0, O_RDWR, 0, 24 },
	{ "len wraps", UINT64_MAX, 0, O_RDWR, 0, 24 },
	{ "input fd", 4096, 7, O_RDWR, 0, 24 },
	{ "O_NONBLOCK", 4096, 0, O_RDWR | O_NONBLOCK, 0, 24 },
	{ "O_APPEND", 4096, 0, O_RDWR | O_APPEND, 0, 24 },
	{ "heap_flags", 4096, 0, O_RDWR, 1, 24 },
	{ "high heap_flags", 4096, 0, O_RDWR, 1ULL << 63, 24 },
	{ "16-byte struct", 4096, 0, O_RDWR, 0, 16 },
	{ "32-byte struct", 4096, 0, O_RDWR, 0, 32 },
};

/* Result of @r on @node: the size of the new buffer, or -errno. */
static int64_t run(int node, const struct request *r)
{
	struct {
		struct dma_heap_allocation_data data;
		uint64_t tail;
	} arg = {
		.data = {
			.len = r->len,
			.fd = r->fd,
			.fd_flags = r->fd_flags,
			.heap_flags = r->heap_flags,
		},
	};
	int64_t size;

	if (ioctl(node, DMX_HEAP_ALLOC_SIZED(r->size), &arg))
		return -errno;
	size = dmx_buf_size((int)arg.data.fd);
	close((int)arg.data.fd);
	return size;
}

FIXTURE(parity) {
	int ours;
	int kernel;
};

FIXTURE_SETUP(parity)
{
	DMX_REQUIRE_MODULE();
	self->kernel = open(KERNEL_HEAP, O_RDONLY | O_CLOEXEC);
	if (self->kernel < 0)
		SKIP(return, "this kernel has no %s", KERNEL_HEAP);
	self->ours = dmx_open_node("system");
	ASSERT_LE(0, self->ours);
}

FIXTURE_TEARDOWN(parity)
{
	if (self->kernel < 0)
		return;
	close(self->kernel);
	close(self->ours);
}

TEST_F(parity, every_request_gives_the_same_result_on_both)
{
	unsigned int i;

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		int64_t k = run(self->kernel, &requests[i]);
		int64_t o = run(self->ours, &requests[i]);

		EXPECT_EQ(k, o) TH_LOG("%s: kernel heap %lld, ours %lld",
				       requests[i].what, (long long)k, (long long)o);
	}
}

TEST_F(parity, buffers_map_and_sync_the_same_way)
{
	const int nodes[] = { self->kernel, self->ours };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct dma_heap_allocation_data d = {
			.len = 8192, .fd_flags = O_RDWR | O_CLOEXEC,
		};
		uint8_t *map;

		ASSERT_EQ(0, ioctl(nodes[i], DMA_HEAP_IOCTL_ALLOC, &d));
		map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, (int)d.fd, 0);
		ASSERT_NE(MAP_FAILED, map);
		EXPECT_EQ(0, __dmx_sync((int)d.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		map[8191] = 3;
		EXPECT_EQ(0, __dmx_sync((int)d.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		EXPECT_EQ(-EINVAL, __dmx_sync((int)d.fd, 0x10));
		EXPECT_EQ(MAP_FAILED, mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, (int)d.fd, 0));
		EXPECT_EQ(EINVAL, errno);
		munmap(map, 8192);
		close((int)d.fd);
	}
}

TEST_HARNESS_MAIN
