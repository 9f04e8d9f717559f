// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMABUF_EXPORTER_IOCTL_SYNC_RANGE: DMA_BUF_IOCTL_SYNC for part of a buffer.
 *
 *  - Every error with its exact errno, each refused before anything is
 *    synced or counted; the flags follow DMA_BUF_IOCTL_SYNC's rules exactly
 *    (checked against the dma-buf core's own answers); every node takes it.
 *  - START waits for the buffer's fences first (vgem fences), and a signal
 *    ends that wait with EINTR; test-exporter mode fails START as it fails
 *    begin_cpu_access.
 *  - The proof, with real device DMA through the edu importer (driver/edu)
 *    keeping the buffer mapped: a range sync moves exactly the range's
 *    bytes between CPU and device, in both directions, for every kind, at
 *    ranges that cross the entries of the device's mapping (swiotlb's
 *    256 KiB pieces, the system kind's 1 MiB chunks). Where the mapping
 *    goes through bounce buffers (swiotlb=force) the bytes next to the range
 *    must stay stale until a sync of their own, which shows that exactly
 *    the range moved; elsewhere CPU and device share the pages and only the
 *    range's bytes can be checked.
 *  - On arm64, where DMA is not coherent, kprobe events on the cache
 *    maintenance show that a range sync cleans and invalidates exactly the
 *    range's bytes: a contig range for the module's own device, and a range
 *    across two entries of vgem's mapping.
 *  - Measurements (logged, never asserted): 64 KiB of a 16 MiB buffer
 *    against the whole buffer, for a system buffer the device keeps mapped
 *    and for a contig buffer (the module's own device, not coherent on
 *    arm64) (docs/benchmarks.md).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <xf86drm.h>

#include "edu_test.h"
#include "kselftest_harness.h"

#ifdef DMX_WITH_LIBRARY
#include <dmabuf-helper.h>
#endif

#define RW		DMA_BUF_SYNC_RW
#define START_RW	(DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW)
#define END_RW		(DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW)

/* SYNC_RANGE with another struct size (or direction). */
#define SYNC_RANGE_SIZED(dir, size) \
	_IOC((dir), DMABUF_EXPORTER_IOC_MAGIC, \
	     _IOC_NR(DMABUF_EXPORTER_IOCTL_SYNC_RANGE), (size))

static int __sync_range_req(int node, struct dmabuf_exporter_sync_range *req)
{
	return ioctl(node, DMABUF_EXPORTER_IOCTL_SYNC_RANGE, req) ? -errno : 0;
}

static int __sync_range(int node, int buf, uint64_t flags, uint64_t off,
			uint64_t len)
{
	struct dmabuf_exporter_sync_range req = {
		.fd = (uint32_t)buf,
		.flags = flags,
		.offset = off,
		.length = len,
	};

	return __sync_range_req(node, &req);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the uAPI: errors, flags, nodes, counters, fences ------------------ */

FIXTURE(range) {
	int ctl;
	int node;
	int buf;
	uint64_t size;
	int64_t live;
	int fds;
};

FIXTURE_SETUP(range)
{
	DMX_REQUIRE_MODULE();
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->node = dmx_open_node("system");
	ASSERT_LE(0, self->node);
	self->live = dmx_live_buffers(self->ctl);
	self->fds = dmx_count_fds();
	self->size = 16 * DMX_PAGE;
	self->buf = dmx_alloc(self->node, self->size);
	ASSERT_LE(0, self->buf);
}

FIXTURE_TEARDOWN(range)
{
	close(self->buf);
	EXPECT_EQ(self->live, dmx_live_buffers(self->ctl)) TH_LOG("buffer leaked");
	EXPECT_EQ(self->fds, dmx_count_fds()) TH_LOG("fd leaked");
	close(self->node);
	close(self->ctl);
}

TEST_F(range, every_node_takes_it)
{
	static const char *const nodes[] = {
		"system", "system-uncached", "contig", "ctl",
	};
	unsigned int i;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		int node = dmx_open_node(nodes[i]);

		ASSERT_LE(0, node) TH_LOG("%s", nodes[i]);
		EXPECT_EQ(0, __sync_range(node, self->buf, START_RW, 0, self->size))
			TH_LOG("%s", nodes[i]);
		EXPECT_EQ(0, __sync_range(node, self->buf, END_RW, 0, self->size))
			TH_LOG("%s", nodes[i]);
		close(node);
	}
}

/*
 * The flags mean what they mean to DMA_BUF_IOCTL_SYNC: every value the
 * dma-buf core accepts is accepted, every value it refuses is EINVAL
 * (DMA_BUF_SYNC_START is 0, so "neither START nor END" is START, and "both"
 * is END: only READ/WRITE can be missing).
 */
TEST_F(range, flags_follow_dma_buf_ioctl_sync)
{
	static const uint64_t high[] = {
		0, 1ull << 3, 1ull << 8, 1ull << 31, 1ull << 32, 1ull << 63,
	};
	unsigned int i, low;

	for (i = 0; i < sizeof(high) / sizeof(high[0]); i++) {
		for (low = 0; low < 8; low++) {
			uint64_t flags = high[i] | low;
			int core = __dmx_sync(self->buf, flags);
			int ours = __sync_range(self->node, self->buf, flags,
						DMX_PAGE, 100);

			EXPECT_EQ(core, ours) TH_LOG("flags %#llx",
						     (unsigned long long)flags);
			EXPECT_TRUE(ours == 0 || ours == -EINVAL);
		}
	}
	/* Spelled out. */
	EXPECT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 1));
	EXPECT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->node, self->buf,
					DMA_BUF_SYNC_START, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->node, self->buf,
					DMA_BUF_SYNC_END, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->node, self->buf,
					END_RW | 0x8, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->node, self->buf, ~0ull, 0, 1));
}

