// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-info: a dma-buf memory debugger. Every dma-buf on the system,
 * whoever exported it, the devices attached to it and the processes holding
 * it by fd or by mapping; per process the buffers' sizes in full (RSS) and
 * shared out among their holders (PSS), as Android's dmabuf_dump; per
 * exporter totals; optionally redrawn every few seconds.
 *
 * The enumeration is the library's (dmabufx_snapshot_take(), enum.c): this
 * file only adds up and prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "dmabuf-helper.h"

/* Version of the --json layout: bumped when a member changes or goes. */
#define SCHEMA_VERSION	2

enum {
	EXIT_INCOMPLETE = 3,	/* some processes could not be read */
};

static struct {
	struct tool tool;
	int pid;
	int watch;
	double interval;
	long count;		/* iterations; 0: until interrupted */
	const char *proc, *bufinfo, *pool_file;
} g = { .tool = { .name = "dmabuf-info" }, .interval = 2 };

/* The dmabuf_exporter module's zeroed page pools, from its debugfs file. */
#define POOL_PATH	"/sys/kernel/debug/dmabuf_exporter/pool"
#define POOL_ORDERS	8

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-info [OPTION]...\n"
		"List every dma-buf on the system, of any exporter: inode, exporter,\n"
		"size, name, attached devices (when the kernel's debugfs list is\n"
		"readable) and the processes holding it by fd or by mapping; then\n"
		"totals per exporter, and per process the bytes of the buffers it holds\n"
		"(RSS) and its proportional share of them (PSS: each buffer's size\n"
		"divided by the number of processes holding it).\n"
		"\n"
		"  -p, --pid=PID          only the buffers process PID holds (with all\n"
		"                         their holders; shares count every process)\n"
		"  -w, --watch[=SECONDS]  redraw every SECONDS (default 2, fractions\n"
		"                         allowed) until interrupted; with --json one\n"
		"                         JSON object per line per redraw\n"
		"  -n, --count=N          stop after N redraws (implies --watch)\n"
		"      --proc=DIR         read DIR instead of /proc (a copy of it)\n"
		"      --bufinfo=FILE     read FILE instead of\n"
		"                         " DMABUFX_BUFINFO_PATH "\n"
		"      --pool-file=FILE   read FILE instead of\n"
		"                         " POOL_PATH "\n"
		"                         (the dmabuf_exporter module's pre-zeroed\n"
		"                         page pools: the Pool line, and\n"
		"                         dmabuf_exporter_pool in JSON)\n"
		TOOL_COMMON_HELP
		"\n"
		"Run as root to see every process and the attached devices. Names are\n"
		"printed with bytes that are not printable UTF-8 as \\xNN; in JSON,\n"
		"bytes that are not UTF-8 become U+FFFD, and name_hex has the exact bytes.\n"
		"\n"
		"Exit status:\n"
		"  0  every process was read\n"
		"  1  error: /proc not readable, --pid not a running process, no memory\n"
		"  2  usage error\n"
		"  3  some processes could not be read (named on stderr; their buffers\n"
		"     are missing from the output, which is printed all the same)\n");
}

/* ---- names for a terminal ---- */

/*
 * @s with everything that is not printable UTF-8 (control characters, C1
 * controls, bytes that are not UTF-8) and the backslash as \xNN: a name
 * cannot move the cursor or garble the table. Returns malloc'd memory.
 */
static char *term_str(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(4 * len + 1);
	int n, i;

	if (!out) {
		tool_err(&g.tool, "out of memory");
		exit(1);
	}
	for (; *s; s += n < 0 ? -n : n) {
		const unsigned char *u = (const unsigned char *)s;
		int c1;

		n = utf8_char(s);
		c1 = n == 2 && u[0] == 0xc2 && u[1] < 0xa0;
		if (n < 0 || c1 || (n == 1 && (u[0] < 0x20 || u[0] == 0x7f || u[0] == '\\'))) {
			for (i = 0; i < (n < 0 ? -n : n); i++)
				o += (size_t)sprintf(out + o, "\\x%02x", u[i]);
		} else {
			memcpy(out + o, s, (size_t)n);
			o += (size_t)n;
		}
	}
	out[o] = '\0';
	return out;
}

