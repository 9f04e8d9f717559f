// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dmabuf-* tools as a user runs them: exit statuses, human output, and
 * --json parsed by python3 (the host's, seen in the guest through the shared
 * root). --help/--version and usage errors run on the host too. A tool's
 * JSON goes to a file first (run_json()), so that its own exit status is
 * checked, not only the parser's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"
#include "vgem.h"

#define PY "/usr/bin/python3"

static const char *const tools[] = {
	"dmabuf-alloc", "dmabuf-bench", "dmabuf-demo", "dmabuf-info",
};

/* Run @cmd with sh; its stdout (cut) in @out; returns the exit status. */
static int run(const char *cmd, char *out, size_t len)
{
	size_t n = 0;
	FILE *p;
	int st;

	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define CMD(...) ({ static char _c[4096]; snprintf(_c, sizeof(_c), __VA_ARGS__); _c; })

/*
 * Run the tool command @tool with its stdout in a file (its stderr in
 * another, which must hold no JSON: --json always goes to stdout), expect
 * exit status @want, then run the python3 program @py on that output (as
 * its stdin), which must exit 0; the program's stdout is left in @out.
 */
static void run_json(struct __test_metadata *_metadata, int want,
		     const char *tool, const char *py, char *out, size_t len)
{
	char json[] = "/tmp/dmx-tools-json-XXXXXX", err[sizeof(json) + 4];
	static char cmd[8192];
	FILE *f;
	int fd;

	fd = mkstemp(json);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(err, sizeof(err), "%s.err", json);
	snprintf(cmd, sizeof(cmd), "%s >%s 2>%s", tool, json, err);
	EXPECT_EQ(want, run(cmd, NULL, 0)) TH_LOG("%s", tool);
	f = fopen(err, "r");
	if (f) {
		char line[512];

		while (fgets(line, sizeof(line), f))
			EXPECT_EQ(NULL, strchr(line, '{')) TH_LOG("JSON on stderr: %s", line);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), PY " -c '%s' <%s", py, json);
	EXPECT_EQ(0, run(cmd, out, len)) TH_LOG("%s: its JSON did not pass: %s", tool, py);
	unlink(json);
	unlink(err);
}

static int have_module(void)
{
	return access(DMABUF_EXPORTER_DEV_SYSTEM, F_OK) == 0;
}

TEST(every_tool_prints_usage_for_help_and_exits_0)
{
	char out[8192], want[64];
	unsigned int i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		EXPECT_EQ(0, run(CMD("%s/%s --help", TOOLS_DIR, tools[i]), out, sizeof(out)));
		snprintf(want, sizeof(want), "Usage: %s ", tools[i]);
		EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "--json")) TH_LOG("%s", tools[i]);
		EXPECT_NE(NULL, strstr(out, "--version")) TH_LOG("%s", tools[i]);
	}
}

TEST(every_tool_prints_name_package_and_version)
{
	char out[256], want[128];
	unsigned int i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		EXPECT_EQ(0, run(CMD("%s/%s --version", TOOLS_DIR, tools[i]), out, sizeof(out)));
		snprintf(want, sizeof(want), "%s (dmabuf-exporter) %s\n", tools[i],
			 DMABUF_VERSION);
		EXPECT_STREQ(want, out);
	}
}

TEST(every_tool_exits_2_on_an_unknown_option)
{
	unsigned int i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		EXPECT_EQ(2, run(CMD("%s/%s --no-such-option 2>/dev/null", TOOLS_DIR,
				     tools[i]), NULL, 0)) TH_LOG("tool %u", i);
}

TEST(alloc_usage_errors_exit_2)
{
	EXPECT_EQ(2, run(CMD("%s/dmabuf-alloc --size 0 2>/dev/null", TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-alloc --size 12Q 2>/dev/null", TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-alloc --memfd --kind system 2>/dev/null",
			     TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-alloc --offset 4K 2>/dev/null", TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-alloc --fd x 2>/dev/null", TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-bench --reps 0 2>/dev/null", TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-info --pid 0 2>/dev/null", TOOLS_DIR), NULL, 0));
}

TEST(alloc_of_a_missing_provider_exits_1_naming_the_error)
{
	char out[512];

	EXPECT_EQ(1, run(CMD("%s/dmabuf-alloc --kind no-such-heap 2>&1", TOOLS_DIR),
			 out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "No such file or directory")) TH_LOG("%s", out);
}

/*
 * dmabuf-info's status on this machine's /proc: 0, or 3 when some processes
 * cannot be read (another user's without root, a container's pid 1).
 */
