// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dmabuf-exporter/ctl: allocation with kind, size and name; queries;
 * module-wide limits; every error with its exact errno.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <xf86drm.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

static int __ctl_alloc(int ctl, struct dmabuf_exporter_alloc *req)
{
	if (ioctl(ctl, DMABUF_EXPORTER_IOCTL_ALLOC, req))
		return -errno;
	return 0;
}

static int ctl_alloc(int ctl, uint32_t kind, uint64_t size, const char *name)
{
	struct dmabuf_exporter_alloc req = {
		.size = size,
		.kind = kind,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.name = (uintptr_t)name,
	};
	int ret = __ctl_alloc(ctl, &req);

	return ret ? ret : (int)req.fd;
}

static int __ctl_query(int ctl, int fd, struct dmabuf_exporter_query *q,
		       char *name, uint32_t name_len)
{
	memset(q, 0, sizeof(*q));
	q->fd = (uint32_t)fd;
	q->name = (uintptr_t)name;
	q->name_len = name_len;
	if (ioctl(ctl, DMABUF_EXPORTER_IOCTL_QUERY, q))
		return -errno;
	return 0;
}

FIXTURE(ctl) {
	int ctl;
	int64_t live;
	int fds;
};

FIXTURE_SETUP(ctl)
{
	DMX_REQUIRE_MODULE();
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl) TH_LOG("open " DMABUF_EXPORTER_DEV_CTL ": %s",
					strerror(errno));
	self->live = dmx_live_buffers(self->ctl);
	ASSERT_LE(0, self->live);
	self->fds = dmx_count_fds();
}

FIXTURE_TEARDOWN(ctl)
{
	EXPECT_EQ(self->live, dmx_live_buffers(self->ctl)) TH_LOG("buffer leaked");
	EXPECT_EQ(self->fds, dmx_count_fds()) TH_LOG("fd leaked");
	close(self->ctl);
}

TEST_F(ctl, alloc_each_kind_and_query_it_back)
{
	static const uint32_t kinds[] = {
		DMABUF_EXPORTER_KIND_SYSTEM,
		DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED,
		DMABUF_EXPORTER_KIND_CONTIG,
	};
	struct dmabuf_exporter_query q;
	unsigned int i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int buf = ctl_alloc(self->ctl, kinds[i], 3 * DMX_PAGE + 1, NULL);

		ASSERT_LE(0, buf) TH_LOG("kind %u", kinds[i]);
		ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
		EXPECT_EQ(kinds[i], q.kind);
		EXPECT_EQ(4 * DMX_PAGE, q.size);
		EXPECT_EQ(0, q.attachments);
		EXPECT_EQ(0, q.mapped_attachments);
		EXPECT_EQ(0, q.mmaps);
		EXPECT_EQ(0, q.vmaps);
		close(buf);
	}
}

TEST_F(ctl, name_is_set_at_alloc_and_shown_in_fdinfo_and_query)
{
	char path[64], line[128], name[DMABUF_EXPORTER_NAME_LEN];
	struct dmabuf_exporter_query q;
	int found = 0;
	FILE *f;
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, "camera-frame-0");
	ASSERT_LE(0, buf);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", buf);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		found |= !strcmp(line, "name:\tcamera-frame-0\n");
	fclose(f);
	EXPECT_TRUE(found);

	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, name, sizeof(name)));
	EXPECT_STREQ("camera-frame-0", name);

	/* Cut to the caller's buffer, always terminated. */
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, name, 7));
	EXPECT_STREQ("camera", name);
	close(buf);
}

TEST_F(ctl, dma_buf_set_name_renames_and_query_sees_it)
{
	char name[DMABUF_EXPORTER_NAME_LEN];
	struct dmabuf_exporter_query q;
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, NULL);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, name, sizeof(name)));
	EXPECT_STREQ("", name);
	ASSERT_EQ(0, ioctl(buf, DMA_BUF_SET_NAME_B, "renamed"));
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, name, sizeof(name)));
	EXPECT_STREQ("renamed", name);
	close(buf);
}