/* Columns a terminal string takes: its characters (wide ones count one). */
static int term_width(const char *s)
{
	int w = 0, n;

	for (; *s; s += n < 0 ? -n : n, w++)
		n = utf8_char(s);
	return w;
}

/* printf("%-*s") by characters rather than bytes. */
static void put_padded(const char *s, int width)
{
	int pad = width - term_width(s);

	fputs(s, stdout);
	while (pad-- > 0)
		putchar(' ');
}

/* ---- the dmabuf_exporter module's page pools ---- */

struct pool_order {
	unsigned int order;
	uint64_t clean, dirty, zeroing, bytes;
};

struct pool_info {
	int err;		/* 0: read; else why not */
	uint64_t total, clean, dirty, max, taken;
	struct pool_order orders[POOL_ORDERS];
	int norders;
};

/*
 * The module's debugfs file: a table "order clean dirty zeroing bytes"
 * (counts in pages of that order), then "key value" lines. Unknown keys
 * are ignored, so that the module may add some.
 */
static void pool_read(struct pool_info *p)
{
	const char *path = g.pool_file ? g.pool_file : POOL_PATH;
	unsigned long long v[5];
	char line[256], key[64];
	int have = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "re");
	if (!f) {
		p->err = errno;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4]) == 5) {
			if (p->norders < POOL_ORDERS && v[0] < 64) {
				struct pool_order *o = &p->orders[p->norders++];

				o->order = (unsigned int)v[0];
				o->clean = v[1];
				o->dirty = v[2];
				o->zeroing = v[3];
				o->bytes = v[4];
			}
			continue;
		}
		if (sscanf(line, "%63s %llu", key, &v[0]) != 2)
			continue;
		if (!strcmp(key, "total_bytes"))
			p->total = v[0], have |= 1;
		else if (!strcmp(key, "clean_bytes"))
			p->clean = v[0], have |= 2;
		else if (!strcmp(key, "dirty_bytes"))
			p->dirty = v[0], have |= 4;
		else if (!strcmp(key, "max_bytes"))
			p->max = v[0], have |= 8;
		else if (!strcmp(key, "taken_pages"))
			p->taken = v[0];
	}
	if (ferror(f))
		p->err = EIO;
	else if (have != 15)
		p->err = EINVAL;	/* not the module's format */
	fclose(f);
}

static void print_json_pool(struct json *j, const struct pool_info *p)
{
	int i;

	if (p->err) {
		json_null(j, "dmabuf_exporter_pool");
		json_str(j, "dmabuf_exporter_pool_error", strerror(p->err));
		return;
	}
	json_object_begin(j, "dmabuf_exporter_pool");
	json_u64(j, "max_bytes", p->max);
	json_u64(j, "bytes", p->total);
	json_u64(j, "clean_bytes", p->clean);
	json_u64(j, "dirty_bytes", p->dirty);
	json_u64(j, "taken_pages", p->taken);
	json_array_begin(j, "orders");
	for (i = 0; i < p->norders; i++) {
		json_object_begin(j, NULL);
		json_i64(j, "order", p->orders[i].order);
		json_u64(j, "clean", p->orders[i].clean);
		json_u64(j, "dirty", p->orders[i].dirty + p->orders[i].zeroing);
		json_u64(j, "bytes", p->orders[i].bytes);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_null(j, "dmabuf_exporter_pool_error");
}

/* "Pool (dmabuf_exporter): 12 MiB of at most 64 MiB (12 MiB zeroed, ...)" */
static void print_human_pool(const struct pool_info *p)
{
	char t[32], m[32], c[32], d[32];

	if (p->err) {
		printf("Pool (dmabuf_exporter): unknown (%s: %s)\n",
		       g.pool_file ? g.pool_file : POOL_PATH, strerror(p->err));
		return;
	}
	if (!p->max) {
		printf("Pool (dmabuf_exporter): off (pool_max_mb=0)\n");
		return;
	}
	printf("Pool (dmabuf_exporter): %s of at most %s (%s zeroed, %s to zero)\n",
	       tool_human_size(p->total, t, sizeof(t)),
	       tool_human_size(p->max, m, sizeof(m)),
	       tool_human_size(p->clean, c, sizeof(c)),
	       tool_human_size(p->dirty, d, sizeof(d)));
}

/* ---- what the snapshot adds up to ---- */

struct exporter_total {
	const char *name;	/* NULL: unknown */
	int buffers;
	uint64_t bytes;
};

struct view {
	struct dmabufx_snapshot *snap;
	const struct dmabufx_buffer **bufs;	/* sorted for output */
	size_t nbufs;
	struct exporter_total *exp;
	size_t nexp;
	uint64_t total, unheld;
	size_t nunheld;
	struct pool_info pool;
};

static int strcmp_null(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) : (a ? -1 : b ? 1 : 0);
}

