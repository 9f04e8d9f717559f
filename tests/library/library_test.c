// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdmabuf-helper: what needs no kernel support runs on the host too (pipes,
 * memfds, fdinfo text); the rest runs in the guests against the module, the
 * kernel's dma-heap and udmabuf, and SKIPs where a provider is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"

#define PAGE ((uint64_t)sysconf(_SC_PAGESIZE))

static int have_module(void)
{
	return access(DMABUF_EXPORTER_DEV_SYSTEM, F_OK) == 0;
}

static int have(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Every byte of a mapping of @fd equals @val (under a read sync). */
static int all_bytes(int fd, size_t len, uint8_t val)
{
	uint8_t *m = dmabufx_map(fd, len, PROT_READ);
	size_t i;

	if (!m)
		return 0;
	dmabufx_sync_begin(fd, DMA_BUF_SYNC_READ);
	for (i = 0; i < len && m[i] == val; i++)
		;
	dmabufx_sync_end(fd, DMA_BUF_SYNC_READ);
	dmabufx_unmap(m, len);
	return i == len;
}

/* ---- host and guest: argument checks and what needs no dma-buf ---- */

TEST(node_open_rejects_names_that_leave_the_directory)
{
	static const char *const bad[] = { "", ".", "..", "../null", "a/b" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, dmabufx_node_open(bad[i])) TH_LOG("'%s'", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("'%s'", bad[i]);
	}
	EXPECT_EQ(-1, dmabufx_node_open(NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST(alloc_rejects_bad_provider_length_and_flags_with_einval)
{
	static const char *const bad[] = { "", ".", "..", "a/b", "../system" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, dmabufx_alloc(bad[i], 4096, O_RDWR, NULL, 0))
			TH_LOG("'%s'", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("'%s'", bad[i]);
	}
	EXPECT_EQ(-1, dmabufx_alloc(NULL, 4096, O_RDWR, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_alloc("system", 0, O_RDWR, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_alloc("system", 4096, O_RDWR | O_NONBLOCK, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(alloc_of_a_provider_nobody_has_is_enoent)
{
	char used[DMABUFX_PATH_MAX] = "untouched";

	EXPECT_EQ(-1, dmabufx_alloc("no-such-heap", 4096, O_RDWR, used,
				   sizeof(used)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("", used) TH_LOG("no node refused: none exists");
	EXPECT_EQ(-1, dmabufx_alloc("/nonexistent/heap", 4096, O_RDWR, NULL, 0));
	EXPECT_EQ(ENOENT, errno);
}

TEST(alloc_from_a_path_that_is_not_a_heap_is_enotty)
{
	/* /dev/null opens fine but knows no ioctl: no fallback for paths. */
	EXPECT_EQ(-1, dmabufx_alloc("/dev/null", 4096, O_RDWR, NULL, 0));
	EXPECT_EQ(ENOTTY, errno);
}

TEST(sync_rejects_empty_or_unknown_access)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_sync_begin(fds[0], 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_sync_end(fds[0], 0x4));
	EXPECT_EQ(EINVAL, errno);
	/* A valid request on something that is not a dma-buf: the kernel says. */
	EXPECT_EQ(-1, dmabufx_sync_begin(fds[0], DMA_BUF_SYNC_READ));
	EXPECT_EQ(ENOTTY, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(size_of_a_pipe_is_espipe)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_size(fds[0]));
	EXPECT_EQ(ESPIPE, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(version_matches_the_project)
{
	EXPECT_STREQ(DMABUF_VERSION, dmabufx_version());
}

TEST(memfd_create_is_cloexec_sized_and_sealed_against_shrinking)
{
	int fd = dmabufx_memfd_create("t", 3 * PAGE);
	struct stat st;

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * PAGE, (uint64_t)st.st_size);
	EXPECT_EQ(F_SEAL_SHRINK, fcntl(fd, F_GET_SEALS) & (F_SEAL_SHRINK | F_SEAL_WRITE));
	EXPECT_EQ(-1, ftruncate(fd, (off_t)PAGE));
	EXPECT_EQ(EPERM, errno);
	close(fd);
}

TEST(fdinfo_parse_reads_every_field_of_a_dmabuf)
{
	static const char text[] =
		"pos:\t0\nflags:\t02000002\nmnt_id:\t12\nino:\t4242\n"
		"size:\t8192\ncount:\t3\nexp_name:\tdmabuf_exporter\nname:\tcam 0\n";
	struct dmabufx_fdinfo fi;

	ASSERT_EQ(0, dmabufx_fdinfo_parse(text, &fi, sizeof(fi)));
	EXPECT_EQ(8192, fi.size);
	EXPECT_EQ(4242, fi.inode);
	EXPECT_EQ(02000002, fi.flags);
	EXPECT_EQ(3, fi.count);
	EXPECT_STREQ("dmabuf_exporter", fi.exp_name);
	EXPECT_STREQ("cam 0", fi.name);
}

TEST(fdinfo_parse_of_an_unnamed_buffer_gives_an_empty_name)
{
	struct dmabufx_fdinfo fi;

	ASSERT_EQ(0, dmabufx_fdinfo_parse("size:\t4096\nexp_name:\tsystem\n", &fi, sizeof(fi)));
	EXPECT_STREQ("", fi.name);
	EXPECT_STREQ("system", fi.exp_name);
	EXPECT_EQ(4096, fi.size);
}

TEST(fdinfo_parse_cuts_an_overlong_name_and_keeps_the_nul)
{
	char text[256];
	struct dmabufx_fdinfo fi;

	snprintf(text, sizeof(text), "exp_name:\tx\nname:\t%080d\n", 0);
	ASSERT_EQ(0, dmabufx_fdinfo_parse(text, &fi, sizeof(fi)));
	EXPECT_EQ(sizeof(fi.name) - 1, strlen(fi.name));
}

TEST(fdinfo_parse_of_text_without_exp_name_is_einval)
{
	struct dmabufx_fdinfo fi;

	EXPECT_EQ(-1, dmabufx_fdinfo_parse("pos:\t0\nflags:\t02\nino:\t7\n", &fi, sizeof(fi)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_fdinfo_parse(NULL, &fi, sizeof(fi)));
	EXPECT_EQ(EINVAL, errno);
}

TEST(fdinfo_of_a_pipe_is_einval_and_of_a_closed_fd_ebadf)
{
	struct dmabufx_fdinfo fi;
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_fdinfo(fds[0], &fi, sizeof(fi)));
	EXPECT_EQ(EINVAL, errno);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(-1, dmabufx_fdinfo(fds[0], &fi, sizeof(fi)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, dmabufx_fdinfo(-1, &fi, sizeof(fi)));
	EXPECT_EQ(EBADF, errno);
}

TEST(set_name_rejects_null_and_overlong_names)
{
	char longname[DMA_BUF_NAME_LEN + 1];
	int fds[2];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_set_name(fds[0], NULL));
	EXPECT_EQ(EINVAL, errno);
	longname[DMA_BUF_NAME_LEN] = '\0';	/* 32 characters: one too many */
	EXPECT_EQ(-1, dmabufx_set_name(fds[0], longname));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_set_name(fds[0], "ok"));
	EXPECT_EQ(ENOTTY, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(sync_file_calls_reject_bad_access_and_non_dmabufs)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_export_sync_file(fds[0], 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_import_sync_file(fds[0], 8, fds[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_export_sync_file(fds[0], DMA_BUF_SYNC_READ));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dmabufx_import_sync_file(fds[0], DMA_BUF_SYNC_WRITE, fds[1]));
	EXPECT_EQ(ENOTTY, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(wait_times_out_with_etimedout_and_checks_its_arguments)
{
	int fds[2];

	/* An empty pipe is never readable: stands in for a pending fence. */
	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabufx_wait(fds[0], DMA_BUF_SYNC_READ, 20));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(-1, dmabufx_wait(fds[0], DMA_BUF_SYNC_READ, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
	ASSERT_EQ(1, write(fds[1], "x", 1));
	EXPECT_EQ(0, dmabufx_wait(fds[0], DMA_BUF_SYNC_READ, -1));
	EXPECT_EQ(-1, dmabufx_wait(fds[0], 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_wait(-1, DMA_BUF_SYNC_READ, 0));
	EXPECT_EQ(EBADF, errno);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(-1, dmabufx_wait(fds[0], DMA_BUF_SYNC_READ, 0));
	EXPECT_EQ(EBADF, errno);
}

static void ignore_signal(int sig)
{
	(void)sig;
}

TEST(wait_keeps_its_deadline_across_signals)
{
	/* No SA_RESTART: every tick interrupts poll() with EINTR. */
	struct sigaction sa = { .sa_handler = ignore_signal };
	struct itimerval tick = { { 0, 10000 }, { 0, 10000 } }, off = { 0 };
	struct timespec t0, t1;
	int64_t ms;
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-1, dmabufx_wait(fds[0], DMA_BUF_SYNC_READ, 100));
	EXPECT_EQ(ETIMEDOUT, errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	setitimer(ITIMER_REAL, &off, NULL);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* Not cut short by the signals (an upper bound would be a timing race). */
	EXPECT_LE(99, ms);
	close(fds[0]);
	close(fds[1]);
}

TEST(import_memfd_at_a_missing_node_is_enoent_and_at_a_non_udmabuf_enotty)
{
	int memfd = dmabufx_memfd_create("t", PAGE);

	ASSERT_LE(0, memfd);
	EXPECT_EQ(-1, dmabufx_import_memfd_at("/nonexistent", memfd, 0, PAGE, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, dmabufx_import_memfd_at("/dev/null", memfd, 0, PAGE, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dmabufx_import_memfd_at(NULL, memfd, 0, PAGE, 0));
	EXPECT_EQ(EINVAL, errno);
	close(memfd);
}

/* ---- guests: against the module and the kernel's providers ---- */

TEST(alloc_map_sync_round_trip_through_the_library)
{
	struct dmabuf_exporter_info info;
	uint8_t *map;
	int node, buf, i;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	node = dmabufx_node_open("system");
	ASSERT_LE(0, node);
	ASSERT_EQ(0, dmabufx_exporter_info(node, &info, sizeof(info)));
	EXPECT_EQ(DMABUF_EXPORTER_API_VERSION, info.api_version);

	buf = dmabufx_heap_alloc(node, 5000, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, buf);
	EXPECT_EQ(8192, dmabufx_size(buf));
	map = dmabufx_map(buf, 8192, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, dmabufx_sync_begin(buf, DMA_BUF_SYNC_WRITE));
	for (i = 0; i < 8192; i++)
		map[i] = (uint8_t)i;
	ASSERT_EQ(0, dmabufx_sync_end(buf, DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, dmabufx_sync_begin(buf, DMA_BUF_SYNC_READ));
	for (i = 0; i < 8192; i++)
		if (map[i] != (uint8_t)i)
			break;
	EXPECT_EQ(8192, i);
	ASSERT_EQ(0, dmabufx_sync_end(buf, DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, dmabufx_unmap(map, 8192));
	close(buf);
	close(node);
}

TEST(alloc_errors_come_back_as_errno)
{
	int node;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	node = dmabufx_node_open("system");
	ASSERT_LE(0, node);
	EXPECT_EQ(-1, dmabufx_heap_alloc(node, 0, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_heap_alloc(node, 4096, O_NONBLOCK));
	EXPECT_EQ(EINVAL, errno);
	close(node);
}

TEST(node_open_of_a_missing_kind_is_enoent)
{
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	EXPECT_EQ(-1, dmabufx_node_open("no-such-kind"));
	EXPECT_EQ(ENOENT, errno);
}

TEST(alloc_by_kind_uses_our_node_first)
{
	static const char *const kinds[] = { "system", "system-uncached", "contig" };
	char used[DMABUFX_PATH_MAX], want[DMABUFX_PATH_MAX];
	struct dmabufx_fdinfo fi;
	unsigned int i;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	for (i = 0; i < 3; i++) {
		buf = dmabufx_alloc(kinds[i], 3 * PAGE, O_RDWR | O_CLOEXEC,
				   used, sizeof(used));
		ASSERT_LE(0, buf) TH_LOG("%s: %s", kinds[i], strerror(errno));
		snprintf(want, sizeof(want), "%s/%s", DMABUF_EXPORTER_DEV_DIR, kinds[i]);
		EXPECT_STREQ(want, used);
		EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
		ASSERT_EQ(0, dmabufx_fdinfo(buf, &fi, sizeof(fi)));
		EXPECT_STREQ("dmabuf_exporter", fi.exp_name);
		EXPECT_EQ(3 * PAGE, fi.size);
		close(buf);
	}
}

TEST(alloc_errors_of_our_node_are_not_hidden_by_a_fallback)
{
	struct dmabuf_exporter_info info;
	int node;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	node = dmabufx_node_open("system");
	ASSERT_LE(0, node);
	ASSERT_EQ(0, dmabufx_exporter_info(node, &info, sizeof(info)));
	close(node);
	/* Over the module's limit: ENOMEM, not a buffer from another heap. */
	EXPECT_EQ(-1, dmabufx_alloc("system", info.max_buffer_size + PAGE,
				   O_RDWR, NULL, 0));
	EXPECT_EQ(ENOMEM, errno);
}

TEST(alloc_from_a_dma_heap_path_uses_that_heap)
{
	char used[DMABUFX_PATH_MAX];
	struct dmabufx_fdinfo fi;
	int buf;

	if (!have("/dev/dma_heap/system"))
		SKIP(return, "no /dev/dma_heap/system in this kernel");
	buf = dmabufx_alloc("/dev/dma_heap/system", PAGE, O_RDWR | O_CLOEXEC,
			   used, sizeof(used));
	ASSERT_LE(0, buf);
	EXPECT_STREQ("/dev/dma_heap/system", used);
	ASSERT_EQ(0, dmabufx_fdinfo(buf, &fi, sizeof(fi)));
	EXPECT_STREQ("system", fi.exp_name);
	EXPECT_TRUE(all_bytes(buf, PAGE, 0));
	close(buf);
}

/*
 * Hide directories from this test (a private mount namespace; the harness
 * runs each test in its own process) to walk the fallback order. @keep_ctl
 * bind-mounts our ctl node back into the hidden directory.
 */
static int hide(const char *dir, int keep_ctl)
{
	if (mount("none", "/tmp", "tmpfs", 0, NULL))
		return -1;
	if (keep_ctl && (mkdir("/tmp/orig", 0700) ||
			 mount(dir, "/tmp/orig", NULL, MS_BIND, NULL)))
		return -1;
	if (mount("none", dir, "tmpfs", 0, NULL))
		return -1;
	if (keep_ctl) {
		int fd = open(DMABUF_EXPORTER_DEV_CTL, O_CREAT | O_WRONLY, 0600);

		if (fd < 0)
			return -1;
		close(fd);
		if (mount("/tmp/orig/ctl", DMABUF_EXPORTER_DEV_CTL, NULL,
			  MS_BIND, NULL))
			return -1;
	}
	return 0;
}

static int private_mounts(void)
{
	return unshare(CLONE_NEWNS) ||
	       mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -1 : 0;
}

/* Private mounts need root: run on the host as a user, such tests skip. */
#define SKIP_UNLESS_ROOT() do {						\
	if (geteuid())							\
		SKIP(return, "needs root (a private mount namespace)");	\
} while (0)

TEST(alloc_system_falls_back_to_the_kernel_heap_without_our_nodes)
{
	char used[DMABUFX_PATH_MAX];
	int buf;

	if (!have_module() || !have("/dev/dma_heap/system"))
		SKIP(return, "needs our nodes and /dev/dma_heap/system (6.12)");
	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, private_mounts());
	ASSERT_EQ(0, hide(DMABUF_EXPORTER_DEV_DIR, 0));
	buf = dmabufx_alloc("system", PAGE, O_RDWR | O_CLOEXEC, used, sizeof(used));
	ASSERT_LE(0, buf);
	EXPECT_STREQ("/dev/dma_heap/system", used);
	close(buf);
	/* Only "system" has a stand-in; other kinds are just missing. */
	EXPECT_EQ(-1, dmabufx_alloc("contig", PAGE, O_RDWR, NULL, 0));
	EXPECT_EQ(ENOENT, errno);
}

static void check_udmabuf_fallback(struct __test_metadata *_metadata,
				   const char *want)
{
	char used[DMABUFX_PATH_MAX];
	struct dmabufx_fdinfo fi;
	int buf;

	/* Both nodes implement UDMABUF_CREATE: ENOTTY fails too. */
	buf = dmabufx_alloc("system", 5000, O_RDWR | O_CLOEXEC, used, sizeof(used));
	ASSERT_LE(0, buf) TH_LOG("%s: %s", want, strerror(errno));
	EXPECT_STREQ(want, used);
	EXPECT_EQ(2 * PAGE, (uint64_t)dmabufx_size(buf));
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, dmabufx_fdinfo(buf, &fi, sizeof(fi)));
	EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0));
	close(buf);
}

TEST(alloc_system_falls_back_to_udmabuf_on_our_ctl_node)
{
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, private_mounts());
	ASSERT_EQ(0, hide(DMABUF_EXPORTER_DEV_DIR, 1));
	if (have("/dev/dma_heap"))
		ASSERT_EQ(0, mount("none", "/dev/dma_heap", "tmpfs", 0, NULL));
	check_udmabuf_fallback(_metadata, DMABUF_EXPORTER_DEV_CTL);
}

TEST(alloc_system_falls_back_to_dev_udmabuf_last)
{
	if (!have(DMABUFX_UDMABUF_DEV))
		SKIP(return, "no /dev/udmabuf in this kernel");
	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, private_mounts());
	if (have(DMABUF_EXPORTER_DEV_DIR))
		ASSERT_EQ(0, hide(DMABUF_EXPORTER_DEV_DIR, 0));
	if (have("/dev/dma_heap"))
		ASSERT_EQ(0, mount("none", "/dev/dma_heap", "tmpfs", 0, NULL));
	check_udmabuf_fallback(_metadata, DMABUFX_UDMABUF_DEV);
}

TEST(alloc_with_no_provider_at_all_is_enoent)
{
	SKIP_UNLESS_ROOT();
	ASSERT_EQ(0, private_mounts()) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, mount("none", "/dev", "tmpfs", 0, NULL));
	EXPECT_EQ(-1, dmabufx_alloc("system", PAGE, O_RDWR, NULL, 0));
	EXPECT_EQ(ENOENT, errno);
}

/* Write through the memfd, read through the dma-buf: the same pages. */
static void check_memfd_import(struct __test_metadata *_metadata,
			       const char *dev)
{
	int memfd, buf;
	uint8_t *m;

	memfd = dmabufx_memfd_create("t", 4 * PAGE);
	ASSERT_LE(0, memfd);
	m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 0x5a, 4 * PAGE);
	buf = dev ? dmabufx_import_memfd_at(dev, memfd, PAGE, 2 * PAGE, O_CLOEXEC)
		  : dmabufx_import_memfd(memfd, PAGE, 2 * PAGE, O_CLOEXEC, NULL, 0);
	/* Both nodes implement UDMABUF_CREATE: ENOTTY fails too. */
	ASSERT_LE(0, buf) TH_LOG("%s: %s", dev ? dev : "ctl", strerror(errno));
	EXPECT_EQ(2 * PAGE, (uint64_t)dmabufx_size(buf));
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	close(memfd);	/* the dma-buf keeps the pages */
	EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0x5a));
	/* Unaligned offset: udmabuf's EINVAL comes back unchanged. */
	memfd = dmabufx_memfd_create("t", 4 * PAGE);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(-1, dev ? dmabufx_import_memfd_at(dev, memfd, 1, PAGE, 0)
			  : dmabufx_import_memfd(memfd, 1, PAGE, 0, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	close(memfd);
	munmap(m, 4 * PAGE);
	close(buf);
}

TEST(import_memfd_through_our_ctl_node_shares_the_pages)
{
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	check_memfd_import(_metadata, DMABUF_EXPORTER_DEV_CTL);
}

TEST(import_memfd_through_dev_udmabuf_shares_the_pages)
{
	if (!have(DMABUFX_UDMABUF_DEV))
		SKIP(return, "no /dev/udmabuf in this kernel");
	check_memfd_import(_metadata, DMABUFX_UDMABUF_DEV);
}

TEST(import_memfd_reports_the_node_it_used)
{
	char used[DMABUFX_PATH_MAX] = "";
	int memfd, buf;

	if (!have_module() && !have(DMABUFX_UDMABUF_DEV))
		SKIP(return, "neither our ctl node nor /dev/udmabuf");
	memfd = dmabufx_memfd_create("t", PAGE);
	ASSERT_LE(0, memfd);
	buf = dmabufx_import_memfd(memfd, 0, PAGE, O_CLOEXEC, used, sizeof(used));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(have_module() ? DMABUF_EXPORTER_DEV_CTL : DMABUFX_UDMABUF_DEV,
		     used);
	close(buf);
	close(memfd);
}

TEST(import_user_exports_the_callers_pages)
{
	uint8_t *mem;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0xa5, 2 * PAGE);
	/* Our module always implements IMPORT_USER: ENOTTY fails. */
	buf = dmabufx_import_user(mem, 2 * PAGE, DMABUF_EXPORTER_IMPORT_WRITE,
				 O_RDWR | O_CLOEXEC, "user");
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0xa5));
	munmap(mem, 2 * PAGE);	/* still pinned: the buffer keeps them */
	EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0xa5));
	close(buf);
}

TEST(import_user_of_an_unaligned_address_is_einval)
{
	uint8_t *mem;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	/* EINVAL, not ENOTTY: our module always implements IMPORT_USER. */
	buf = dmabufx_import_user(mem + 1, PAGE, DMABUF_EXPORTER_IMPORT_WRITE,
				 O_RDWR, NULL);
	EXPECT_EQ(-1, buf);
	EXPECT_EQ(EINVAL, errno);
	munmap(mem, 2 * PAGE);
}

TEST(alloc_named_and_set_name_show_in_fdinfo)
{
	struct dmabufx_fdinfo fi;
	struct stat st;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	buf = dmabufx_alloc_named(DMABUF_EXPORTER_KIND_SYSTEM, PAGE,
				 O_RDWR | O_CLOEXEC, "first");
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, dmabufx_fdinfo(buf, &fi, sizeof(fi)));
	EXPECT_STREQ("first", fi.name);
	ASSERT_EQ(0, dmabufx_set_name(buf, "second name"));
	ASSERT_EQ(0, dmabufx_fdinfo_pid(getpid(), buf, &fi, sizeof(fi)));
	EXPECT_STREQ("second name", fi.name);
	EXPECT_STREQ("dmabuf_exporter", fi.exp_name);
	EXPECT_EQ(PAGE, fi.size);
	ASSERT_EQ(0, fstat(buf, &st));
	EXPECT_EQ((uint64_t)st.st_ino, fi.inode);
	EXPECT_EQ(O_RDWR, (int)(fi.flags & O_ACCMODE));
	close(buf);
}

TEST(alloc_named_of_an_unknown_kind_is_einval)
{
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	EXPECT_EQ(-1, dmabufx_alloc_named(DMABUF_EXPORTER_KIND_COUNT, PAGE, O_RDWR, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST(fdinfo_of_another_process_and_of_a_missing_pid)
{
	struct dmabufx_fdinfo fi;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	buf = dmabufx_alloc("system", PAGE, O_RDWR | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, buf);
	/* The parent (the harness) does not have our fd: ENOENT. */
	EXPECT_EQ(-1, dmabufx_fdinfo_pid(getppid(), 1000, &fi, sizeof(fi)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, dmabufx_fdinfo_pid(0x7ffffff0, 0, &fi, sizeof(fi)));
	EXPECT_EQ(ENOENT, errno);
	close(buf);
}

TEST(sync_file_of_an_idle_buffer_is_signalled_and_imports_back)
{
	struct pollfd p;
	int buf, sf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	buf = dmabufx_alloc("system", PAGE, O_RDWR | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, buf);
	sf = dmabufx_export_sync_file(buf, DMA_BUF_SYNC_RW);
	ASSERT_LE(0, sf);
	EXPECT_EQ(FD_CLOEXEC, fcntl(sf, F_GETFD) & FD_CLOEXEC);
	p.fd = sf;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(0, dmabufx_import_sync_file(buf, DMA_BUF_SYNC_WRITE, sf));
	EXPECT_EQ(0, dmabufx_wait(buf, DMA_BUF_SYNC_WRITE, 0));
	EXPECT_EQ(0, dmabufx_wait(buf, DMA_BUF_SYNC_READ, 0));
	/* A sync_file is needed, not any fd. */
	EXPECT_EQ(-1, dmabufx_import_sync_file(buf, DMA_BUF_SYNC_WRITE, buf));
	EXPECT_EQ(EINVAL, errno);
	close(sf);
	close(buf);
}

TEST_HARNESS_MAIN
