// SPDX-License-Identifier: GPL-2.0-only
/*
 * Implicit synchronisation: while the device works on a dma-buf, the
 * buffer's reservation object carries the driver's fence, so poll(),
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE and DMA_BUF_IOCTL_SYNC wait for the device;
 * and before it touches a buffer, the device waits for the fences already
 * there (readers for writers, writers for everyone).
 *
 * The device's calls are synchronous, so a second thread runs them while the
 * test looks at the buffer. Fences the test controls come from vgem
 * (DRM_IOCTL_VGEM_FENCE_ATTACH/SIGNAL), moved onto our exporter's buffers
 * with DMA_BUF_IOCTL_EXPORT_SYNC_FILE and DMA_BUF_IOCTL_IMPORT_SYNC_FILE.
 */
#include <pthread.h>
#include <linux/sync_file.h>

#include "edu_test.h"
#include "kselftest_harness.h"

EDU_SKIP_PROGRAM_WITHOUT_NODE

#define PAGE		4096u
#define COPY_LEN	(4 * PAGE)	/* ~20 transfers: about two seconds */
#define WAIT_MS		500		/* how long a blocked call is watched */

/* One device call run by a thread. */
struct job {
	int edu;
	int src;	/* dma-buf fd (read by the device), or -1 */
	int dst;	/* dma-buf fd (written by the device), or -1 */
	uint32_t len;
	int ret;
	int64_t end_ms;
	volatile int done;
	pthread_t thread;
};