/* Stable output: by exporter (unknown last), then by inode. */
static int cmp_buf(const void *a, const void *b)
{
	const struct dmabufx_buffer *x = *(const struct dmabufx_buffer *const *)a;
	const struct dmabufx_buffer *y = *(const struct dmabufx_buffer *const *)b;
	int c = strcmp_null(dmabufx_buffer_exporter(x), dmabufx_buffer_exporter(y));
	uint64_t i = dmabufx_buffer_inode(x), k = dmabufx_buffer_inode(y);

	return c ? c : (i < k ? -1 : i > k);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		tool_err(&g.tool, "out of memory");
		exit(1);
	}
	return p;
}

static void view_init(struct view *v, struct dmabufx_snapshot *snap)
{
	size_t i, k;

	memset(v, 0, sizeof(*v));
	v->snap = snap;
	pool_read(&v->pool);
	v->nbufs = dmabufx_snapshot_count(snap);
	v->bufs = xcalloc(v->nbufs, sizeof(*v->bufs));
	v->exp = xcalloc(v->nbufs, sizeof(*v->exp));
	for (i = 0; i < v->nbufs; i++)
		v->bufs[i] = dmabufx_snapshot_buffer(snap, i);
	qsort(v->bufs, v->nbufs, sizeof(*v->bufs), cmp_buf);
	for (i = 0; i < v->nbufs; i++) {
		const struct dmabufx_buffer *b = v->bufs[i];
		const char *e = dmabufx_buffer_exporter(b);
		uint64_t size = dmabufx_buffer_size(b);

		/* Sorted by exporter: a new one is a new row. */
		k = v->nexp;
		if (!k || strcmp_null(v->exp[k - 1].name, e))
			v->exp[v->nexp++].name = e;
		v->exp[v->nexp - 1].buffers++;
		v->exp[v->nexp - 1].bytes += size;
		v->total += size;
		if (!dmabufx_buffer_holder_count(b)) {
			v->nunheld++;
			v->unheld += size;
		}
	}
}

static void view_free(struct view *v)
{
	free(v->bufs);
	free(v->exp);
	dmabufx_snapshot_free(v->snap);
}

/* ---- JSON ---- */

static void json_str_or_null(struct json *j, const char *key, const char *s)
{
	if (s)
		json_str(j, key, s);
	else
		json_null(j, key);
}

static void json_hex(struct json *j, const char *key, const char *s)
{
	size_t n = strlen(s), i;
	char *hex = xcalloc(2 * n + 1, 1);

	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)s[i]);
	json_str(j, key, hex);
	free(hex);
}

static void json_header(struct json *j)
{
	json_str(j, "tool", g.tool.name);
	json_i64(j, "schema_version", SCHEMA_VERSION);
	if (g.pid)
		json_i64(j, "pid", g.pid);
	else
		json_null(j, "pid");
}