TEST_F(ctl, query_counts_mappings_across_fork)
{
	struct dmabuf_exporter_query q;
	void *a, *b;
	pid_t pid;
	int buf, status;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 2 * DMX_PAGE, NULL);
	ASSERT_LE(0, buf);
	a = mmap(NULL, 2 * DMX_PAGE, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, a);
	b = mmap(NULL, DMX_PAGE, PROT_READ, MAP_SHARED, buf, (off_t)DMX_PAGE);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
	EXPECT_EQ(2, q.mmaps);

	/* The child's copies of both mappings count while it lives. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dmabuf_exporter_query cq;

		_exit(__ctl_query(self->ctl, buf, &cq, NULL, 0) || cq.mmaps != 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child saw the wrong count");

	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
	EXPECT_EQ(2, q.mmaps);
	munmap(b, DMX_PAGE);
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
	EXPECT_EQ(1, q.mmaps);
	munmap(a, 2 * DMX_PAGE);
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
	EXPECT_EQ(0, q.mmaps);
	close(buf);
}

TEST_F(ctl, contig_is_one_physical_segment_with_a_bus_address)
{
	struct dmabuf_exporter_query q;
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_CONTIG, 4 << 20, NULL);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
	EXPECT_EQ(1, q.segments);
	EXPECT_EQ(DMABUF_EXPORTER_QUERY_BUS_ADDR, q.out_flags);
	EXPECT_NE(0, q.bus_addr);
	EXPECT_EQ(0, q.bus_addr % DMX_PAGE);
	close(buf);
}

TEST_F(ctl, system_buffers_report_their_segments)
{
	struct dmabuf_exporter_query q;
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 3 * DMX_PAGE, NULL);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
	EXPECT_LE(1, q.segments);
	EXPECT_GE(3, q.segments);
	close(buf);
}

TEST_F(ctl, bus_address_needs_cap_sys_rawio_and_a_contig_buffer)
{
	struct dmabuf_exporter_query q;
	int sys, contig;

	sys = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, NULL);
	ASSERT_LE(0, sys);
	contig = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_CONTIG, 4096, NULL);
	ASSERT_LE(0, contig);

	ASSERT_EQ(0, __ctl_query(self->ctl, sys, &q, NULL, 0));
	EXPECT_EQ(0, q.out_flags);
	EXPECT_EQ(0, q.bus_addr);

	ASSERT_EQ(0, dmx_drop_cap(CAP_SYS_RAWIO));
	ASSERT_EQ(0, __ctl_query(self->ctl, contig, &q, NULL, 0));
	EXPECT_EQ(0, q.out_flags);
	EXPECT_EQ(0, q.bus_addr);
	EXPECT_EQ(DMABUF_EXPORTER_KIND_CONTIG, q.kind);
	close(sys);
	close(contig);
}

/*
 * Past the page allocator's largest block (2^10 pages on x86-64 and arm64),
 * contig comes from the kernel's CMA area where there is one (Debian's
 * arm64 kernels reserve 64 MiB), and is ENOMEM otherwise (Debian's x86-64
 * kernels have none); past the CMA area it is ENOMEM either way.
 */
TEST_F(ctl, contig_past_the_largest_block_comes_from_cma_or_is_enomem)
{
	long cma_kb = dmx_meminfo("CmaTotal");
	long free_kb = dmx_meminfo("CmaFree");
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_CONTIG,
			(1024 + 1) * DMX_PAGE, NULL);
	if (cma_kb > 0 && free_kb >= 8192) {
		struct dmabuf_exporter_query q;

		TH_LOG("CMA area of %ld KiB", cma_kb);
		EXPECT_LE(0, buf);
		if (buf >= 0) {
			ASSERT_EQ(0, __ctl_query(self->ctl, buf, &q, NULL, 0));
			EXPECT_EQ(1, q.segments);
			close(buf);
		}
		buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_CONTIG,
				cma_kb * 1024 + DMX_PAGE, NULL);
	}
	EXPECT_EQ(-ENOMEM, buf);
	if (buf >= 0)
		close(buf);
	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_CONTIG, 1024 * DMX_PAGE, NULL);
	EXPECT_LE(0, buf) TH_LOG("the largest block should work: %d", buf);
	if (buf >= 0)
		close(buf);
}

