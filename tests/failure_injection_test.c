// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-exporter mode: buffers told to fail their next operations, and the
 * per-buffer counters that show whether an importer released everything it
 * took, in the right direction. Real importers: vgem (DRM PRIME) and vivid
 * (V4L2, vmap). V4L2's QBUF error path is in vivid_import_test.c, the edu
 * importer's error paths in edu/edu_injection_test.c.
 */
#include <poll.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

/* vivid's video capture node, or -1. */
static int open_vivid(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		struct v4l2_capability cap = { 0 };

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return fd;
		close(fd);
	}
	return -1;
}

FIXTURE(inject) {
	int ctl;
	int node;
};

FIXTURE_SETUP(inject)
{
	DMX_REQUIRE_MODULE();
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->node = dmx_open_node("system");
	ASSERT_LE(0, self->node);
	ASSERT_EQ(0, dmx_write_param("test_exporter", 1));
}

FIXTURE_TEARDOWN(inject)
{
	EXPECT_EQ(0, dmx_write_param("test_exporter", 0));
	close(self->node);
	close(self->ctl);
}

TEST_F(inject, refused_unless_the_module_is_in_test_mode)
{
	int buf = dmx_alloc(self->node, 4096);

	ASSERT_LE(0, buf);
	ASSERT_EQ(0, dmx_write_param("test_exporter", 0));
	EXPECT_EQ(-EPERM, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MMAP, 1, EIO));
	ASSERT_EQ(0, dmx_write_param("test_exporter", 1));
	EXPECT_EQ(0, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MMAP, 1, EIO));
	close(buf);
}

TEST_F(inject, invalid_requests_are_refused)
{
	struct dmabuf_exporter_inject req;
	struct dmabuf_exporter_counters c;
	int buf = dmx_alloc(self->node, 4096), fds[2];

	ASSERT_LE(0, buf);
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_COUNT, 1, EIO))
		TH_LOG("unknown operation");
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, buf, 1000, 1, EIO)) TH_LOG("huge operation");
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MAP, 1, 0))
		TH_LOG("errno 0");
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MAP, 1, 4096))
		TH_LOG("errno out of range");
	/* The kernel's internal restart codes would leak to userspace. */
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MAP, 1, 512))
		TH_LOG("ERESTARTSYS");
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MAP, 1, 516))
		TH_LOG("ERESTART_RESTARTBLOCK");
	EXPECT_EQ(0, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MAP, 1, 511))
		TH_LOG("the largest errno accepted");
	EXPECT_EQ(0, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MAP, 0, 0))
		TH_LOG("count 0 clears, any errno");
	EXPECT_EQ(-EBADF, __dmx_inject(self->ctl, 999, DMABUF_EXPORTER_OP_MAP, 1, EIO))
		TH_LOG("closed fd");
	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-EINVAL, __dmx_inject(self->ctl, fds[0], DMABUF_EXPORTER_OP_MAP, 1, EIO))
		TH_LOG("not a dma-buf");
	EXPECT_EQ(-EINVAL, __dmx_counters(self->ctl, fds[0], &c)) TH_LOG("counters, not ours");
	close(fds[0]);
	close(fds[1]);

	memset(&req, 0, sizeof(req));
	req.fd = (uint32_t)buf;
	req.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_INJECT, &req));
	EXPECT_EQ(EINVAL, errno) TH_LOG("reserved");
	memset(&c, 0, sizeof(c));
	c.fd = (uint32_t)buf;
	c.flags = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_COUNTERS, &c));
	EXPECT_EQ(EINVAL, errno) TH_LOG("counters flags");
	close(buf);
}

TEST_F(inject, mmap_fails_the_next_n_times_then_works)
{
	struct dmabuf_exporter_counters c;
	void *map;
	int buf;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_MMAP, 2, ENOSPC));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, buf, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, buf, 0));
	EXPECT_EQ(ENOSPC, errno);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	munmap(map, 4096);

	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_EQ(1, c.mmap);
	EXPECT_EQ(2, c.failed);
	close(buf);
}

TEST_F(inject, begin_cpu_access_failure_reaches_dma_buf_sync)
{
	struct dmabuf_exporter_counters c;
	int buf;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS, 1, EIO));
	EXPECT_EQ(-EIO, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_EQ(1, c.begin_cpu_access);
	EXPECT_EQ(1, c.end_cpu_access);
	EXPECT_EQ(1, c.failed);
	close(buf);
}

