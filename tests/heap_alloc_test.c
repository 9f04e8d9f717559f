// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every memory kind's node as a dma-heap: allocation, mapping, CPU-access
 * sync, zeroing and lifetime of the buffers it exports. Each test runs once
 * per kind (system, system-uncached, contig).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

FIXTURE(heap) {
	int node;
	int info_node;
	struct dmabuf_exporter_info info;
};

FIXTURE_VARIANT(heap) {
	const char *kind;
	bool dma_heap;
};

DMX_KIND_VARIANTS(heap);

FIXTURE_SETUP(heap)
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
	ASSERT_EQ(0, __dmx_info(self->info_node, &self->info));
}

FIXTURE_TEARDOWN(heap)
{
	if (self->node >= 0)
		close(self->node);
	if (self->info_node >= 0)
		close(self->info_node);
}

/* Write a pattern under SYNC_START|WRITE .. SYNC_END|WRITE. */
static int fill(int buf, uint8_t *map, uint64_t len, unsigned int seed)
{
	int ret;

	ret = __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	if (ret)
		return ret;
	dmx_fill(map, 0, len, seed);
	return __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static int64_t first_nonzero(const uint8_t *map, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (map[i])
			return (int64_t)i;
	return -1;
}

TEST_F(heap, info_reports_api_version_and_page_size)
{
	EXPECT_EQ(DMABUF_EXPORTER_API_VERSION, self->info.api_version);
	EXPECT_EQ(DMX_PAGE, self->info.page_size);
	EXPECT_LT(0, self->info.max_buffer_size);
	EXPECT_EQ(0, self->info.max_buffer_size % DMX_PAGE);
}

/*
 * INFO's live_bytes (and max_total_mb) count what a buffer really takes:
 * contig memory comes from the page allocator in a power of two, so 3 MiB
 * take 4 MiB (the test kernels have no CMA, which would take 3 MiB).
 */
TEST_F(heap, live_bytes_count_what_a_buffer_really_takes)
{
	const uint64_t len = 3 << 20;
	uint64_t want = strcmp(variant->kind, "contig") ? len : 4 << 20;
	struct dmabuf_exporter_info before, during, after;
	int buf;

	ASSERT_EQ(0, __dmx_info(self->info_node, &before));
	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __dmx_info(self->info_node, &during));
	EXPECT_EQ(want, during.live_bytes - before.live_bytes);
	close(buf);
	ASSERT_EQ(0, __dmx_info(self->info_node, &after));
	EXPECT_EQ(before.live_bytes, after.live_bytes);
}

TEST_F(heap, alloc_mmap_write_sync_read_back)
{
	uint64_t len = (1 << 20) + 3 * DMX_PAGE;
	uint8_t *map, *again;
	int buf;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	ASSERT_EQ((int64_t)len, dmx_buf_size(buf));

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fill(buf, map, len, 1));

	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 1));
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* A second mapping of the same buffer sees the same bytes. */
	again = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, again);
	EXPECT_EQ(0, memcmp(map, again, len));
	munmap(again, len);
	munmap(map, len);
	close(buf);
}

TEST_F(heap, len_is_rounded_up_to_whole_pages)
{
	static const uint64_t pages[][2] = {
		{ 1, 1 }, { 4095, 1 }, { 4096, 1 }, { 4097, 2 }, { 65537, 17 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		uint64_t len = pages[i][0] * DMX_PAGE / 4096;
		int buf = dmx_alloc(self->node, len);

		ASSERT_LE(0, buf) TH_LOG("len %llu", (unsigned long long)len);
		EXPECT_EQ((int64_t)(pages[i][1] * DMX_PAGE), dmx_buf_size(buf));
		close(buf);
	}
}

/*
 * Sizes around the 64 KiB and 1 MiB chunk boundaries the allocator uses, so
 * that mmap has to walk mixed chunk sizes.
 */
TEST_F(heap, every_chunk_layout_maps_and_reads_back)
{
	const uint64_t kib = 1024;
	const uint64_t sizes[] = {
		4 * kib, 60 * kib, 64 * kib, 68 * kib, 1020 * kib, 1024 * kib,
		1028 * kib, 3 * 1024 * kib + 20 * kib,
	};
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t len = sizes[i];
		uint8_t *map;
		int buf;

		buf = dmx_alloc(self->node, len);
		ASSERT_LE(0, buf);
		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, map);
		ASSERT_EQ(0, fill(buf, map, len, i));
		EXPECT_EQ(-1, dmx_mismatch(map, 0, len, i))
			TH_LOG("size %llu KiB", (unsigned long long)(len / kib));
		munmap(map, len);
		close(buf);
	}
}

