/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the dmabuf-* tools from the tests (tools_test, tools_cli_test,
 * info_test, info_tree_test): a command through sh with its output
 * captured, its output in files, python3 as an independent JSON checker.
 * Needs TOOLS_DIR and kselftest_harness.h.
 */
#ifndef DMX_RUN_TOOL_H
#define DMX_RUN_TOOL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dmabuf_exporter.h>

#include "dmabuf-helper.h"

#define PY "/usr/bin/python3"

/* A command line built in a static buffer: one per call site. */
#define CMD(...) ({ static char _c[8192]; snprintf(_c, sizeof(_c), __VA_ARGS__); _c; })

/* Run @cmd with sh; its stdout (cut) in @out; returns the exit status. */
static inline int run(const char *cmd, char *out, size_t len)
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

static inline int have_module(void)
{
	return access(DMABUF_EXPORTER_DEV_SYSTEM, F_OK) == 0;
}

/*
 * Run the tool command @tool with its stdout in a file (its stderr in
 * another, which must hold no JSON: --json always goes to stdout), expect
 * exit status @want, then run the python3 program @py on that output (as
 * its stdin), which must exit 0; the program's stdout is left in @out.
 */
static inline void run_json(struct __test_metadata *_metadata, int want,
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

/* A scratch directory for one tool run: its stdout, stderr, a checker. */
struct files {
	char dir[64];
	char out[96], err[96], py[96];
};

static inline void files_init(struct __test_metadata *_metadata, struct files *f)
{
	strcpy(f->dir, "/tmp/dmx-info-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(f->dir));
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	snprintf(f->err, sizeof(f->err), "%s/err", f->dir);
	snprintf(f->py, sizeof(f->py), "%s/check.py", f->dir);
}

static inline void files_clean(struct files *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", f->dir);
}

/* Run @tool with @args, stdout to f->out and stderr to f->err; its status. */
static inline int run_to_files(struct files *f, const char *tool, const char *args)
{
	static char cmd[16384];

	if (snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", tool, args, f->out,
		     f->err) >= (int)sizeof(cmd))
		return -1;
	return run(cmd, NULL, 0);
}

/*
 * python3 @prog ARGS <f->out: the program asserts and prints "ok"; its
 * status must be 0. Its output (a traceback on failure) is logged.
 */
static inline void py_check(struct __test_metadata *_metadata, struct files *f,
			    const char *prog, const char *args)
{
	char out[8192];
	FILE *p = fopen(f->py, "w");

	ASSERT_NE(NULL, p);
	fputs(prog, p);
	fclose(p);
	EXPECT_EQ(0, run(CMD(PY " %s %s <%s 2>&1", f->py, args, f->out), out, sizeof(out)))
		TH_LOG("python3 says:\n%s", out);
	EXPECT_STREQ("ok\n", out);
}

/* A file's text (cut at 64 KiB); "" when it cannot be read. */
static inline char *slurp(const char *path)
{
	static char text[65536];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	text[0] = '\0';
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
	}
	return text;
}

/* The process @pid of a snapshot, or NULL. */
static inline const struct dmabufx_process *
find_proc(const struct dmabufx_snapshot *s, int pid)
{
	size_t i;

	for (i = 0; i < dmabufx_snapshot_process_count(s); i++)
		if (dmabufx_process_pid(dmabufx_snapshot_process(s, i)) == pid)
			return dmabufx_snapshot_process(s, i);
	return NULL;
}

#endif /* DMX_RUN_TOOL_H */