TEST_F(range, zero_length_is_einval)
{
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW, 0, 0));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, END_RW,
					self->size, 0));
}

TEST_F(range, range_past_the_end_is_einval)
{
	uint64_t n = self->size;

	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW, n, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW, 0, n + 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW, n - 1, 2));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW,
					n + DMX_PAGE, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, END_RW, 1, n));
	/* Up to the last byte is fine. */
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, START_RW, n - 1, 1));
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, END_RW, 0, n));
}

TEST_F(range, range_that_wraps_is_einval)
{
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW,
					UINT64_MAX, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW,
					UINT64_MAX - 10, 20));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW,
					1, UINT64_MAX));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, END_RW,
					DMX_PAGE, UINT64_MAX - DMX_PAGE + 1));
}

TEST_F(range, nonzero_pad_or_reserved_is_einval)
{
	struct dmabuf_exporter_sync_range req = {
		.fd = (uint32_t)self->buf, .flags = START_RW, .length = 1,
	};
	unsigned int i;

	req.pad = 1;
	EXPECT_EQ(-EINVAL, __sync_range_req(self->ctl, &req));
	req.pad = 0;
	for (i = 0; i < 2; i++) {
		req.reserved[i] = 1ull << 40;
		EXPECT_EQ(-EINVAL, __sync_range_req(self->ctl, &req)) TH_LOG("reserved[%u]", i);
		req.reserved[i] = 0;
	}
	EXPECT_EQ(0, __sync_range_req(self->ctl, &req));
}

TEST_F(range, fd_that_is_not_open_is_ebadf)
{
	int closed = dup(self->buf);

	ASSERT_LE(0, closed);
	close(closed);
	EXPECT_EQ(-EBADF, __sync_range(self->ctl, closed, START_RW, 0, 1));
	EXPECT_EQ(-EBADF, __sync_range(self->ctl, -1, START_RW, 0, 1));
	EXPECT_EQ(-EBADF, __sync_range(self->node, 0x7fffffff, END_RW, 0, 1));
}

TEST_F(range, fd_that_is_no_dma_buf_is_einval)
{
	int memfd = memfd_create("not-a-dma-buf", MFD_CLOEXEC);

	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, (off_t)self->size));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, memfd, START_RW, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->ctl, START_RW, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->node, self->node, END_RW, 0, 1));
	close(memfd);
}

TEST_F(range, dma_buf_of_another_exporter_is_einval)
{
	struct drm_mode_create_dumb dumb = {
		.width = 1024, .height = 4, .bpp = 32,
	};
	int drm = vgem_open(), other = -1;

	if (drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no other exporter");
	ASSERT_EQ(0, drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	ASSERT_EQ(0, drmPrimeHandleToFD(drm, dumb.handle, DRM_CLOEXEC | DRM_RDWR,
					&other));
	/* The core syncs it; we do not know it. */
	EXPECT_EQ(0, __dmx_sync(other, START_RW));
	EXPECT_EQ(0, __dmx_sync(other, END_RW));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, other, START_RW, 0, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->node, other, END_RW, 0, 1));
	close(other);
	drmCloseBufferHandle(drm, dumb.handle);
	close(drm);
}

/*
 * The sized-struct rules of every ioctl of ours: shorter is EINVAL, longer
 * with a zero tail is fine, with a nonzero one E2BIG; another direction is
 * another ioctl (ENOTTY); a bad pointer EFAULT.
 */
TEST_F(range, struct_sizes_and_pointers)
{
	const size_t size = sizeof(struct dmabuf_exporter_sync_range);
	struct {
		struct dmabuf_exporter_sync_range req;
		uint8_t tail[16];
	} big;
	void *none;

	memset(&big, 0, sizeof(big));
	big.req.fd = (uint32_t)self->buf;
	big.req.flags = START_RW;
	big.req.length = 10;

	EXPECT_EQ(48, size);
	EXPECT_EQ(0, ioctl(self->ctl, SYNC_RANGE_SIZED(_IOC_WRITE, size + 16), &big));
	big.tail[15] = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, SYNC_RANGE_SIZED(_IOC_WRITE, size + 16), &big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, ioctl(self->node, SYNC_RANGE_SIZED(_IOC_WRITE, size + 16), &big));
	EXPECT_EQ(E2BIG, errno);
	/* Only bytes past the caller's size count as tail. */
	EXPECT_EQ(0, ioctl(self->ctl, SYNC_RANGE_SIZED(_IOC_WRITE, size + 15), &big));

	EXPECT_EQ(-1, ioctl(self->ctl, SYNC_RANGE_SIZED(_IOC_WRITE, size - 16), &big));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->ctl, SYNC_RANGE_SIZED(_IOC_WRITE, 0), &big));
	EXPECT_EQ(EINVAL, errno);

	big.tail[15] = 0;
	EXPECT_EQ(-1, ioctl(self->ctl, SYNC_RANGE_SIZED(_IOC_READ | _IOC_WRITE, size),
			    &big));
	EXPECT_EQ(ENOTTY, errno);

	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_SYNC_RANGE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	none = mmap(NULL, DMX_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, ioctl(self->node, DMABUF_EXPORTER_IOCTL_SYNC_RANGE, none));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, DMX_PAGE);
}

