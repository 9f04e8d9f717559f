// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dmabuf-* tools as a user runs them: exit statuses, human output, and
 * --json parsed by python3 (the host's, seen in the guest through the shared
 * root). A tool's JSON goes to a file first (run_json()), so that its own
 * exit status is checked, not only the parser's. Command lines, --help and
 * --version: tools_cli_test.c, on the host only.
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
#include "run-tool.h"
#include "vgem.h"

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
/*
 * Exit status 1 when nothing could be measured: every provider missing. As
 * root (the guests), all five device providers, in a private mount
 * namespace with an empty /dev; as a user, those this machine lacks.
 */
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
		 "print(all(r[\"values\"][\"ours-system\"] is not None or r[\"metric\"].startswith((\"import\",\"vgem_\")) for r in d[\"results\"]))\n"
		 "print(d[\"results\"][0][\"values\"][\"anon\"] > 0)",
		 out, sizeof(out));
	EXPECT_STREQ("['alloc_free', 'alloc_free', 'alloc_warm_pool', 'alloc_warm_pool', "
		     "'alloc_free_sustained', 'alloc_free_sustained', 'mmap_first_touch', "
		     "'mmap', 'write_bw', 'read_bw', 'sync_start_end', 'import', "
		     "'vgem_import', 'vgem_sync_whole', 'vgem_sync_part']\n"
		     "True\nTrue\n", out);
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
