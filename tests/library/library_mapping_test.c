// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdmabuf-helper's mapping objects (begin/end in pairs, close, the
 * cleanup attribute) and its wrappers of the ctl node's QUERY, COUNTERS
 * and INJECT. Argument checks and memfd mappings run on the host too; the
 * rest needs the module and SKIPs without it. The sync pairs are proved
 * with the module's begin_cpu_access / end_cpu_access counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"

#define PAGE ((size_t)sysconf(_SC_PAGESIZE))
#define TEST_EXPORTER "/sys/module/dmabuf_exporter/parameters/test_exporter"

static int have_module(void)
{
	return access(DMABUF_EXPORTER_DEV_CTL, F_OK) == 0;
}

/* Open fds of this process. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* begin_cpu_access and end_cpu_access of our buffer @buf, or -1s. */
static void cpu_access(int buf, int64_t *begins, int64_t *ends)
{
	struct dmabuf_exporter_counters c = { 0 };

	*begins = *ends = -1;
	if (dmabufx_counters(-1, buf, &c, sizeof(c)) == 0) {
		*begins = (int64_t)c.begin_cpu_access;
		*ends = (int64_t)c.end_cpu_access;
	}
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* ---- host and guest ---- */

TEST(mapping_open_checks_access_fd_and_length)
{
	int fds[2];

	EXPECT_EQ(NULL, dmabufx_mapping_open(0, PAGE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, dmabufx_mapping_open(0, PAGE, DMA_BUF_SYNC_RW | 0x4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, dmabufx_mapping_open(-1, PAGE, DMA_BUF_SYNC_READ));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, pipe(fds));
	/* No size to map by default, and nothing mappable. */
	EXPECT_EQ(NULL, dmabufx_mapping_open(fds[0], 0, DMA_BUF_SYNC_READ));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(NULL, dmabufx_mapping_open(fds[0], PAGE, DMA_BUF_SYNC_READ));
	EXPECT_EQ(ENODEV, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(mapping_open_that_fails_leaves_no_fd_behind)
{
	int before, fds[2], memfd;

	ASSERT_EQ(0, pipe(fds));
	memfd = dmabufx_memfd_create("t", 0);
	ASSERT_LE(0, memfd);
	before = count_fds();
	EXPECT_EQ(NULL, dmabufx_mapping_open(fds[0], PAGE, DMA_BUF_SYNC_RW));
	EXPECT_EQ(NULL, dmabufx_mapping_open(memfd, 0, DMA_BUF_SYNC_RW));
	EXPECT_EQ(EINVAL, errno) TH_LOG("an empty file");
	EXPECT_EQ(before, count_fds());
	close(memfd);
	close(fds[0]);
	close(fds[1]);
}

TEST(mapping_keeps_its_own_fd_and_answers_its_accessors)
{
	struct dmabufx_mapping *m;
	int memfd, fd;
	char c = 0;

	memfd = dmabufx_memfd_create("t", 2 * PAGE);
	ASSERT_LE(0, memfd);
	m = dmabufx_mapping_open(memfd, 0, DMA_BUF_SYNC_RW);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(2 * PAGE, dmabufx_mapping_len(m));
	EXPECT_EQ(DMA_BUF_SYNC_RW, dmabufx_mapping_access(m));
	fd = dmabufx_mapping_fd(m);
	EXPECT_NE(memfd, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* The caller's fd may go: the mapping keeps the buffer and its fd. */
	close(memfd);
	ASSERT_NE(NULL, dmabufx_mapping_addr(m));
	((char *)dmabufx_mapping_addr(m))[PAGE] = 'x';
	EXPECT_EQ(1, pread(fd, &c, 1, (off_t)PAGE));
	EXPECT_EQ('x', c);
	EXPECT_EQ(0, dmabufx_mapping_close(m));
	EXPECT_FALSE(fd_is_open(fd));
}

/* The permissions of the mapping at @addr in /proc/self/maps ("rw-s"). */
static int maps_perms(const void *addr, char perms[5])
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		snprintf(perms, 5, "%s", line + strcspn(line, " ") + 1);
		found = 1;
	}
	fclose(f);
	return found;
}

TEST(mapping_protection_follows_the_access)
{
	static const struct {
		unsigned int access;
		const char *perms;
	} cases[] = {
		{ DMA_BUF_SYNC_READ, "r--s" },
		{ DMA_BUF_SYNC_WRITE, "-w-s" },
		{ DMA_BUF_SYNC_RW, "rw-s" },
	};
	struct dmabufx_mapping *m;
	char perms[5];
	unsigned int i;
	int memfd;

	memfd = dmabufx_memfd_create("t", PAGE);
	ASSERT_LE(0, memfd);
	for (i = 0; i < 3; i++) {
		m = dmabufx_mapping_open(memfd, PAGE, cases[i].access);
		ASSERT_NE(NULL, m);
		ASSERT_TRUE(maps_perms(dmabufx_mapping_addr(m), perms));
		EXPECT_STREQ(cases[i].perms, perms);
		EXPECT_EQ(0, dmabufx_mapping_close(m));
	}
	close(memfd);
}

TEST(mapping_begin_refused_by_the_kernel_leaves_access_off)
{
	struct dmabufx_mapping *m;
	int memfd;

	/* A memfd maps, but knows no DMA_BUF_IOCTL_SYNC. */
	memfd = dmabufx_memfd_create("t", PAGE);
	ASSERT_LE(0, memfd);
	m = dmabufx_mapping_open(memfd, PAGE, DMA_BUF_SYNC_RW);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(-1, dmabufx_mapping_begin(m));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dmabufx_mapping_end(m));
	EXPECT_EQ(EINVAL, errno) TH_LOG("nothing began");
	EXPECT_EQ(0, dmabufx_mapping_close(m));
	close(memfd);
}

TEST(mapping_calls_on_null)
{
	EXPECT_EQ(NULL, dmabufx_mapping_addr(NULL));
	EXPECT_EQ(0, dmabufx_mapping_len(NULL));
	EXPECT_EQ(-1, dmabufx_mapping_fd(NULL));
	EXPECT_EQ(0, dmabufx_mapping_access(NULL));
	EXPECT_EQ(-1, dmabufx_mapping_begin(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_mapping_end(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, dmabufx_mapping_close(NULL));
	dmabufx_mapping_closep(NULL);
}

static int auto_scope(int memfd, int *fd)
{
	DMABUFX_MAPPING_AUTO struct dmabufx_mapping *m =
		dmabufx_mapping_open(memfd, 0, DMA_BUF_SYNC_RW);

	if (!m)
		return -1;
	*fd = dmabufx_mapping_fd(m);
	/* An error path: errno must survive the cleanup. */
	errno = EPIPE;
	return -1;
}

TEST(mapping_auto_closes_at_scope_exit_and_keeps_errno)
{
	int memfd, fd = -1;

	memfd = dmabufx_memfd_create("t", PAGE);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(-1, auto_scope(memfd, &fd));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_LE(0, fd);
	EXPECT_FALSE(fd_is_open(fd)) TH_LOG("the mapping's fd is closed");
	close(memfd);
}

TEST(mapping_closep_sets_the_pointer_to_null)
{
	struct dmabufx_mapping *m;
	int memfd;

	memfd = dmabufx_memfd_create("t", PAGE);
	ASSERT_LE(0, memfd);
	m = dmabufx_mapping_open(memfd, 0, DMA_BUF_SYNC_READ);
	ASSERT_NE(NULL, m);
	errno = ERANGE;
	dmabufx_mapping_closep(&m);
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(ERANGE, errno);
	dmabufx_mapping_closep(&m);	/* NULL: nothing */
	close(memfd);
}

TEST(ctl_wrappers_check_their_arguments)
{
	struct dmabuf_exporter_query q = { 0 };
	struct dmabuf_exporter_counters c = { 0 };
	struct dmabuf_exporter_inject i = { 0 };
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_query(fds[0], fds[0], NULL, sizeof(q)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_query(fds[0], fds[0], &q, DMABUFX_QUERY_SIZE_VER0 - 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_counters(fds[0], fds[0], &c, 1 << 14));
	EXPECT_EQ(EINVAL, errno) TH_LOG("too large for an ioctl");
	EXPECT_EQ(-1, dmabufx_counters(fds[0], fds[0], &c, DMABUFX_COUNTERS_SIZE_VER0 - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_inject(fds[0], fds[0], &i, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_query(fds[0], -1, &q, sizeof(q)));
	EXPECT_EQ(EBADF, errno);
	/* A node that is not our ctl node does not know the ioctls. */
	EXPECT_EQ(-1, dmabufx_query(fds[0], fds[0], &q, sizeof(q)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dmabufx_counters(fds[0], fds[0], &c, sizeof(c)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dmabufx_inject(fds[0], fds[0], &i, sizeof(i)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(fds[0], (int)q.fd) TH_LOG("fd is the one member written");
	close(fds[0]);
	close(fds[1]);
}

TEST(ctl_wrappers_without_the_module_are_enoent)
{
	struct dmabuf_exporter_query q = { 0 };

	if (have_module())
		SKIP(return, "the module is loaded");
	EXPECT_EQ(-1, dmabufx_query(-1, 0, &q, sizeof(q)));
	EXPECT_EQ(ENOENT, errno);
}

/* ---- guests: our buffers ---- */

FIXTURE(buf) {
	int buf;
	int ctl;
};

FIXTURE_SETUP(buf)
{
	self->buf = self->ctl = -1;
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	self->ctl = dmabufx_node_open("ctl");
	ASSERT_LE(0, self->ctl);
	self->buf = dmabufx_alloc_named(DMABUF_EXPORTER_KIND_SYSTEM, 3 * PAGE,
					O_RDWR | O_CLOEXEC, "mapping test");
	ASSERT_LE(0, self->buf);
}

FIXTURE_TEARDOWN(buf)
{
	if (self->buf >= 0)
		close(self->buf);
	if (self->ctl >= 0)
		close(self->ctl);
}

TEST_F(buf, mapping_begins_and_ends_in_pairs)
{
	struct dmabufx_mapping *m;
	int64_t b0, e0, b, e;
	uint8_t *p;
	size_t i;

	cpu_access(self->buf, &b0, &e0);
	ASSERT_LE(0, b0);
	m = dmabufx_mapping_open(self->buf, 0, DMA_BUF_SYNC_RW);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(3 * PAGE, dmabufx_mapping_len(m));
	p = dmabufx_mapping_addr(m);

	ASSERT_EQ(0, dmabufx_mapping_begin(m));
	EXPECT_EQ(-1, dmabufx_mapping_begin(m));
	EXPECT_EQ(EALREADY, errno) TH_LOG("a second begin");
	for (i = 0; i < 3 * PAGE; i++)
		p[i] = (uint8_t)i;
	ASSERT_EQ(0, dmabufx_mapping_end(m));
	EXPECT_EQ(-1, dmabufx_mapping_end(m));
	EXPECT_EQ(EINVAL, errno) TH_LOG("an end without a begin");

	/* One pair reached the exporter: the refused calls never did. */
	cpu_access(self->buf, &b, &e);
	EXPECT_EQ(b0 + 1, b);
	EXPECT_EQ(e0 + 1, e);

	ASSERT_EQ(0, dmabufx_mapping_begin(m));
	for (i = 0; i < 3 * PAGE && p[i] == (uint8_t)i; i++)
		;
	EXPECT_EQ(3 * PAGE, i);
	ASSERT_EQ(0, dmabufx_mapping_end(m));
	EXPECT_EQ(0, dmabufx_mapping_close(m));
	cpu_access(self->buf, &b, &e);
	EXPECT_EQ(b0 + 2, b);
	EXPECT_EQ(e0 + 2, e);
}

TEST_F(buf, mapping_closed_inside_cpu_access_ends_it_first)
{
	struct dmabufx_mapping *m;
	int64_t b0, e0, b, e;

	cpu_access(self->buf, &b0, &e0);
	m = dmabufx_mapping_open(self->buf, PAGE, DMA_BUF_SYNC_WRITE);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, dmabufx_mapping_begin(m));
	EXPECT_EQ(0, dmabufx_mapping_close(m));
	cpu_access(self->buf, &b, &e);
	EXPECT_EQ(b0 + 1, b);
	EXPECT_EQ(e0 + 1, e) TH_LOG("close ended the access");
}

static int64_t auto_begin(int buf)
{
	DMABUFX_MAPPING_AUTO struct dmabufx_mapping *m =
		dmabufx_mapping_open(buf, 0, DMA_BUF_SYNC_READ);

	if (!m || dmabufx_mapping_begin(m))
		return -1;
	/* Returning inside CPU access: the cleanup ends it. */
	return (int64_t)dmabufx_mapping_len(m);
}

TEST_F(buf, mapping_auto_ends_and_unmaps_on_every_return)
{
	struct dmabuf_exporter_query q = { 0 };
	int64_t b0, e0, b, e;

	cpu_access(self->buf, &b0, &e0);
	EXPECT_EQ((int64_t)(3 * PAGE), auto_begin(self->buf));
	cpu_access(self->buf, &b, &e);
	EXPECT_EQ(b0 + 1, b);
	EXPECT_EQ(e0 + 1, e);
	ASSERT_EQ(0, dmabufx_query(self->ctl, self->buf, &q, sizeof(q)));
	EXPECT_EQ(0, q.mmaps) TH_LOG("unmapped");
}

TEST_F(buf, mapping_of_a_read_only_fd_for_writing_is_eacces)
{
	struct dmabufx_mapping *m;
	int ro;

	ro = dmabufx_alloc("system", PAGE, O_RDONLY | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(NULL, dmabufx_mapping_open(ro, 0, DMA_BUF_SYNC_WRITE));
	EXPECT_EQ(EACCES, errno);
	m = dmabufx_mapping_open(ro, 0, DMA_BUF_SYNC_READ);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0, dmabufx_mapping_begin(m));
	EXPECT_EQ(0, dmabufx_mapping_close(m));
	close(ro);
}

TEST_F(buf, mapping_past_the_end_of_the_buffer_is_einval)
{
	EXPECT_EQ(NULL, dmabufx_mapping_open(self->buf, 4 * PAGE, DMA_BUF_SYNC_RW));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(buf, query_reads_kind_size_name_and_mappings)
{
	struct dmabuf_exporter_query q = { 0 };
	struct dmabufx_mapping *m;
	char name[DMABUF_EXPORTER_NAME_LEN] = "x";

	q.name = (uintptr_t)name;
	q.name_len = sizeof(name);
	ASSERT_EQ(0, dmabufx_query(self->ctl, self->buf, &q, sizeof(q)));
	EXPECT_EQ(self->buf, (int)q.fd);
	EXPECT_EQ(DMABUF_EXPORTER_KIND_SYSTEM, q.kind);
	EXPECT_EQ(3 * PAGE, q.size);
	EXPECT_STREQ("mapping test", name);
	EXPECT_EQ(0, q.mmaps);

	m = dmabufx_mapping_open(self->buf, 0, DMA_BUF_SYNC_RW);
	ASSERT_NE(NULL, m);
	/* -1: the ctl node opened for the call. */
	memset(&q, 0, sizeof(q));
	ASSERT_EQ(0, dmabufx_query(-1, self->buf, &q, sizeof(q)));
	EXPECT_EQ(1, q.mmaps);
	EXPECT_EQ(0, dmabufx_mapping_close(m));
}

TEST_F(buf, query_and_counters_take_the_callers_size)
{
	/* A program built against a longer struct: its tail stays zero. */
	struct {
		struct dmabuf_exporter_query q;
		uint64_t newer[4];
		uint64_t guard;
	} big;
	struct {
		struct dmabuf_exporter_counters c;
		uint64_t newer[2];
	} bigc;

	memset(&big, 0, sizeof(big));
	big.guard = 0x5a5a5a5a5a5a5a5aULL;
	ASSERT_EQ(0, dmabufx_query(self->ctl, self->buf, &big.q,
				   offsetof(typeof(big), guard)));
	EXPECT_EQ(3 * PAGE, big.q.size);
	EXPECT_EQ(0, big.newer[0]);
	EXPECT_EQ(0, big.newer[3]);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, big.guard) TH_LOG("written past the size");
	/* ... and members this module does not know must stay zero. */
	big.newer[1] = 1;
	EXPECT_EQ(-1, dmabufx_query(self->ctl, self->buf, &big.q,
				    offsetof(typeof(big), guard)));
	EXPECT_EQ(E2BIG, errno);

	memset(&bigc, 0, sizeof(bigc));
	ASSERT_EQ(0, dmabufx_counters(self->ctl, self->buf, &bigc.c, sizeof(bigc)));
	EXPECT_EQ(0, bigc.newer[1]);
	/* The first version, exactly. */
	ASSERT_EQ(0, dmabufx_counters(self->ctl, self->buf, &bigc.c,
				      DMABUFX_COUNTERS_SIZE_VER0));
}

TEST_F(buf, query_and_counters_errors)
{
	struct dmabuf_exporter_query q = { 0 };
	struct dmabuf_exporter_counters c = { 0 };
	int node, fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_query(self->ctl, fds[0], &q, sizeof(q)));
	EXPECT_EQ(EINVAL, errno) TH_LOG("not a dma-buf");
	EXPECT_EQ(-1, dmabufx_counters(self->ctl, fds[0], &c, sizeof(c)));
	EXPECT_EQ(EINVAL, errno);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(-1, dmabufx_query(self->ctl, fds[0], &q, sizeof(q)));
	EXPECT_EQ(EBADF, errno) TH_LOG("closed");
	memset(&q, 0, sizeof(q));
	q.flags = 1;
	EXPECT_EQ(-1, dmabufx_query(self->ctl, self->buf, &q, sizeof(q)));
	EXPECT_EQ(EINVAL, errno) TH_LOG("flags");
	/* A kind node is not the ctl node. */
	node = dmabufx_node_open("system");
	ASSERT_LE(0, node);
	memset(&q, 0, sizeof(q));
	EXPECT_EQ(-1, dmabufx_query(node, self->buf, &q, sizeof(q)));
	EXPECT_EQ(ENOTTY, errno);
	close(node);
}

TEST_F(buf, inject_makes_the_mapping_fail_in_test_mode_only)
{
	struct dmabuf_exporter_inject i = {
		.op = DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS, .count = 1, .error = EIO,
	};
	struct dmabuf_exporter_counters c = { 0 };
	struct dmabufx_mapping *m;

	ASSERT_EQ(0, write_file(TEST_EXPORTER, "0\n"));
	EXPECT_EQ(-1, dmabufx_inject(self->ctl, self->buf, &i, sizeof(i)));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, write_file(TEST_EXPORTER, "1\n"));
	ASSERT_EQ(0, dmabufx_inject(-1, self->buf, &i, sizeof(i)));

	m = dmabufx_mapping_open(self->buf, 0, DMA_BUF_SYNC_RW);
	ASSERT_NE(NULL, m);
	/* The exporter refuses the begin: the mapping stays outside access. */
	EXPECT_EQ(-1, dmabufx_mapping_begin(m));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, dmabufx_mapping_end(m));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, dmabufx_mapping_begin(m)) TH_LOG("only once");
	EXPECT_EQ(0, dmabufx_mapping_close(m));

	i.op = DMABUF_EXPORTER_OP_MMAP;
	i.error = ENOSPC;
	ASSERT_EQ(0, dmabufx_inject(self->ctl, self->buf, &i, sizeof(i)));
	EXPECT_EQ(NULL, dmabufx_mapping_open(self->buf, 0, DMA_BUF_SYNC_RW));
	EXPECT_EQ(ENOSPC, errno);
	i.error = 600;
	EXPECT_EQ(-1, dmabufx_inject(self->ctl, self->buf, &i, sizeof(i)));
	EXPECT_EQ(EINVAL, errno) TH_LOG("not an errno");
	ASSERT_EQ(0, dmabufx_counters(self->ctl, self->buf, &c, sizeof(c)));
	EXPECT_EQ(2, c.failed);
	EXPECT_EQ(0, write_file(TEST_EXPORTER, "0\n"));
}

TEST_HARNESS_MAIN