static void print_json_buffer(struct json *j, const struct dmabufx_buffer *b)
{
	int att = dmabufx_buffer_attachments(b);
	size_t k, x, nh = dmabufx_buffer_holder_count(b);
	uint64_t size = dmabufx_buffer_size(b);

	json_object_begin(j, NULL);
	json_u64(j, "inode", dmabufx_buffer_inode(b));
	json_str_or_null(j, "exporter", dmabufx_buffer_exporter(b));
	if (size)
		json_u64(j, "size", size);
	else
		json_null(j, "size");
	json_str(j, "name", dmabufx_buffer_name(b));
	json_hex(j, "name_hex", dmabufx_buffer_name(b));
	if (att >= 0) {
		json_i64(j, "attachments", att);
		json_array_begin(j, "attached_devices");
		for (k = 0; k < (size_t)att; k++) {
			const char *dev = dmabufx_buffer_device(b, k);

			if (dev)
				json_str(j, NULL, dev);
		}
		json_array_end(j);
	} else {
		json_null(j, "attachments");
		json_null(j, "attached_devices");
	}
	json_array_begin(j, "holders");
	for (k = 0; k < nh; k++) {
		const struct dmabufx_holder *h = dmabufx_buffer_holder(b, k);
		size_t nf = dmabufx_holder_fd_count(h);

		json_object_begin(j, NULL);
		json_i64(j, "pid", dmabufx_holder_pid(h));
		json_str(j, "comm", dmabufx_holder_comm(h));
		json_array_begin(j, "fds");
		for (x = 0; x < nf; x++)
			json_i64(j, NULL, dmabufx_holder_fd(h, x));
		json_array_end(j);
		json_i64(j, "nfds", (int64_t)nf);
		json_u64(j, "mapped_bytes", dmabufx_holder_mapped(h));
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void print_json(FILE *f, const struct view *v)
{
	size_t i, n = dmabufx_snapshot_unreadable_count(v->snap);
	int berr = dmabufx_snapshot_bufinfo_error(v->snap);
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_header(&j);
	json_bool(&j, "complete", n == 0);
	json_bool(&j, "attachments_known", berr == 0);
	json_str_or_null(&j, "bufinfo_error", berr ? strerror(berr) : NULL);

	json_array_begin(&j, "buffers");
	for (i = 0; i < v->nbufs; i++)
		print_json_buffer(&j, v->bufs[i]);
	json_array_end(&j);

	json_array_begin(&j, "exporters");
	for (i = 0; i < v->nexp; i++) {
		json_object_begin(&j, NULL);
		json_str_or_null(&j, "exporter", v->exp[i].name);
		json_i64(&j, "buffers", v->exp[i].buffers);
		json_u64(&j, "bytes", v->exp[i].bytes);
		json_object_end(&j);
	}
	json_array_end(&j);

	json_array_begin(&j, "processes");
	for (i = 0; i < dmabufx_snapshot_process_count(v->snap); i++) {
		const struct dmabufx_process *p = dmabufx_snapshot_process(v->snap, i);

		json_object_begin(&j, NULL);
		json_i64(&j, "pid", dmabufx_process_pid(p));
		json_str(&j, "comm", dmabufx_process_comm(p));
		json_i64(&j, "buffers", (int64_t)dmabufx_process_buffer_count(p));
		json_i64(&j, "fds", (int64_t)dmabufx_process_fd_count(p));
		json_u64(&j, "rss_bytes", dmabufx_process_rss(p));
		json_u64(&j, "pss_bytes", dmabufx_process_pss(p));
		json_u64(&j, "mapped_bytes", dmabufx_process_mapped(p));
		json_object_end(&j);
	}
	json_array_end(&j);

	json_array_begin(&j, "unreadable");
	for (i = 0; i < n; i++) {
		const char *comm;
		int err, pid = dmabufx_snapshot_unreadable(v->snap, i, &err, &comm);

		json_object_begin(&j, NULL);
		json_i64(&j, "pid", pid);
		json_str(&j, "comm", comm);
		json_i64(&j, "errno", err);
		json_str(&j, "error", strerror(err));
		json_object_end(&j);
	}
	json_array_end(&j);

	json_object_begin(&j, "total");
	json_i64(&j, "buffers", (int64_t)v->nbufs);
	json_u64(&j, "bytes", v->total);
	json_i64(&j, "unheld_buffers", (int64_t)v->nunheld);
	json_u64(&j, "unheld_bytes", v->unheld);
	json_object_end(&j);
	print_json_pool(&j, &v->pool);
	json_object_end(&j);
}

/*
 * One JSON object on one line (JSON Lines) for --watch: the writer's
 * newlines and indentation dropped. Strings hold no raw newline (json_string
 * escapes control characters), so this only joins lines.
 */
static void print_json_line(const struct view *v)
{
	size_t len = 0, i;
	char *text = NULL;
	int skip = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		tool_err(&g.tool, "out of memory");
		exit(1);
	}
	print_json(f, v);
	if (fclose(f)) {
		tool_err(&g.tool, "out of memory");
		exit(1);
	}
	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			skip = 1;
			continue;
		}
		if (skip && text[i] == ' ')
			continue;
		skip = 0;
		putchar(text[i]);
	}
	putchar('\n');
	free(text);
}