/* vgem returns the exporter's error and leaves nothing attached or mapped. */
TEST_F(inject, vgem_gets_attach_and_map_failures_and_stays_balanced)
{
	static const uint32_t ops[] = { DMABUF_EXPORTER_OP_ATTACH, DMABUF_EXPORTER_OP_MAP };
	struct dmabuf_exporter_counters c;
	uint32_t handle = 0;
	unsigned int i;
	int drm, buf;

	drm = vgem_open();
	if (drm < 0)
		SKIP(return, "no vgem device");

	/* Where vgem imports without mapping, only attach can fail it. */
	for (i = 0; i < (dmx_vgem_maps_at_import() ? 2 : 1); i++) {
		buf = dmx_alloc(self->node, 65536);
		ASSERT_LE(0, buf);
		ASSERT_EQ(0, __dmx_inject(self->ctl, buf, ops[i], 1, ENOSPC));
		EXPECT_NE(0, drmPrimeFDToHandle(drm, buf, &handle)) TH_LOG("op %u", ops[i]);
		EXPECT_EQ(ENOSPC, errno) TH_LOG("op %u", ops[i]);

		ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
		EXPECT_EQ(1, c.failed);
		EXPECT_EQ(c.attach, c.detach) TH_LOG("op %u", ops[i]);
		EXPECT_EQ(0, c.map[0] + c.map[1] + c.map[2]);

		/* The next import works, and releasing it balances everything. */
		ASSERT_EQ(0, drmPrimeFDToHandle(drm, buf, &handle));
		ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
		EXPECT_EQ(c.attach, c.detach + 1);
		EXPECT_EQ(dmx_vgem_maps_at_import() ? 1 : 0,
			  c.map[0] + c.map[1] + c.map[2]);
		EXPECT_EQ(0, drmCloseBufferHandle(drm, handle));
		ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
		EXPECT_EQ(c.attach, c.detach);
		EXPECT_EQ(c.map[0], c.unmap[0]);
		EXPECT_EQ(c.map[1], c.unmap[1]);
		EXPECT_EQ(c.map[2], c.unmap[2]);
		close(buf);
	}
	close(drm);
}

/*
 * vivid (videobuf2-vmalloc) imports through vmap and must give back every
 * kernel mapping it takes. (Injecting a vmap failure works too, but the
 * dma-buf core WARNs once when an exporter's vmap fails, which this test
 * suite treats as a failure: see docs/test-exporter.md.)
 */
TEST_F_TIMEOUT(inject, vivid_releases_every_vmap_it_takes, 120)
{
	struct v4l2_requestbuffers req = {
		.count = 1,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct dmabuf_exporter_counters c;
	struct v4l2_buffer vbuf;
	struct pollfd pfd;
	int video, buf;

	video = open_vivid();
	if (video < 0)
		SKIP(return, "no vivid capture node");
	ASSERT_EQ(0, ioctl(video, VIDIOC_G_FMT, &fmt));
	buf = dmx_alloc(self->node, fmt.fmt.pix.sizeimage);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, ioctl(video, VIDIOC_REQBUFS, &req));

	memset(&vbuf, 0, sizeof(vbuf));
	vbuf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	vbuf.memory = V4L2_MEMORY_DMABUF;
	vbuf.m.fd = buf;
	vbuf.length = fmt.fmt.pix.sizeimage;
	ASSERT_EQ(0, ioctl(video, VIDIOC_QBUF, &vbuf));
	ASSERT_EQ(0, ioctl(video, VIDIOC_STREAMON, &type));
	pfd = (struct pollfd){ .fd = video, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 30000));
	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_LE(1, c.vmap) TH_LOG("vivid writes through a kernel mapping");

	ASSERT_EQ(0, ioctl(video, VIDIOC_STREAMOFF, &type));
	req.count = 0;
	ASSERT_EQ(0, ioctl(video, VIDIOC_REQBUFS, &req));
	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_EQ(c.vmap, c.vunmap);
	EXPECT_EQ(0, c.attach);
	close(buf);
	close(video);
}

TEST_HARNESS_MAIN