TEST_F(ctl, total_limit_is_enforced_and_freed_bytes_count_again)
{
	int a, b;

	ASSERT_EQ(0, dmx_live_buffers(self->ctl)) TH_LOG("needs an idle module");
	ASSERT_EQ(0, dmx_write_param("max_total_mb", 8));
	a = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 6 << 20, NULL);
	b = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4 << 20, NULL);
	EXPECT_LE(0, a);
	EXPECT_EQ(-ENOMEM, b);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	b = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4 << 20, NULL);
	EXPECT_LE(0, b) TH_LOG("bytes of a freed buffer must count again");
	if (b >= 0)
		close(b);
	ASSERT_EQ(0, dmx_write_param("max_total_mb", 0));
}

TEST_F(ctl, buffer_limit_parameter_is_enforced)
{
	int buf;

	ASSERT_EQ(0, dmx_write_param("max_buffer_mb", 1));
	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, (1 << 20) + 1, NULL);
	EXPECT_EQ(-ENOMEM, buf);
	if (buf >= 0)
		close(buf);
	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 1 << 20, NULL);
	EXPECT_LE(0, buf);
	if (buf >= 0)
		close(buf);
	ASSERT_EQ(0, dmx_write_param("max_buffer_mb", 0));
}

TEST_F(ctl, alloc_bad_requests_are_einval)
{
	struct dmabuf_exporter_alloc req;
	char long_name[DMABUF_EXPORTER_NAME_LEN + 1];
	unsigned int i;

	memset(&req, 0, sizeof(req));
	req.size = 0;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("size 0");

	memset(&req, 0, sizeof(req));
	req.size = UINT64_MAX;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("size wraps");

	memset(&req, 0, sizeof(req));
	req.size = 4096;
	req.kind = DMABUF_EXPORTER_KIND_COUNT;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("unknown kind");
	req.kind = UINT32_MAX;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("huge kind");

	memset(&req, 0, sizeof(req));
	req.size = 4096;
	req.flags = 1;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("flags");

	memset(&req, 0, sizeof(req));
	req.size = 4096;
	req.fd = 5;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("input fd");

	memset(&req, 0, sizeof(req));
	req.size = 4096;
	req.fd_flags = O_RDWR | O_NONBLOCK;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("fd_flags");

	for (i = 0; i < sizeof(req.reserved) / sizeof(req.reserved[0]); i++) {
		memset(&req, 0, sizeof(req));
		req.size = 4096;
		req.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("reserved[%u]", i);
	}

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	memset(&req, 0, sizeof(req));
	req.size = 4096;
	req.name = (uintptr_t)long_name;
	EXPECT_EQ(-EINVAL, __ctl_alloc(self->ctl, &req)) TH_LOG("name too long");

	/* The longest name that fits works. */
	long_name[DMABUF_EXPORTER_NAME_LEN - 1] = '\0';
	i = (unsigned int)ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096,
				    long_name);
	EXPECT_LE(0, (int)i);
	if ((int)i >= 0)
		close((int)i);
}

