// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf-info and the library's enumeration (dmabufx_snapshot_*()) on the
 * host only (pure userspace; info_test.c has the guests' part): a made-up /proc tree and debugfs list (dmabufx_snapshot_take_at(),
 * dmabuf-info --proc/--bufinfo) with every case the parsers meet: shared
 * buffers, many fds, mappings only, a file named like a dma-buf, kernel
 * threads, a process that cannot be read, names in UTF-8 and not; the JSON
 * string escaping against Python's own UTF-8 decoder; usage errors, a
 * --pid that does not exist, --watch.
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

#include "common.h"
#include "dmabuf-helper.h"
#include "kselftest_harness.h"
#include "run-tool.h"

#define INFO	TOOLS_DIR "/dmabuf-info"

/* dmabuf-info with @args, its output in @f's files; its exit status. */
static int info(struct files *f, const char *args)
{
	return run_to_files(f, INFO, args);
}

/* ---- a made-up /proc and debugfs list ---- */

static void put(struct __test_metadata *_metadata, const char *root,
		const char *path, const char *text)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	/* mkdir -p of the parents */
	for (slash = strchr(full + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	ASSERT_NE(NULL, f) TH_LOG("%s", full);
	fputs(text, f);
	fclose(f);
}

static void link_fd(struct __test_metadata *_metadata, const char *root,
		    int pid, int fd, const char *target, const char *fdinfo)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, fd);
	ASSERT_EQ(0, symlink(target, path));
	if (fdinfo) {
		snprintf(path, sizeof(path), "%d/fdinfo/%d", pid, fd);
		put(_metadata, root, path, fdinfo);
	}
}

#define NAME_A		"caméra-ü"
#define NAME_C		"bad\xff\xfe\xc3("
#define NAME_D		"maponly-é"
#define COMM_200	"bad\xff" "comm"

#define FDINFO(ino, size, exp, name) \
	"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t" #ino "\nsize:\t" #size \
	"\ncount:\t3\nexp_name:\t" exp "\nname:\t" name "\n"

/*
 * The tree (under @root: proc/ and bufinfo):
 *   1001 "caméra-ü" 12 KiB, dmabuf_exporter: pid 100 fd 3 + mapped 8 KiB,
 *        pid 200 fd 6; attached vgem and 0000:00:04.0
 *   1002 "many" 8 KiB: pid 100 fds 4..23 (and a file called
 *        "/dmabuf:not-a-dmabuf" with that inode, on a disk: not it)
 *   1003 invalid UTF-8 name, 4 KiB, system: pid 200 fd 5
 *   1004 "maponly-é" 64 KiB, drm: pid 200 mapped 4 KiB only
 *   1005 unnamed 8 KiB, drm: no process; attached vgem
 *   pid 300 cannot be read (its fd is a file: ENOTDIR); pid 400 is a
 *   kernel thread, just as unreadable, never reported.
 */