/*
 * Refused calls sync and count nothing; each accepted one counts as one
 * begin_cpu_access or end_cpu_access, like DMA_BUF_IOCTL_SYNC.
 */
TEST_F(range, refused_calls_count_nothing_accepted_ones_count_once)
{
	struct dmabuf_exporter_counters before, after;

	ASSERT_EQ(0, __dmx_counters(self->ctl, self->buf, &before));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW, 0, 0));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, RW, self->size, 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, END_RW, 0,
					self->size + 1));
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, DMA_BUF_SYNC_END,
					0, 1));
	ASSERT_EQ(0, __dmx_counters(self->ctl, self->buf, &after));
	EXPECT_EQ(before.begin_cpu_access, after.begin_cpu_access);
	EXPECT_EQ(before.end_cpu_access, after.end_cpu_access);

	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, START_RW, 10, 20));
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, END_RW, 10, 20));
	EXPECT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0, 1));
	ASSERT_EQ(0, __dmx_counters(self->ctl, self->buf, &after));
	EXPECT_EQ(before.begin_cpu_access + 1, after.begin_cpu_access);
	EXPECT_EQ(before.end_cpu_access + 2, after.end_cpu_access);
}

/* What the CPU writes between range syncs is in the buffer afterwards. */
TEST_F(range, cpu_access_bracketed_by_range_syncs)
{
	uint8_t *map = mmap(NULL, self->size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, self->buf, 0);
	const uint64_t off = DMX_PAGE - 100, n = 2 * DMX_PAGE + 200;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, __sync_range(self->ctl, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, off, n));
	dmx_fill(map + off, off, n, 21);
	ASSERT_EQ(0, __sync_range(self->ctl, self->buf,
				  DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, off, n));
	ASSERT_EQ(0, __dmx_sync(self->buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(-1, dmx_mismatch(map + off, off, n, 21));
	EXPECT_EQ(0, map[off - 1]);
	EXPECT_EQ(0, map[off + n]);
	ASSERT_EQ(0, __dmx_sync(self->buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(map, self->size);
}

/* An unsignalled vgem fence on @buf, a writer's or a reader's; its id. */
static int add_vgem_fence(int drm, int buf, bool write, uint32_t *fence)
{
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 1, .bpp = 32 };
	struct vgem_fence_attach attach = { .flags = VGEM_FENCE_WRITE };
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct dma_buf_import_sync_file imp = {
		.flags = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ,
	};
	int vbuf = -1, ret = -1;

	if (drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	attach.handle = dumb.handle;
	if (drmIoctl(drm, VGEM_IOCTL_FENCE_ATTACH, &attach) ||
	    drmPrimeHandleToFD(drm, dumb.handle, DRM_CLOEXEC, &vbuf) ||
	    ioctl(vbuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp))
		goto out;
	imp.fd = exp.fd;
	if (!ioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp))
		ret = 0;
	close(exp.fd);
out:
	if (ret)
		ret = -errno;
	if (vbuf >= 0)
		close(vbuf);
	drmCloseBufferHandle(drm, dumb.handle);
	*fence = attach.out_fence;
	return ret;
}

static int signal_vgem_fence(int drm, uint32_t fence)
{
	struct vgem_fence_signal sig = { .fence = fence };

	return drmIoctl(drm, VGEM_IOCTL_FENCE_SIGNAL, &sig) ? -errno : 0;
}

struct sync_job {
	pthread_t thread;
	int node, buf;
	uint64_t flags;
	int ret;
	volatile bool done;
};

static void *sync_job_run(void *arg)
{
	struct sync_job *j = arg;

	j->ret = __sync_range(j->node, j->buf, j->flags, 0, 1);
	j->done = true;
	return NULL;
}

/*
 * Start a range sync with @flags in a thread: 1 when it is still waiting
 * after 300 ms, 0 when it returned, -errno when no thread started.
 */
static int sync_blocks(struct sync_job *j, int node, int buf, uint64_t flags)
{
	int ret;

	*j = (struct sync_job){ .node = node, .buf = buf, .flags = flags };
	ret = pthread_create(&j->thread, NULL, sync_job_run, j);
	if (ret)
		return -ret;
	edu_sleep_ms(300);
	return !j->done;
}

/*
 * DMA_BUF_SYNC_START waits as DMA_BUF_IOCTL_SYNC does: for writers' fences
 * before reading, for everyone's before writing. DMA_BUF_SYNC_END never
 * waits.
 */
TEST_F(range, start_waits_for_the_fences)
{
	struct sync_job j;
	uint32_t f = 0;
	int drm = vgem_open(), ret;
	int64_t t0;

	if (drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no fence to control");

	ASSERT_EQ(0, add_vgem_fence(drm, self->buf, true, &f));
	ret = sync_blocks(&j, self->ctl, self->buf,
			  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ASSERT_LE(0, ret);
	EXPECT_EQ(1, ret) TH_LOG("START|READ did not wait for a writer's fence");
	t0 = now_us();
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, END_RW, 0, 1));
	EXPECT_GT(1000 * 1000, now_us() - t0) TH_LOG("END waited for the fence");
	ASSERT_EQ(0, signal_vgem_fence(drm, f));
	pthread_join(j.thread, NULL);
	EXPECT_EQ(0, j.ret);

	ASSERT_EQ(0, add_vgem_fence(drm, self->buf, false, &f));
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 1))
		TH_LOG("START|READ waited for a reader's fence");
	ret = sync_blocks(&j, self->ctl, self->buf,
			  DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	ASSERT_LE(0, ret);
	EXPECT_EQ(1, ret) TH_LOG("START|WRITE did not wait for a reader's fence");
	ASSERT_EQ(0, signal_vgem_fence(drm, f));
	pthread_join(j.thread, NULL);
	EXPECT_EQ(0, j.ret);
	close(drm);
}

static void on_alarm(int sig)
{
}

/* A signal ends the wait for a fence with EINTR; nothing counted. */
TEST_F(range, signal_while_waiting_for_a_fence_is_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;	/* no SA_RESTART */
	struct dmabuf_exporter_counters before, after;
	struct itimerval it = { .it_value = { 0, 200 * 1000 } };
	int drm = vgem_open();
	uint32_t f = 0;
	int64_t t0;
	int ret;

	if (drm < 0)
		SKIP(return, "no vgem device (modprobe vgem): no fence to control");
	ASSERT_EQ(0, add_vgem_fence(drm, self->buf, true, &f));
	ASSERT_EQ(0, __dmx_counters(self->ctl, self->buf, &before));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, &old));
	t0 = now_us();
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ret = __sync_range(self->ctl, self->buf,
			   DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 1);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_LE(150 * 1000, now_us() - t0) TH_LOG("returned before the signal");
	sigaction(SIGALRM, &old, NULL);
	ASSERT_EQ(0, __dmx_counters(self->ctl, self->buf, &after));
	EXPECT_EQ(before.begin_cpu_access, after.begin_cpu_access);
	EXPECT_EQ(0, signal_vgem_fence(drm, f));
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 1));
	close(drm);
}