TEST_F(heap, mmap_at_offset_maps_the_right_pages)
{
	uint64_t len = 2 << 20, pg = DMX_PAGE;
	/* Windows that start inside a 1 MiB chunk and cross into the next. */
	const uint64_t windows[][2] = {
		{ 0, 1 }, { 1, 1 }, { 255, 2 }, { 256, 1 }, { 200, 300 },
		{ (2 << 20) / 4096 - 1, 1 },
	};
	uint8_t *map;
	unsigned int i;
	int buf;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fill(buf, map, len, 7));
	munmap(map, len);

	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		uint64_t off = windows[i][0] * 4096 / pg * pg;
		uint64_t wlen = windows[i][1] * pg;
		uint8_t *win;

		win = mmap(NULL, wlen, PROT_READ, MAP_SHARED, buf, (off_t)off);
		ASSERT_NE(MAP_FAILED, win) TH_LOG("offset %llu", (unsigned long long)off);
		EXPECT_EQ(-1, dmx_mismatch(win, off, wlen, 7))
			TH_LOG("offset %llu len %llu", (unsigned long long)off,
			       (unsigned long long)wlen);
		munmap(win, wlen);
	}
	close(buf);
}

TEST_F_TIMEOUT(heap, fresh_buffers_are_zero_after_dirty_ones_are_freed, 120)
{
	const uint64_t len = 4 << 20;
	const int rounds = 8;
	uint8_t *map;
	int i, buf;

	/* Dirty memory, give it back, and ask for it again. */
	for (i = 0; i < rounds; i++) {
		buf = dmx_alloc(self->node, len);
		ASSERT_LE(0, buf);
		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, map);
		ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
		memset(map, 0xa5, len);
		ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
		munmap(map, len);
		close(buf);
	}
	for (i = 0; i < rounds; i++) {
		buf = dmx_alloc(self->node, len);
		ASSERT_LE(0, buf);
		map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, map);
		ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
		EXPECT_EQ(-1, first_nonzero(map, len)) TH_LOG("round %d", i);
		ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
		munmap(map, len);
		close(buf);
	}
}

TEST_F(heap, buffer_lives_until_last_fd_and_mapping_are_gone)
{
	int64_t base = dmx_live_buffers(self->info_node);
	uint64_t len = 64 * 1024;
	uint8_t *map;
	int buf, dup_fd;

	ASSERT_LE(0, base);
	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	EXPECT_EQ(base + 1, dmx_live_buffers(self->info_node));

	dup_fd = dup(buf);
	ASSERT_LE(0, dup_fd);
	close(buf);
	EXPECT_EQ(base + 1, dmx_live_buffers(self->info_node)) TH_LOG("dup keeps it");

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dup_fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	close(dup_fd);
	EXPECT_EQ(base + 1, dmx_live_buffers(self->info_node)) TH_LOG("mapping keeps it");

	/* Still usable through the mapping alone. */
	map[0] = 0x5a;
	EXPECT_EQ(0x5a, map[0]);

	munmap(map, len);
	EXPECT_EQ(base, dmx_live_buffers(self->info_node));
}

TEST_F(heap, fd_is_a_dma_buf_of_this_exporter)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;
	int buf;

	buf = dmx_alloc(self->node, 8192);
	ASSERT_LE(0, buf);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", buf);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		found |= !strcmp(line, "exp_name:\tdmabuf_exporter\n");
	fclose(f);
	EXPECT_TRUE(found);
	close(buf);
}