/* ---- human ---- */

static const char *size_or_unknown(uint64_t size, char *buf, size_t len)
{
	return size ? tool_human_size(size, buf, len) : "?";
}

/* "ATTACHED": the devices' names, "-" for none, "?" unknown. */
static char *attached_text(const struct dmabufx_buffer *b)
{
	int att = dmabufx_buffer_attachments(b), k;
	size_t len = 2, off = 0;
	char *text, *e;

	if (att < 0)
		return term_str("?");
	if (att == 0)
		return term_str("-");
	for (k = 0; k < att; k++) {
		const char *d = dmabufx_buffer_device(b, (size_t)k);

		len += 4 * strlen(d ? d : "?") + 1;
	}
	text = xcalloc(len, 1);
	for (k = 0; k < att; k++) {
		const char *d = dmabufx_buffer_device(b, (size_t)k);

		e = term_str(d ? d : "?");
		off += (size_t)sprintf(text + off, "%s%s", k ? "," : "", e);
		free(e);
	}
	return text;
}

/* "PID COMM: fds 3,4, mapped 12 KiB; PID COMM: fd 5" */
static void print_holders(const struct dmabufx_buffer *b)
{
	size_t k, x, nh = dmabufx_buffer_holder_count(b);
	char hs[32];

	if (!nh) {
		fputs("(no process: importers or the kernel only)", stdout);
		return;
	}
	for (k = 0; k < nh; k++) {
		const struct dmabufx_holder *h = dmabufx_buffer_holder(b, k);
		size_t nf = dmabufx_holder_fd_count(h);
		uint64_t mapped = dmabufx_holder_mapped(h);
		char *comm = term_str(dmabufx_holder_comm(h));

		printf("%s%d %s:", k ? "; " : "", dmabufx_holder_pid(h), comm);
		free(comm);
		if (nf) {
			printf(" fd%s ", nf == 1 ? "" : "s");
			for (x = 0; x < nf; x++)
				printf("%s%d", x ? "," : "", dmabufx_holder_fd(h, x));
		}
		if (mapped)
			printf("%s mapped %s", nf ? "," : "",
			       tool_human_size(mapped, hs, sizeof(hs)));
	}
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void print_human(const struct view *v)
{
	int wi = 5, we = 8, ws = 4, wn = 4, wa = 8, berr;
	char hs[32], hp[32], hm[32], num[32];
	size_t i, np = dmabufx_snapshot_process_count(v->snap);
	char **names = xcalloc(v->nbufs, sizeof(char *));
	char **att = xcalloc(v->nbufs, sizeof(char *));

	for (i = 0; i < v->nbufs; i++) {
		const struct dmabufx_buffer *b = v->bufs[i];
		const char *e = dmabufx_buffer_exporter(b);

		names[i] = term_str(*dmabufx_buffer_name(b) ? dmabufx_buffer_name(b) : "-");
		att[i] = attached_text(b);
		wi = max_int(wi, snprintf(num, sizeof(num), "%" PRIu64,
					  dmabufx_buffer_inode(b)));
		we = max_int(we, e ? term_width(e) : 1);
		ws = max_int(ws, (int)strlen(size_or_unknown(dmabufx_buffer_size(b),
							     hs, sizeof(hs))));
		wn = max_int(wn, term_width(names[i]));
		wa = max_int(wa, term_width(att[i]));
	}

	printf("%-*s %-*s %*s ", wi, "INODE", we, "EXPORTER", ws, "SIZE");
	put_padded("NAME", wn);
	putchar(' ');
	put_padded("ATTACHED", wa);
	printf(" HELD BY (pid comm: fds, mapped)\n");
	for (i = 0; i < v->nbufs; i++) {
		const struct dmabufx_buffer *b = v->bufs[i];
		const char *e = dmabufx_buffer_exporter(b);
		char *exp = term_str(e ? e : "?");

		printf("%-*" PRIu64 " ", wi, dmabufx_buffer_inode(b));
		put_padded(exp, we);
		printf(" %*s ", ws, size_or_unknown(dmabufx_buffer_size(b), hs, sizeof(hs)));
		put_padded(names[i], wn);
		putchar(' ');
		put_padded(att[i], wa);
		putchar(' ');
		print_holders(b);
		putchar('\n');
		free(exp);
		free(names[i]);
		free(att[i]);
	}
	free(names);
	free(att);

	printf("\nPer exporter:\n");
	for (i = 0; i < v->nexp; i++) {
		char *exp = term_str(v->exp[i].name ? v->exp[i].name : "?");

		printf("  %-18s %4d buffer%s %12s\n", exp, v->exp[i].buffers,
		       v->exp[i].buffers == 1 ? " " : "s",
		       tool_human_size(v->exp[i].bytes, hs, sizeof(hs)));
		free(exp);
	}

	printf("\nPer process:\n  %-7s %-16s %7s %4s %12s %12s %12s\n", "PID", "COMM",
	       "BUFFERS", "FDS", "RSS", "PSS", "MAPPED");
	for (i = 0; i < np; i++) {
		const struct dmabufx_process *p = dmabufx_snapshot_process(v->snap, i);
		char *comm = term_str(dmabufx_process_comm(p));

		printf("  %-7d ", dmabufx_process_pid(p));
		put_padded(comm, 16);
		printf(" %7zu %4zu %12s %12s %12s\n", dmabufx_process_buffer_count(p),
		       dmabufx_process_fd_count(p),
		       tool_human_size(dmabufx_process_rss(p), hs, sizeof(hs)),
		       tool_human_size(dmabufx_process_pss(p), hp, sizeof(hp)),
		       tool_human_size(dmabufx_process_mapped(p), hm, sizeof(hm)));
		free(comm);
	}

	printf("\nTotal: %zu buffer%s, %s", v->nbufs, v->nbufs == 1 ? "" : "s",
	       tool_human_size(v->total, hs, sizeof(hs)));
	if (v->nunheld)
		printf("; held by no process: %zu, %s", v->nunheld,
		       tool_human_size(v->unheld, hs, sizeof(hs)));
	berr = dmabufx_snapshot_bufinfo_error(v->snap);
	if (berr)
		printf(" (attached devices unknown: %s: %s)",
		       g.bufinfo ? g.bufinfo : DMABUFX_BUFINFO_PATH, strerror(berr));
	putchar('\n');
	print_human_pool(&v->pool);
}

/* ---- one snapshot, and --watch ---- */

/* Processes that could not be read, on one line of stderr. */
static void warn_unreadable(const struct dmabufx_snapshot *snap)
{
	size_t i, n = dmabufx_snapshot_unreadable_count(snap);

	if (!n)
		return;
	fprintf(stderr, "%s: warning: %zu process%s could not be read (what %s "
		"is missing%s):", g.tool.name, n, n == 1 ? "" : "es",
		n == 1 ? "it holds" : "they hold",
		geteuid() ? "; run as root" : "");
	for (i = 0; i < n; i++) {
		const char *comm;
		int err, pid = dmabufx_snapshot_unreadable(snap, i, &err, &comm);
		char *c = term_str(comm);

		fprintf(stderr, "%s %d (%s): %s", i ? ";" : "", pid, c, strerror(err));
		free(c);
	}
	fputc('\n', stderr);
}

static void print_error_json(const char *msg)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_header(&j);
	json_str(&j, "error", msg);
	json_object_end(&j);
}