static int info_status(struct __test_metadata *_metadata)
{
	int st = run(CMD("%s/dmabuf-info >/dev/null 2>&1", TOOLS_DIR), NULL, 0);

	EXPECT_TRUE(st == 0 || st == 3) TH_LOG("dmabuf-info exited %d", st);
	return st;
}

TEST(info_json_parses_even_with_no_buffers_of_ours)
{
	char out[128];

	run_json(_metadata, info_status(_metadata), CMD("%s/dmabuf-info --json", TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); "
		 "print(d[\"schema_version\"], d[\"complete\"] == (d[\"unreadable\"] == []), "
		 "sorted(d)[:3])", out, sizeof(out));
	EXPECT_STREQ("2 True ['attachments_known', 'buffers', 'bufinfo_error']\n", out);
}

/* Sizes are decimal ("010" is ten, never octal) with K, M, G suffixes. */
TEST(sizes_are_decimal_with_binary_suffixes_and_junk_exits_2)
{
	static const char *const junk[] = {
		"0x10", "-1", "+4096", " 4K", "1.5M", "4Q", "K", "",
		"18446744073709551616", "17179869184G",
	};
	long page = sysconf(_SC_PAGESIZE);
	char out[256], want[128];
	unsigned int i;

	/*
	 * Page-rounded 100 KiB; octal "0100K" would be 64 KiB. The sizes of
	 * every row come back in bench's JSON.
	 */
	run_json(_metadata, 0, CMD("%s/dmabuf-bench -p anon -S 0100K,010 -b 0100K "
				   "-i 0100K -r 1 -t 0 --json", TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); "
		 "print(*[r[\"size\"] for r in d[\"results\"]][:3])", out, sizeof(out));
	snprintf(want, sizeof(want), "%ld %ld %ld\n", (102400 + page - 1) / page * page,
		 page, (102400 + page - 1) / page * page);
	EXPECT_STREQ(want, out);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		EXPECT_EQ(2, run(CMD("%s/dmabuf-alloc --size '%s' 2>/dev/null", TOOLS_DIR,
				     junk[i]), NULL, 0)) TH_LOG("alloc '%s'", junk[i]);
		EXPECT_EQ(2, run(CMD("%s/dmabuf-demo --size '%s' 2>/dev/null", TOOLS_DIR,
				     junk[i]), NULL, 0)) TH_LOG("demo '%s'", junk[i]);
		EXPECT_EQ(2, run(CMD("%s/dmabuf-bench -b '%s' 2>/dev/null", TOOLS_DIR,
				     junk[i]), NULL, 0)) TH_LOG("bench '%s'", junk[i]);
	}
	/* "09" was a usage error when sizes were parsed as C literals. */
	EXPECT_EQ(have_module() ? 0 : 1,
		  run(CMD("%s/dmabuf-demo --size 09 >/dev/null 2>&1", TOOLS_DIR), NULL, 0));
}

/* Every tool's --json goes to stdout, also when it fails (demo). */
TEST(json_of_info_bench_and_demo_goes_to_stdout)
{
	char out[256];

	run_json(_metadata, info_status(_metadata), CMD("%s/dmabuf-info --json", TOOLS_DIR),
		 "import json,sys; print(json.load(sys.stdin)[\"tool\"])", out, sizeof(out));
	EXPECT_STREQ("dmabuf-info\n", out);
	run_json(_metadata, 0, CMD("%s/dmabuf-bench -p anon -S 4K -b 64K -i 64K -r 1 "
				   "-t 0 --json", TOOLS_DIR),
		 "import json,sys; print(json.load(sys.stdin)[\"tool\"])", out, sizeof(out));
	EXPECT_STREQ("dmabuf-bench\n", out);
	/* Without our module the demo fails at "open", in JSON too. */
	run_json(_metadata, have_module() ? 0 : 1,
		 CMD("%s/dmabuf-demo -s 64K --json", TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); "
		 "print(d[\"tool\"], d[\"ok\"], d[\"steps\"][0][\"step\"])", out, sizeof(out));
	EXPECT_STREQ(have_module() ? "dmabuf-demo True open\n" : "dmabuf-demo False open\n",
		     out);
}

