// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dmabuf-* tools' command lines, on the host only (pure userspace;
 * tools_test.c has what needs the module): --help, --version, usage
 * errors, sizes, and bench of anonymous memory or of missing providers. A tool's
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

#include "dmabuf-helper.h"
#include "kselftest_harness.h"
#include "run-tool.h"

static const char *const tools[] = {
	"dmabuf-alloc", "dmabuf-bench", "dmabuf-demo", "dmabuf-info",
};
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

TEST(bench_of_anonymous_memory_only_measures_it_and_exits_0)
{
	char out[256];

	run_json(_metadata, 0, CMD("%s/dmabuf-bench -p anon -S 4K -b 64K -i 64K -r 1 "
				   "-t 0 --json", TOOLS_DIR),
		 "import json,sys; d=json.load(sys.stdin); r=d[\"results\"]\n"
		 "print(d[\"providers\"][\"anon\"], sum(v is not None for x in r for v in x[\"values\"].values()), "
		 "r[0][\"values\"][\"anon\"] > 0, r[0][\"values\"][\"ours-system\"])",
		 out, sizeof(out));
	/*
	 * alloc+free, alloc+free loop, touch, write, read; no warm-pool
	 * allocation, sync or import for anon.
	 */
	EXPECT_STREQ("True 5 True None\n", out);
}

/* --disk is checked before anything is measured: a usage error. */
TEST(bench_disk_that_cannot_be_read_is_a_usage_error)
{
	EXPECT_EQ(2, run(CMD("%s/dmabuf-bench -p anon --disk /nonexistent/disk 2>/dev/null",
			     TOOLS_DIR), NULL, 0));
	EXPECT_EQ(2, run(CMD("%s/dmabuf-bench -p anon --disk /dev/null 2>/dev/null",
			     TOOLS_DIR), NULL, 0));
}

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

TEST_HARNESS_MAIN