/* Test-exporter mode fails START as it fails begin_cpu_access; END never. */
TEST_F(range, injected_begin_cpu_access_failure_fails_start)
{
	struct dmabuf_exporter_counters c;

	if (dmx_write_param("test_exporter", 1))
		SKIP(return, "cannot switch test_exporter on (not root?)");
	ASSERT_EQ(0, __dmx_inject(self->ctl, self->buf,
				  DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS, 2, EIO));
	EXPECT_EQ(-EIO, __sync_range(self->ctl, self->buf, START_RW, 0, 1));
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, END_RW, 0, 1));
	/* The range is checked first: a refused call uses up no failure. */
	EXPECT_EQ(-EINVAL, __sync_range(self->ctl, self->buf, START_RW, 0, 0));
	EXPECT_EQ(-EIO, __sync_range(self->ctl, self->buf, START_RW, 0, 1));
	EXPECT_EQ(0, __sync_range(self->ctl, self->buf, START_RW, 0, 1));
	ASSERT_EQ(0, __dmx_counters(self->ctl, self->buf, &c));
	EXPECT_EQ(2, c.failed);
	EXPECT_EQ(1, c.begin_cpu_access);
	EXPECT_EQ(1, c.end_cpu_access);
	EXPECT_EQ(0, dmx_write_param("test_exporter", 0));
}

