// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdmabuf-helper's fence calls against real, pending fences: vgem attaches
 * a fence to one of its buffers (DRM_IOCTL_VGEM_FENCE_ATTACH) that stays
 * unsignalled until we signal it, so waits can be seen to block and end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"
#include "vgem.h"

FIXTURE(fence) {
	int drm;
	uint32_t handle, fence;
	int vbuf;	/* vgem's buffer as a dma-buf, with the fence */
	int signalled;
};

FIXTURE_VARIANT(fence) {
	uint32_t flags;
};

FIXTURE_VARIANT_ADD(fence, write) { .flags = VGEM_FENCE_WRITE };
FIXTURE_VARIANT_ADD(fence, read) { .flags = 0 };

FIXTURE_SETUP(fence)
{
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 1, .bpp = 32 };
	struct vgem_fence_attach a = { 0 };

	self->vbuf = -1;
	self->drm = vgem_open();
	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	ASSERT_EQ(0, drmIoctl(self->drm, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	self->handle = dumb.handle;
	a.handle = dumb.handle;
	a.flags = variant->flags;
	ASSERT_EQ(0, drmIoctl(self->drm, VGEM_IOCTL_FENCE_ATTACH, &a));
	self->fence = a.out_fence;
	ASSERT_EQ(0, drmPrimeHandleToFD(self->drm, self->handle,
					DRM_CLOEXEC | DRM_RDWR, &self->vbuf));
}

static void signal_fence(FIXTURE_DATA(fence) *self)
{
	struct vgem_fence_signal s = { .fence = self->fence };

	if (!self->signalled && !drmIoctl(self->drm, VGEM_IOCTL_FENCE_SIGNAL, &s))
		self->signalled = 1;
}

FIXTURE_TEARDOWN(fence)
{
	if (self->drm < 0)
		return;
	signal_fence(self);
	if (self->vbuf >= 0)
		close(self->vbuf);
	drmCloseBufferHandle(self->drm, self->handle);
	close(self->drm);
}

TEST_F(fence, wait_for_writers_blocks_only_on_a_write_fence)
{
	int ret = dmabufx_wait(self->vbuf, DMA_BUF_SYNC_READ, 50);

	if (variant->flags & VGEM_FENCE_WRITE) {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(ETIMEDOUT, errno);
	} else {
		EXPECT_EQ(0, ret);
	}
}

TEST_F(fence, wait_for_all_blocks_on_any_fence_until_it_signals)
{
	EXPECT_EQ(-1, dmabufx_wait(self->vbuf, DMA_BUF_SYNC_WRITE, 50));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(-1, dmabufx_wait(self->vbuf, DMA_BUF_SYNC_RW, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
	signal_fence(self);
	ASSERT_EQ(1, self->signalled);
	EXPECT_EQ(0, dmabufx_wait(self->vbuf, DMA_BUF_SYNC_WRITE, 5000));
	EXPECT_EQ(0, dmabufx_wait(self->vbuf, DMA_BUF_SYNC_READ, 0));
}

TEST_F(fence, exported_sync_file_carries_the_fence_into_our_buffer)
{
	struct pollfd p;
	int ours, sf;

	if (access(DMABUF_EXPORTER_DEV_SYSTEM, F_OK))
		SKIP(return, "dmabuf_exporter is not loaded");
	ours = dmabufx_alloc("system", 4096, O_RDWR | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, ours);
	sf = dmabufx_export_sync_file(self->vbuf, DMA_BUF_SYNC_WRITE);
	ASSERT_LE(0, sf);
	p.fd = sf;
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));	/* not signalled yet */
	/* As a write of ours: readers and writers of ours now wait for it. */
	ASSERT_EQ(0, dmabufx_import_sync_file(ours, DMA_BUF_SYNC_WRITE, sf));
	EXPECT_EQ(-1, dmabufx_wait(ours, DMA_BUF_SYNC_READ, 50));
	EXPECT_EQ(ETIMEDOUT, errno);
	signal_fence(self);
	EXPECT_EQ(0, dmabufx_wait(ours, DMA_BUF_SYNC_READ, 5000));
	EXPECT_EQ(0, dmabufx_wait(ours, DMA_BUF_SYNC_WRITE, 0));
	EXPECT_EQ(1, poll(&p, 1, 0));
	close(sf);
	close(ours);
}

TEST_F(fence, sync_file_of_readers_only_is_already_signalled_for_a_read_fence)
{
	struct pollfd p;
	int sf;

	/* Export for READ: only what readers wait for, i.e. the writers. */
	sf = dmabufx_export_sync_file(self->vbuf, DMA_BUF_SYNC_READ);
	ASSERT_LE(0, sf);
	p.fd = sf;
	p.events = POLLIN;
	EXPECT_EQ(variant->flags & VGEM_FENCE_WRITE ? 0 : 1, poll(&p, 1, 0));
	close(sf);
}

TEST_HARNESS_MAIN
