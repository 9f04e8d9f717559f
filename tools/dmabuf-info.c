// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-info: every dma-buf on the system, whoever exported it, and which
 * processes hold it by fd or by mapping.
 *
 * Sources: /proc/PID/fdinfo/FD (size, exporter, name of each fd's buffer),
 * /proc/PID/maps (dma-buf mappings, also those whose fd was closed) and,
 * when readable (root, debugfs mounted), the kernel's
 * /sys/kernel/debug/dma_buf/bufinfo: buffers no process holds (only
 * importers or the kernel do) and the number of attached devices.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "dmabuf-helper.h"

#define BUFINFO "/sys/kernel/debug/dma_buf/bufinfo"

struct holder {
	int pid;
	int nfds;
	int fds[8];		/* the first few fd numbers */
	uint64_t mapped;	/* bytes of the buffer mapped by this process */
};

struct buf {
	uint64_t inode, size;
	char exp_name[64];
	char name[DMA_BUF_NAME_LEN];
	int attachments;	/* -1: unknown */
	struct holder *holders;
	int nholders;
};

struct proc {
	int pid;
	char comm[32];
	int nfds, nbufs;
	uint64_t bytes, mapped;
};

static struct {
	struct tool tool;
	int only_pid;
	struct buf *bufs;
	int nbufs;
	struct proc *procs;
	int nprocs;
	int have_bufinfo;
} g = { .tool = { .name = "dmabuf-info" } };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-info [OPTION]...\n"
		"List every dma-buf on the system, of any exporter: inode, exporter,\n"
		"size, name, attached devices (when the kernel's debugfs list is\n"
		"readable) and the processes holding it by fd or by mapping, with\n"
		"totals per exporter and per process.\n"
		"\n"
		"  -p, --pid=PID     only buffers held by process PID\n"
		TOOL_COMMON_HELP
		"\n"
		"Run as root to see every process and the attachment counts.\n"
		"Exit status: 0 on success, 1 when /proc cannot be read, 2 on usage errors.\n");
}

static void *grow(void *arr, int n, size_t size)
{
	/* Grow by doubling whenever @n reaches a power of two. */
	if (n && (n & (n - 1)))
		return arr;
	arr = realloc(arr, (size_t)(n ? 2 * n : 4) * size);
	if (!arr) {
		tool_err(&g.tool, "out of memory");
		exit(1);
	}
	return arr;
}

static struct buf *find_buf(uint64_t inode, int create)
{
	struct buf *b;
	int i;

	for (i = 0; i < g.nbufs; i++)
		if (g.bufs[i].inode == inode)
			return &g.bufs[i];
	if (!create)
		return NULL;
	g.bufs = grow(g.bufs, g.nbufs, sizeof(*g.bufs));
	b = &g.bufs[g.nbufs++];
	memset(b, 0, sizeof(*b));
	b->inode = inode;
	b->attachments = -1;
	return b;
}

static struct holder *find_holder(struct buf *b, int pid)
{
	struct holder *h;
	int i;

	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].pid == pid)
			return &b->holders[i];
	b->holders = grow(b->holders, b->nholders, sizeof(*b->holders));
	h = &b->holders[b->nholders++];
	memset(h, 0, sizeof(*h));
	h->pid = pid;
	return h;
}

static void scan_fds(int pid)
{
	char path[64], link[256];
	struct dmabufx_fdinfo fi;
	struct dirent *de;
	struct buf *b;
	struct holder *h;
	ssize_t n;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;	/* gone, or not ours to read */
	while ((de = readdir(dir))) {
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		fd = atoi(de->d_name);
		/* dma-buf files link to "/dmabuf:NAME" or "anon_inode:dmabuf". */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!strstr(link, "dmabuf"))
			continue;
		if (dmabufx_fdinfo_pid(pid, fd, &fi, sizeof(fi)) < 0)
			continue;
		b = find_buf(fi.inode, 1);
		b->size = fi.size;
		snprintf(b->exp_name, sizeof(b->exp_name), "%s", fi.exp_name);
		snprintf(b->name, sizeof(b->name), "%s", fi.name);
		h = find_holder(b, pid);
		if (h->nfds < (int)(sizeof(h->fds) / sizeof(h->fds[0])))
			h->fds[h->nfds] = fd;
		h->nfds++;
	}
	closedir(dir);
}