#ifdef DMX_WITH_LIBRARY
/* dmabufx_sync_range(): the ioctl through the ctl node, -1 + errno. */
TEST_F(range, library_call)
{
	int fds = dmx_count_fds();

	EXPECT_EQ(0, dmabufx_sync_range(self->buf, START_RW, 100, 200));
	EXPECT_EQ(0, dmabufx_sync_range(self->buf, END_RW, 100, 200));
	EXPECT_EQ(-1, dmabufx_sync_range(self->buf, START_RW, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_sync_range(self->buf, START_RW, self->size, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_sync_range(self->buf, DMA_BUF_SYNC_END, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_sync_range(-1, START_RW, 0, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, dmabufx_sync_range(self->ctl, START_RW, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	/* The ctl node it opened is closed again. */
	EXPECT_EQ(fds, dmx_count_fds());
}
#endif

/* ---- the proof: device DMA through the edu importer --------------------- */

/*
 * 1 MiB + 64 KiB + 4 KiB: the system kind allocates it as three chunks
 * where the page allocator has them, so ranges can cross a chunk at 1 MiB
 * and, under swiotlb=force, a 256 KiB mapping piece.
 */
#define EDU_LEN		((1u << 20) + (64u << 10) + (4u << 10))
#define SIDE		1000u	/* bytes checked on each side of a range */
#define INNER		2000u	/* bytes in the range */

FIXTURE(edu_range) {
	int edu;
	int node;
	int buf;
	uint8_t *map;
	uint32_t handle;
	bool bounce;
};

FIXTURE_VARIANT(edu_range) {
	const char *kind;	/* a kind node, or "user" (IMPORT_USER) */
};

FIXTURE_VARIANT_ADD(edu_range, system) { .kind = "system" };
FIXTURE_VARIANT_ADD(edu_range, system_uncached) { .kind = "system-uncached" };
FIXTURE_VARIANT_ADD(edu_range, contig) { .kind = "contig" };
FIXTURE_VARIANT_ADD(edu_range, user) { .kind = "user" };

/* A buffer of @len bytes of @kind, read-write; its fd or -errno. */
static int alloc_kind(int node, const char *kind, size_t len)
{
	void *mem;
	int fd;

	if (strcmp(kind, "user"))
		return dmx_alloc(node, len);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	fd = __dmx_import_user(node, mem, len, DMABUF_EXPORTER_IMPORT_WRITE,
			       O_RDWR);
	/* The pinned pages live as long as the dma-buf. */
	munmap(mem, len);
	return fd;
}

/*
 * Whether the device's mapping of the attached buffer went through swiotlb:
 * swiotlb's slots in use with and without it; without debugfs, the command
 * line says.
 */
static bool attach_bounces(int edu, int buf, uint32_t *handle, int *err)
{
	char cmdline[4096] = "";
	long before = edu_swiotlb_used(), after;

	*err = __edu_attach(edu, buf, handle);
	if (*err)
		return false;
	after = edu_swiotlb_used();
	if (before < 0 || after < 0) {
		dmx_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
		return strstr(cmdline, "swiotlb=force");
	}
	return after - before >= (long)(EDU_LEN / EDU_SWIOTLB_SLOT);
}

FIXTURE_SETUP(edu_range)
{
	int err;

	self->buf = -1;
	self->node = -1;
	self->handle = 0;
	DMX_REQUIRE_MODULE();
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	self->node = dmx_open_node(strcmp(variant->kind, "user") ? variant->kind
								 : "ctl");
	ASSERT_LE(0, self->node);
	self->buf = alloc_kind(self->node, variant->kind, EDU_LEN);
	ASSERT_LE(0, self->buf) TH_LOG("%s: %s", variant->kind,
				       strerror(-self->buf));
	self->map = edu_map(self->buf, EDU_LEN);
	ASSERT_NE(MAP_FAILED, self->map);
	/* Seed 1 everywhere, then the device maps it and keeps it mapped. */
	ASSERT_EQ(0, edu_cpu_fill(self->buf, self->map, 0, EDU_LEN, 1));
	self->bounce = attach_bounces(self->edu, self->buf, &self->handle, &err);
	ASSERT_EQ(0, err);
}

FIXTURE_TEARDOWN(edu_range)
{
	if (self->handle)
		EXPECT_EQ(0, __edu_detach(self->edu, self->handle));
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, EDU_LEN);
	if (self->buf >= 0)
		close(self->buf);
	if (self->node >= 0)
		close(self->node);
	if (self->edu >= 0)
		close(self->edu);
}

/* Places where a range crosses an entry of the device's mapping. */
static const size_t crossings[] = {
	256u << 10,	/* a 256 KiB piece under swiotlb */
	1u << 20,	/* the 1 MiB chunk of the system kind */
};

/*
 * [lo, lo + SIDE) | range [lo + SIDE, lo + SIDE + INNER) | SIDE more:
 * the range crosses @at with unaligned ends.
 */
static size_t window(size_t at)
{
	return at - INNER / 2 - SIDE + 1;
}

/*
 * The CPU writes the range and its sides, but syncs only the range: the
 * device reads the range's new bytes, and where the mapping bounces, the
 * sides' old ones (they never left the CPU's side).
 */
TEST_F(edu_range, cpu_write_of_the_range_reaches_the_device)
{
	const uint32_t n = SIDE + INNER + SIDE;
	uint8_t dev[4096], want[4096];
	unsigned int i;

	ksft_print_msg("%s: the device's mapping %s\n", variant->kind,
		       self->bounce ? "bounces (the bytes next to a range must stay stale)"
				    : "does not bounce (only the range's bytes can be checked)");
	for (i = 0; i < sizeof(crossings) / sizeof(crossings[0]); i++) {
		size_t lo = window(crossings[i]), in = lo + SIDE;
		unsigned int seed = 10 + i;

		ASSERT_EQ(0, __sync_range(self->node, self->buf,
					  DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
					  in, INNER));
		dmx_fill(self->map + lo, lo, n, seed);
		ASSERT_EQ(0, __sync_range(self->node, self->buf,
					  DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
					  in, INNER));
		ASSERT_EQ(0, __edu_read_dmabuf(self->edu, self->handle,
					       DMABUF_EXPORTER_EDU_HANDLE,
					       lo, 0, n));
		ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, dev, n));

		edu_pattern(want, lo, n, self->bounce ? 1 : seed);
		edu_pattern(want + SIDE, in, INNER, seed);
		EXPECT_EQ(n, edu_mismatch(dev, 0, want, n))
			TH_LOG("range [%zu, +%u) across %zu: device byte %zu of [%zu, +%u) is wrong (bounce: %d)",
			       in, INNER, crossings[i],
			       edu_mismatch(dev, 0, want, n), lo, n,
			       self->bounce);

		/* A whole-buffer sync moves the rest; the bytes are rewritten
		 * after its START, which (bouncing) brings the device's back.
		 */
		ASSERT_EQ(0, __dmx_sync(self->buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
		dmx_fill(self->map + lo, lo, n, seed);
		ASSERT_EQ(0, __dmx_sync(self->buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
		ASSERT_EQ(0, __edu_read_dmabuf(self->edu, self->handle,
					       DMABUF_EXPORTER_EDU_HANDLE,
					       lo, 0, n));
		ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, dev, n));
		edu_pattern(want, lo, n, seed);
		EXPECT_EQ(n, edu_mismatch(dev, 0, want, n))
			TH_LOG("after the full sync, device byte %zu is wrong",
			       edu_mismatch(dev, 0, want, n));
	}
}

/*
 * The device writes the range and its sides; a range sync for the CPU
 * brings in the range's bytes only: where the mapping bounces, the sides
 * keep the CPU's old bytes until a sync of their own.
 */
TEST_F(edu_range, device_write_of_the_range_reaches_the_cpu)
{
	const uint32_t n = SIDE + INNER + SIDE;
	uint8_t dev[4096], want[4096];
	unsigned int i;
	size_t bad;

	for (i = 0; i < sizeof(crossings) / sizeof(crossings[0]); i++) {
		size_t lo = window(crossings[i]), in = lo + SIDE;
		unsigned int seed = 20 + i;

		edu_pattern(dev, 0, n, seed + 100);
		ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, dev, n));
		ASSERT_EQ(0, __edu_write_dmabuf(self->edu, self->handle,
						DMABUF_EXPORTER_EDU_HANDLE,
						lo, 0, n));

		ASSERT_EQ(0, __sync_range(self->node, self->buf,
					  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
					  in, INNER));
		/* Bouncing, the sides still hold what the CPU wrote at first. */
		if (self->bounce)
			edu_pattern(want, lo, n, 1);
		else
			memcpy(want, dev, n);
		memcpy(want + SIDE, dev + SIDE, INNER);
		bad = edu_mismatch(self->map, lo, want, n);
		EXPECT_EQ(n, bad)
			TH_LOG("range [%zu, +%u) across %zu: CPU byte %zu of [%zu, +%u) is wrong (bounce: %d)",
			       in, INNER, crossings[i], bad, lo, n,
			       self->bounce);
		ASSERT_EQ(0, __sync_range(self->node, self->buf,
					  DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
					  in, INNER));

		/* A whole-buffer sync brings in the sides too. */
		ASSERT_EQ(0, __dmx_sync(self->buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
		bad = edu_mismatch(self->map, lo, dev, n);
		EXPECT_EQ(n, bad) TH_LOG("after the full sync, CPU byte %zu is wrong",
					 bad);
		ASSERT_EQ(0, __dmx_sync(self->buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	}
}

/*
 * The whole buffer, one byte at each end, and a range ending at the last
 * byte: no piece is lost at the edges of the table.
 */
TEST_F(edu_range, ranges_at_the_ends_of_the_buffer)
{
	const uint32_t n = 3000;
	const size_t last = EDU_LEN - n;
	uint8_t dev[4096], want[4096];

	edu_pattern(dev, 0, n, 40);
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, dev, n));
	ASSERT_EQ(0, __edu_write_dmabuf(self->edu, self->handle,
					DMABUF_EXPORTER_EDU_HANDLE, last, 0, n));
	ASSERT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
				  EDU_LEN - 1, 1));
	EXPECT_EQ(dev[n - 1], self->map[EDU_LEN - 1]);
	if (self->bounce)
		EXPECT_EQ(dmx_pattern(EDU_LEN - 2, 1), self->map[EDU_LEN - 2]);
	ASSERT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
				  last, n));
	EXPECT_EQ(n, edu_mismatch(self->map, last, dev, n));

	/* The first byte, and then all of them, the other way. */
	self->map[0] = 0x5a;
	self->map[1] = 0xa5;
	ASSERT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, 0, 1));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, self->handle,
				       DMABUF_EXPORTER_EDU_HANDLE, 0, 0, 2));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, want, 2));
	EXPECT_EQ(0x5a, want[0]);
	EXPECT_EQ(self->bounce ? dmx_pattern(1, 1) : 0xa5, want[1]);
	ASSERT_EQ(0, __sync_range(self->node, self->buf,
				  DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, 0, EDU_LEN));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, self->handle,
				       DMABUF_EXPORTER_EDU_HANDLE, last, 0, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, want, n));
	EXPECT_EQ(n, edu_mismatch(want, 0, dev, n));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, self->handle,
				       DMABUF_EXPORTER_EDU_HANDLE, 0, 0, 2));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, want, 2));
	EXPECT_EQ(0x5a, want[0]);
	EXPECT_EQ(0xa5, want[1]);
}

