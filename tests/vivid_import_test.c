// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real importer that maps through vmap: V4L2's vivid (videobuf2-vmalloc)
 * captures its test pattern into our buffers. Checks the kernel mapping is
 * made, reference counted and released, for every kind.
 */
#include <dirent.h>
#include <poll.h>
#include <linux/videodev2.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

/* Open vivid's video capture node, or -1. */
static int open_vivid_capture(void)
{
	DIR *dir = opendir("/dev");
	struct dirent *de;
	int fd = -1;

	if (!dir)
		return -1;
	while (fd < 0 && (de = readdir(dir))) {
		struct v4l2_capability cap = { 0 };
		char path[300];

		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (ioctl(fd, VIDIOC_QUERYCAP, &cap) ||
		    strcmp((char *)cap.driver, "vivid") ||
		    !(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) ||
		    !(cap.device_caps & V4L2_CAP_STREAMING)) {
			close(fd);
			fd = -1;
		}
	}
	closedir(dir);
	return fd;
}

static int query(int ctl, int buf, struct dmabuf_exporter_query *q)
{
	memset(q, 0, sizeof(*q));
	q->fd = (uint32_t)buf;
	return ioctl(ctl, DMABUF_EXPORTER_IOCTL_QUERY, q) ? -errno : 0;
}

FIXTURE(vivid) {
	int video;
	int ctl;
	int node;
	struct v4l2_format fmt;
};

FIXTURE_VARIANT(vivid) {
	const char *kind;	/* a kind node, or "user": imported anon memory */
};

FIXTURE_VARIANT_ADD(vivid, system) {
	.kind = "system",
};

FIXTURE_VARIANT_ADD(vivid, system_uncached) {
	.kind = "system-uncached",
};

FIXTURE_VARIANT_ADD(vivid, contig) {
	.kind = "contig",
};

FIXTURE_VARIANT_ADD(vivid, user) {
	.kind = "user",
};

/* A buffer of @size bytes of the variant's kind (anon memory is leaked). */
static int make_buffer(int ctl, int node, const char *kind, uint32_t size)
{
	struct dmabuf_exporter_import_user req = {
		.flags = DMABUF_EXPORTER_IMPORT_WRITE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	void *mem;

	if (strcmp(kind, "user"))
		return dmx_alloc(node, size);
	req.len = (size + DMX_PAGE - 1) / DMX_PAGE * DMX_PAGE;
	mem = mmap(NULL, req.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	req.addr = (uintptr_t)mem;
	return ioctl(ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req) ? -errno : (int)req.fd;
}

FIXTURE_SETUP(vivid)
{
	DMX_REQUIRE_MODULE();
	self->video = open_vivid_capture();
	if (self->video < 0)
		SKIP(return, "no vivid capture node (modprobe vivid)");
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->node = dmx_open_node(strcmp(variant->kind, "user") ? variant->kind : "system");
	ASSERT_LE(0, self->node);
	self->fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ASSERT_EQ(0, ioctl(self->video, VIDIOC_G_FMT, &self->fmt));
}

FIXTURE_TEARDOWN(vivid)
{
	if (self->video < 0)
		return;
	close(self->node);
	close(self->ctl);
	close(self->video);
}

TEST_F_TIMEOUT(vivid, captures_into_our_buffer_through_vmap, 120)
{
	struct v4l2_requestbuffers req = {
		.count = 1,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer vbuf = { 0 };
	struct dmabuf_exporter_query q;
	uint32_t size = self->fmt.fmt.pix.sizeimage;
	struct pollfd pfd;
	uint8_t *map;
	uint32_t i, nonzero = 0;
	int buf;

	buf = make_buffer(self->ctl, self->node, variant->kind, size);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, ioctl(self->video, VIDIOC_REQBUFS, &req));
	ASSERT_LE(1, req.count);

	vbuf.index = 0;
	vbuf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	vbuf.memory = V4L2_MEMORY_DMABUF;
	vbuf.m.fd = buf;
	vbuf.length = size;
	ASSERT_EQ(0, ioctl(self->video, VIDIOC_QBUF, &vbuf));
	ASSERT_EQ(0, ioctl(self->video, VIDIOC_STREAMON, &type));

	pfd = (struct pollfd){ .fd = self->video, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 30000)) TH_LOG("no frame within 30 s");
	memset(&vbuf, 0, sizeof(vbuf));
	vbuf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	vbuf.memory = V4L2_MEMORY_DMABUF;
	ASSERT_EQ(0, ioctl(self->video, VIDIOC_DQBUF, &vbuf));
	EXPECT_EQ(0, vbuf.flags & V4L2_BUF_FLAG_ERROR);

	/*
	 * vivid holds a kernel mapping of the queued buffer; videobuf2-vmalloc
	 * imports through vmap alone, without a device attachment.
	 */
	ASSERT_EQ(0, query(self->ctl, buf, &q));
	EXPECT_EQ(1, q.vmaps);
	EXPECT_EQ(0, q.attachments);

	map = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < size; i++)
		nonzero += map[i] != 0;
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	EXPECT_LT(size / 4, nonzero) TH_LOG("the test pattern did not arrive");
	munmap(map, size);

	ASSERT_EQ(0, ioctl(self->video, VIDIOC_STREAMOFF, &type));
	req.count = 0;
	ASSERT_EQ(0, ioctl(self->video, VIDIOC_REQBUFS, &req));

	/* Released: no vmap, no attachment left behind. (Size is rounded.) */
	ASSERT_EQ(0, query(self->ctl, buf, &q));
	EXPECT_EQ(0, q.vmaps);
	EXPECT_EQ(0, q.attachments);
	close(buf);
}

TEST_HARNESS_MAIN