static int is_dmabuf_mapping(const char *path)
{
	return !strncmp(path, "/dmabuf:", 8) ||
	       !strncmp(path, "anon_inode:dmabuf", 17);
}

static void scan_maps(int pid)
{
	char path[64], line[512], file[256];
	unsigned long long start, end, inode;
	struct buf *b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		file[0] = '\0';
		if (sscanf(line, "%llx-%llx %*s %*s %*s %llu %255[^\n]",
			   &start, &end, &inode, file) < 4)
			continue;
		if (!is_dmabuf_mapping(file))
			continue;
		b = find_buf(inode, 1);
		if (!b->exp_name[0] && !strncmp(file, "/dmabuf:", 8)) {
			/* Names are cut to DMA_BUF_NAME_LEN by the kernel too. */
			file[8 + sizeof(b->name) - 1] = '\0';
			memcpy(b->name, file + 8, sizeof(b->name));
		}
		find_holder(b, pid)->mapped += end - start;
	}
	fclose(f);
}

/* Buffers nobody holds by fd, and attachment counts, from debugfs. */
static void scan_bufinfo(void)
{
	unsigned long long size, ino;
	char line[512], exp[64], name[64];
	struct buf *cur = NULL;
	int n, att;
	FILE *f;

	f = fopen(BUFINFO, "re");
	if (!f)
		return;
	g.have_bufinfo = 1;
	while (fgets(line, sizeof(line), f)) {
		name[0] = '\0';
		/* size flags mode count exp_name ino name, tab separated */
		n = sscanf(line, "%llu %*x %*x %*d %63s %llu %63[^\n]",
			   &size, exp, &ino, name);
		if (isdigit((unsigned char)line[0]) && n >= 3) {
			cur = find_buf(ino, 1);
			cur->attachments = 0;
			if (!cur->size)
				cur->size = size;
			if (!cur->exp_name[0])
				snprintf(cur->exp_name, sizeof(cur->exp_name), "%s", exp);
			if (!cur->name[0] && strcmp(name, "<none>"))
				snprintf(cur->name, sizeof(cur->name), "%s", name);
		} else if (cur && sscanf(line, "Total %d devices attached", &att) == 1) {
			cur->attachments = att;
			cur = NULL;
		}
	}
	fclose(f);
}

static struct proc *find_proc(int pid)
{
	char path[64];
	struct proc *p;
	ssize_t n;
	int i, fd;

	for (i = 0; i < g.nprocs; i++)
		if (g.procs[i].pid == pid)
			return &g.procs[i];
	g.procs = grow(g.procs, g.nprocs, sizeof(*g.procs));
	p = &g.procs[g.nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, p->comm, sizeof(p->comm) - 1) : -1;
	if (fd >= 0)
		close(fd);
	p->comm[n > 0 ? n : 0] = '\0';
	p->comm[strcspn(p->comm, "\n")] = '\0';
	return p;
}

static int held_by(const struct buf *b, int pid)
{
	int i;

	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].pid == pid)
			return 1;
	return 0;
}

static int shown(const struct buf *b)
{
	return !g.only_pid || held_by(b, g.only_pid);
}

static void tally_procs(void)
{
	int i, k;

	for (i = 0; i < g.nbufs; i++) {
		struct buf *b = &g.bufs[i];

		for (k = 0; k < b->nholders; k++) {
			struct proc *p = find_proc(b->holders[k].pid);

			p->nbufs++;
			p->nfds += b->holders[k].nfds;
			p->bytes += b->size;
			p->mapped += b->holders[k].mapped;
		}
	}
}

static const char *exporter(const struct buf *b)
{
	return b->exp_name[0] ? b->exp_name : "?";
}