/* ---- arm64: the cache maintenance of a range ----------------------------- */

#ifdef __aarch64__
/*
 * Where DMA is not coherent, QEMU models no caches, so stale data never
 * shows: as tests/cache-maintenance/ does for whole buffers, kprobe events
 * on the architecture's two sync functions (arch_sync_dma_for_device:
 * clean, arch_sync_dma_for_cpu: invalidate) show what a range sync cleans
 * and invalidates, counting only this process's calls. It must be exactly
 * the range's bytes, at their physical addresses (or their bounce buffer's,
 * under swiotlb=force).
 */
#include <inttypes.h>
#include <sys/mount.h>

#define TRACING		"/sys/kernel/tracing"
#define GROUP		"dmx_range"

struct sync_event {
	bool for_cpu;
	uint64_t paddr, size;
	int dir;
};

struct trace {
	struct sync_event ev[512];
	unsigned int n;
};

static int probes_set(bool on)
{
	static const char *const names[] = { "for_device", "for_cpu" };
	char line[256];
	unsigned int i;
	int fd, ret = 0;

	if (on && access(TRACING "/kprobe_events", W_OK) &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL))
		return -errno;
	if (!on)
		dmx_write_file(TRACING "/events/" GROUP "/enable", "0");
	fd = open(TRACING "/kprobe_events", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		if (on)
			snprintf(line, sizeof(line),
				 "p:" GROUP "/%s arch_sync_dma_%s paddr=$arg1:x64 size=$arg2:u64 dir=$arg3:s32\n",
				 names[i], names[i]);
		else
			snprintf(line, sizeof(line), "-:" GROUP "/%s\n", names[i]);
		if (write(fd, line, strlen(line)) < 0 && on)
			ret = -errno;
	}
	close(fd);
	if (!ret && on)
		ret = dmx_write_file(TRACING "/events/" GROUP "/enable", "1");
	return ret;
}