/* Anonymous memory is always there: bench measures it and exits 0. */
TEST(bench_of_anonymous_memory_only_measures_it_and_exits_0)
{
	char out[256];

	run_json(_metadata, 0, CMD("%s/dmabuf-bench -p anon -S 4K -b 64K -i 64K -r 1 "
				   "-t 0 --json", TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); r=d[\"results\"]\n"
		 "print(d[\"providers\"][\"anon\"], sum(v is not None for x in r for v in x[\"values\"].values()), "
		 "r[0][\"values\"][\"anon\"] > 0, r[0][\"values\"][\"ours-system\"])",
		 out, sizeof(out));
	/* alloc+free, touch, write, read; no sync or import for anon. */
	EXPECT_STREQ("True 4 True None\n", out);
}

/*
 * Exit status 1 when nothing could be measured: every provider missing. As
 * root (the guests), all five device providers, in a private mount
 * namespace with an empty /dev; as a user, those this machine lacks.
 */
TEST(bench_exits_1_when_every_selected_provider_is_missing)
{
	static const char *const nodes[][2] = {
		{ "ours-system", DMABUF_EXPORTER_DEV_SYSTEM },
		{ "ours-uncached", DMABUF_EXPORTER_DEV_SYSTEM_UNCACHED },
		{ "ours-contig", DMABUF_EXPORTER_DEV_CONTIG },
		{ "heap-system", "/dev/dma_heap/system" },
		{ "udmabuf", DMABUFX_UDMABUF_DEV },
	};
	const char *no_dev = "";
	char list[256] = "", out[256];
	unsigned int i;

	if (!geteuid())
		no_dev = "unshare -m sh -c 'mount -t tmpfs none /dev && exec \"$0\" \"$@\"' ";
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (no_dev[0] || access(nodes[i][1], F_OK))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? "," : "", nodes[i][0]);
	if (!list[0])
		SKIP(return, "not root, and every provider exists here");
	/* Still one JSON object on stdout, every figure null. */
	run_json(_metadata, 1, CMD("%s%s/dmabuf-bench -p %s -S 4K -b 64K -i 64K -r 1 -t 0 "
				   "--json", no_dev, TOOLS_DIR, list),
		 "import json,sys; d=json.load(sys.stdin)\n"
		 "print(len(d[\"results\"]) > 0, any(v is not None for x in d[\"results\"] "
		 "for v in x[\"values\"].values()))", out, sizeof(out));
	EXPECT_STREQ("True False\n", out) TH_LOG("providers %s", list);
	EXPECT_EQ(1, run(CMD("%s%s/dmabuf-bench -p %s -S 4K -b 64K -i 64K -r 1 -t 0 2>&1",
			     no_dev, TOOLS_DIR, list), out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "nothing could be measured")) TH_LOG("%s", out);
	EXPECT_EQ(2, run(CMD("%s/dmabuf-bench -p no-such-provider 2>/dev/null", TOOLS_DIR),
			 NULL, 0));
}

/*
 * No uninitialised memory reaches a system call (an ioctl on a random fd
 * for anonymous memory did): valgrind, where the machine has it, on every
 * provider present.
 */
TEST(bench_runs_clean_under_valgrind)
{
	char out[4096];

	if (access("/usr/bin/valgrind", X_OK))
		SKIP(return, "no /usr/bin/valgrind on this machine");
	EXPECT_EQ(0, run(CMD("/usr/bin/valgrind -q --error-exitcode=9 %s/dmabuf-bench "
			     "-S 4K -b 64K -i 64K -r 1 -t 0 2>&1 >/dev/null", TOOLS_DIR),
			 out, sizeof(out))) TH_LOG("%s", out);
}

/* ---- guests ---- */

TEST(alloc_json_describes_a_named_buffer_of_ours)
{
	char out[256];

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	run_json(_metadata, 0, CMD("%s/dmabuf-alloc --kind system --size 3M --name tt --json",
				   TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); "
		 "print(d[\"provider\"], d[\"exporter\"], d[\"size\"], d[\"name\"])",
		 out, sizeof(out));
	EXPECT_STREQ("/dev/dmabuf-exporter/system dmabuf_exporter 3145728 tt\n", out);
}

/* --verbose --json with a COMMAND: the JSON on stdout, before the command's. */
TEST(alloc_json_goes_to_stdout_also_with_a_command)
{
	char out[256];

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	run_json(_metadata, 3, CMD("%s/dmabuf-alloc -v --json -s 8K --fd 9 -- "
				   "sh -c 'echo after; exit 3'", TOOLS_DIR),
		 "import json,sys; t=sys.stdin.read(); i=t.rindex(\"}\")+1\n"
		 "d=json.loads(t[:i]); print(d[\"size\"], d[\"fd\"], t[i:].split())",
		 out, sizeof(out));
	EXPECT_STREQ("8192 9 ['after']\n", out);
}