static void make_tree(struct __test_metadata *_metadata, const char *dir)
{
	char proc[256], fdinfo[512];
	int fd;

	snprintf(proc, sizeof(proc), "%s/proc", dir);
	put(_metadata, proc, "100/comm", "app\n");
	put(_metadata, proc, "100/stat", "100 (app) S 1 100 100 0 -1 4194560 0 0\n");
	link_fd(_metadata, proc, 100, 0, "/dev/null", "pos:\t0\nflags:\t02\n");
	link_fd(_metadata, proc, 100, 3, "/dmabuf:" NAME_A,
		FDINFO(1001, 12288, "dmabuf_exporter", NAME_A));
	for (fd = 4; fd <= 23; fd++)
		link_fd(_metadata, proc, 100, fd, "/dmabuf:many",
			FDINFO(1002, 8192, "dmabuf_exporter", "many"));
	put(_metadata, proc, "100/maps",
	    "55d0c0000000-55d0c0001000 r--p 00000000 08:01 131                        /usr/bin/app\n"
	    "7f0000000000-7f0000002000 rw-s 00000000 00:0d 1001                       /dmabuf:" NAME_A "\n"
	    "7f0000010000-7f0000011000 rw-s 00000000 08:01 1002                       /dmabuf:not-a-dmabuf\n"
	    "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n");

	put(_metadata, proc, "200/comm", COMM_200 "\n");
	link_fd(_metadata, proc, 200, 5, "/dmabuf:" NAME_C,
		FDINFO(1003, 4096, "system", NAME_C));
	link_fd(_metadata, proc, 200, 6, "/dmabuf:" NAME_A,
		FDINFO(1001, 12288, "dmabuf_exporter", NAME_A));
	/* The kernel writes a newline in a name as \012 in maps. */
	put(_metadata, proc, "200/maps",
	    "7f0000020000-7f0000021000 rw-s 00000000 00:0d 1004                       /dmabuf:" NAME_D "\\012tail\n");

	put(_metadata, proc, "300/comm", "locked\n");
	put(_metadata, proc, "300/fd", "not a directory\n");
	put(_metadata, proc, "400/comm", "kworker/0:1\n");
	put(_metadata, proc, "400/fd", "not a directory\n");
	/* flags 0x04208040: PF_KTHREAD (0x00200000) among them */
	put(_metadata, proc, "400/stat", "400 (kworker/0:1) I 2 0 0 0 -1 69238848 0 0\n");
	put(_metadata, proc, "sys/kernel/x", "not a process\n");
	snprintf(fdinfo, sizeof(fdinfo), "%s/self", proc);
	ASSERT_EQ(0, symlink("100", fdinfo));

	put(_metadata, dir, "bufinfo",
	    "\nDma-buf Objects:\n"
	    "size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
	    "00012288\t00000002\t00080007\t00000004\tdmabuf_exporter\t00001001\t" NAME_A "\n"
	    "\twrite fence:vgem vgem_fence seq 1 unsignalled\n"
	    "\tAttached Devices:\n\tvgem\n\t0000:00:04.0\n"
	    "Total 2 devices attached\n\n"
	    "00008192\t00000002\t00080007\t00000022\tdmabuf_exporter\t00001002\tmany\n"
	    "\tAttached Devices:\nTotal 0 devices attached\n\n"
	    "00004096\t00000002\t00080007\t00000002\tsystem\t00001003\t" NAME_C "\n"
	    "\tAttached Devices:\nTotal 0 devices attached\n\n"
	    "00065536\t00000002\t00080007\t00000002\tdrm\t00001004\t" NAME_D "\n"
	    "\tAttached Devices:\nTotal 0 devices attached\n\n"
	    "00008192\t00000002\t00080007\t00000002\tdrm\t00001005\t<none>\n"
	    "\tread fence:vgem vgem_fence seq 2 signalled\n"
	    "\tAttached Devices:\n\tvgem\nTotal 1 devices attached\n\n"
	    "\nTotal 5 objects, 98304 bytes\n");
}

struct tree {
	struct files f;
	char proc[128], bufinfo[128], args[300];
};

static void tree_init(struct __test_metadata *_metadata, struct tree *t)
{
	files_init(_metadata, &t->f);
	make_tree(_metadata, t->f.dir);
	snprintf(t->proc, sizeof(t->proc), "%s/proc", t->f.dir);
	snprintf(t->bufinfo, sizeof(t->bufinfo), "%s/bufinfo", t->f.dir);
	snprintf(t->args, sizeof(t->args), "--proc %s --bufinfo %s", t->proc, t->bufinfo);
}

/* ---- host: the library on the made-up tree ---- */