TEST_F(ctl, alloc_unreadable_name_or_argument_is_efault)
{
	struct dmabuf_exporter_alloc req = { .size = 4096, .name = 8 };

	EXPECT_EQ(-EFAULT, __ctl_alloc(self->ctl, &req));
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_ALLOC, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ctl, alloc_struct_sizes_follow_the_extension_rules)
{
	struct {
		struct dmabuf_exporter_alloc req;
		uint64_t future;
	} big;

	memset(&big, 0, sizeof(big));
	big.req.size = 4096;
	big.future = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, _IOC(_IOC_READ | _IOC_WRITE,
		  DMABUF_EXPORTER_IOC_MAGIC, 1, sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);

	big.future = 0;
	ASSERT_EQ(0, ioctl(self->ctl, _IOC(_IOC_READ | _IOC_WRITE,
		  DMABUF_EXPORTER_IOC_MAGIC, 1, sizeof(big)), &big));
	close((int)big.req.fd);

	EXPECT_EQ(-1, ioctl(self->ctl, _IOC(_IOC_READ | _IOC_WRITE,
		  DMABUF_EXPORTER_IOC_MAGIC, 1, sizeof(big.req) - 8), &big));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ctl, query_of_a_closed_fd_is_ebadf)
{
	struct dmabuf_exporter_query q;

	EXPECT_EQ(-EBADF, __ctl_query(self->ctl, 1000, &q, NULL, 0));
	EXPECT_EQ(-EBADF, __ctl_query(self->ctl, -1, &q, NULL, 0));
}

TEST_F(ctl, query_of_something_not_ours_is_einval)
{
	struct dmabuf_exporter_query q;
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-EINVAL, __ctl_query(self->ctl, fds[0], &q, NULL, 0)) TH_LOG("pipe");
	close(fds[0]);
	close(fds[1]);
}

TEST_F(ctl, query_of_another_exporters_dma_buf_is_einval)
{
	struct dmabuf_exporter_query q;
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };
	int drm = vgem_open(), prime = -1;

	if (drm < 0)
		SKIP(return, "no vgem device to export a foreign dma-buf");
	ASSERT_EQ(0, drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	ASSERT_EQ(0, drmPrimeHandleToFD(drm, dumb.handle, DRM_CLOEXEC, &prime));
	EXPECT_EQ(-EINVAL, __ctl_query(self->ctl, prime, &q, NULL, 0));
	close(prime);
	close(drm);
}

TEST_F(ctl, query_nonzero_flags_or_reserved_is_einval)
{
	struct dmabuf_exporter_query q;
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, NULL);
	ASSERT_LE(0, buf);

	memset(&q, 0, sizeof(q));
	q.fd = (uint32_t)buf;
	q.flags = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);

	memset(&q, 0, sizeof(q));
	q.fd = (uint32_t)buf;
	q.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	close(buf);
}

TEST_F(ctl, query_unwritable_name_buffer_is_efault)
{
	struct dmabuf_exporter_query q;
	int buf;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, "x");
	ASSERT_LE(0, buf);
	EXPECT_EQ(-EFAULT, __ctl_query(self->ctl, buf, &q, (char *)8, 16));
	close(buf);
}

TEST_F(ctl, heap_ioctl_on_ctl_and_unknown_ioctls_are_enotty)
{
	struct dma_heap_allocation_data data = { .len = 4096, .fd_flags = O_RDWR };

	EXPECT_EQ(-1, ioctl(self->ctl, DMA_HEAP_IOCTL_ALLOC, &data));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->ctl, _IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x40, __u64), &data));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(ctl, extension_ioctls_on_a_kind_node_are_enotty)
{
	struct dmabuf_exporter_alloc req = { .size = 4096 };
	int node = dmx_open_node("system");

	ASSERT_LE(0, node);
	EXPECT_EQ(-1, ioctl(node, DMABUF_EXPORTER_IOCTL_ALLOC, &req));
	EXPECT_EQ(ENOTTY, errno);
	close(node);
}

