// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dma-buf sync protocol, proved with real (emulated) device DMA, against
 * every exporter the guest has: ours (system, contig, pinned user memory), the
 * kernel's system heap, udmabuf and vgem (one variant each; a missing
 * exporter is a SKIP that says why).
 *
 *  - Per call (the buffer is attached and mapped for one ioctl): what the
 *    device writes is visible to the CPU after DMA_BUF_SYNC_START|READ, and
 *    what the CPU wrote (up to DMA_BUF_SYNC_END|WRITE) is what the device
 *    reads; copies are byte-exact at unaligned offsets and lengths that cross
 *    the device's 4 KiB pieces and page boundaries.
 *  - Persistent (ATTACH keeps the mapping): the same, and, where the
 *    mapping goes through bounce buffers (swiotlb=force), proof that
 *    skipping the sync leaves stale data and doing it gives fresh data. Where
 *    nothing bounces, that "stale" half cannot show anything and is SKIPped.
 *
 * Known exporter limitations (docs/edu-importer.md, observed under
 * swiotlb=force) are reported as SKIP with the reason, never as a pass; the
 * same mismatch anywhere else is a failure.
 */
#include "edu_test.h"
#include "kselftest_harness.h"

EDU_SKIP_PROGRAM_WITHOUT_NODE

#define PAGE	4096u

FIXTURE(protocol) {
	int edu;
	struct edu_exporter exp;
	uint32_t devbuf;	/* usable device buffer bytes */
	bool bounce;		/* the device's mappings go through swiotlb */
	bool sync_crashes;	/* see sync_while_mapped_crashes */
};

/*
 * Known limitations of the exporters, observed under swiotlb=force (see
 * docs/edu-importer.md); NULL where the exporter gets it right.
 * @call_write_lost: why a device write through a mapping made for one call
 * does not reach the CPU.
 * @sync_misses_importer: why DMA_BUF_IOCTL_SYNC does not move data between
 * the CPU and a mapping the importer keeps.
 * @sync_while_mapped_crashes: why DMA_BUF_IOCTL_SYNC while the importer
 * keeps a mapping crashes a kernel with CONFIG_DMABUF_DEBUG and DMA-API
 * debugging (the debug kernel of tests/debug-kernel/).
 * @dma_api_debug_warns: why DMA-API debugging reports the exporter itself
 * as soon as the CPU syncs both ways (which fails the whole run).
 */
FIXTURE_VARIANT(protocol) {
	const char *exporter;
	const char *call_write_lost;
	const char *sync_misses_importer;
	const char *sync_while_mapped_crashes;
	const char *dma_api_debug_warns;
};

FIXTURE_VARIANT_ADD(protocol, ours) {
	.exporter = "ours",
};

FIXTURE_VARIANT_ADD(protocol, contig) {
	.exporter = "contig",
};

FIXTURE_VARIANT_ADD(protocol, user) {
	.exporter = "user",
};

FIXTURE_VARIANT_ADD(protocol, heap) {
	.exporter = "heap",
	.sync_while_mapped_crashes = "the kernel's system heap syncs an importer's mapping through the sg table it handed to the importer, whose page links CONFIG_DMABUF_DEBUG scrambles (observed: general protection fault in debug_dma_sync_sg_for_cpu)",
};

FIXTURE_VARIANT_ADD(protocol, udmabuf) {
	.exporter = "udmabuf",
	.call_write_lost = "udmabuf unmaps with DMA_ATTR_SKIP_CPU_SYNC and DMA_BUF_SYNC_START syncs only its own mapping, so the device's write never leaves the bounce buffer",
	.sync_misses_importer = "begin/end_cpu_access sync only udmabuf's own mapping, never the importer's",
	.dma_api_debug_warns = "begin_cpu_access maps udmabuf's own device in the direction of the first DMA_BUF_IOCTL_SYNC and later syncs it in others (observed: 'device driver syncs DMA memory with different direction')",
};