/*
 * Totals of the shown buffers whose exporter is that of buffer @i: their
 * number (0 unless @i is the first shown buffer of its exporter, so that
 * each exporter is counted once) and bytes.
 */
static int exporter_totals(int i, uint64_t *bytes)
{
	int k, n = 0;

	*bytes = 0;
	if (!shown(&g.bufs[i]))
		return 0;
	for (k = 0; k < i; k++)
		if (shown(&g.bufs[k]) &&
		    !strcmp(exporter(&g.bufs[k]), exporter(&g.bufs[i])))
			return 0;
	for (k = i; k < g.nbufs; k++)
		if (shown(&g.bufs[k]) &&
		    !strcmp(exporter(&g.bufs[k]), exporter(&g.bufs[i]))) {
			n++;
			*bytes += g.bufs[k].size;
		}
	return n;
}

/* Stable output: by exporter, then by inode (creation order). */
static int cmp_buf(const void *a, const void *b)
{
	const struct buf *x = a, *y = b;
	int c = strcmp(x->exp_name, y->exp_name);

	if (c)
		return c;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static void print_json(void)
{
	struct json j;
	int i, k, x;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_str(&j, "tool", g.tool.name);
	json_bool(&j, "attachments_known", g.have_bufinfo);
	json_array_begin(&j, "buffers");
	for (i = 0; i < g.nbufs; i++) {
		struct buf *b = &g.bufs[i];

		if (!shown(b))
			continue;
		json_object_begin(&j, NULL);
		json_u64(&j, "inode", b->inode);
		json_str(&j, "exporter", exporter(b));
		json_u64(&j, "size", b->size);
		json_str(&j, "name", b->name);
		if (b->attachments >= 0)
			json_i64(&j, "attachments", b->attachments);
		else
			json_null(&j, "attachments");
		json_array_begin(&j, "holders");
		for (k = 0; k < b->nholders; k++) {
			struct holder *h = &b->holders[k];
			int nf = h->nfds < 8 ? h->nfds : 8;

			json_object_begin(&j, NULL);
			json_i64(&j, "pid", h->pid);
			json_str(&j, "comm", find_proc(h->pid)->comm);
			json_array_begin(&j, "fds");
			for (x = 0; x < nf; x++)
				json_i64(&j, NULL, h->fds[x]);
			json_array_end(&j);
			json_i64(&j, "nfds", h->nfds);
			json_u64(&j, "mapped_bytes", h->mapped);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);

	json_array_begin(&j, "exporters");
	for (i = 0; i < g.nbufs; i++) {
		uint64_t bytes;
		int n = exporter_totals(i, &bytes);

		if (!n)
			continue;
		json_object_begin(&j, NULL);
		json_str(&j, "exporter", exporter(&g.bufs[i]));
		json_i64(&j, "buffers", n);
		json_u64(&j, "bytes", bytes);
		json_object_end(&j);
	}
	json_array_end(&j);

	json_array_begin(&j, "processes");
	for (i = 0; i < g.nprocs; i++) {
		struct proc *p = &g.procs[i];

		if (g.only_pid && p->pid != g.only_pid)
			continue;
		json_object_begin(&j, NULL);
		json_i64(&j, "pid", p->pid);
		json_str(&j, "comm", p->comm);
		json_i64(&j, "buffers", p->nbufs);
		json_i64(&j, "fds", p->nfds);
		json_u64(&j, "bytes", p->bytes);
		json_u64(&j, "mapped_bytes", p->mapped);
		json_object_end(&j);
	}
	json_array_end(&j);
	{
		uint64_t bytes = 0;
		int n = 0;

		for (i = 0; i < g.nbufs; i++)
			if (shown(&g.bufs[i])) {
				n++;
				bytes += g.bufs[i].size;
			}
		json_object_begin(&j, "total");
		json_i64(&j, "buffers", n);
		json_u64(&j, "bytes", bytes);
		json_object_end(&j);
	}
	json_object_end(&j);
}

static void print_human(void)
{
	char hs[32], hm[32], who[256];
	uint64_t total = 0;
	int i, k, n = 0;

	printf("%-10s %-18s %10s %-20s %6s  %s\n", "INODE", "EXPORTER", "SIZE",
	       "NAME", "ATTACH", "HELD BY (pid comm: fds, mapped)");
	for (i = 0; i < g.nbufs; i++) {
		struct buf *b = &g.bufs[i];
		size_t off = 0;
		char att[16];

		if (!shown(b))
			continue;
		n++;
		total += b->size;
		who[0] = '\0';
		for (k = 0; k < b->nholders && off < sizeof(who); k++) {
			struct holder *h = &b->holders[k];

			off += (size_t)snprintf(who + off, sizeof(who) - off,
				"%s%d %s: %d fd%s%s%s", k ? "; " : "", h->pid,
				find_proc(h->pid)->comm, h->nfds,
				h->nfds == 1 ? "" : "s", h->mapped ? ", mapped " : "",
				h->mapped ? tool_human_size(h->mapped, hm, sizeof(hm)) : "");
		}
		if (!b->nholders)
			snprintf(who, sizeof(who), "(no process: importers or kernel only)");
		if (b->attachments >= 0)
			snprintf(att, sizeof(att), "%d", b->attachments);
		else
			snprintf(att, sizeof(att), "?");
		printf("%-10" PRIu64 " %-18s %10s %-20s %6s  %s\n", b->inode,
		       exporter(b), tool_human_size(b->size, hs, sizeof(hs)),
		       b->name[0] ? b->name : "-", att, who);
	}

	printf("\nPer exporter:\n");
	for (i = 0; i < g.nbufs; i++) {
		uint64_t bytes;
		int cnt = exporter_totals(i, &bytes);

		if (!cnt)
			continue;
		printf("  %-18s %4d buffer%s %12s\n", exporter(&g.bufs[i]), cnt,
		       cnt == 1 ? " " : "s", tool_human_size(bytes, hs, sizeof(hs)));
	}

	printf("\nPer process:\n  %-7s %-16s %7s %4s %12s %12s\n", "PID", "COMM",
	       "BUFFERS", "FDS", "BYTES", "MAPPED");
	for (i = 0; i < g.nprocs; i++) {
		struct proc *p = &g.procs[i];

		if (g.only_pid && p->pid != g.only_pid)
			continue;
		printf("  %-7d %-16s %7d %4d %12s %12s\n", p->pid, p->comm,
		       p->nbufs, p->nfds, tool_human_size(p->bytes, hs, sizeof(hs)),
		       tool_human_size(p->mapped, hm, sizeof(hm)));
	}
	printf("\nTotal: %d buffer%s, %s%s\n", n, n == 1 ? "" : "s",
	       tool_human_size(total, hs, sizeof(hs)),
	       g.have_bufinfo ? "" : " (attachments unknown: " BUFINFO " not readable)");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		TOOL_COMMON_LONGOPTS,
		{ 0 }
	};
	struct dirent *de;
	DIR *proc;
	int c;

	g.tool.usage = usage;
	while ((c = getopt_long(argc, argv, "p:" TOOL_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if (c == 'p') {
			char *end;

			g.only_pid = (int)strtol(optarg, &end, 10);
			if (*end || g.only_pid <= 0) {
				tool_err(&g.tool, "bad pid '%s'", optarg);
				return 2;
			}
		} else {
			tool_common_option(&g.tool, c);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	proc = opendir("/proc");
	if (!proc) {
		tool_err(&g.tool, "/proc: %s", strerror(errno));
		return 1;
	}
	while ((de = readdir(proc))) {
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		scan_fds(pid);
		scan_maps(pid);
	}
	closedir(proc);
	scan_bufinfo();
	if (g.nbufs)
		qsort(g.bufs, (size_t)g.nbufs, sizeof(*g.bufs), cmp_buf);
	tally_procs();

	if (g.tool.json)
		print_json();
	else
		print_human();
	return 0;
}