/* Pages are charged to the memory cgroup of the process that allocates. */
TEST_F(ctl, pages_are_charged_to_the_allocating_memory_cgroup)
{
	const int64_t len = 16 << 20;
	int64_t before, during, after;
	struct dmx_memcg memcg;
	int buf;

	ASSERT_EQ(0, dmx_memcg_mount(&memcg, "/tmp/dmx-cgroup-XXXXXX"));
	if (dmx_memcg_enable(&memcg))
		SKIP(goto out_umount, "no memory controller");
	ASSERT_EQ(0, dmx_memcg_mkdir(&memcg, "dmx-test"));
	ASSERT_EQ(0, dmx_memcg_enter(&memcg));

	before = dmx_memcg_current(&memcg);
	ASSERT_LE(0, before);
	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, len, NULL);
	ASSERT_LE(0, buf);
	during = dmx_memcg_current(&memcg);
	ASSERT_LE(0, during);
	close(buf);
	after = dmx_memcg_current(&memcg);
	ASSERT_LE(0, after);
	EXPECT_LE(before + len, during) TH_LOG("charged %lld of %lld bytes",
					       (long long)(during - before),
					       (long long)len);
	EXPECT_GT(before + len / 2, after) TH_LOG("not uncharged when freed");

	EXPECT_EQ(0, dmx_memcg_leave(&memcg));
	EXPECT_EQ(0, dmx_memcg_rmdir(&memcg));
out_umount:
	dmx_memcg_umount(&memcg);
}

TEST_F(ctl, debugfs_lists_live_buffers_with_kind_and_name)
{
	char line[256];
	int found = 0, buf;
	FILE *f;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_CONTIG, 8192, "listed-buffer");
	ASSERT_LE(0, buf);
	f = fopen("/sys/kernel/debug/dmabuf_exporter/buffers", "re");
	if (!f) {
		close(buf);
		SKIP(return, "debugfs is not mounted");
	}
	while (fgets(line, sizeof(line), f))
		found += strstr(line, " contig 8192 0 0 0 0 listed-buffer\n") != NULL;
	fclose(f);
	EXPECT_EQ(1, found);

	/* The kernel's own list of every dma-buf shows exporter and name. */
	found = 0;
	f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		found += strstr(line, "dmabuf_exporter") && strstr(line, "listed-buffer");
	fclose(f);
	EXPECT_EQ(1, found);
	close(buf);
}

/*
 * The listing reads buffers that are being released: the core drops a
 * dma-buf's inode before the exporter's release, so the listing shows the
 * inode number kept at export (the same as fstat's), never the file's
 * inode. A child allocates and frees while the listing is read over and
 * over; KASAN on the debug kernels watches every read.
 */
TEST_F_TIMEOUT(ctl, debugfs_listing_keeps_up_with_buffers_being_released, 120)
{
	unsigned long reads = 0;
	char line[256];
	struct stat st;
	int found = 0, buf, status;
	pid_t child;
	FILE *f;

	buf = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, "inode-check");
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, fstat(buf, &st));
	f = fopen("/sys/kernel/debug/dmabuf_exporter/buffers", "re");
	if (!f) {
		close(buf);
		SKIP(return, "debugfs is not mounted");
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ino;
		char name[64];

		if (sscanf(line, "%llu system 4096 %*u %*u %*d %*u %63s", &ino, name) == 2 &&
		    !strcmp(name, "inode-check"))
			found += ino == (unsigned long long)st.st_ino;
	}
	fclose(f);
	EXPECT_EQ(1, found) TH_LOG("the listed inode is fstat's st_ino");
	close(buf);

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		time_t end = time(NULL) + 2;

		while (time(NULL) < end) {
			int b = ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM, 4096, "churn");

			if (b >= 0)
				close(b);
		}
		_exit(0);
	}
	do {
		f = fopen("/sys/kernel/debug/dmabuf_exporter/buffers", "re");
		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f))
			;
		fclose(f);
		reads++;
	} while (waitpid(child, &status, WNOHANG) == 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_LT(0, reads);
}

/* A fatal signal in the middle of a large allocation leaves nothing behind. */
TEST_F_TIMEOUT(ctl, killed_during_a_large_allocation_leaks_nothing, 120)
{
	struct dmabuf_exporter_info info;
	int status;
	pid_t pid;

	ASSERT_EQ(0, __dmx_info(self->ctl, &info));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (;;)
			ctl_alloc(self->ctl, DMABUF_EXPORTER_KIND_SYSTEM,
				  info.max_buffer_size / 2, NULL);
	}
	usleep(300 * 1000);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	/* The teardown checks the module holds what it held before. */
}

TEST_HARNESS_MAIN