TEST(alloc_human_output_names_fd_size_provider_and_name)
{
	char out[512];

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	EXPECT_EQ(0, run(CMD("%s/dmabuf-alloc -k contig -s 64K -n hello", TOOLS_DIR),
			 out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "64 KiB (65536 bytes) from /dev/dmabuf-exporter/contig"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "exporter dmabuf_exporter")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "name hello")) TH_LOG("%s", out);
}

TEST(alloc_hands_the_fd_to_the_command_at_the_number_asked)
{
	char out[512];

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	EXPECT_EQ(0, run(CMD("%s/dmabuf-alloc -k system -s 8K -n cmd --fd 7 -- "
			     "sh -c 'echo $DMABUF_FD $DMABUF_SIZE $DMABUF_PROVIDER; "
			     "grep -E \"^(exp_name|name|size):\" /proc/self/fdinfo/7'",
			     TOOLS_DIR), out, sizeof(out)));
	EXPECT_STREQ("7 8192 /dev/dmabuf-exporter/system\nsize:\t8192\n"
		     "exp_name:\tdmabuf_exporter\nname:\tcmd\n", out);
}

TEST(alloc_exits_with_the_commands_status_and_127_if_it_cannot_run)
{
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	EXPECT_EQ(3, run(CMD("%s/dmabuf-alloc -s 4K -- sh -c 'exit 3'", TOOLS_DIR), NULL, 0));
	EXPECT_EQ(127, run(CMD("%s/dmabuf-alloc -s 4K -- /nonexistent 2>/dev/null",
			       TOOLS_DIR), NULL, 0));
}

TEST(alloc_from_the_kernel_heap_path)
{
	char out[256];

	if (access("/dev/dma_heap/system", F_OK))
		SKIP(return, "no /dev/dma_heap/system in this kernel");
	run_json(_metadata, 0, CMD("%s/dmabuf-alloc -k /dev/dma_heap/system -s 4K --json",
				   TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); print(d[\"provider\"], d[\"exporter\"])",
		 out, sizeof(out));
	EXPECT_STREQ("/dev/dma_heap/system system\n", out);
}

TEST(alloc_imports_a_file_range_with_its_bytes)
{
	char out[256], path[] = "/tmp/dmx-tools-XXXXXX";
	int fd, st;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(16, write(fd, "0123456789abcdef", 16));
	close(fd);
	st = run(CMD("%s/dmabuf-alloc --file %s --offset 4 --size 6 -- " PY " -c "
		     "'import mmap,os; m=mmap.mmap(int(os.environ[\"DMABUF_FD\"]), 4096); "
		     "print(m[:7], os.environ[\"DMABUF_SIZE\"])' 2>&1", TOOLS_DIR, path),
		 out, sizeof(out));
	unlink(path);
	/* Our ctl node always implements UDMABUF_CREATE: ENOTTY fails. */
	EXPECT_EQ(0, st) TH_LOG("%s", out);
	EXPECT_STREQ("b'456789\\x00' 4096\n", out);
}

TEST(alloc_user_memory_import)
{
	char out[256];
	int st;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	/* Our module always implements IMPORT_USER: ENOTTY fails. */
	st = run(CMD("%s/dmabuf-alloc --user -s 12K --json 2>&1", TOOLS_DIR), out, sizeof(out));
	EXPECT_EQ(0, st) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"size\": 12288")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"exporter\": \"dmabuf_exporter\"")) TH_LOG("%s", out);
}

/*
 * This process holds: one buffer of ours by fd, one of ours only by a
 * mapping (fd closed), a vgem buffer and, on 6.12, one of the kernel heap.
 * dmabuf-info --pid must list each with the right holder and totals.
 */