FIXTURE_VARIANT_ADD(protocol, vgem) {
	.exporter = "vgem",
	.call_write_lost = "PRIME unmaps with DMA_ATTR_SKIP_CPU_SYNC and vgem has no begin_cpu_access, so the device's write never leaves the bounce buffer",
	.sync_misses_importer = "no begin/end_cpu_access: DMA_BUF_IOCTL_SYNC syncs nothing",
};

/* For the tests that sync while the device keeps the buffer mapped. */
#define SKIP_IF_SYNC_CRASHES() do { \
	if (self->sync_crashes) \
		SKIP(return, "known %s bug, would crash this kernel: %s", \
		     variant->exporter, variant->sync_while_mapped_crashes); \
} while (0)

/*
 * SKIP (not pass) a mismatch the variant documents, unless something failed
 * already (SKIP would hide it); any other mismatch fails.
 */
#define SKIP_IF_KNOWN(bad, want, why) do { \
	if ((bad) != (want) && self->bounce && (why) && \
	    _metadata->exit_code == KSFT_PASS) \
		SKIP(return, "known %s limitation: %s (first stale byte %zu)", \
		     variant->exporter, (why), (size_t)(bad)); \
} while (0)

/*
 * Does a mapping for the edu device go through swiotlb? Attach a buffer and
 * watch the number of swiotlb slots in use; without debugfs, trust the
 * command line.
 */
static bool mapping_bounces(int edu, struct edu_exporter *e)
{
	const uint64_t len = 8 * PAGE;
	char cmdline[4096] = "";
	long before, after;
	uint32_t h = 0;
	int buf;

	before = edu_swiotlb_used();
	if (before < 0) {
		dmx_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
		return strstr(cmdline, "swiotlb=force");
	}
	buf = edu_exporter_alloc(e, len);
	if (buf < 0)
		return false;
	if (__edu_attach(edu, buf, &h)) {
		close(buf);
		return false;
	}
	after = edu_swiotlb_used();
	__edu_detach(edu, h);
	close(buf);
	return after - before >= (long)(len / EDU_SWIOTLB_SLOT);
}

FIXTURE_SETUP(protocol)
{
	struct dmabuf_exporter_edu_info info;
	const char *why = "";

	self->exp.dev = -1;
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	if (edu_exporter_open(&self->exp, variant->exporter, &why))
		SKIP(return, "%s", why);
	if (variant->dma_api_debug_warns &&
	    access("/sys/kernel/debug/dma-api", F_OK) == 0)
		SKIP(return, "known %s bug, DMA-API debugging would report it: %s",
		     variant->exporter, variant->dma_api_debug_warns);
	ASSERT_EQ(0, __edu_info(self->edu, &info));
	self->devbuf = info.devbuf_size;
	self->bounce = mapping_bounces(self->edu, &self->exp);
	/*
	 * It takes DMA-API debugging (debugfs dma-api/) and DMABUF_DEBUG; the
	 * latter only shows in the config, which a debug kernel may not ship.
	 */
	self->sync_crashes = variant->sync_while_mapped_crashes &&
			     access("/sys/kernel/debug/dma-api", F_OK) == 0 &&
			     edu_kernel_config("CONFIG_DMABUF_DEBUG") != 0;
}

FIXTURE_TEARDOWN(protocol)
{
	edu_exporter_close(&self->exp);
	close(self->edu);
}

/* A new dma-buf of len bytes from the variant's exporter, mapped. */
static int new_buf(struct __test_metadata *_metadata, struct edu_exporter *e,
		   size_t len, uint8_t **map)
{
	int buf = edu_exporter_alloc(e, len);

	ASSERT_LE(0, buf) TH_LOG("%s: allocation failed: %s", e->name,
				 strerror(-buf));
	*map = edu_map(buf, len);
	ASSERT_NE(MAP_FAILED, *map);
	return buf;
}

/* Load the device buffer with the pattern of seed; returns it in dev. */
static void load_devbuf(struct __test_metadata *_metadata, int edu,
			uint8_t *dev, uint32_t n, unsigned int seed)
{
	edu_pattern(dev, 0, n, seed + 100);
	ASSERT_EQ(0, __edu_devbuf_write(edu, 0, dev, n));
}