TEST(snapshot_of_a_made_up_proc_tree)
{
	const struct dmabufx_buffer *a, *b, *d, *e;
	const struct dmabufx_process *p;
	const struct dmabufx_holder *h;
	struct dmabufx_snapshot *s;
	const char *comm;
	struct tree t;
	int err, k;

	tree_init(_metadata, &t);
	s = dmabufx_snapshot_take_at(t.proc, t.bufinfo, 0, 0);
	ASSERT_NE(NULL, s) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, dmabufx_snapshot_bufinfo_error(s));
	ASSERT_EQ(5, dmabufx_snapshot_count(s));
	for (k = 0; k < 5; k++)
		EXPECT_EQ(1001 + k, dmabufx_buffer_inode(dmabufx_snapshot_buffer(s, k)));

	a = dmabufx_snapshot_find(s, 1001);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(12288, dmabufx_buffer_size(a));
	EXPECT_STREQ("dmabuf_exporter", dmabufx_buffer_exporter(a));
	EXPECT_STREQ(NAME_A, dmabufx_buffer_name(a));
	EXPECT_EQ(2, dmabufx_buffer_attachments(a));
	EXPECT_STREQ("vgem", dmabufx_buffer_device(a, 0));
	EXPECT_STREQ("0000:00:04.0", dmabufx_buffer_device(a, 1));
	ASSERT_EQ(2, dmabufx_buffer_holder_count(a));
	h = dmabufx_buffer_holder(a, 0);
	EXPECT_EQ(100, dmabufx_holder_pid(h));
	EXPECT_STREQ("app", dmabufx_holder_comm(h));
	ASSERT_EQ(1, dmabufx_holder_fd_count(h));
	EXPECT_EQ(3, dmabufx_holder_fd(h, 0));
	EXPECT_EQ(8192, dmabufx_holder_mapped(h));
	h = dmabufx_buffer_holder(a, 1);
	EXPECT_EQ(200, dmabufx_holder_pid(h));
	EXPECT_STREQ(COMM_200, dmabufx_holder_comm(h));
	EXPECT_EQ(6, dmabufx_holder_fd(h, 0));
	EXPECT_EQ(0, dmabufx_holder_mapped(h));

	/* Every fd, no cap; the disk file named /dmabuf:... is no mapping. */
	b = dmabufx_snapshot_find(s, 1002);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(1, dmabufx_buffer_holder_count(b));
	h = dmabufx_buffer_holder(b, 0);
	ASSERT_EQ(20, dmabufx_holder_fd_count(h));
	for (k = 0; k < 20; k++)
		EXPECT_EQ(4 + k, dmabufx_holder_fd(h, (size_t)k));
	EXPECT_EQ(0, dmabufx_holder_mapped(h));
	EXPECT_EQ(0, dmabufx_buffer_attachments(b));

	EXPECT_STREQ(NAME_C, dmabufx_buffer_name(dmabufx_snapshot_find(s, 1003)));
	EXPECT_STREQ("system", dmabufx_buffer_exporter(dmabufx_snapshot_find(s, 1003)));

	/* Mapped only: size and exporter from the debugfs list. */
	d = dmabufx_snapshot_find(s, 1004);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(65536, dmabufx_buffer_size(d));
	EXPECT_STREQ("drm", dmabufx_buffer_exporter(d));
	EXPECT_STREQ(NAME_D, dmabufx_buffer_name(d));
	h = dmabufx_buffer_holder(d, 0);
	EXPECT_EQ(200, dmabufx_holder_pid(h));
	EXPECT_EQ(0, dmabufx_holder_fd_count(h));
	EXPECT_EQ(4096, dmabufx_holder_mapped(h));

	/* Held by no process: only in the debugfs list. */
	e = dmabufx_snapshot_find(s, 1005);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0, dmabufx_buffer_holder_count(e));
	EXPECT_STREQ("", dmabufx_buffer_name(e));
	EXPECT_EQ(1, dmabufx_buffer_attachments(e));
	EXPECT_STREQ("vgem", dmabufx_buffer_device(e, 0));

	/* RSS: whole buffers; PSS: 1001 split in two. */
	ASSERT_EQ(2, dmabufx_snapshot_process_count(s));
	p = find_proc(s, 100);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("app", dmabufx_process_comm(p));
	EXPECT_EQ(2, dmabufx_process_buffer_count(p));
	EXPECT_EQ(21, dmabufx_process_fd_count(p));
	EXPECT_EQ(12288 + 8192, dmabufx_process_rss(p));
	EXPECT_EQ(12288 / 2 + 8192, dmabufx_process_pss(p));
	EXPECT_EQ(8192, dmabufx_process_mapped(p));
	p = find_proc(s, 200);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(3, dmabufx_process_buffer_count(p));
	EXPECT_EQ(2, dmabufx_process_fd_count(p));
	EXPECT_EQ(12288 + 4096 + 65536, dmabufx_process_rss(p));
	EXPECT_EQ(12288 / 2 + 4096 + 65536, dmabufx_process_pss(p));
	EXPECT_EQ(4096, dmabufx_process_mapped(p));

	/* 300 reported with its errno and name; the kernel thread not. */
	ASSERT_EQ(1, dmabufx_snapshot_unreadable_count(s));
	comm = NULL;
	EXPECT_EQ(300, dmabufx_snapshot_unreadable(s, 0, &err, &comm));
	EXPECT_EQ(ENOTDIR, err);
	EXPECT_STREQ("locked", comm);
	dmabufx_snapshot_free(s);
	files_clean(&t.f);
}