static int trace_clear(void)
{
	int fd = open(TRACING "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* This process's events since trace_clear(), in order. */
static int trace_read(struct trace *t)
{
	FILE *f = fopen(TRACING "/trace", "re");
	char line[512], me[32];

	if (!f)
		return -errno;
	snprintf(me, sizeof(me), "-%d ", getpid());
	t->n = 0;
	while (fgets(line, sizeof(line), f) && t->n < 512) {
		struct sync_event *e = &t->ev[t->n];
		char *p = strstr(line, "paddr=");

		if (line[0] == '#' || !p || !strstr(line, me))
			continue;
		if (sscanf(p, "paddr=%" SCNx64 " size=%" SCNu64 " dir=%d",
			   &e->paddr, &e->size, &e->dir) != 3)
			continue;
		e->for_cpu = strstr(line, "for_cpu:") != NULL;
		t->n++;
	}
	fclose(f);
	return 0;
}

/* A range sync, and this process's events it caused. */
static int traced_range(int node, int buf, uint64_t flags, uint64_t off,
			uint64_t len, struct trace *t)
{
	int ret = trace_clear();

	if (!ret)
		ret = __sync_range(node, buf, flags, off, len);
	if (!ret)
		ret = trace_read(t);
	return ret;
}

/*
 * Whether @t is exactly cleans (@for_cpu false) or invalidations (true) of
 * @want's @n pieces, in order.
 */
static bool trace_is(const struct trace *t, bool for_cpu,
		     const struct sync_event *want, unsigned int n)
{
	unsigned int i;

	if (t->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (t->ev[i].for_cpu != for_cpu ||
		    t->ev[i].paddr != want[i].paddr ||
		    t->ev[i].size != want[i].size)
			return false;
	return true;
}

static void trace_log(struct __test_metadata *_metadata, const char *what,
		      const struct trace *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		TH_LOG("%s: %s %#" PRIx64 " +%" PRIu64 " dir %d", what,
		       t->ev[i].for_cpu ? "for_cpu" : "for_device",
		       t->ev[i].paddr, t->ev[i].size, t->ev[i].dir);
}

FIXTURE(arm64_cache) {
	int ctl;
	int buf;
	int drm;
	uint32_t handle;
	struct trace t;
};

FIXTURE_SETUP(arm64_cache)
{
	self->buf = -1;
	self->drm = -1;
	self->handle = 0;
	DMX_REQUIRE_MODULE();
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	probes_set(false);
	ASSERT_EQ(0, probes_set(true))
		TH_LOG("kprobe events on arch_sync_dma_for_{device,cpu}");
}

FIXTURE_TEARDOWN(arm64_cache)
{
	probes_set(false);
	if (self->handle)
		drmCloseBufferHandle(self->drm, self->handle);
	if (self->drm >= 0)
		close(self->drm);
	if (self->buf >= 0)
		close(self->buf);
	close(self->ctl);
}

/*
 * contig: the module's own device, not coherent. A range is invalidated at
 * START and cleaned at END, one piece at the range's physical address.
 */
TEST_F(arm64_cache, contig_range_is_invalidated_and_cleaned_exactly)
{
	struct dmabuf_exporter_query q = { 0 };
	const uint64_t off = 5000, len = 70000;
	struct sync_event want;
	int node = dmx_open_node("contig");

	ASSERT_LE(0, node);
	self->buf = dmx_alloc(node, 1 << 20);
	close(node);
	ASSERT_LE(0, self->buf);
	q.fd = (uint32_t)self->buf;
	ASSERT_EQ(0, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	ASSERT_NE(0, q.bus_addr);
	want = (struct sync_event){ .paddr = q.bus_addr + off, .size = len };

	ASSERT_EQ(0, traced_range(self->ctl, self->buf, START_RW, off, len,
				  &self->t));
	EXPECT_TRUE(trace_is(&self->t, true, &want, 1))
		trace_log(_metadata, "START", &self->t);
	ASSERT_EQ(0, traced_range(self->ctl, self->buf, END_RW, off, len,
				  &self->t));
	EXPECT_TRUE(trace_is(&self->t, false, &want, 1))
		trace_log(_metadata, "END", &self->t);
}

/*
 * An importer's mapping (vgem's device is not coherent either; it maps at
 * import on the arm64 kernels, 6.1 and 6.12): its 64 KiB entries are
 * cleaned at the import, which tells where each lies; a range across an
 * entry's end is invalidated at START and cleaned at END in two pieces,
 * exactly the range's bytes of each entry.
 */
TEST_F(arm64_cache, importer_range_is_invalidated_and_cleaned_exactly)
{
	const uint64_t seg = 64 << 10, off = seg - 5536, len = 20000;
	struct sync_event want[2];
	struct trace ref;
	int node;

	if (!dmx_vgem_maps_at_import())
		SKIP(return, "vgem maps no attachment on this kernel (6.16+)");
	self->drm = vgem_open();
	if (self->drm < 0)
		SKIP(return, "no vgem device (modprobe vgem)");
	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	self->buf = dmx_alloc(node, 4 * seg);
	close(node);
	ASSERT_LE(0, self->buf);

	ASSERT_EQ(0, trace_clear());
	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, self->buf, &self->handle));
	ASSERT_EQ(0, trace_read(&ref));
	ASSERT_EQ(4, ref.n) trace_log(_metadata, "import", &ref);
	ASSERT_EQ(seg, ref.ev[0].size);
	ASSERT_EQ(seg, ref.ev[1].size);
	want[0] = (struct sync_event){ .paddr = ref.ev[0].paddr + off,
				       .size = seg - off };
	want[1] = (struct sync_event){ .paddr = ref.ev[1].paddr,
				       .size = len - (seg - off) };

	ASSERT_EQ(0, traced_range(self->ctl, self->buf,
				  DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, off,
				  len, &self->t));
	EXPECT_TRUE(trace_is(&self->t, true, want, 2))
		trace_log(_metadata, "START", &self->t);
	ASSERT_EQ(0, traced_range(self->ctl, self->buf,
				  DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, off,
				  len, &self->t));
	EXPECT_TRUE(trace_is(&self->t, false, want, 2))
		trace_log(_metadata, "END", &self->t);
}
#endif /* __aarch64__ */

/* ---- the measurement ------------------------------------------------------ */

#define BENCH_LEN	(16u << 20)
#define BENCH_RANGE	(64u << 10)

/* Mean microseconds of a START|RW + END|RW pair, whole buffer or range. */
static double time_pairs(int ctl, int buf, bool range, unsigned int iters)
{
	int64_t t0 = now_us();
	unsigned int i;

	for (i = 0; i < iters; i++) {
		size_t off = (size_t)(i % 16) * (BENCH_LEN / 16);

		if (range) {
			if (__sync_range(ctl, buf, START_RW, off, BENCH_RANGE) ||
			    __sync_range(ctl, buf, END_RW, off, BENCH_RANGE))
				return -1;
		} else if (__dmx_sync(buf, START_RW) || __dmx_sync(buf, END_RW)) {
			return -1;
		}
	}
	return (double)(now_us() - t0) / iters;
}

/*
 * 64 KiB of a 16 MiB system buffer the edu device keeps mapped, against the
 * whole buffer: one pair of syncs each. Logged for docs/benchmarks.md, never
 * asserted (timings in a guest are not a test).
 */
TEST(measure_64k_range_against_full_sync_of_16m)
{
	int edu, node, ctl, buf, err;
	double full, part;
	uint32_t h = 0;
	bool bounce;

	DMX_REQUIRE_MODULE();
	edu = edu_open();
	if (edu < 0)
		SKIP(return, "%s: no device keeps the buffer mapped", edu_missing_reason());
	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	buf = dmx_alloc(node, BENCH_LEN);
	ASSERT_LE(0, buf);
	bounce = attach_bounces(edu, buf, &h, &err);
	ASSERT_EQ(0, err);

	/* Warm up, then measure. */
	ASSERT_LE(0, time_pairs(ctl, buf, false, 2));
	full = time_pairs(ctl, buf, false, 10);
	part = time_pairs(ctl, buf, true, 200);
	ASSERT_LE(0, full);
	ASSERT_LE(0, part);
	ksft_print_msg("system, edu's mapping %s: whole 16 MiB START+END %.1f us, 64 KiB range START+END %.1f us: the range costs %.4f of a whole-buffer sync (target, with bouncing: at most 0.02)\n",
		       bounce ? "bounced (swiotlb)" : "not bounced", full, part,
		       part / full);

	EXPECT_EQ(0, __edu_detach(edu, h));
	close(buf);
	close(ctl);
	close(node);
	close(edu);
}

/*
 * The same for a 16 MiB contig buffer and no importer: the kind's own sync
 * for the module's device, which does cache maintenance where that device
 * is not coherent (arm64). Needs a CMA area (Debian's arm64 kernels).
 */
TEST(measure_64k_range_against_full_sync_of_16m_contig)
{
	double full, part;
	int node, ctl, buf;

	DMX_REQUIRE_MODULE();
	node = dmx_open_node("contig");
	ASSERT_LE(0, node);
	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	buf = dmx_alloc(node, BENCH_LEN);
	if (buf == -ENOMEM) {
		close(ctl);
		close(node);
		SKIP(return, "no 16 MiB contig buffer here (no CMA area)");
	}
	ASSERT_LE(0, buf);
	ASSERT_LE(0, time_pairs(ctl, buf, false, 2));
	full = time_pairs(ctl, buf, false, 10);
	part = time_pairs(ctl, buf, true, 200);
	ASSERT_LE(0, full);
	ASSERT_LE(0, part);
	ksft_print_msg("contig, no importer: whole 16 MiB START+END %.1f us, 64 KiB range START+END %.1f us: the range costs %.4f of a whole-buffer sync\n",
		       full, part, part / full);
	close(buf);
	close(ctl);
	close(node);
}

TEST_HARNESS_MAIN
