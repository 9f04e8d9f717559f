// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdmabuf-helper's allocation with options (dmabufx_alloc2()) and by
 * property (dmabufx_alloc_props()): the dma-heap names of
 * packaging/dma-heap/names, naming at allocation for every provider, and the
 * node reported when one refuses. Argument checks and "/dev/null as a heap"
 * run on the host too. Orders of providers are checked on a /dev of the
 * test's own (a private mount namespace), holding exactly the nodes a case
 * needs, bound from the real ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"

#define PAGE ((uint64_t)sysconf(_SC_PAGESIZE))
#define OURS(kind) DMABUF_EXPORTER_DEV_DIR "/" kind
#define HEAP(name) "/dev/dma_heap/" name

static int have(const char *path)
{
	return access(path, F_OK) == 0;
}

static int have_module(void)
{
	return have(DMABUF_EXPORTER_DEV_CTL);
}

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
	return n - 1;
}

/* The kind of our buffer @buf (DMABUF_EXPORTER_IOCTL_QUERY), or -1. */
static int kind_of(int buf)
{
	struct dmabuf_exporter_query q = { 0 };

	return dmabufx_query(-1, buf, &q, sizeof(q)) ? -1 : (int)q.kind;
}

static int64_t live_buffers(void)
{
	struct dmabuf_exporter_info info;
	int ctl = dmabufx_node_open("ctl");
	int ret;

	if (ctl < 0)
		return -1;
	ret = dmabufx_exporter_info(ctl, &info, sizeof(info));
	close(ctl);
	return ret ? -1 : (int64_t)info.live_buffers;
}

/*
 * Give this test process a /dev of its own holding only the nodes of
 * @binds, "NEW=OLD" paths relative to /dev (the node /dev/OLD appears as
 * /dev/NEW), NULL-terminated. The harness runs each test in a process of
 * its own, so the real /dev is untouched.
 */
static int own_dev(const char *const *binds)
{
	char from[256], to[256];
	const char *eq;
	int fd;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("none", "/tmp", "tmpfs", 0, NULL) ||
	    mkdir("/tmp/dev", 0755) ||
	    mount("/dev", "/tmp/dev", NULL, MS_BIND, NULL) ||
	    mount("none", "/dev", "tmpfs", 0, NULL) ||
	    mkdir("/dev/dmabuf-exporter", 0755) || mkdir("/dev/dma_heap", 0755))
		return -1;
	for (; *binds; binds++) {
		eq = strchr(*binds, '=');
		if (!eq)
			return -1;
		snprintf(to, sizeof(to), "/dev/%.*s", (int)(eq - *binds), *binds);
		snprintf(from, sizeof(from), "/tmp/dev/%s", eq + 1);
		fd = open(to, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
		if (mount(from, to, NULL, MS_BIND, NULL))
			return -1;
	}
	return 0;
}

/* Make every ioctl @cmd of this process fail with @err (seccomp). */
static int fail_ioctl(unsigned long cmd, int err)
{
	const unsigned int cmd_off = offsetof(struct seccomp_data, args[1]) +
		(__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, cmd_off),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)cmd, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int fail_set_name(int err)
{
	return fail_ioctl(DMA_BUF_SET_NAME_B, err);
}

/*
 * EAGAIN from a non-blocking fd (a V4L2 DQBUF with nothing done, say) means
 * "not now": dmabufx_ioctl() returns it instead of spinning (the harness's
 * timeout fails a spin).
 */
TEST(ioctl_returns_eagain_to_the_caller_instead_of_retrying)
{
	int fds[2], n = 0;

	ASSERT_EQ(0, pipe2(fds, O_CLOEXEC | O_NONBLOCK));
	if (fail_ioctl(FIONREAD, EAGAIN)) {
		/* Our debug kernels are built without CONFIG_SECCOMP. */
		ASSERT_EQ(ENOSYS, errno) TH_LOG("seccomp: %s", strerror(errno));
		SKIP(return, "kernel without seccomp filters (CONFIG_SECCOMP)");
	}
	errno = 0;
	EXPECT_EQ(-1, dmabufx_ioctl(fds[0], FIONREAD, &n));
	EXPECT_EQ(EAGAIN, errno);
	close(fds[0]);
	close(fds[1]);
}

/* ---- host and guest: arguments, and nodes that refuse ---- */