/* Take, print and free one snapshot; the exit status it deserves. */
static int show_once(void)
{
	struct dmabufx_snapshot *snap;
	struct view v;
	char msg[512];
	int status;

	snap = dmabufx_snapshot_take_at(g.proc, g.bufinfo, g.pid, 0);
	if (!snap) {
		if (errno == ESRCH && g.pid)
			snprintf(msg, sizeof(msg), "--pid %d: no such process", g.pid);
		else
			snprintf(msg, sizeof(msg), "cannot list dma-bufs (%s): %s",
				 g.proc ? g.proc : "/proc", strerror(errno));
		tool_err(&g.tool, "%s", msg);
		if (g.tool.json)
			print_error_json(msg);
		return 1;
	}
	warn_unreadable(snap);
	status = dmabufx_snapshot_unreadable_count(snap) ? EXIT_INCOMPLETE : 0;
	view_init(&v, snap);
	if (g.tool.json && g.watch)
		print_json_line(&v);
	else if (g.tool.json)
		print_json(stdout, &v);
	else
		print_human(&v);
	view_free(&v);
	return status;
}

static void frame_header(void)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	/* A terminal is redrawn in place; a pipe or file gets frames. */
	if (isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	printf("Every %gs: dmabuf-info%s    %s\n\n", g.interval,
	       g.pid ? " --pid" : "", when);
}