TEST(snapshot_of_one_process_keeps_every_holder_and_share)
{
	const struct dmabufx_process *p;
	struct dmabufx_snapshot *s;
	struct tree t;

	tree_init(_metadata, &t);
	s = dmabufx_snapshot_take_at(t.proc, t.bufinfo, 200, 0);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(3, dmabufx_snapshot_count(s));
	EXPECT_EQ(1001, dmabufx_buffer_inode(dmabufx_snapshot_buffer(s, 0)));
	EXPECT_EQ(1003, dmabufx_buffer_inode(dmabufx_snapshot_buffer(s, 1)));
	EXPECT_EQ(1004, dmabufx_buffer_inode(dmabufx_snapshot_buffer(s, 2)));
	/* 100 still holds 1001 too: the share is half. */
	EXPECT_EQ(2, dmabufx_buffer_holder_count(dmabufx_snapshot_buffer(s, 0)));
	ASSERT_EQ(1, dmabufx_snapshot_process_count(s));
	p = dmabufx_snapshot_process(s, 0);
	EXPECT_EQ(200, dmabufx_process_pid(p));
	EXPECT_EQ(12288 / 2 + 4096 + 65536, dmabufx_process_pss(p));
	EXPECT_EQ(NULL, dmabufx_snapshot_find(s, 1002));
	EXPECT_EQ(ENOENT, errno);
	dmabufx_snapshot_free(s);

	/* A pid that holds nothing: an empty snapshot, not an error. */
	put(_metadata, t.proc, "500/comm", "idle\n");
	put(_metadata, t.proc, "500/fd/.keep", "");
	s = dmabufx_snapshot_take_at(t.proc, t.bufinfo, 500, 0);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, dmabufx_snapshot_count(s));
	EXPECT_EQ(0, dmabufx_snapshot_process_count(s));
	dmabufx_snapshot_free(s);
	files_clean(&t.f);
}

TEST(snapshot_without_the_debugfs_list)
{
	const struct dmabufx_buffer *d;
	struct dmabufx_snapshot *s;
	struct tree t;
	char missing[160];

	tree_init(_metadata, &t);
	s = dmabufx_snapshot_take_at(t.proc, t.bufinfo, 0, DMABUFX_SNAPSHOT_NO_DEBUGFS);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(ENODATA, dmabufx_snapshot_bufinfo_error(s));
	/* 1005, which no process holds, is not seen; the rest is. */
	EXPECT_EQ(4, dmabufx_snapshot_count(s));
	EXPECT_EQ(NULL, dmabufx_snapshot_find(s, 1005));
	EXPECT_EQ(-1, dmabufx_buffer_attachments(dmabufx_snapshot_find(s, 1001)));
	EXPECT_EQ(NULL, dmabufx_buffer_device(dmabufx_snapshot_find(s, 1001), 0));
	EXPECT_EQ(ERANGE, errno);
	/* Mapped only: name from maps (up to \012), size and exporter unknown. */
	d = dmabufx_snapshot_find(s, 1004);
	ASSERT_NE(NULL, d);
	EXPECT_STREQ(NAME_D, dmabufx_buffer_name(d));
	EXPECT_EQ(0, dmabufx_buffer_size(d));
	EXPECT_EQ(NULL, dmabufx_buffer_exporter(d));
	EXPECT_EQ(12288 / 2 + 4096, dmabufx_process_pss(find_proc(s, 200)));
	dmabufx_snapshot_free(s);

	snprintf(missing, sizeof(missing), "%s/no-such-file", t.f.dir);
	s = dmabufx_snapshot_take_at(t.proc, missing, 0, 0);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(ENOENT, dmabufx_snapshot_bufinfo_error(s));
	dmabufx_snapshot_free(s);
	files_clean(&t.f);
}