/*
 * Compare map[off, off + len) with expect, between SYNC_START|READ and
 * SYNC_END|READ unless sync is false. Returns the first mismatch or len.
 */
static size_t cpu_check(struct __test_metadata *_metadata, int buf,
			const uint8_t *map, size_t off, const uint8_t *expect,
			size_t len, bool sync)
{
	size_t bad;

	if (sync)
		EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	bad = edu_mismatch(map, off, expect, len);
	if (sync)
		EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	return bad;
}

TEST_F(protocol, device_write_is_visible_after_sync_start_read)
{
	const size_t len = 4 * PAGE, off = 2500, n = 3000, dev_off = 100;
	uint8_t dev[4096], *map, *expect = malloc(len);
	int buf = new_buf(_metadata, &self->exp, len, &map);
	size_t bad;

	ASSERT_NE(NULL, expect);
	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 1));
	load_devbuf(_metadata, self->edu, dev, self->devbuf, 2);

	/* Crosses the page boundary at 4096. */
	ASSERT_EQ(0, __edu_write_dmabuf(self->edu, buf, 0, off, dev_off, n));

	edu_pattern(expect, 0, len, 1);
	memcpy(expect + off, dev + dev_off, n);
	bad = cpu_check(_metadata, buf, map, 0, expect, len, true);
	SKIP_IF_KNOWN(bad, len, variant->call_write_lost);
	EXPECT_EQ(len, bad) TH_LOG("first wrong byte at %zu", bad);
	free(expect);
	munmap(map, len);
	close(buf);
}

TEST_F(protocol, cpu_write_reaches_the_device_after_sync_end_write)
{
	const size_t len = 4 * PAGE, off = 4000, n = 3500, dev_off = 50;
	uint8_t dev[4096], expect[4096], *map;
	int buf = new_buf(_metadata, &self->exp, len, &map);

	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 3));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, buf, 0, off, dev_off, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, dev_off, dev, n));
	edu_pattern(expect, off, n, 3);
	EXPECT_EQ(n, edu_mismatch(dev, 0, expect, n));
	munmap(map, len);
	close(buf);
}

/*
 * Pieces of at most devbuf_size (4095) bytes, unaligned on both sides:
 * every copy crosses page boundaries at other places in source and
 * destination, and most cross piece boundaries too. After each copy the
 * whole destination must match a model of it, untouched bytes included.
 */
TEST_F_TIMEOUT(protocol, copy_is_byte_exact_at_unaligned_offsets_and_lengths, 60)
{
	static const struct { size_t src, dst, len; } cases[] = {
		{ 1, 4093, 4097 },	/* two pieces, 3 pages each side */
		{ 4095, 3, 8191 },	/* three pieces */
		{ 8190, 12289, 7000 },
		{ 20479, 0, 1 },	/* last byte to first */
	};
	const size_t len = 5 * PAGE;
	uint8_t *smap, *dmap, *src = malloc(len), *model = malloc(len);
	int sbuf = new_buf(_metadata, &self->exp, len, &smap);
	int dbuf = new_buf(_metadata, &self->exp, len, &dmap);
	unsigned int i;

	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, model);
	ASSERT_EQ(0, edu_cpu_fill(sbuf, smap, 0, len, 4));
	ASSERT_EQ(0, edu_cpu_fill(dbuf, dmap, 0, len, 5));
	edu_pattern(src, 0, len, 4);
	edu_pattern(model, 0, len, 5);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bad;

		ASSERT_EQ(0, __edu_copy(self->edu, sbuf, dbuf, 0, cases[i].src,
					cases[i].dst, cases[i].len))
			TH_LOG("copy %u", i);
		memcpy(model + cases[i].dst, src + cases[i].src, cases[i].len);
		bad = cpu_check(_metadata, dbuf, dmap, 0, model, len, true);
		SKIP_IF_KNOWN(bad, len, variant->call_write_lost);
		ASSERT_EQ(len, bad) TH_LOG("copy %u: first wrong byte at %zu", i, bad);
	}
	/* The source is untouched. */
	EXPECT_EQ(len, cpu_check(_metadata, sbuf, smap, 0, src, len, true));
	free(model);
	free(src);
	munmap(dmap, len);
	munmap(smap, len);
	close(dbuf);
	close(sbuf);
}

