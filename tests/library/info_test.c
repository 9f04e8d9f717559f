// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf-info and the library's enumeration (dmabufx_snapshot_*()) in the
 * guests (info_tree_test.c has the host's part, on a made-up /proc): processes sharing one of our buffers by fd and by mapping,
 * with vgem attached, and dmabuf-info's PSS, holders and attached device;
 * names in UTF-8 and invalid UTF-8 end to end.
 *
 * Every JSON check runs the tool with its output in a file, checks the
 * tool's exit status, then runs python3 on the file and checks its status:
 * neither is lost in a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "common.h"
#include "dmabuf-helper.h"
#include "kselftest_harness.h"
#include "run-tool.h"
#include "vgem.h"

#define INFO	TOOLS_DIR "/dmabuf-info"

/* dmabuf-info with @args, its output in @f's files; its exit status. */
static int info(struct files *f, const char *args)
{
	return run_to_files(f, INFO, args);
}

/* The debugfs list, mounting debugfs if it is not (we are root in a guest). */
static int have_bufinfo(void)
{
	if (!access(DMABUFX_BUFINFO_PATH, R_OK))
		return 1;
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return !access(DMABUFX_BUFINFO_PATH, R_OK);
}

/* The kernel's name of the device behind a DRM fd (what bufinfo shows). */
static int drm_dev_name(int drm, char *name, size_t len)
{
	char path[128], real[PATH_MAX], *base;
	struct stat st;

	if (fstat(drm, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	if (!realpath(path, real))
		return -1;
	base = strrchr(real, '/');
	return snprintf(name, len, "%s", base ? base + 1 : real) < (int)len ? 0 : -1;
}

enum { BY_FD, BY_MAP, BY_BOTH };

/*
 * A child holding @fd as @how says, which writes a byte to @ready and then
 * holds on until the write end of @release is closed.
 */
static pid_t holder(int fd, size_t size, int how, const int ready[2],
		    const int release[2])
{
	pid_t pid = fork();
	char c;

	if (pid)
		return pid;
	close(ready[0]);
	close(release[1]);
	if (how != BY_FD && mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		_exit(1);
	if (how == BY_MAP)
		close(fd);
	if (write(ready[1], "x", 1) != 1)
		_exit(1);
	while (read(release[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static const char shared_check_py[] =
	"import json, sys\n"
	"ino, fd, size, dev = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]\n"
	"parent, byfd, bymap, both = map(int, sys.argv[5:9])\n"
	"d = json.loads(sys.stdin.buffer.read().decode('utf-8'))\n"
	"assert d['complete'] is True, d['unreadable']\n"
	"b = [x for x in d['buffers'] if x['inode'] == ino]\n"
	"assert len(b) == 1, d['buffers']\n"
	"b = b[0]\n"
	"assert (b['size'], b['exporter'], b['name']) == (size, 'dmabuf_exporter', 'pss-shared'), b\n"
	"assert b['attachments'] == 2 and b['attached_devices'] == [dev, dev], b\n"
	"h = {x['pid']: (x['fds'], x['mapped_bytes']) for x in b['holders']}\n"
	"want = {parent: ([fd], 0), byfd: ([fd], 0), bymap: ([], size), both: ([fd], size)}\n"
	"assert h == want, (h, want)\n"
	"p = {x['pid']: x for x in d['processes']}\n"
	"for pid in sys.argv[9:]:\n"
	"    x = p[int(pid)]\n"
	"    assert (x['buffers'], x['rss_bytes'], x['pss_bytes']) == (1, size, size // 4), x\n"
	"print('ok')\n";

/*
 * Four processes hold one buffer: this one and a child by fd, a child by
 * mapping only, a child by both; two importers attach it (two DRM files of
 * vgem each import it: an attachment each). Each process's PSS is a
 * quarter of it, and both attachments name vgem's device.
 */
TEST(info_shares_a_buffer_held_by_four_processes_and_names_the_importer)
{
	const size_t size = 16384;
	int fd, drm, drm2, ready[2], release[2], i, st;
	pid_t kids[3];
	char dev[64], pids[128], c;
	const struct dmabufx_buffer *b;
	const struct dmabufx_holder *h;
	struct dmabufx_fdinfo fi;
	struct dmabufx_snapshot *s;
	uint32_t handle = 0, handle2 = 0;
	struct files f;
	char *out;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	if (!have_bufinfo())
		SKIP(return, "no readable %s (not root, or no debugfs)", DMABUFX_BUFINFO_PATH);
	drm = vgem_open();
	if (drm < 0)
		SKIP(return, "no vgem (modprobe vgem)");
	ASSERT_EQ(0, drm_dev_name(drm, dev, sizeof(dev)));
	/* vgem's device: a platform device (6.1, 6.12), a faux one (7.x). */
	EXPECT_STREQ("vgem", dev);

	files_init(_metadata, &f);
	fd = dmabufx_alloc("system", size, O_RDWR | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dmabufx_set_name(fd, "pss-shared"));
	ASSERT_EQ(0, dmabufx_fdinfo(fd, &fi, sizeof(fi)));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(release, O_CLOEXEC));
	for (i = 0; i < 3; i++) {
		kids[i] = holder(fd, size, i, ready, release);
		ASSERT_LE(0, kids[i]);
	}
	close(ready[1]);
	close(release[0]);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("a child could not hold the buffer");
	ASSERT_EQ(0, drmPrimeFDToHandle(drm, fd, &handle));
	drm2 = vgem_open();
	ASSERT_LE(0, drm2);
	ASSERT_EQ(0, drmPrimeFDToHandle(drm2, fd, &handle2));

	snprintf(pids, sizeof(pids), "%d %d %d %d", getpid(), kids[BY_FD], kids[BY_MAP],
		 kids[BY_BOTH]);
	EXPECT_EQ(0, info(&f, "--json"));
	EXPECT_STREQ("", slurp(f.err));
	py_check(_metadata, &f, shared_check_py,
		 CMD("%llu %d %zu %s %s %s", (unsigned long long)fi.inode, fd, size, dev,
		     pids, pids));

	/* --pid of the mapping child: that buffer only, every holder of it. */
	EXPECT_EQ(0, info(&f, CMD("--json --pid %d", kids[BY_MAP])));
	py_check(_metadata, &f, shared_check_py,
		 CMD("%llu %d %zu %s %s %d", (unsigned long long)fi.inode, fd, size, dev,
		     pids, kids[BY_MAP]));

	/* Human output: the device on the buffer's line, and the shares. */
	EXPECT_EQ(0, info(&f, CMD("--pid %d", getpid())));
	out = slurp(f.out);
	EXPECT_NE(NULL, strstr(out, CMD(" pss-shared %s,%s %d ", dev, dev, getpid())))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, CMD(" %12s %12s %12s\n", "16 KiB", "4 KiB", "0 B")))
		TH_LOG("%s", out);

	/* The library, directly. */
	s = dmabufx_snapshot_take(0, 0);
	ASSERT_NE(NULL, s);
	b = dmabufx_snapshot_find(s, fi.inode);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(4, dmabufx_buffer_holder_count(b));
	EXPECT_EQ(2, dmabufx_buffer_attachments(b));
	EXPECT_STREQ(dev, dmabufx_buffer_device(b, 0));
	EXPECT_STREQ(dev, dmabufx_buffer_device(b, 1));
	for (i = 0; i < 4; i++) {
		h = dmabufx_buffer_holder(b, (size_t)i);
		if (dmabufx_holder_pid(h) == kids[BY_MAP]) {
			EXPECT_EQ(0, dmabufx_holder_fd_count(h));
			EXPECT_EQ(size, dmabufx_holder_mapped(h));
		}
	}
	EXPECT_EQ(size / 4, dmabufx_process_pss(find_proc(s, kids[BY_BOTH])));
	dmabufx_snapshot_free(s);

	close(release[1]);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &st, 0));
		EXPECT_EQ(0, st);
	}
	close(ready[0]);
	drmCloseBufferHandle(drm2, handle2);
	close(drm2);
	drmCloseBufferHandle(drm, handle);
	close(drm);
	close(fd);
	files_clean(&f);
}

static const char names_check_py[] =
	"import json, sys\n"
	"d = json.loads(sys.stdin.buffer.read().decode('utf-8'))\n"
	"b = {x['inode']: x for x in d['buffers']}\n"
	"want = {int(sys.argv[1]): 'caméra-ü'.encode(), int(sys.argv[2]): b'bad\\xff\\xfe\\xc3(',\n"
	"        int(sys.argv[3]): b'ctl\\t\\x1b[31mred'}\n"
	"for ino, raw in want.items():\n"
	"    assert bytes.fromhex(b[ino]['name_hex']) == raw, b[ino]\n"
	"    assert b[ino]['name'] == raw.decode('utf-8', 'replace'), b[ino]\n"
	"assert b[int(sys.argv[1])]['name'] == 'caméra-ü'\n"
	"print('ok')\n";

/* Names in UTF-8, in bytes that are not UTF-8, with control characters. */
TEST(info_names_round_trip_in_json_and_are_escaped_for_terminals)
{
	static const char *const names[] = {
		"caméra-ü", "bad\xff\xfe\xc3(", "ctl\t\x1b[31mred",
	};
	struct dmabufx_fdinfo fi;
	unsigned long long ino[3];
	int fds[3], i;
	struct files f;
	char *out;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	files_init(_metadata, &f);
	for (i = 0; i < 3; i++) {
		fds[i] = dmabufx_alloc("system", 4096, O_RDWR | O_CLOEXEC, NULL, 0);
		ASSERT_LE(0, fds[i]);
		/* DMA_BUF_SET_NAME_B takes any bytes but NUL. */
		ASSERT_EQ(0, ioctl(fds[i], DMA_BUF_SET_NAME_B, names[i]));
		ASSERT_EQ(0, dmabufx_fdinfo(fds[i], &fi, sizeof(fi)));
		EXPECT_STREQ(names[i], fi.name);
		ino[i] = fi.inode;
	}
	EXPECT_EQ(0, info(&f, CMD("--json --pid %d", getpid())));
	py_check(_metadata, &f, names_check_py,
		 CMD("%llu %llu %llu", ino[0], ino[1], ino[2]));

	EXPECT_EQ(0, info(&f, CMD("--pid %d", getpid())));
	out = slurp(f.out);
	EXPECT_NE(NULL, strstr(out, " caméra-ü ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, " bad\\xff\\xfe\\xc3( ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, " ctl\\x09\\x1b[31mred ")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strchr(out, '\x1b')) TH_LOG("%s", out);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	files_clean(&f);
}

TEST_HARNESS_MAIN