TEST(info_lists_buffers_of_every_exporter_held_by_fd_or_mapping)
{
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 4, .bpp = 32 };
	int byfd, mapped, heap = -1, drm, vgem = -1;
	uint32_t imported = 0;
	char out[4096], want[128];
	void *m;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	byfd = dmabufx_alloc("system", 8192, O_RDWR | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, byfd);
	ASSERT_EQ(0, dmabufx_set_name(byfd, "by-fd"));
	mapped = dmabufx_alloc("system-uncached", 3 * 4096, O_RDWR | O_CLOEXEC, NULL, 0);
	ASSERT_LE(0, mapped);
	ASSERT_EQ(0, dmabufx_set_name(mapped, "by-map"));
	m = dmabufx_map(mapped, 3 * 4096, PROT_READ);
	ASSERT_NE(NULL, m);
	close(mapped);
	if (!access("/dev/dma_heap/system", F_OK)) {
		heap = dmabufx_alloc("/dev/dma_heap/system", 4096, O_RDWR | O_CLOEXEC, NULL, 0);
		ASSERT_LE(0, heap);
	}
	drm = vgem_open();
	if (drm >= 0) {
		ASSERT_EQ(0, drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
		ASSERT_EQ(0, drmPrimeHandleToFD(drm, dumb.handle, DRM_CLOEXEC, &vgem));
		/* vgem attaches to "by-fd": one attached device. */
		ASSERT_EQ(0, drmPrimeFDToHandle(drm, byfd, &imported));
	}

	/* One line per buffer: exporter size name nfds mapped; then totals. */
	run_json(_metadata, 0, CMD("%s/dmabuf-info --json --pid %d", TOOLS_DIR, getpid()),
		 "import json,sys; d=json.load(sys.stdin)\n"
		 "for b in sorted(d[\"buffers\"], key=lambda b: (b[\"exporter\"], b[\"name\"])):\n"
		 "  h=b[\"holders\"][0]; print(b[\"exporter\"] if b[\"exporter\"] in (\"dmabuf_exporter\",\"system\") else \"other\", b[\"size\"], b[\"name\"] or \"-\", h[\"nfds\"], h[\"mapped_bytes\"], b[\"attachments\"])\n"
		 "e={x[\"exporter\"]: (x[\"buffers\"], x[\"bytes\"]) for x in d[\"exporters\"]}\n"
		 "print(\"ours\", e[\"dmabuf_exporter\"], len(d[\"processes\"]))",
		 out, sizeof(out));
	snprintf(want, sizeof(want), "dmabuf_exporter 8192 by-fd 1 0 %d\n"
		 "dmabuf_exporter 12288 by-map 0 12288 0\n", drm >= 0);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "ours (2, 20480) 1\n")) TH_LOG("%s", out);
	if (heap >= 0)
		EXPECT_NE(NULL, strstr(out, "system 4096 - 1 0 0\n")) TH_LOG("%s", out);
	if (vgem >= 0)
		EXPECT_NE(NULL, strstr(out, "other 16384 - 1 0 0\n")) TH_LOG("%s", out);

	/* Human output: the names and the per-exporter section. */
	EXPECT_EQ(0, run(CMD("%s/dmabuf-info --pid %d", TOOLS_DIR, getpid()), out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "by-fd")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "by-map")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "mapped 12 KiB")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Per exporter:\n  dmabuf_exporter       2 buffers       20 KiB\n"))
		TH_LOG("%s", out);

	if (vgem >= 0)
		close(vgem);
	if (imported)
		drmCloseBufferHandle(drm, imported);
	if (drm >= 0)
		close(drm);
	if (heap >= 0)
		close(heap);
	munmap(m, 3 * 4096);
	close(byfd);
}

TEST(bench_smoke_runs_every_row_and_its_json_parses)
{
	char out[1024];

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	run_json(_metadata, 0, CMD("%s/dmabuf-bench -S 4K,64K -b 64K -i 64K -r 1 -t 0 --json",
				   TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin)\n"
		 "print([r[\"metric\"] for r in d[\"results\"]])\n"
		 "print(all(r[\"values\"][\"ours-system\"] is not None or r[\"metric\"] in (\"import\",\"vgem_import\") for r in d[\"results\"]))\n"
		 "print(d[\"results\"][0][\"values\"][\"anon\"] > 0)",
		 out, sizeof(out));
	EXPECT_STREQ("['alloc_free', 'alloc_free', 'mmap_first_touch', 'write_bw', "
		     "'read_bw', 'sync_start_end', 'import', 'vgem_import']\nTrue\nTrue\n", out);
	EXPECT_EQ(0, run(CMD("%s/dmabuf-bench -S 4K -b 64K -i 64K -r 1 -t 0", TOOLS_DIR),
			 out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "alloc+free 4 KiB")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "ours-system")) TH_LOG("%s", out);
}

TEST(demo_json_reports_a_successful_round_trip)
{
	char out[64];

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	run_json(_metadata, 0, CMD("%s/dmabuf-demo -s 64K --json", TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); print(d[\"ok\"], len(d[\"steps\"]))",
		 out, sizeof(out));
	EXPECT_STREQ("True 7\n", out);
}

TEST_HARNESS_MAIN
