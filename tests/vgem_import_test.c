// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real importer: DRM's vgem imports our buffers through libdrm's PRIME
 * calls (attach + map for vgem's device), and the buffer lives as long as
 * vgem holds it.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <xf86drm.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

FIXTURE(vgem) {
	int drm;
	int node;
	int64_t live;
};

FIXTURE_SETUP(vgem)
{
	DMX_REQUIRE_MODULE();
	self->drm = vgem_open();
	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	self->node = dmx_open_node("system");
	ASSERT_LE(0, self->node);
	self->live = dmx_live_buffers(self->node);
}

FIXTURE_TEARDOWN(vgem)
{
	if (self->drm < 0)
		return;
	EXPECT_EQ(self->live, dmx_live_buffers(self->node)) TH_LOG("buffer leaked");
	close(self->node);
	close(self->drm);
}

TEST_F(vgem, prime_import_gives_one_handle_per_buffer)
{
	uint32_t h1 = 0, h2 = 0, other = 0;
	int buf, buf2;

	buf = dmx_alloc(self->node, 1 << 20);
	ASSERT_LE(0, buf);
	buf2 = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf2);

	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf, &h1));
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf, &h2));
	EXPECT_EQ(h1, h2);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf2, &other));
	EXPECT_NE(h1, other);

	EXPECT_EQ(0, drmCloseBufferHandle(self->drm, h1));
	EXPECT_EQ(0, drmCloseBufferHandle(self->drm, other));
	close(buf);
	close(buf2);
}

TEST_F(vgem, importer_keeps_the_buffer_alive_after_close)
{
	uint32_t handle = 0;
	int buf;

	buf = dmx_alloc(self->node, 256 * 1024);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf, &handle));
	close(buf);
	EXPECT_EQ(self->live + 1, dmx_live_buffers(self->node));

	EXPECT_EQ(0, drmCloseBufferHandle(self->drm, handle));
	EXPECT_EQ(self->live, dmx_live_buffers(self->node));
}

/* CPU access while vgem has the buffer mapped syncs vgem's attachment. */
TEST_F(vgem, cpu_access_works_while_vgem_has_it_mapped)
{
	const size_t len = 3 * 65536 + 4096;
	uint32_t handle = 0;
	uint8_t *map;
	size_t i;
	int buf;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf, &handle));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);

	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	for (i = 0; i < len; i++)
		map[i] = dmx_pattern(i, 3);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < len; i++)
		if (map[i] != dmx_pattern(i, 3))
			break;
	EXPECT_EQ(len, i);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	munmap(map, len);
	EXPECT_EQ(0, drmCloseBufferHandle(self->drm, handle));
	close(buf);
}

/* Exporting the imported handle gives back our own dma-buf. */
TEST_F(vgem, prime_export_of_an_import_is_the_same_buffer)
{
	struct stat a, b;
	uint32_t handle = 0;
	int buf, back = -1;

	buf = dmx_alloc(self->node, 65536);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf, &handle));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->drm, handle, DRM_CLOEXEC | DRM_RDWR, &back));
	ASSERT_EQ(0, fstat(buf, &a));
	ASSERT_EQ(0, fstat(back, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(back);
	EXPECT_EQ(0, drmCloseBufferHandle(self->drm, handle));
	close(buf);
}

/*
 * Bytes written through our mapping are read through the fd vgem hands back
 * out, and the other way round. (vgem refuses MAP_DUMB on imported objects,
 * so its own mapping of an import is the exported fd's mapping.)
 */
TEST_F(vgem, bytes_cross_between_our_fd_and_the_one_vgem_exports)
{
	const size_t len = 2 * 65536 + 3 * 4096;
	uint8_t *ours, *theirs;
	uint32_t handle = 0;
	int buf, back = -1;
	size_t i;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, buf, &handle));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->drm, handle, DRM_CLOEXEC | DRM_RDWR, &back));
	ours = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, ours);
	theirs = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, back, 0);
	ASSERT_NE(MAP_FAILED, theirs);

	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	for (i = 0; i < len; i++)
		ours[i] = dmx_pattern(i, 4);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, __dmx_sync(back, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < len; i++)
		if (theirs[i] != dmx_pattern(i, 4))
			break;
	EXPECT_EQ(len, i) TH_LOG("ours -> vgem's differs at %zu", i);
	ASSERT_EQ(0, __dmx_sync(back, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	ASSERT_EQ(0, __dmx_sync(back, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	for (i = 0; i < len; i++)
		theirs[i] = dmx_pattern(i, 5);
	ASSERT_EQ(0, __dmx_sync(back, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < len; i++)
		if (ours[i] != dmx_pattern(i, 5))
			break;
	EXPECT_EQ(len, i) TH_LOG("vgem's -> ours differs at %zu", i);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	munmap(ours, len);
	munmap(theirs, len);
	close(back);
	EXPECT_EQ(0, drmCloseBufferHandle(self->drm, handle));
	close(buf);
}

/*
 * dma-buf lets several devices map one buffer at once; the DMA API accepts
 * that only from an exporter that does the cache maintenance itself
 * (DMA_ATTR_SKIP_CPU_SYNC), and DMA-API debugging (the debug kernel's run)
 * reports it otherwise. Two vgem files make two attachments, each mapped
 * while the other is; the contig buffer is also mapped for the module's own
 * device for its whole life.
 */
static void two_importers_map_at_once(struct __test_metadata *_metadata,
				      const char *kind, size_t len)
{
	struct dmabuf_exporter_query q = { 0 };
	uint32_t h1 = 0, h2 = 0;
	int node, ctl, drm1, drm2, buf;

	node = dmx_open_node(kind);
	ASSERT_LE(0, node);
	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	drm1 = vgem_open();
	ASSERT_LE(0, drm1);
	drm2 = vgem_open();
	ASSERT_LE(0, drm2);
	buf = dmx_alloc(node, len);
	ASSERT_LE(0, buf);

	ASSERT_EQ(0, drmPrimeFDToHandle(drm1, buf, &h1));
	ASSERT_EQ(0, drmPrimeFDToHandle(drm2, buf, &h2));
	q.fd = buf;
	ASSERT_EQ(0, ioctl(ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	EXPECT_EQ(2, q.attachments);
	EXPECT_EQ(dmx_vgem_maps_at_import() ? 2 : 0, q.mapped_attachments);
	EXPECT_EQ(0, drmCloseBufferHandle(drm1, h1));
	EXPECT_EQ(0, drmCloseBufferHandle(drm2, h2));
	ASSERT_EQ(0, ioctl(ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	EXPECT_EQ(0, q.attachments);
	EXPECT_EQ(0, q.mapped_attachments);

	close(buf);
	close(drm1);
	close(drm2);
	close(ctl);
	close(node);
}

TEST_F(vgem, two_importers_map_one_system_buffer_at_once)
{
	two_importers_map_at_once(_metadata, "system", 1 << 20);
}

TEST_F(vgem, two_importers_map_one_contig_buffer_at_once)
{
	two_importers_map_at_once(_metadata, "contig", 64 * 1024);
}

TEST_HARNESS_MAIN