static void sleep_until(struct timespec *next)
{
	struct timespec now;
	double s = floor(g.interval);

	next->tv_sec += (time_t)s;
	next->tv_nsec += (long)((g.interval - s) * 1e9);
	if (next->tv_nsec >= 1000000000L) {
		next->tv_sec++;
		next->tv_nsec -= 1000000000L;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Behind (a slow snapshot): start again from now. */
	if (now.tv_sec > next->tv_sec ||
	    (now.tv_sec == next->tv_sec && now.tv_nsec > next->tv_nsec)) {
		*next = now;
		return;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

static int watch(void)
{
	struct timespec next;
	int status = 0, st;
	long i;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; !g.count || i < g.count; i++) {
		if (i)
			sleep_until(&next);
		if (!g.tool.json) {
			if (i && !isatty(STDOUT_FILENO))
				putchar('\n');
			frame_header();
		}
		st = show_once();
		fflush(stdout);
		if (st == 1)
			return 1;
		if (st)
			status = st;
	}
	return status;
}

static int parse_interval(const char *s)
{
	char *end;

	errno = 0;
	g.interval = strtod(s, &end);
	/* Decimal only: no hex floats, infinities or NaN. */
	return !errno && end != s && !*end && strspn(s, "0123456789.") == strlen(s) &&
	       g.interval > 0 && g.interval <= 86400 ? 0 : -1;
}

int main(int argc, char **argv)
{
	enum { OPT_PROC = 256, OPT_BUFINFO, OPT_POOL_FILE };
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'n' },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ "bufinfo", required_argument, NULL, OPT_BUFINFO },
		{ "pool-file", required_argument, NULL, OPT_POOL_FILE },
		TOOL_COMMON_LONGOPTS,
		{ 0 }
	};
	char *end;
	long v;
	int c;

	g.tool.usage = usage;
	while ((c = getopt_long(argc, argv, "p:w::n:" TOOL_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > INT32_MAX ||
			    optarg[0] < '0' || optarg[0] > '9') {
				tool_err(&g.tool, "bad pid '%s'", optarg);
				return 2;
			}
			g.pid = (int)v;
			break;
		case 'w':
			g.watch = 1;
			if (optarg && parse_interval(optarg)) {
				tool_err(&g.tool, "bad interval '%s' (seconds, more than 0)",
					 optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 ||
			    optarg[0] < '0' || optarg[0] > '9') {
				tool_err(&g.tool, "bad count '%s'", optarg);
				return 2;
			}
			g.count = v;
			g.watch = 1;
			break;
		case OPT_PROC:
			g.proc = optarg;
			break;
		case OPT_BUFINFO:
			g.bufinfo = optarg;
			break;
		case OPT_POOL_FILE:
			g.pool_file = optarg;
			break;
		default:
			tool_common_option(&g.tool, c);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return g.watch ? watch() : show_once();
}