TEST(snapshot_errors_and_accessors_of_null)
{
	struct dmabufx_snapshot *s;
	struct tree t;

	tree_init(_metadata, &t);
	EXPECT_EQ(NULL, dmabufx_snapshot_take_at(t.proc, t.bufinfo, 999, 0));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(NULL, dmabufx_snapshot_take_at(t.proc, t.bufinfo, -1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, dmabufx_snapshot_take_at(t.proc, t.bufinfo, 0, 0x80));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, dmabufx_snapshot_take_at(t.bufinfo, NULL, 0, 0));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(NULL, dmabufx_snapshot_take(INT_MAX, 0));
	EXPECT_EQ(ESRCH, errno);

	s = dmabufx_snapshot_take_at(t.proc, t.bufinfo, 0, 0);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, dmabufx_snapshot_buffer(s, 5));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(NULL, dmabufx_snapshot_process(s, 2));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, dmabufx_snapshot_unreadable(s, 1, NULL, NULL));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(300, dmabufx_snapshot_unreadable(s, 0, NULL, NULL));
	EXPECT_EQ(NULL, dmabufx_buffer_holder(dmabufx_snapshot_buffer(s, 0), 2));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, dmabufx_holder_fd(dmabufx_buffer_holder(dmabufx_snapshot_buffer(s, 0), 0), 1));
	EXPECT_EQ(ERANGE, errno);
	dmabufx_snapshot_free(s);

	EXPECT_EQ(0, dmabufx_snapshot_count(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, dmabufx_snapshot_buffer(NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(EINVAL, dmabufx_snapshot_bufinfo_error(NULL));
	EXPECT_EQ(0, dmabufx_buffer_size(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, dmabufx_buffer_name(NULL));
	EXPECT_EQ(-1, dmabufx_buffer_attachments(NULL));
	EXPECT_EQ(-1, dmabufx_holder_pid(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, dmabufx_process_pss(NULL));
	EXPECT_EQ(EINVAL, errno);
	dmabufx_snapshot_free(NULL);
	files_clean(&t.f);
}

/* ---- host: the tool on the made-up tree ---- */

static const char tree_check_py[] =
	"import errno, json, os, sys\n"
	"raw = sys.stdin.buffer.read()\n"
	"d = json.loads(raw.decode('utf-8'))   # strict: invalid UTF-8 fails\n"
	"assert d['tool'] == 'dmabuf-info' and d['schema_version'] == 2, d\n"
	"assert d['complete'] is False and d['attachments_known'] is True\n"
	"assert d['bufinfo_error'] is None and d['pid'] is None\n"
	"b = {x['inode']: x for x in d['buffers']}\n"
	"assert sorted(b) == [1001, 1002, 1003, 1004, 1005], sorted(b)\n"
	"a = b[1001]\n"
	"assert a['name'] == 'caméra-ü', a['name']\n"
	"assert bytes.fromhex(a['name_hex']) == 'caméra-ü'.encode()\n"
	"assert a['attachments'] == 2 and a['attached_devices'] == ['vgem', '0000:00:04.0']\n"
	"assert [(h['pid'], h['comm'], h['fds'], h['nfds'], h['mapped_bytes']) for h in a['holders']] == \\\n"
	"    [(100, 'app', [3], 1, 8192), (200, b'bad\\xffcomm'.decode('utf-8', 'replace'), [6], 1, 0)], a\n"
	"assert b[1002]['holders'][0]['fds'] == list(range(4, 24))\n"
	"assert b[1002]['holders'][0]['nfds'] == 20\n"
	"c = b[1003]\n"
	"assert bytes.fromhex(c['name_hex']) == b'bad\\xff\\xfe\\xc3('\n"
	"assert c['name'] == b'bad\\xff\\xfe\\xc3('.decode('utf-8', 'replace') == 'bad\\ufffd\\ufffd\\ufffd(', c\n"
	"assert (b[1004]['size'], b[1004]['exporter'], b[1004]['name']) == (65536, 'drm', 'maponly-é')\n"
	"assert b[1004]['holders'][0]['fds'] == [] and b[1004]['holders'][0]['mapped_bytes'] == 4096\n"
	"assert b[1005]['holders'] == [] and b[1005]['name'] == '' and b[1005]['name_hex'] == ''\n"
	"p = {x['pid']: x for x in d['processes']}\n"
	"assert sorted(p) == [100, 200]\n"
	"f = lambda x: (x['buffers'], x['fds'], x['rss_bytes'], x['pss_bytes'], x['mapped_bytes'])\n"
	"assert f(p[100]) == (2, 21, 20480, 14336, 8192), p[100]\n"
	"assert f(p[200]) == (3, 2, 81920, 75776, 4096), p[200]\n"
	"assert d['unreadable'] == [{'pid': 300, 'comm': 'locked', 'errno': errno.ENOTDIR,\n"
	"                            'error': os.strerror(errno.ENOTDIR)}], d['unreadable']\n"
	"e = {x['exporter']: (x['buffers'], x['bytes']) for x in d['exporters']}\n"
	"assert e == {'dmabuf_exporter': (2, 20480), 'drm': (2, 73728), 'system': (1, 4096)}, e\n"
	"assert d['total'] == {'buffers': 5, 'bytes': 98304, 'unheld_buffers': 1, 'unheld_bytes': 8192}\n"
	"print('ok')\n";

TEST(info_json_of_a_made_up_tree_is_utf8_complete_and_exits_3)
{
	struct tree t;
	char *err;

	tree_init(_metadata, &t);
	EXPECT_EQ(3, info(&t.f, CMD("--json %s", t.args)));
	err = slurp(t.f.err);
	EXPECT_NE(NULL, strstr(err, "warning: 1 process could not be read"))
		TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "300 (locked): Not a directory")) TH_LOG("%s", err);
	EXPECT_EQ(NULL, strchr(err, '{')) TH_LOG("JSON on stderr: %s", err);
	py_check(_metadata, &t.f, tree_check_py, "");

	/* Readable all through: status 0, "complete". */
	EXPECT_EQ(0, run(CMD("rm -rf %s/300", t.proc), NULL, 0));
	EXPECT_EQ(0, info(&t.f, CMD("--json %s", t.args)));
	EXPECT_STREQ("", slurp(t.f.err));
	py_check(_metadata, &t.f,
		 "import json, sys\n"
		 "d = json.load(sys.stdin)\n"
		 "assert d['complete'] is True and d['unreadable'] == [], d\n"
		 "print('ok')\n", "");
	files_clean(&t.f);
}

TEST(info_human_output_of_a_made_up_tree)
{
	struct tree t;
	char *out;

	tree_init(_metadata, &t);
	EXPECT_EQ(3, info(&t.f, t.args));
	out = slurp(t.f.out);
	/* UTF-8 as it is; other bytes as \xNN; every fd; devices; shares. */
	EXPECT_NE(NULL, strstr(out, " " NAME_A " ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, " bad\\xff\\xfe\\xc3( ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "vgem,0000:00:04.0")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "100 app: fd 3, mapped 8 KiB; 200 bad\\xffcomm: fd 6"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "100 app: fds 4,5,6,7,8,9,10,11,12,13,14,15,16,17,"
			       "18,19,20,21,22,23\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "200 bad\\xffcomm: mapped 4 KiB\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "(no process: importers or the kernel only)"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Per exporter:\n  dmabuf_exporter       2 buffers       20 KiB\n"
			       "  drm                   2 buffers       72 KiB\n"
			       "  system                1 buffer         4 KiB\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  PID     COMM             BUFFERS  FDS          RSS"
			       "          PSS       MAPPED\n"
			       "  100     app                    2   21       20 KiB"
			       "       14 KiB        8 KiB\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Total: 5 buffers, 96 KiB; held by no process: 1, 8 KiB\n"))
		TH_LOG("%s", out);
	files_clean(&t.f);
}

TEST(info_pid_of_a_made_up_tree)
{
	struct tree t;

	tree_init(_metadata, &t);
	EXPECT_EQ(3, info(&t.f, CMD("--json --pid 100 %s", t.args)));
	py_check(_metadata, &t.f,
		 "import json, sys\n"
		 "d = json.load(sys.stdin)\n"
		 "assert d['pid'] == 100\n"
		 "assert [b['inode'] for b in d['buffers']] == [1001, 1002], d['buffers']\n"
		 "assert [h['pid'] for h in d['buffers'][0]['holders']] == [100, 200]\n"
		 "assert [(p['pid'], p['pss_bytes']) for p in d['processes']] == [(100, 14336)]\n"
		 "print('ok')\n", "");
	/* No such process: status 1, said on stderr, and in JSON on stdout. */
	EXPECT_EQ(1, info(&t.f, CMD("--pid 999 %s", t.args)));
	EXPECT_NE(NULL, strstr(slurp(t.f.err), "--pid 999: no such process"))
		TH_LOG("%s", slurp(t.f.err));
	EXPECT_STREQ("", slurp(t.f.out));
	EXPECT_EQ(1, info(&t.f, CMD("--json --pid 999 %s", t.args)));
	py_check(_metadata, &t.f,
		 "import json, sys\n"
		 "d = json.load(sys.stdin)\n"
		 "assert d['pid'] == 999 and d['error'] == '--pid 999: no such process', d\n"
		 "print('ok')\n", "");
	files_clean(&t.f);
}

/* The module's page pools from --pool-file: a line, and an object in JSON. */
TEST(info_pool_file_gives_the_pool_line_and_json_object)
{
	char pool[160], args[480];
	struct tree t;

	tree_init(_metadata, &t);
	put(_metadata, t.f.dir, "pool",
	    "order clean dirty zeroing bytes\n"
	    "8 3 1 0 4194304\n"
	    "4 0 0 0 0\n"
	    "0 2 0 0 8192\n"
	    "total_bytes 4202496\n"
	    "clean_bytes 3153920\n"
	    "dirty_bytes 1048576\n"
	    "max_bytes 67108864\n"
	    "taken_pages 12\n"
	    "held_pages 0\n");
	snprintf(pool, sizeof(pool), "%s/pool", t.f.dir);
	snprintf(args, sizeof(args), "%s --pool-file %s", t.args, pool);
	EXPECT_EQ(3, info(&t.f, args));
	EXPECT_NE(NULL, strstr(slurp(t.f.out), "\nPool (dmabuf_exporter): 4.0 MiB of "
			       "at most 64 MiB (3.0 MiB zeroed, 1 MiB to zero)\n"))
		TH_LOG("%s", slurp(t.f.out));
	EXPECT_EQ(3, info(&t.f, CMD("--json %s", args)));
	py_check(_metadata, &t.f,
		 "import json, sys\n"
		 "d = json.load(sys.stdin)\n"
		 "p = d['dmabuf_exporter_pool']\n"
		 "assert d['dmabuf_exporter_pool_error'] is None, d\n"
		 "assert (p['bytes'], p['clean_bytes'], p['dirty_bytes'], p['max_bytes']) == \\\n"
		 "    (4202496, 3153920, 1048576, 67108864), p\n"
		 "assert [(o['order'], o['clean'], o['dirty'], o['bytes']) for o in p['orders']] == \\\n"
		 "    [(8, 3, 1, 4194304), (4, 0, 0, 0), (0, 2, 0, 8192)], p\n"
		 "print('ok')\n", "");

	/* Missing: null and the reason; in the table, the line says why. */
	snprintf(args, sizeof(args), "%s --pool-file %s/none", t.args, t.f.dir);
	EXPECT_EQ(3, info(&t.f, CMD("--json %s", args)));
	py_check(_metadata, &t.f,
		 "import json, sys\n"
		 "d = json.load(sys.stdin)\n"
		 "assert d['dmabuf_exporter_pool'] is None, d\n"
		 "assert d['dmabuf_exporter_pool_error'] == 'No such file or directory', d\n"
		 "print('ok')\n", "");
	EXPECT_EQ(3, info(&t.f, args));
	EXPECT_NE(NULL, strstr(slurp(t.f.out), "Pool (dmabuf_exporter): unknown ("))
		TH_LOG("%s", slurp(t.f.out));

	/* Off: said so. */
	put(_metadata, t.f.dir, "pool",
	    "order clean dirty zeroing bytes\n8 0 0 0 0\ntotal_bytes 0\n"
	    "clean_bytes 0\ndirty_bytes 0\nmax_bytes 0\n");
	snprintf(args, sizeof(args), "%s --pool-file %s", t.args, pool);
	EXPECT_EQ(3, info(&t.f, args));
	EXPECT_NE(NULL, strstr(slurp(t.f.out), "Pool (dmabuf_exporter): off (pool_max_mb=0)\n"))
		TH_LOG("%s", slurp(t.f.out));
	files_clean(&t.f);
}

TEST(info_watch_redraws_count_times)
{
	struct timespec t0, t1;
	struct tree t;
	char *out, *p;
	int frames = 0;
	double dt;

	tree_init(_metadata, &t);
	/* --json: one object per line, per redraw. */
	EXPECT_EQ(3, info(&t.f, CMD("--json --watch=0.01 --count 3 %s", t.args)));
	py_check(_metadata, &t.f,
		 "import json, sys\n"
		 "lines = sys.stdin.buffer.read().decode('utf-8').split('\\n')\n"
		 "assert len(lines) == 4 and lines[3] == '', lines\n"
		 "for l in lines[:3]:\n"
		 "    d = json.loads(l)\n"
		 "    assert d['schema_version'] == 2 and len(d['buffers']) == 5\n"
		 "print('ok')\n", "");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(3, info(&t.f, CMD("-w0.2 -n 3 %s", t.args)));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_LE(0.39, dt);
	out = slurp(t.f.out);
	for (p = out; (p = strstr(p, "Every 0.2s: dmabuf-info")); p++)
		frames++;
	EXPECT_EQ(3, frames) TH_LOG("%s", out);
	/* --count alone watches at the default interval: one frame is quick. */
	EXPECT_EQ(3, info(&t.f, CMD("--count 1 %s", t.args)));
	EXPECT_NE(NULL, strstr(slurp(t.f.out), "Every 2s: dmabuf-info"));
	files_clean(&t.f);
}

TEST(info_usage_errors_exit_2)
{
	static const char *const bad[] = {
		"--watch=0", "--watch=-1", "--watch=abc", "--watch=inf", "--watch=0x1",
		"--count 0", "--count x", "--count -3", "--pid x", "--pid 0", "--pid -1",
		"--pid ' 1'", "extra",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(2, run(CMD("%s %s >/dev/null 2>&1", INFO, bad[i]), NULL, 0))
			TH_LOG("argument %u", i);
}

TEST(info_help_documents_exit_statuses)
{
	char out[8192];

	EXPECT_EQ(0, run(CMD("%s --help", INFO), out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "--watch[=SECONDS]")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  3  some processes could not be read")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "  1  error:")) TH_LOG("%s", out);
}

/* A pid that was just freed: no such process, on the real /proc too. */
TEST(info_of_a_pid_that_does_not_exist_exits_1)
{
	struct files f;
	pid_t pid;
	int st;

	files_init(_metadata, &f);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(1, info(&f, CMD("--pid %d", pid)));
	EXPECT_NE(NULL, strstr(slurp(f.err), "no such process")) TH_LOG("%s", slurp(f.err));
	EXPECT_EQ(1, info(&f, CMD("--json --pid %d", pid)));
	py_check(_metadata, &f,
		 "import json, sys\n"
		 "d = json.load(sys.stdin)\n"
		 "assert d['pid'] == int(sys.argv[1]) and 'no such process' in d['error'], d\n"
		 "print('ok')\n", CMD("%d", pid));
	files_clean(&f);
}

/*
 * json_string() against Python's decoder: every string of 1 to 3 bytes
 * from a set around every boundary of UTF-8 (and 4 bytes from a smaller
 * one) must come out as valid JSON (the whole file strict UTF-8) whose
 * value is bytes.decode("utf-8", "replace").
 */
TEST(json_strings_are_utf8_with_invalid_bytes_as_u_fffd)
{
	static const unsigned char set3[] = {
		0x01, 0x09, 0x22, 0x41, 0x5c, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	static const unsigned char set4[] = {
		0x41, 0x80, 0x8f, 0x90, 0xa0, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff,
	};
	unsigned int n3 = sizeof(set3), n4 = sizeof(set4), i, len, k, x;
	unsigned char s[5];
	struct files f;
	FILE *out;

	files_init(_metadata, &f);
	out = fopen(f.out, "w");
	ASSERT_NE(NULL, out);
	for (len = 1; len <= 4; len++) {
		const unsigned char *set = len < 4 ? set3 : set4;
		unsigned int n = len < 4 ? n3 : n4, total = 1;

		for (k = 0; k < len; k++)
			total *= n;
		for (i = 0; i < total; i++) {
			for (k = 0, x = i; k < len; k++, x /= n)
				s[k] = set[x % n];
			s[len] = '\0';
			for (k = 0; k < len; k++)
				fprintf(out, "%02x", s[k]);
			fputc('\t', out);
			json_string(out, (const char *)s);
			fputc('\n', out);
		}
	}
	fclose(out);
	py_check(_metadata, &f,
		 "import json, sys\n"
		 "n = 0\n"
		 "for line in sys.stdin.buffer.read().decode('utf-8').splitlines():\n"
		 "    h, j = line.split('\\t', 1)\n"
		 "    raw = bytes.fromhex(h)\n"
		 "    assert json.loads(j) == raw.decode('utf-8', 'replace'), (h, j)\n"
		 "    n += 1\n"
		 "assert n > 30000, n\n"
		 "print('ok')\n", "");

	/* A few by hand. */
	{
		static const char *const cases[][2] = {
			{ "caméra-ü", "\"caméra-ü\"" },
			{ "a\"b\\c\n\x1f", "\"a\\\"b\\\\c\\u000a\\u001f\"" },
			{ "\xff", "\"\\ufffd\"" },
			{ "\xe2\x82", "\"\\ufffd\"" },			/* truncated */
			{ "\xe2\x82" "A", "\"\\ufffdA\"" },
			{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate */
			{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },		/* overlong */
			{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
			{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },	/* U+1F600 */
		};
		char *text;
		size_t tlen;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			out = open_memstream(&text, &tlen);
			ASSERT_NE(NULL, out);
			json_string(out, cases[i][0]);
			fclose(out);
			EXPECT_STREQ(cases[i][1], text) TH_LOG("case %u", i);
			free(text);
		}
	}
	files_clean(&f);
}

/* ---- guests: real buffers, processes and importers ---- */

TEST_HARNESS_MAIN
