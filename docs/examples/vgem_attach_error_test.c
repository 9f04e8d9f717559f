// SPDX-License-Identifier: GPL-2.0-only
/*
 * Example from docs/test-exporter.md: does vgem return an exporter's attach
 * failure to userspace, and release everything afterwards? Built and run in
 * CI like every other test. Needs dmabuf_exporter and vgem loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>
#include <linux/dma-heap.h>
#include <linux/dmabuf_exporter.h>

#include "kselftest_harness.h"

static int open_driver(const char *name)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, name)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

TEST(vgem_returns_the_exporters_attach_error_and_detaches)
{
	struct dma_heap_allocation_data alloc = {
		.len = 4096, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct dmabuf_exporter_inject inject = {
		.op = DMABUF_EXPORTER_OP_ATTACH, .count = 1, .error = ENOSPC,
	};
	struct dmabuf_exporter_counters counters = { 0 };
	int heap, ctl, drm, param;
	uint32_t handle;

	heap = open(DMABUF_EXPORTER_DEV_SYSTEM, O_RDWR | O_CLOEXEC);
	ctl = open(DMABUF_EXPORTER_DEV_CTL, O_RDWR | O_CLOEXEC);
	drm = open_driver("vgem");
	if (heap < 0 || ctl < 0 || drm < 0)
		SKIP(return, "needs dmabuf_exporter and vgem");

	/* 1. Test mode on (root only), one buffer, its next attach fails. */
	param = open("/sys/module/dmabuf_exporter/parameters/test_exporter",
		     O_WRONLY | O_CLOEXEC);
	ASSERT_EQ(1, write(param, "1", 1));
	ASSERT_EQ(0, ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc));
	inject.fd = alloc.fd;
	ASSERT_EQ(0, ioctl(ctl, DMABUF_EXPORTER_IOCTL_INJECT, &inject));

	/* 2. The importer under test must hand the error back... */
	EXPECT_NE(0, drmPrimeFDToHandle(drm, alloc.fd, &handle));
	EXPECT_EQ(ENOSPC, errno);

	/* 3. ...and keep nothing: every attach has its detach. */
	counters.fd = alloc.fd;
	ASSERT_EQ(0, ioctl(ctl, DMABUF_EXPORTER_IOCTL_COUNTERS, &counters));
	EXPECT_EQ(1, counters.failed);
	EXPECT_EQ(counters.attach, counters.detach);

	ASSERT_EQ(1, write(param, "0", 1));
	close(param);
	close(alloc.fd);
	close(drm);
	close(ctl);
	close(heap);
}

TEST_HARNESS_MAIN