TEST_F(heap, fd_flags_cloexec_is_honoured)
{
	int buf = -1;

	ASSERT_EQ(0, __dmx_alloc(self->node, 4096, O_RDWR | O_CLOEXEC, 0, 0, &buf));
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	close(buf);

	ASSERT_EQ(0, __dmx_alloc(self->node, 4096, O_RDWR, 0, 0, &buf));
	EXPECT_EQ(0, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	close(buf);
}

TEST_F(heap, read_only_fd_refuses_writable_mapping)
{
	void *map;
	int buf = -1;

	ASSERT_EQ(0, __dmx_alloc(self->node, 4096, O_RDONLY | O_CLOEXEC, 0, 0, &buf));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EACCES, errno);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, buf, 0);
	EXPECT_NE(MAP_FAILED, map);
	if (map != MAP_FAILED)
		munmap(map, 4096);
	close(buf);
}

TEST_F(heap, private_mapping_is_refused)
{
	void *map;
	int buf;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, buf, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EINVAL, errno);
	close(buf);
}

TEST_F(heap, mapping_past_the_end_is_refused)
{
	uint64_t len = 4 * DMX_PAGE;
	void *map;
	int buf;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);

	map = mmap(NULL, len + DMX_PAGE, PROT_READ, MAP_SHARED, buf, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EINVAL, errno) TH_LOG("length past the end");

	map = mmap(NULL, 2 * DMX_PAGE, PROT_READ, MAP_SHARED, buf, (off_t)(3 * DMX_PAGE));
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EINVAL, errno) TH_LOG("offset + length past the end");

	map = mmap(NULL, DMX_PAGE, PROT_READ, MAP_SHARED, buf, (off_t)len);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EINVAL, errno) TH_LOG("offset at the end");

	map = mmap(NULL, DMX_PAGE, PROT_READ, MAP_SHARED, buf, (off_t)(3 * DMX_PAGE));
	EXPECT_NE(MAP_FAILED, map) TH_LOG("last page");
	if (map != MAP_FAILED)
		munmap(map, DMX_PAGE);
	close(buf);
}

TEST_F(heap, mremap_cannot_grow_a_mapping)
{
	uint64_t len = 2 * DMX_PAGE;
	void *map, *grown;
	int buf;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);

	grown = mremap(map, len, 2 * len, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, grown);
	EXPECT_EQ(EFAULT, errno);
	if (grown != MAP_FAILED)
		map = grown;
	munmap(map, grown != MAP_FAILED ? 2 * len : len);
	close(buf);
}

TEST_F(heap, sync_rejects_unknown_flags)
{
	int buf;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	EXPECT_EQ(-EINVAL, __dmx_sync(buf, DMA_BUF_SYNC_START | 0x8));
	EXPECT_EQ(-EINVAL, __dmx_sync(buf, DMA_BUF_SYNC_START));
	EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	close(buf);
}

/* Like the dma-heap core, a shorter (older) or longer (newer) struct works. */
TEST_F(heap, heap_alloc_accepts_shorter_and_longer_structs)
{
	struct {
		struct dma_heap_allocation_data data;
		uint64_t future[2];
	} big = { .data = { .len = 4096, .fd_flags = O_RDWR | O_CLOEXEC } };
	struct dma_heap_allocation_data small = {
		.len = 8192, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	ASSERT_EQ(0, ioctl(self->node, DMX_HEAP_ALLOC_SIZED(sizeof(big)), &big));
	EXPECT_EQ(4096, dmx_buf_size((int)big.data.fd));
	close((int)big.data.fd);

	/* 16 bytes: no heap_flags member. */
	ASSERT_EQ(0, ioctl(self->node, DMX_HEAP_ALLOC_SIZED(16), &small));
	EXPECT_EQ(8192, dmx_buf_size((int)small.fd));
	close((int)small.fd);
}

TEST_HARNESS_MAIN