TEST(alloc2_checks_its_options)
{
	char node[DMABUFX_PATH_MAX] = "untouched", name[DMA_BUF_NAME_LEN + 1];
	struct dmabufx_alloc_opts opts = { .node = node, .node_len = sizeof(node) };
	struct {
		struct dmabufx_alloc_opts o;
		uint64_t newer;
	} big = { .o = opts };

	EXPECT_EQ(-1, dmabufx_alloc2("/dev/null", PAGE, O_RDWR, &opts,
				     DMABUFX_ALLOC_OPTS_SIZE_VER0 - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_alloc2("/dev/null", PAGE, O_RDWR, &opts, 4097));
	EXPECT_EQ(E2BIG, errno);
	/* A newer program's option this library lacks must not be ignored. */
	big.newer = 1;
	EXPECT_EQ(-1, dmabufx_alloc2("/dev/null", PAGE, O_RDWR, &big.o, sizeof(big)));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_STREQ("untouched", node);
	/* Unset, it is fine: the call goes on to the node, which refuses. */
	big.newer = 0;
	EXPECT_EQ(-1, dmabufx_alloc2("/dev/null", PAGE, O_RDWR, &big.o, sizeof(big)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_STREQ("/dev/null", node);

	memset(name, 'n', DMA_BUF_NAME_LEN);
	name[DMA_BUF_NAME_LEN] = '\0';
	opts.name = name;
	EXPECT_EQ(-1, dmabufx_alloc2("system", PAGE, O_RDWR, &opts, sizeof(opts)));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a name of 32 characters");
	EXPECT_STREQ("", node) TH_LOG("no node refused");
	opts.name = NULL;
	EXPECT_EQ(-1, dmabufx_alloc2(NULL, PAGE, O_RDWR, &opts, sizeof(opts)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_alloc2("system", 0, O_RDWR, &opts, sizeof(opts)));
	EXPECT_EQ(EINVAL, errno) TH_LOG("zero length: refused before any node");
	EXPECT_STREQ("", node);
	EXPECT_EQ(-1, dmabufx_alloc2("a/b", PAGE, O_RDWR, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(alloc_reports_the_node_that_refused)
{
	char used[DMABUFX_PATH_MAX] = "untouched";
	char small[5];

	/* A node that exists but is no heap: its ENOTTY, and its path. */
	EXPECT_EQ(-1, dmabufx_alloc("/dev/null", PAGE, O_RDWR, used, sizeof(used)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_STREQ("/dev/null", used);
	EXPECT_EQ(-1, dmabufx_alloc("/dev/null", PAGE, O_RDWR, small, sizeof(small)));
	EXPECT_STREQ("/dev", small) TH_LOG("cut to the buffer");
	/* A path that does not exist is the node whose ENOENT this is. */
	EXPECT_EQ(-1, dmabufx_alloc("/nonexistent/heap", PAGE, O_RDWR, used,
				    sizeof(used)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("/nonexistent/heap", used);
	/* A name nobody provides: no node answered at all. */
	EXPECT_EQ(-1, dmabufx_alloc("no-such-heap", PAGE, O_RDWR, used, sizeof(used)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("", used);
}

TEST(alloc_props_rejects_unknown_and_impossible_properties)
{
	static const unsigned int bad[] = {
		0x8, DMABUFX_MEM_CACHED | 0x100,
		DMABUFX_MEM_CACHED | DMABUFX_MEM_WRITECOMBINE,
		DMABUFX_MEM_CONTIG | DMABUFX_MEM_WRITECOMBINE,
		DMABUFX_MEM_CACHED | DMABUFX_MEM_WRITECOMBINE | DMABUFX_MEM_CONTIG,
	};
	char node[DMABUFX_PATH_MAX] = "untouched";
	struct dmabufx_alloc_opts opts = { .node = node, .node_len = sizeof(node) };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, dmabufx_alloc_props(bad[i], PAGE, O_RDWR, &opts,
						  sizeof(opts))) TH_LOG("%#x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%#x", bad[i]);
		EXPECT_STREQ("", node);
	}
	EXPECT_EQ(-1, dmabufx_alloc_props(DMABUFX_MEM_CACHED, 0, O_RDWR, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabufx_alloc_props(0, PAGE, O_RDWR | O_APPEND, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(alloc_with_no_provider_of_any_kind_is_enoent)
{
	static const char *const none[] = { NULL };
	static const unsigned int props[] = {
		0, DMABUFX_MEM_CACHED, DMABUFX_MEM_WRITECOMBINE, DMABUFX_MEM_CONTIG,
		DMABUFX_MEM_CONTIG | DMABUFX_MEM_CACHED,
	};
	static const char *const names[] = {
		"system", "system-uncached", "contig", "linux,cma", "reserved",
		"default_cma_region",
	};
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "n", .node = node, .node_len = sizeof(node),
	};
	unsigned int i;

	if (geteuid())
		SKIP(return, "needs root (a private mount namespace)");
	ASSERT_EQ(0, own_dev(none)) TH_LOG("%s", strerror(errno));
	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		strcpy(node, "untouched");
		EXPECT_EQ(-1, dmabufx_alloc_props(props[i], PAGE, O_RDWR, &opts,
						  sizeof(opts)));
		EXPECT_EQ(ENOENT, errno) TH_LOG("%#x", props[i]);
		EXPECT_STREQ("", node);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		strcpy(node, "untouched");
		EXPECT_EQ(-1, dmabufx_alloc2(names[i], PAGE, O_RDWR, &opts,
					     sizeof(opts)));
		EXPECT_EQ(ENOENT, errno) TH_LOG("%s", names[i]);
		EXPECT_STREQ("", node);
	}
}

/* ---- guests: the module's nodes, bound into a /dev of the test's own ---- */

TEST(alloc_props_choose_our_kinds)
{
	static const struct {
		unsigned int props;
		int kind;
		const char *node;
	} cases[] = {
		{ 0, DMABUF_EXPORTER_KIND_SYSTEM, OURS("system") },
		{ DMABUFX_MEM_CACHED, DMABUF_EXPORTER_KIND_SYSTEM, OURS("system") },
		{ DMABUFX_MEM_WRITECOMBINE, DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED,
		  OURS("system-uncached") },
		{ DMABUFX_MEM_CONTIG, DMABUF_EXPORTER_KIND_CONTIG, OURS("contig") },
		{ DMABUFX_MEM_CONTIG | DMABUFX_MEM_CACHED, DMABUF_EXPORTER_KIND_CONTIG,
		  OURS("contig") },
	};
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = { .node = node, .node_len = sizeof(node) };
	unsigned int i;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf = dmabufx_alloc_props(cases[i].props, 5000, O_RDWR | O_CLOEXEC,
					  &opts, sizeof(opts));
		ASSERT_LE(0, buf) TH_LOG("%#x: %s", cases[i].props, strerror(errno));
		EXPECT_STREQ(cases[i].node, node);
		EXPECT_EQ(cases[i].kind, kind_of(buf));
		EXPECT_EQ(2 * PAGE, (uint64_t)dmabufx_size(buf));
		EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
		close(buf);
	}
}

TEST(alloc_props_move_on_to_the_next_kind_only_when_one_is_missing)
{
	static const char *const binds[] = {
		"dmabuf-exporter/contig=dmabuf-exporter/contig", NULL,
	};
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = { .node = node, .node_len = sizeof(node) };
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	ASSERT_EQ(0, own_dev(binds));
	/* Cached: no system anywhere (no udmabuf either); contig is cached. */
	buf = dmabufx_alloc_props(DMABUFX_MEM_CACHED, PAGE, O_RDWR, &opts,
				  sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(OURS("contig"), node);
	close(buf);
	EXPECT_EQ(-1, dmabufx_alloc_props(DMABUFX_MEM_WRITECOMBINE, PAGE, O_RDWR,
					  &opts, sizeof(opts)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("", node);
}

TEST(alloc_props_contig_uses_the_kernels_cma_heap_names)
{
	/* Our contig node stands in for the kernel's CMA heap of the newest name. */
	static const char *const binds[] = {
		"dma_heap/default_cma_region=dmabuf-exporter/contig", NULL,
	};
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = { .node = node, .node_len = sizeof(node) };
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	ASSERT_EQ(0, own_dev(binds));
	buf = dmabufx_alloc_props(DMABUFX_MEM_CONTIG, PAGE, O_RDWR, &opts,
				  sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(HEAP("default_cma_region"), node);
	close(buf);
	/* By name too: "contig", "linux,cma" and "reserved" all find it. */
	buf = dmabufx_alloc2("linux,cma", PAGE, O_RDWR, &opts, sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(HEAP("default_cma_region"), node);
	close(buf);
	buf = dmabufx_alloc2("contig", PAGE, O_RDWR, &opts, sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(HEAP("default_cma_region"), node);
	close(buf);
}

TEST(alloc_of_a_cma_name_falls_back_to_our_contig)
{
	static const char *const names[] = {
		"linux,cma", "reserved", "default_cma_region",
	};
	char used[DMABUFX_PATH_MAX], heap[DMABUFX_PATH_MAX];
	unsigned int i;
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	for (i = 0; i < 3; i++) {
		snprintf(heap, sizeof(heap), "/dev/dma_heap/%s", names[i]);
		buf = dmabufx_alloc(names[i], PAGE, O_RDWR | O_CLOEXEC, used,
				    sizeof(used));
		ASSERT_LE(0, buf) TH_LOG("%s: %s", names[i], strerror(errno));
		/* The kernel's heap of that name where it has one, else ours. */
		EXPECT_STREQ(have(heap) ? heap : OURS("contig"), used);
		if (!have(heap))
			EXPECT_EQ(DMABUF_EXPORTER_KIND_CONTIG, kind_of(buf));
		close(buf);
	}
}

TEST(alloc_of_a_cma_name_prefers_the_kernels_heap_of_that_name)
{
	/* A "kernel heap" linux,cma: our system node, told apart by its kind. */
	static const char *const binds[] = {
		"dma_heap/linux,cma=dmabuf-exporter/system",
		"dmabuf-exporter/contig=dmabuf-exporter/contig",
		"dmabuf-exporter/ctl=dmabuf-exporter/ctl", NULL,	/* queries */
	};
	char used[DMABUFX_PATH_MAX];
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	ASSERT_EQ(0, own_dev(binds));
	buf = dmabufx_alloc("linux,cma", PAGE, O_RDWR, used, sizeof(used));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(HEAP("linux,cma"), used);
	EXPECT_EQ(DMABUF_EXPORTER_KIND_SYSTEM, kind_of(buf));
	close(buf);
	/* No heap "reserved": our contig, before the other CMA names. */
	buf = dmabufx_alloc("reserved", PAGE, O_RDWR, used, sizeof(used));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(OURS("contig"), used);
	EXPECT_EQ(DMABUF_EXPORTER_KIND_CONTIG, kind_of(buf));
	close(buf);
}

TEST(alloc_reports_our_node_when_it_refuses)
{
	struct dmabuf_exporter_info info;
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = { .node = node, .node_len = sizeof(node) };
	uint64_t over;
	int ctl;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	ctl = dmabufx_node_open("ctl");
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, dmabufx_exporter_info(ctl, &info, sizeof(info)));
	close(ctl);
	over = info.max_buffer_size + PAGE;

	EXPECT_EQ(-1, dmabufx_alloc("system", over, O_RDWR, node, sizeof(node)));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_STREQ(OURS("system"), node);
	EXPECT_EQ(-1, dmabufx_alloc_props(DMABUFX_MEM_WRITECOMBINE, over, O_RDWR,
					  &opts, sizeof(opts)));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_STREQ(OURS("system-uncached"), node);
	/* Named, the ctl node allocates: it is the one that refuses. */
	opts.name = "big";
	EXPECT_EQ(-1, dmabufx_alloc2("contig", over, O_RDWR, &opts, sizeof(opts)));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_STREQ(DMABUF_EXPORTER_DEV_CTL, node);
}

/* @buf is named @name (fdinfo) and exported by @exp. */
static void check_named(struct __test_metadata *_metadata, int buf,
			const char *name, const char *exp)
{
	struct dmabufx_fdinfo fi;

	ASSERT_EQ(0, dmabufx_fdinfo(buf, &fi, sizeof(fi)));
	EXPECT_STREQ(name, fi.name);
	EXPECT_STREQ(exp, fi.exp_name);
}

TEST(alloc_names_our_buffers_in_the_allocation_through_ctl)
{
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "cam0 frame", .node = node, .node_len = sizeof(node),
	};
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	buf = dmabufx_alloc2("system-uncached", PAGE, O_RDWR | O_CLOEXEC, &opts,
			     sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(DMABUF_EXPORTER_DEV_CTL, node);
	EXPECT_EQ(DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED, kind_of(buf));
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	check_named(_metadata, buf, "cam0 frame", "dmabuf_exporter");
	close(buf);

	opts.name = "";
	buf = dmabufx_alloc_props(DMABUFX_MEM_CONTIG, PAGE, O_RDWR, &opts,
				  sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(DMABUF_EXPORTER_KIND_CONTIG, kind_of(buf));
	check_named(_metadata, buf, "", "dmabuf_exporter");
	close(buf);
}

TEST(alloc_names_our_buffers_by_set_name_without_the_ctl_node)
{
	static const char *const binds[] = {
		"dmabuf-exporter/system=dmabuf-exporter/system", NULL,
	};
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "no ctl", .node = node, .node_len = sizeof(node),
	};
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	ASSERT_EQ(0, own_dev(binds));
	buf = dmabufx_alloc2("system", PAGE, O_RDWR, &opts, sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(OURS("system"), node);
	check_named(_metadata, buf, "no ctl", "dmabuf_exporter");
	close(buf);
}

TEST(alloc_names_our_buffers_by_set_name_when_ctl_cannot_allocate)
{
	/* A "ctl node" that knows no DMABUF_EXPORTER_IOCTL_ALLOC (ENOTTY). */
	static const char *const binds[] = {
		"dmabuf-exporter/ctl=null",
		"dmabuf-exporter/contig=dmabuf-exporter/contig", NULL,
	};
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "old ctl", .node = node, .node_len = sizeof(node),
	};
	int buf;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	ASSERT_EQ(0, own_dev(binds));
	buf = dmabufx_alloc_props(DMABUFX_MEM_CONTIG, PAGE, O_RDWR, &opts,
				  sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(OURS("contig"), node);
	check_named(_metadata, buf, "old ctl", "dmabuf_exporter");
	close(buf);
}

TEST(alloc_names_the_kernels_heap_buffers)
{
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "heap buffer", .node = node, .node_len = sizeof(node),
	};
	int buf;

	if (!have(HEAP("system")))
		SKIP(return, "no /dev/dma_heap/system in this kernel");
	buf = dmabufx_alloc2(HEAP("system"), PAGE, O_RDWR, &opts, sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(HEAP("system"), node);
	check_named(_metadata, buf, "heap buffer", "system");
	close(buf);
}

TEST(alloc_names_udmabuf_buffers)
{
	static const char *const binds[] = { "udmabuf=udmabuf", NULL };
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "shmem", .node = node, .node_len = sizeof(node),
	};
	int buf;

	if (!have(DMABUFX_UDMABUF_DEV))
		SKIP(return, "no /dev/udmabuf in this kernel");
	ASSERT_EQ(0, own_dev(binds));
	buf = dmabufx_alloc_props(DMABUFX_MEM_CACHED, PAGE, O_RDWR, &opts,
				  sizeof(opts));
	ASSERT_LE(0, buf) TH_LOG("%s", strerror(errno));
	EXPECT_STREQ(DMABUFX_UDMABUF_DEV, node);
	check_named(_metadata, buf, "shmem", "udmabuf");
	close(buf);
}

TEST(alloc_whose_name_cannot_be_set_fails_and_leaks_nothing)
{
	char node[DMABUFX_PATH_MAX];
	struct dmabufx_alloc_opts opts = {
		.name = "refused", .node = node, .node_len = sizeof(node),
	};
	int64_t live;
	int fds;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	live = live_buffers();
	ASSERT_LE(0, live);
	fds = count_fds();
	if (fail_set_name(ENOSPC)) {
		ASSERT_EQ(ENOSYS, errno) TH_LOG("seccomp: %s", strerror(errno));
		SKIP(return, "kernel without seccomp filters (CONFIG_SECCOMP)");
	}
	/* Through the kind node, named with DMA_BUF_SET_NAME_B, which fails. */
	EXPECT_EQ(-1, dmabufx_alloc2(OURS("system"), PAGE, O_RDWR, &opts,
				     sizeof(opts)));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_STREQ(OURS("system"), node) TH_LOG("the provider whose buffer it was");
	if (have(HEAP("system"))) {
		EXPECT_EQ(-1, dmabufx_alloc2(HEAP("system"), PAGE, O_RDWR, &opts,
					     sizeof(opts)));
		EXPECT_EQ(ENOSPC, errno);
		EXPECT_STREQ(HEAP("system"), node);
	}
	EXPECT_EQ(fds, count_fds()) TH_LOG("the buffer's fd is closed");
	EXPECT_EQ(live, live_buffers()) TH_LOG("and the buffer freed");
	/* Through ctl the name is part of the allocation: unaffected. */
	fds = dmabufx_alloc2("system", PAGE, O_RDWR, &opts, sizeof(opts));
	ASSERT_LE(0, fds);
	EXPECT_STREQ(DMABUF_EXPORTER_DEV_CTL, node);
	close(fds);
}

TEST_HARNESS_MAIN