static void *job_run(void *arg)
{
	struct job *j = arg;

	if (j->src >= 0 && j->dst >= 0)
		j->ret = __edu_copy(j->edu, j->src, j->dst, 0, 0, 0, j->len);
	else if (j->src >= 0)
		j->ret = __edu_read_dmabuf(j->edu, j->src, 0, 0, 0, j->len);
	else
		j->ret = __edu_write_dmabuf(j->edu, j->dst, 0, 0, 0, j->len);
	j->end_ms = edu_now_ms();
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int job_start(struct job *j, int edu, int src, int dst, uint32_t len)
{
	memset(j, 0, sizeof(*j));
	j->edu = edu;
	j->src = src;
	j->dst = dst;
	j->len = len;
	return pthread_create(&j->thread, NULL, job_run, j);
}

static bool job_done(struct job *j)
{
	return __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
}

static int job_join(struct job *j)
{
	pthread_join(j->thread, NULL);
	return j->ret;
}

/* poll() one fd for events with a timeout; returns revents or -errno. */
static int poll1(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? p.revents : 0;
}

/*
 * Wait until fd is busy for events (the device's fence is on it), or the
 * job ends first. True when busy was seen.
 */
static bool wait_busy(int fd, short events, struct job *j)
{
	while (!job_done(j)) {
		if (poll1(fd, events, 0) == 0)
			return true;
		edu_sleep_ms(2);
	}
	return false;
}

FIXTURE(fence) {
	int edu;
	int node;
	int drm;		/* vgem, or -1 */
	unsigned int fence_timeout;
	int src, dst;		/* COPY_LEN each, ours */
	uint8_t *smap, *dmap;
};

FIXTURE_SETUP(fence)
{
	self->drm = -1;
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	self->node = dmx_open_node("system");
	if (self->node < 0)
		SKIP(return, DMABUF_EXPORTER_DEV_SYSTEM " missing");
	self->drm = vgem_open();
	ASSERT_EQ(0, edu_param_get("fence_timeout_ms", &self->fence_timeout));

	self->src = dmx_alloc(self->node, COPY_LEN);
	ASSERT_LE(0, self->src);
	self->dst = dmx_alloc(self->node, COPY_LEN);
	ASSERT_LE(0, self->dst);
	self->smap = edu_map(self->src, COPY_LEN);
	ASSERT_NE(MAP_FAILED, self->smap);
	self->dmap = edu_map(self->dst, COPY_LEN);
	ASSERT_NE(MAP_FAILED, self->dmap);
	ASSERT_EQ(0, edu_cpu_fill(self->src, self->smap, 0, COPY_LEN, 21));
	ASSERT_EQ(0, edu_cpu_fill(self->dst, self->dmap, 0, COPY_LEN, 22));
}

FIXTURE_TEARDOWN(fence)
{
	edu_param_set("fence_timeout_ms", self->fence_timeout);
	munmap(self->dmap, COPY_LEN);
	munmap(self->smap, COPY_LEN);
	close(self->dst);
	close(self->src);
	if (self->drm >= 0)
		close(self->drm);
	close(self->node);
	close(self->edu);
}

/* dst holds all of src (read after SYNC_START|READ). */
static size_t copied(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fence) *self)
{
	uint8_t *expect = malloc(COPY_LEN);
	size_t bad;

	edu_pattern(expect, 0, COPY_LEN, 21);
	EXPECT_EQ(0, __dmx_sync(self->dst, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	bad = edu_mismatch(self->dmap, 0, expect, COPY_LEN);
	EXPECT_EQ(0, __dmx_sync(self->dst, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	free(expect);
	return bad;
}

TEST_F(fence, poll_in_waits_for_the_device_write)
{
	struct job j;

	ASSERT_EQ(0, job_start(&j, self->edu, self->src, self->dst, COPY_LEN));
	ASSERT_TRUE(wait_busy(self->dst, POLLIN, &j))
		TH_LOG("the device's write fence never showed on the buffer");
	EXPECT_EQ(POLLIN, poll1(self->dst, POLLIN, 20000));
	/* Signalled only once the data is in memory. */
	EXPECT_EQ(COPY_LEN, copied(_metadata, self));
	EXPECT_EQ(0, job_join(&j));
}

TEST_F(fence, poll_out_waits_for_the_device_read)
{
	struct job j;

	ASSERT_EQ(0, job_start(&j, self->edu, self->src, self->dst, COPY_LEN));
	ASSERT_TRUE(wait_busy(self->src, POLLOUT, &j))
		TH_LOG("the device's read fence never showed on the buffer");
	/* A read fence does not hold back other readers. */
	EXPECT_EQ(POLLIN, poll1(self->src, POLLIN, 0));
	EXPECT_EQ(POLLOUT, poll1(self->src, POLLOUT, 20000));
	EXPECT_EQ(0, job_join(&j));
}

TEST_F(fence, export_sync_file_waits_for_the_device_write)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct sync_fence_info fi;
	struct sync_file_info info;
	struct job j;

	ASSERT_EQ(0, job_start(&j, self->edu, self->src, self->dst, COPY_LEN));
	ASSERT_TRUE(wait_busy(self->dst, POLLIN, &j));
	ASSERT_EQ(0, ioctl(self->dst, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));

	memset(&info, 0, sizeof(info));
	memset(&fi, 0, sizeof(fi));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	ASSERT_EQ(0, ioctl(exp.fd, SYNC_IOC_FILE_INFO, &info));
	EXPECT_STREQ(EDU_MODULE, fi.driver_name);
	EXPECT_STREQ("edu-dma", fi.obj_name);

	EXPECT_EQ(POLLIN, poll1(exp.fd, POLLIN, 20000));
	EXPECT_EQ(COPY_LEN, copied(_metadata, self));
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(exp.fd, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(1, info.status);
	close(exp.fd);
	EXPECT_EQ(0, job_join(&j));
}

TEST_F(fence, sync_start_read_waits_for_the_device_write)
{
	struct job j;

	ASSERT_EQ(0, job_start(&j, self->edu, self->src, self->dst, COPY_LEN));
	ASSERT_TRUE(wait_busy(self->dst, POLLIN, &j));
	/*
	 * copied() starts with SYNC_START|READ: had it not waited for the
	 * device (seconds of work), the copy would be incomplete.
	 */
	EXPECT_EQ(COPY_LEN, copied(_metadata, self));
	EXPECT_EQ(0, job_join(&j));
}

/*
 * Put an unsignalled vgem fence on buf, as a writer's (write) or a
 * reader's; returns the vgem fence id to signal.
 */
static uint32_t add_vgem_fence(struct __test_metadata *_metadata, int drm,
			       int buf, bool write)
{
	struct vgem_fence_attach attach = {
		.flags = VGEM_FENCE_WRITE,
	};
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct dma_buf_import_sync_file imp = {
		.flags = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ,
	};
	uint32_t handle = 0;
	int vbuf = -1;

	ASSERT_EQ(0, edu_vgem_create(drm, PAGE, &handle));
	attach.handle = handle;
	ASSERT_EQ(0, drmIoctl(drm, VGEM_IOCTL_FENCE_ATTACH, &attach));
	ASSERT_EQ(0, drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC, &vbuf));
	ASSERT_EQ(0, ioctl(vbuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, ioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp));
	close(exp.fd);
	close(vbuf);
	drmCloseBufferHandle(drm, handle);
	return attach.out_fence;
}

static int signal_vgem_fence(int drm, uint32_t fence)
{
	struct vgem_fence_signal sig = { .fence = fence };

	return drmIoctl(drm, VGEM_IOCTL_FENCE_SIGNAL, &sig) ? -errno : 0;
}

TEST_F(fence, device_read_waits_for_a_write_fence)
{
	uint8_t want[2000], got[2000];
	uint32_t f;
	int64_t transfers, signalled;
	struct job j;
	size_t i;

	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no fence to control");
	f = add_vgem_fence(_metadata, self->drm, self->src, true);
	transfers = edu_transfers(self->edu);

	ASSERT_EQ(0, job_start(&j, self->edu, self->src, -1, sizeof(want)));
	edu_sleep_ms(WAIT_MS);
	EXPECT_FALSE(job_done(&j));
	EXPECT_EQ(transfers, edu_transfers(self->edu))
		TH_LOG("the device started before the writer's fence signalled");

	/* The "writer" finishes (no SYNC: it would wait for the fence too). */
	for (i = 0; i < sizeof(want); i++)
		self->smap[i] = want[i] = dmx_pattern(i, 23);
	signalled = edu_now_ms();
	ASSERT_EQ(0, signal_vgem_fence(self->drm, f));
	EXPECT_EQ(0, job_join(&j));
	EXPECT_LE(signalled, j.end_ms);

	/* The device read what the writer wrote before signalling. */
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
}

TEST_F(fence, device_write_waits_for_a_read_fence)
{
	int64_t transfers, signalled;
	uint32_t f;
	struct job j;

	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no fence to control");
	f = add_vgem_fence(_metadata, self->drm, self->dst, false);
	transfers = edu_transfers(self->edu);

	ASSERT_EQ(0, job_start(&j, self->edu, -1, self->dst, 2000));
	edu_sleep_ms(WAIT_MS);
	EXPECT_FALSE(job_done(&j));
	EXPECT_EQ(transfers, edu_transfers(self->edu))
		TH_LOG("the device wrote while a reader's fence was pending");
	signalled = edu_now_ms();
	ASSERT_EQ(0, signal_vgem_fence(self->drm, f));
	EXPECT_EQ(0, job_join(&j));
	EXPECT_LE(signalled, j.end_ms);
	EXPECT_LT(transfers, edu_transfers(self->edu));
}

TEST_F(fence, device_read_does_not_wait_for_a_read_fence)
{
	int64_t transfers = edu_transfers(self->edu);
	uint32_t f;

	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no fence to control");
	f = add_vgem_fence(_metadata, self->drm, self->src, false);
	/* Readers share: this returns while the other reader is busy. */
	EXPECT_EQ(0, __edu_read_dmabuf(self->edu, self->src, 0, 0, 0, 2000));
	EXPECT_LT(transfers, edu_transfers(self->edu));
	EXPECT_EQ(0, signal_vgem_fence(self->drm, f));
}

TEST_F(fence, fence_that_never_signals_times_out_with_etimedout)
{
	int64_t transfers = edu_transfers(self->edu), start;
	uint32_t f;

	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no fence to control");
	f = add_vgem_fence(_metadata, self->drm, self->src, true);
	ASSERT_EQ(0, edu_param_set("fence_timeout_ms", 300));
	start = edu_now_ms();
	EXPECT_EQ(-ETIMEDOUT, __edu_read_dmabuf(self->edu, self->src, 0, 0, 0, 16));
	/*
	 * It waited for the timeout, give or take one jiffy (10 ms at HZ=100:
	 * the first tick of a jiffies timeout comes early) and the ms rounding.
	 */
	EXPECT_LE(start + 300 - 11, edu_now_ms());
	EXPECT_EQ(transfers, edu_transfers(self->edu));
	EXPECT_EQ(0, signal_vgem_fence(self->drm, f));
	/* Once it signals, the buffer is usable again. */
	EXPECT_EQ(0, __edu_read_dmabuf(self->edu, self->src, 0, 0, 0, 16));
}

TEST_HARNESS_MAIN