TEST_F(protocol, copy_within_one_dmabuf_is_byte_exact)
{
	const size_t len = 4 * PAGE, s = 10, d = 8200, n = 5000;
	uint8_t *map, *model = malloc(len);
	int buf = new_buf(_metadata, &self->exp, len, &map);
	size_t bad;

	ASSERT_NE(NULL, model);
	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 6));
	ASSERT_EQ(0, __edu_copy(self->edu, buf, buf, 0, s, d, n));
	edu_pattern(model, 0, len, 6);
	memmove(model + d, model + s, n);
	bad = cpu_check(_metadata, buf, map, 0, model, len, true);
	SKIP_IF_KNOWN(bad, len, variant->call_write_lost);
	EXPECT_EQ(len, bad) TH_LOG("first wrong byte at %zu", bad);
	free(model);
	munmap(map, len);
	close(buf);
}

TEST_F(protocol, persistent_device_write_is_visible_after_sync_start_read)
{
	const size_t len = 3 * PAGE, off = 3000, n = 2500, dev_off = 7;
	uint8_t dev[4096], *map, *expect = malloc(len);
	int buf = new_buf(_metadata, &self->exp, len, &map);
	uint32_t h = 0;
	size_t bad;

	SKIP_IF_SYNC_CRASHES();

	ASSERT_NE(NULL, expect);
	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 7));
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	load_devbuf(_metadata, self->edu, dev, self->devbuf, 8);
	ASSERT_EQ(0, __edu_write_dmabuf(self->edu, h, DMABUF_EXPORTER_EDU_HANDLE,
					off, dev_off, n));

	edu_pattern(expect, 0, len, 7);
	memcpy(expect + off, dev + dev_off, n);
	bad = cpu_check(_metadata, buf, map, 0, expect, len, true);
	SKIP_IF_KNOWN(bad, len, variant->sync_misses_importer);
	EXPECT_EQ(len, bad) TH_LOG("first wrong byte at %zu", bad);
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	free(expect);
	munmap(map, len);
	close(buf);
}

TEST_F(protocol, persistent_cpu_write_reaches_the_device_after_sync_end_write)
{
	const size_t len = 3 * PAGE, off = 100, n = 4095, dev_off = 0;
	uint8_t dev[4096], expect[4096], *map;
	int buf = new_buf(_metadata, &self->exp, len, &map);
	uint32_t h = 0;
	size_t bad;

	SKIP_IF_SYNC_CRASHES();

	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 9));
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	/* Written while the device has it mapped. */
	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 10));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, h, DMABUF_EXPORTER_EDU_HANDLE,
				       off, dev_off, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, dev_off, dev, n));
	edu_pattern(expect, off, n, 10);
	bad = edu_mismatch(dev, 0, expect, n);
	SKIP_IF_KNOWN(bad, n, variant->sync_misses_importer);
	EXPECT_EQ(n, bad) TH_LOG("first wrong byte at %zu", bad);
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	munmap(map, len);
	close(buf);
}

/*
 * With a bounce buffer between them, CPU and device see two copies: the
 * device's write lands in the bounce buffer and reaches the pages the CPU
 * reads only through DMA_BUF_SYNC_START.
 */
TEST_F(protocol, persistent_device_write_needs_sync_start_to_be_seen)
{
	const size_t len = 2 * PAGE, off = 1000, n = 3000;
	uint8_t dev[4096], *map, *old = malloc(len);
	int buf = new_buf(_metadata, &self->exp, len, &map);
	uint32_t h = 0;
	size_t bad;

	SKIP_IF_SYNC_CRASHES();

	ASSERT_NE(NULL, old);
	if (!self->bounce)
		SKIP(return, "no bounce buffers here (no swiotlb=force): CPU and device share the pages, so skipping the sync cannot show stale data");

	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 11));
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	load_devbuf(_metadata, self->edu, dev, self->devbuf, 12);
	ASSERT_EQ(0, __edu_write_dmabuf(self->edu, h, DMABUF_EXPORTER_EDU_HANDLE,
					off, 0, n));

	/* No sync: the pages still hold the old bytes. */
	edu_pattern(old, 0, len, 11);
	EXPECT_EQ(len, edu_mismatch(map, 0, old, len))
		TH_LOG("the device's write showed without a sync: not bounced?");

	/* The sync brings the device's bytes in. */
	bad = cpu_check(_metadata, buf, map, off, dev, n, true);
	SKIP_IF_KNOWN(bad, n, variant->sync_misses_importer);
	EXPECT_EQ(n, bad) TH_LOG("still stale after the sync at byte %zu", bad);
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	free(old);
	munmap(map, len);
	close(buf);
}

/* The other way round: CPU writes reach the device only through SYNC_END. */
TEST_F(protocol, persistent_cpu_write_needs_sync_end_to_reach_the_device)
{
	const size_t len = 2 * PAGE, off = 2000, n = 4000;
	uint8_t dev[4096], oldv[4096], newv[4096], *map;
	int buf = new_buf(_metadata, &self->exp, len, &map);
	uint32_t h = 0;
	size_t i, bad;

	SKIP_IF_SYNC_CRASHES();

	if (!self->bounce)
		SKIP(return, "no bounce buffers here (no swiotlb=force): CPU and device share the pages, so skipping the sync cannot show stale data");

	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 13));
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));

	/* Begin a CPU write but do not end it. */
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	for (i = 0; i < len; i++)
		map[i] = dmx_pattern(i, 14);
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, h, DMABUF_EXPORTER_EDU_HANDLE,
				       off, 0, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, dev, n));
	edu_pattern(oldv, off, n, 13);
	EXPECT_EQ(n, edu_mismatch(dev, 0, oldv, n))
		TH_LOG("the CPU's write reached the device without a sync: not bounced?");

	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, h, DMABUF_EXPORTER_EDU_HANDLE,
				       off, 0, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, dev, n));
	edu_pattern(newv, off, n, 14);
	bad = edu_mismatch(dev, 0, newv, n);
	SKIP_IF_KNOWN(bad, n, variant->sync_misses_importer);
	EXPECT_EQ(n, bad) TH_LOG("still stale after the sync at byte %zu", bad);
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	munmap(map, len);
	close(buf);
}

/*
 * A call naming an attached dma-buf by fd uses the attachment's mapping
 * (one mapping per device and buffer), so under bounce buffers its write
 * waits for SYNC_START like a handle's would.
 */
TEST_F(protocol, fd_of_an_attached_dmabuf_goes_through_its_mapping)
{
	const size_t len = PAGE, n = 2000;
	uint8_t dev[4096], *map, *old = malloc(len);
	int buf = new_buf(_metadata, &self->exp, len, &map);
	uint32_t h = 0;
	size_t bad;

	SKIP_IF_SYNC_CRASHES();

	ASSERT_NE(NULL, old);
	if (!self->bounce)
		SKIP(return, "no bounce buffers here (no swiotlb=force): one mapping or two look the same");

	ASSERT_EQ(0, edu_cpu_fill(buf, map, 0, len, 15));
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	load_devbuf(_metadata, self->edu, dev, self->devbuf, 16);
	ASSERT_EQ(0, __edu_write_dmabuf(self->edu, buf, 0, 0, 0, n));
	edu_pattern(old, 0, len, 15);
	EXPECT_EQ(len, edu_mismatch(map, 0, old, len))
		TH_LOG("a mapping of its own was made and unmapped");
	bad = cpu_check(_metadata, buf, map, 0, dev, n, true);
	SKIP_IF_KNOWN(bad, n, variant->sync_misses_importer);
	EXPECT_EQ(n, bad);
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	free(old);
	munmap(map, len);
	close(buf);
}

TEST_HARNESS_MAIN
