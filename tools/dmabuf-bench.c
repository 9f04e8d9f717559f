// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-bench: our memory kinds side by side with the kernel's yardsticks
 * (/dev/dma_heap/system, /dev/udmabuf) and plain anonymous memory, measured
 * in the same run so that ratios compare like with like.
 *
 * Each figure is the median of --reps repetitions; one repetition repeats
 * the operation until --min-time-ms has passed (at least once) and divides,
 * so that tiny operations are not lost in the clock's resolution.
 *
 * The vgem rows need libdrm: a build without it (DMX_HAVE_LIBDRM unset,
 * meson's -Dlibdrm) leaves them out and reports "vgem": false.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "common.h"
#include "dmabuf-helper.h"
#ifdef DMX_HAVE_LIBDRM
#include <xf86drm.h>
#include "vgem.h"
#endif

enum pkind { P_HEAP, P_UDMABUF, P_ANON };

struct prov {
	const char *name;	/* column label */
	const char *path;	/* node, or NULL for anonymous memory */
	enum pkind kind;
	int node;		/* open node, -1 when missing */
	int selected;		/* measured at all (--providers) */
};

static struct prov provs[] = {
	{ "ours-system", DMABUF_EXPORTER_DEV_SYSTEM, P_HEAP, -1, 1 },
	{ "ours-uncached", DMABUF_EXPORTER_DEV_SYSTEM_UNCACHED, P_HEAP, -1, 1 },
	{ "ours-contig", DMABUF_EXPORTER_DEV_CONTIG, P_HEAP, -1, 1 },
	{ "heap-system", "/dev/dma_heap/system", P_HEAP, -1, 1 },
	{ "udmabuf", DMABUFX_UDMABUF_DEV, P_UDMABUF, -1, 1 },
	{ "anon", NULL, P_ANON, -1, 1 },
};
#define NPROVS	((int)(sizeof(provs) / sizeof(provs[0])))
#define OURS	0	/* the column ratios are computed for */

/* One buffer of a provider. */
struct hbuf {
	int fd;			/* dma-buf, or -1 for anonymous memory */
	uint64_t size;
	void *map;
};

static struct {
	struct tool tool;
	uint64_t sizes[16];
	int nsizes;
	uint64_t bw_size, sync_size, import_size, range_size, page;
	const char *disk;	/* --disk: block device read with O_DIRECT */
	int disk_fd;
	uint64_t disk_size;	/* bytes read per repetition */
	int reps;
	double min_time;	/* seconds per repetition */
	struct json j;
	int vgem;
	int measured;		/* figures printed, of any provider */
	uint64_t pool_budget;	/* bytes the module's page pools may hold */
	long pool_saved_mb;	/* pool_max_mb to restore, or -1 */
} g = {
	.tool = { .name = "dmabuf-bench" },
	.bw_size = 64 << 20,
	.sync_size = 1 << 20,
	.import_size = 64 << 20,
	.range_size = 16 << 20,
	.reps = 5,
	.min_time = 0.05,
	.vgem = -1,
	.disk_fd = -1,
	.pool_saved_mb = -1,
};

/* The module's pre-zeroed page pools (docs/design.md). */
#define POOL_FILE	"/sys/kernel/debug/dmabuf_exporter/pool"
#define POOL_PARAM	"/sys/module/dmabuf_exporter/parameters/pool_max_mb"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-bench [OPTION]...\n"
		"Measure dmabuf_exporter's kinds against /dev/dma_heap/system,\n"
		"/dev/udmabuf and anonymous memory: allocate+free latency, mmap and\n"
		"first-touch throughput, write and read bandwidth through the mapping,\n"
		"DMA_BUF_IOCTL_SYNC latency, user-memory import throughput, vgem\n"
		"import latency, CPU syncs of a buffer vgem has mapped (of all of it,\n"
		"and of 1/256 of it: ours with DMABUF_EXPORTER_IOCTL_SYNC_RANGE, the\n"
		"others can only sync all); mmap time alone; allocation from a warm\n"
		"page pool and sustained alloc+free loops (ours-system against\n"
		"heap-system); with --disk, O_DIRECT reads from a block device into\n"
		"each provider's mapping against reading into a heap buffer and\n"
		"copying. Prints medians and, per row, the speed of ours-system\n"
		"relative to each yardstick (above 1.00: ours is faster).\n"
#ifndef DMX_HAVE_LIBDRM
		"This build has no vgem rows (built without libdrm).\n"
#endif
		"\n"
		"  -S, --sizes=LIST      allocation sizes, comma separated, in bytes\n"
		"                        (decimal) with suffixes K, M, G\n"
		"                        (default: 4K,64K,1M,16M,256M)\n"
		"  -b, --bw-size=BYTES   buffer for touch, bandwidth (default: 64M);\n"
		"                        the vgem-mapped syncs use at most 16M of it\n"
		"  -i, --import-size=BYTES  range for import throughput (default: 64M)\n"
		"  -d, --disk=PATH       also read this block device (or file) with\n"
		"                        O_DIRECT, never written: up to --bw-size\n"
		"                        bytes from its start, straight into each\n"
		"                        mapping, and through a heap buffer plus\n"
		"                        memcpy(); a mapping GUP cannot pin (a PFN\n"
		"                        mapping) is shown as refused\n"
		"  -p, --providers=LIST  columns to measure, comma separated, of\n"
		"                        ours-system, ours-uncached, ours-contig,\n"
		"                        heap-system, udmabuf, anon (default: all)\n"
		"  -r, --reps=N          repetitions; medians are printed (default: 5)\n"
		"  -t, --min-time-ms=MS  least time per repetition (default: 50; 0:\n"
		"                        every operation once)\n"
		TOOL_COMMON_HELP
		"\n"
		"Missing and unselected providers are shown as \"-\" (null in JSON).\n"
		"The warm-pool rows raise the module's pool_max_mb to the largest\n"
		"size for the run when it is lower (and not 0), and restore it.\n"
		"Run as root in a guest: scripts/bench.sh. Exit status: 0; 1 when\n"
		"nothing could be measured (every selected provider missing or\n"
		"failing); 2 on usage errors.\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int b_alloc(struct prov *p, uint64_t size, struct hbuf *b)
{
	int memfd;

	b->fd = -1;
	b->size = size;
	b->map = NULL;
	switch (p->kind) {
	case P_HEAP:
		b->fd = dmabufx_heap_alloc(p->node, size, O_RDWR | O_CLOEXEC);
		return b->fd < 0 ? -1 : 0;
	case P_UDMABUF:
		memfd = dmabufx_memfd_create("bench", size);
		if (memfd < 0)
			return -1;
		{
			struct udmabuf_create c = {
				.memfd = (uint32_t)memfd,
				.flags = UDMABUF_FLAGS_CLOEXEC,
				.size = size,
			};
			int err;

			b->fd = dmabufx_ioctl(p->node, UDMABUF_CREATE, &c);
			err = errno;
			close(memfd);
			errno = err;
		}
		return b->fd < 0 ? -1 : 0;
	case P_ANON:
		/* Heaps hand out populated pages: populate for a fair race. */
		b->map = mmap(NULL, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		return b->map == MAP_FAILED ? (b->map = NULL, -1) : 0;
	}
	return -1;
}

/* A dma-buf of @p: ENOTTY for anonymous memory, which has none. */
static int b_alloc_dmabuf(struct prov *p, uint64_t size, struct hbuf *b)
{
	if (p->kind == P_ANON) {
		errno = ENOTTY;
		return -1;
	}
	return b_alloc(p, size, b);
}

static void b_free(struct hbuf *b)
{
	if (b->fd >= 0) {
		if (b->map)
			munmap(b->map, b->size);
		close(b->fd);
	} else if (b->map) {
		munmap(b->map, b->size);
	}
	b->fd = -1;
	b->map = NULL;
}

static void *b_map(struct hbuf *b)
{
	if (b->fd < 0)
		return b->map;
	if (!b->map)
		b->map = dmabufx_map(b->fd, b->size, PROT_READ | PROT_WRITE);
	return b->map;
}

static void b_sync(struct hbuf *b, uint64_t when)
{
	struct dma_buf_sync s = { .flags = when | DMA_BUF_SYNC_RW };

	if (b->fd >= 0)
		dmabufx_ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* A row of the results: one metric, one value per provider. */
struct row {
	const char *metric;	/* machine name */
	const char *label;	/* human label */
	const char *unit;
	int higher_better;
	uint64_t size;
	double v[NPROVS];
	int have[NPROVS];
	const char *note[NPROVS];
};

static void row_print(struct row *r)
{
	char hs[32], cell[48];
	int i, k;

	if (g.tool.json) {
		json_object_begin(&g.j, NULL);
		json_str(&g.j, "metric", r->metric);
		json_u64(&g.j, "size", r->size);
		json_str(&g.j, "unit", r->unit);
		json_str(&g.j, "better", r->higher_better ? "higher" : "lower");
		json_object_begin(&g.j, "values");
		for (i = 0; i < NPROVS; i++)
			if (r->have[i])
				json_double(&g.j, provs[i].name, r->v[i]);
			else
				json_null(&g.j, provs[i].name);
		json_object_end(&g.j);
		json_object_begin(&g.j, "notes");
		for (i = 0; i < NPROVS; i++)
			if (r->note[i])
				json_str(&g.j, provs[i].name, r->note[i]);
		json_object_end(&g.j);
		json_object_begin(&g.j, "ours_speedup");
		for (k = 1; k < NPROVS; k++) {
			if (k == 1 || k == 2)
				continue;	/* our own kinds are not yardsticks */
			if (r->have[OURS] && r->have[k] && r->v[OURS] > 0 && r->v[k] > 0)
				json_double(&g.j, provs[k].name, r->higher_better ?
					    r->v[OURS] / r->v[k] : r->v[k] / r->v[OURS]);
			else
				json_null(&g.j, provs[k].name);
		}
		json_object_end(&g.j);
		json_object_end(&g.j);
		return;
	}
	snprintf(cell, sizeof(cell), "%s %s", r->label,
		 r->size ? tool_human_size(r->size, hs, sizeof(hs)) : "");
	printf("%-26s %-5s", cell, r->unit);
	for (i = 0; i < NPROVS; i++) {
		if (r->have[i])
			snprintf(cell, sizeof(cell), "%.4g", r->v[i]);
		else
			snprintf(cell, sizeof(cell), "%s", r->note[i] ? r->note[i] : "-");
		printf(" %14s", cell);
	}
	for (k = 3; k < NPROVS; k++) {
		if (r->have[OURS] && r->have[k] && r->v[OURS] > 0 && r->v[k] > 0)
			printf(" %9.2fx", r->higher_better ? r->v[OURS] / r->v[k]
							   : r->v[k] / r->v[OURS]);
		else
			printf(" %10s", "-");
	}
	printf("\n");
}

static void header(void)
{
	int i;

	if (g.tool.json)
		return;
	printf("%-26s %-5s", "metric", "unit");
	for (i = 0; i < NPROVS; i++)
		printf(" %14s", provs[i].name);
	for (i = 3; i < NPROVS; i++) {
		char h[32];

		/* "vs heap", "vs udmabuf", "vs anon": fits the column. */
		snprintf(h, sizeof(h), "vs %.*s", (int)strcspn(provs[i].name, "-"),
			 provs[i].name);
		printf(" %10s", h);
	}
	printf("\n");
}

static const char *errno_note(int err)
{
	switch (err) {
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "n/a";
	case EFAULT: return "refused (EFAULT)";
	default: return "error";
	}
}

/*
 * One timed repetition of an operation on provider @p: a per-operation time
 * or a throughput; < 0 with errno on failure. A row stores the median of
 * g.reps repetitions per provider.
 */
typedef double (*op_fn)(struct prov *p, uint64_t size);

/*
 * The warm-up run of provider i, thrown away: caches, page allocator pools
 * and, under QEMU's TCG, code translation all favour whoever runs second.
 * Returns whether the provider takes part in the row.
 */
static int warm_up(struct row *r, int i, op_fn op)
{
	if (!provs[i].selected ||
	    (provs[i].node < 0 && provs[i].kind != P_ANON)) {
		r->note[i] = NULL;
		return 0;
	}
	if (op(&provs[i], r->size) < 0) {
		r->note[i] = errno_note(errno);
		return 0;
	}
	return 1;
}

/*
 * The repetitions are interleaved across providers (the first of each, then
 * the second of each, ...): a change of load on the host during the row then
 * hits every provider alike, not whichever happened to be running.
 */
static void measure(struct row *r, op_fn op)
{
	double v[NPROVS][64];
	int on[NPROVS], i, n;

	for (i = 0; i < NPROVS; i++)
		on[i] = warm_up(r, i, op);
	for (n = 0; n < g.reps; n++) {
		for (i = 0; i < NPROVS; i++) {
			if (!on[i])
				continue;
			v[i][n] = op(&provs[i], r->size);
			if (v[i][n] < 0) {
				r->note[i] = errno_note(errno);
				on[i] = 0;
			}
		}
	}
	for (i = 0; i < NPROVS; i++) {
		if (!on[i])
			continue;
		r->v[i] = median(v[i], g.reps);
		r->have[i] = 1;
		g.measured = 1;
	}
}

/* Microseconds per allocate + free. */
static double op_alloc_free(struct prov *p, uint64_t size)
{
	double t0 = now(), t;
	long n = 0;
	struct hbuf b;

	do {
		if (b_alloc(p, size, &b) < 0)
			return -1;
		b_free(&b);
		n++;
		t = now() - t0;
	} while (t < g.min_time);
	return t / (double)n * 1e6;
}

/* Microseconds per allocate + free, kept up for 20 times --min-time-ms. */
static double op_alloc_free_sustained(struct prov *p, uint64_t size)
{
	double saved = g.min_time, v;

	g.min_time *= 20;
	v = op_alloc_free(p, size);
	g.min_time = saved;
	return v;
}

/* The dirty (not yet zeroed) bytes in the module's pools, or -1. */
static long long pool_dirty_bytes(void)
{
	char line[128];
	long long v, dirty = -1;
	FILE *f = fopen(POOL_FILE, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "dirty_bytes %lld", &v) == 1)
			dirty = v;
	fclose(f);
	return dirty;
}

/* Until the pools' zeroing thread is done (at most 10 s). */
static void pool_wait_zeroed(void)
{
	int i;

	for (i = 0; i < 10000 && pool_dirty_bytes() > 0; i++)
		usleep(1000);
}

/*
 * Microseconds per allocation alone, each from a warm pool: a batch of
 * buffers (at most what the pools may hold) is allocated and freed, and
 * once their pages are zeroed the same batch is allocated again, timed.
 * The system heap does the same with no pool: its pages come from the
 * page allocator's free lists, warm too. Other providers: not applicable.
 */
static double op_alloc_warm(struct prov *p, uint64_t size)
{
	struct hbuf b[64];
	uint64_t k = size ? g.pool_budget / size : 0;
	double t = 0, t0;
	long n = 0;
	int batches = 0;
	uint64_t i;

	if (p != &provs[OURS] && strcmp(p->name, "heap-system")) {
		errno = ENOTTY;
		return -1;
	}
	if (k < 1)
		k = 1;
	if (k > 64)
		k = 64;
	do {
		for (i = 0; i < k; i++) {
			if (b_alloc(p, size, &b[i]) < 0)
				goto err_free;
		}
		for (i = 0; i < k; i++)
			b_free(&b[i]);
		if (p == &provs[OURS])
			pool_wait_zeroed();
		for (i = 0; i < k; i++) {
			t0 = now();
			if (b_alloc(p, size, &b[i]) < 0)
				goto err_free;
			t += now() - t0;
		}
		for (i = 0; i < k; i++)
			b_free(&b[i]);
		n += (long)k;
		batches++;
		/* A batch of large buffers takes seconds to make and zero. */
	} while (t < g.min_time && batches < 8);
	return t / (double)n * 1e6;

err_free:
	{
		int err = errno;

		while (i--)
			b_free(&b[i]);
		errno = err;
	}
	return -1;
}

/*
 * Let the pools hold the largest size for the warm-pool rows: raise
 * pool_max_mb (not when it is 0: pools off on purpose), restored at exit.
 */
static void pool_prepare(uint64_t largest)
{
	long mb = -1, want = (long)((largest + (1 << 20) - 1) >> 20);
	FILE *f = fopen(POOL_PARAM, "re");

	if (f) {
		if (fscanf(f, "%ld", &mb) != 1)
			mb = -1;
		fclose(f);
	}
	g.pool_budget = mb > 0 ? (uint64_t)mb << 20 : largest;
	if (mb <= 0 || mb >= want)
		return;
	f = fopen(POOL_PARAM, "we");
	if (!f)
		return;
	if (fprintf(f, "%ld\n", want) > 0 && !fclose(f)) {
		g.pool_saved_mb = mb;
		g.pool_budget = (uint64_t)want << 20;
	}
}

static void pool_restore(void)
{
	FILE *f;

	if (g.pool_saved_mb < 0)
		return;
	f = fopen(POOL_PARAM, "we");
	if (f) {
		fprintf(f, "%ld\n", g.pool_saved_mb);
		fclose(f);
	}
}

/* MB/s of mmap + writing one byte per page + munmap, buffer made before. */
static double op_touch(struct prov *p, uint64_t size)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	double t0, t = 0;
	struct hbuf b;
	uint64_t off;

	do {
		uint8_t *m;

		/* Anonymous memory has no dma-buf: b.fd stays -1, no sync. */
		b.fd = -1;
		b.map = NULL;
		if (p->kind != P_ANON && b_alloc(p, size, &b) < 0)
			return -1;
		t0 = now();
		if (p->kind == P_ANON)
			m = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		else
			m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 b.fd, 0);
		if (m == MAP_FAILED) {
			b_free(&b);
			return -1;
		}
		b_sync(&b, DMA_BUF_SYNC_START);
		for (off = 0; off < size; off += (uint64_t)page)
			m[off] = 1;
		b_sync(&b, DMA_BUF_SYNC_END);
		munmap(m, size);
		t += now() - t0;
		b_free(&b);
		n++;
	} while (t < g.min_time);
	return (double)size * (double)n / t / 1e6;
}

/*
 * Microseconds per mmap + munmap of the whole buffer, untouched: what
 * mapping costs at mmap time (every kind maps the whole range there).
 */
static double op_mmap(struct prov *p, uint64_t size)
{
	double t0, t = 0;
	struct hbuf b;
	long n = 0;
	void *m;

	if (b_alloc_dmabuf(p, size, &b) < 0)
		return -1;
	do {
		t0 = now();
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0);
		if (m == MAP_FAILED) {
			b_free(&b);
			return -1;
		}
		munmap(m, size);
		t += now() - t0;
		n++;
	} while (t < g.min_time);
	b_free(&b);
	return t / (double)n * 1e6;
}

/*
 * MB/s of reading g.disk_size bytes of --disk with O_DIRECT into the
 * mapped buffer: straight in (@copy 0; the kernel pins the mapping's pages,
 * or refuses a PFN mapping with EFAULT), or into a heap buffer in 1 MiB
 * pieces, each copied into the mapping (@copy 1), as one must where the
 * mapping cannot be pinned. Both go to the disk, not the page cache.
 */
static double op_disk_read(struct prov *p, uint64_t size, int copy)
{
	const size_t piece = 1 << 20;
	double t0, t = 0;
	uint8_t *m, *bounce = NULL;
	struct hbuf b;
	uint64_t off;
	long n = 0;
	ssize_t got;
	int err = 0;

	if (b_alloc(p, size, &b) < 0)
		return -1;
	m = b_map(&b);
	if (!m || (copy && posix_memalign((void **)&bounce, 4096, piece))) {
		err = m ? ENOMEM : errno;
		goto out;
	}
	do {
		t0 = now();
		b_sync(&b, DMA_BUF_SYNC_START);
		for (off = 0; off < size; off += (uint64_t)got) {
			size_t len = copy ? (size_t)(size - off < piece ? size - off : piece)
					  : (size_t)(size - off);

			got = pread(g.disk_fd, copy ? bounce : m + off, len,
				    (off_t)off);
			if (got <= 0) {
				err = got < 0 ? errno : EIO;
				break;
			}
			if (copy)
				memcpy(m + off, bounce, (size_t)got);
		}
		b_sync(&b, DMA_BUF_SYNC_END);
		t += now() - t0;
		n++;
	} while (!err && t < g.min_time);
out:
	free(bounce);
	b_free(&b);
	errno = err;
	return err ? -1 : (double)size * (double)n / t / 1e6;
}

static double op_disk_direct(struct prov *p, uint64_t size) { return op_disk_read(p, size, 0); }
static double op_disk_copy(struct prov *p, uint64_t size) { return op_disk_read(p, size, 1); }

/* MB/s of writing (or reading) the whole mapped buffer, under sync. */
static double op_bandwidth(struct prov *p, uint64_t size, int write)
{
	volatile uint64_t sink = 0;
	double t0, t;
	struct hbuf b;
	uint64_t *m, i, sum;
	long n = 0;

	if (b_alloc(p, size, &b) < 0)
		return -1;
	m = b_map(&b);
	if (!m) {
		b_free(&b);
		return -1;
	}
	memset(m, 1, size);	/* first touch is measured elsewhere */
	t0 = now();
	do {
		b_sync(&b, DMA_BUF_SYNC_START);
		if (write) {
			memset(m, (int)n, size);
		} else {
			sum = 0;
			for (i = 0; i < size / 8; i++)
				sum += m[i];
			sink += sum;
		}
		b_sync(&b, DMA_BUF_SYNC_END);
		n++;
		t = now() - t0;
	} while (t < g.min_time);
	(void)sink;
	b_free(&b);
	return (double)size * (double)n / t / 1e6;
}

static double op_write(struct prov *p, uint64_t size) { return op_bandwidth(p, size, 1); }
static double op_read(struct prov *p, uint64_t size) { return op_bandwidth(p, size, 0); }

/* Microseconds per DMA_BUF_IOCTL_SYNC start + end pair. */
static double op_sync(struct prov *p, uint64_t size)
{
	struct dma_buf_sync s;
	double t0, t;
	struct hbuf b;
	long n = 0;

	if (b_alloc_dmabuf(p, size, &b) < 0)
		return -1;
	t0 = now();
	do {
		s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		if (dmabufx_ioctl(b.fd, DMA_BUF_IOCTL_SYNC, &s) < 0)
			break;
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		dmabufx_ioctl(b.fd, DMA_BUF_IOCTL_SYNC, &s);
		n++;
		t = now() - t0;
	} while (t < g.min_time);
	t = now() - t0;
	b_free(&b);
	if (!n)
		return -1;
	return t / (double)n * 1e6;
}

/*
 * MB/s of turning memory the caller already has into a dma-buf: pinned
 * anonymous memory (ours, IMPORT_USER) or a populated memfd (udmabuf).
 */
static double op_import(struct prov *p, uint64_t size)
{
	double t0, t = 0;
	long n = 0;
	int fd, memfd = -1, err;
	void *mem = NULL;

	if (p == &provs[OURS]) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (mem == MAP_FAILED)
			return -1;
	} else if (p->kind == P_UDMABUF) {
		memfd = dmabufx_memfd_create("bench", size);
		if (memfd < 0)
			return -1;
		if (fallocate(memfd, 0, 0, (off_t)size) < 0) {
			err = errno;
			close(memfd);
			errno = err;
			return -1;
		}
	} else {
		errno = ENOTTY;
		return -1;
	}
	do {
		t0 = now();
		if (mem)
			fd = dmabufx_import_user(mem, size,
						DMABUF_EXPORTER_IMPORT_WRITE,
						O_RDWR | O_CLOEXEC, NULL);
		else
			fd = dmabufx_import_memfd_at(p->path, memfd, 0, size,
						    O_CLOEXEC);
		if (fd < 0)
			break;
		close(fd);
		t += now() - t0;
		n++;
	} while (t < g.min_time);
	err = errno;
	if (mem)
		munmap(mem, size);
	if (memfd >= 0)
		close(memfd);
	errno = err;
	return n ? (double)size * (double)n / t / 1e6 : -1;
}

#ifdef DMX_HAVE_LIBDRM
/* Microseconds per vgem PRIME import (attach + map) and release. */
static double op_vgem(struct prov *p, uint64_t size)
{
	double t0, t = 0;
	struct hbuf b;
	uint32_t handle;
	long n = 0;

	if (g.vgem < 0) {
		errno = ENOTTY;
		return -1;
	}
	if (b_alloc_dmabuf(p, size, &b) < 0)
		return -1;
	do {
		t0 = now();
		if (drmPrimeFDToHandle(g.vgem, b.fd, &handle)) {
			b_free(&b);
			return -1;
		}
		drmCloseBufferHandle(g.vgem, handle);
		t += now() - t0;
		n++;
	} while (t < g.min_time);
	b_free(&b);
	return t / (double)n * 1e6;
}

/*
 * A buffer that vgem has imported, so its pages are mapped for vgem's device
 * (bounced under swiotlb=force): what a CPU sync has to move.
 */
static int vgem_mapped_alloc(struct prov *p, uint64_t size, struct hbuf *b,
			     uint32_t *handle)
{
	if (g.vgem < 0) {
		errno = ENOTTY;
		return -1;
	}
	if (b_alloc_dmabuf(p, size, b) < 0)
		return -1;
	if (drmPrimeFDToHandle(g.vgem, b->fd, handle)) {
		b_free(b);
		return -1;
	}
	return 0;
}

/*
 * Microseconds per CPU access to 1/256 of a vgem-mapped buffer, start + end:
 * ours syncs just those bytes (DMABUF_EXPORTER_IOCTL_SYNC_RANGE, at 16
 * places in turn), the others can only sync the whole buffer. With
 * @whole set, every provider syncs the whole buffer.
 */
static double vgem_sync(struct prov *p, uint64_t size, int whole)
{
	uint64_t len = size / 256 > g.page ? size / 256 : g.page;
	int ranged = !whole && p == &provs[OURS] && len < size;
	double t0, t;
	uint32_t handle;
	struct hbuf b;
	long n = 0;
	int ret;

	if (vgem_mapped_alloc(p, size, &b, &handle) < 0)
		return -1;
	t0 = now();
	do {
		uint64_t off = (uint64_t)(n % 16) * (size / 16);

		if (ranged) {
			ret = dmabufx_sync_range(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
						 off, len);
			if (!ret)
				ret = dmabufx_sync_range(b.fd, DMA_BUF_SYNC_END |
							 DMA_BUF_SYNC_RW, off, len);
		} else {
			struct dma_buf_sync s = {
				.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
			};

			ret = dmabufx_ioctl(b.fd, DMA_BUF_IOCTL_SYNC, &s);
			s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
			if (!ret)
				ret = dmabufx_ioctl(b.fd, DMA_BUF_IOCTL_SYNC, &s);
		}
		if (ret < 0)
			break;
		n++;
		t = now() - t0;
	} while (t < g.min_time);
	t = now() - t0;
	ret = errno;
	drmCloseBufferHandle(g.vgem, handle);
	b_free(&b);
	errno = ret;
	return n ? t / (double)n * 1e6 : -1;
}

static double op_vgem_sync_part(struct prov *p, uint64_t size)
{
	return vgem_sync(p, size, 0);
}

static double op_vgem_sync_whole(struct prov *p, uint64_t size)
{
	return vgem_sync(p, size, 1);
}
#endif

static void run_row(const char *metric, const char *label, const char *unit,
		    int higher, uint64_t size, op_fn op)
{
	struct row r = { metric, label, unit, higher, size, { 0 }, { 0 }, { 0 } };
	int i;

	measure(&r, op);
	/* What does not apply to a provider is "n/a", not an error. */
	for (i = 0; i < NPROVS; i++)
		if (!r.have[i] && r.note[i] && !strcmp(r.note[i], "n/a") &&
		    i == OURS && op == op_import)
			r.note[i] = "n/a (not supported by this module)";
	row_print(&r);
}

static int parse_sizes(char *list)
{
	char *tok, *save = NULL;

	g.nsizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (g.nsizes == 16 || tool_parse_size(tok, &g.sizes[g.nsizes]) < 0 ||
		    !g.sizes[g.nsizes])
			return -1;
		g.nsizes++;
	}
	return g.nsizes ? 0 : -1;
}

/* --providers: select the named columns only; -1 on an unknown name. */
static int parse_providers(char *list)
{
	char *tok, *save = NULL;
	int i, n = 0;

	for (i = 0; i < NPROVS; i++)
		provs[i].selected = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NPROVS && strcmp(tok, provs[i].name); i++)
			;
		if (i == NPROVS)
			return -1;
		provs[i].selected = 1;
		n++;
	}
	return n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 'S' },
		{ "bw-size", required_argument, NULL, 'b' },
		{ "import-size", required_argument, NULL, 'i' },
		{ "providers", required_argument, NULL, 'p' },
		{ "disk", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "min-time-ms", required_argument, NULL, 't' },
		TOOL_COMMON_LONGOPTS,
		{ 0 }
	};
	char defsizes[] = "4K,64K,1M,16M,256M";
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct utsname u;
	char *end;
	int c, i;
	long v;

	g.tool.usage = usage;
	parse_sizes(defsizes);
	while ((c = getopt_long(argc, argv, "S:b:i:p:d:r:t:" TOOL_COMMON_SHORTOPTS,
				opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (parse_sizes(optarg) < 0) {
				tool_err(&g.tool, "bad size list '%s'", optarg);
				return 2;
			}
			break;
		case 'b':
		case 'i':
			if (tool_parse_size(optarg, c == 'b' ? &g.bw_size : &g.import_size) < 0 ||
			    !(c == 'b' ? g.bw_size : g.import_size)) {
				tool_err(&g.tool, "bad size '%s'", optarg);
				return 2;
			}
			break;
		case 'p':
			if (parse_providers(optarg) < 0) {
				tool_err(&g.tool, "bad provider list '%s'", optarg);
				return 2;
			}
			break;
		case 'd':
			g.disk = optarg;
			break;
		case 'r':
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end || !*optarg || v < (c == 'r') || v > (c == 'r' ? 64 : 60000)) {
				tool_err(&g.tool, "bad %s '%s'", c == 'r' ? "repetitions" : "time", optarg);
				return 2;
			}
			if (c == 'r')
				g.reps = (int)v;
			else
				g.min_time = (double)v / 1000;
			break;
		default:
			tool_common_option(&g.tool, c);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Whole pages everywhere, so every provider gets the same request. */
	for (i = 0; i < g.nsizes; i++)
		g.sizes[i] = (g.sizes[i] + page - 1) & ~(page - 1);
	g.bw_size = (g.bw_size + page - 1) & ~(page - 1);
	g.import_size = (g.import_size + page - 1) & ~(page - 1);
	if (g.sync_size > g.bw_size)
		g.sync_size = g.bw_size;
	if (g.range_size > g.bw_size)
		g.range_size = g.bw_size;
	g.page = page;
	if (g.disk) {
		struct stat st;
		uint64_t dsize = 0;

		g.disk_fd = open(g.disk, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (g.disk_fd < 0 || fstat(g.disk_fd, &st)) {
			tool_err(&g.tool, "--disk %s: %s", g.disk, strerror(errno));
			return 2;
		}
		if (!S_ISBLK(st.st_mode))
			dsize = (uint64_t)st.st_size;
		else if (ioctl(g.disk_fd, BLKGETSIZE64, &dsize) < 0)
			dsize = 0;
		g.disk_size = (dsize < g.bw_size ? dsize : g.bw_size) & ~(page - 1);
		if (!g.disk_size) {
			tool_err(&g.tool, "--disk %s: smaller than a page", g.disk);
			return 2;
		}
	}

	for (i = 0; i < NPROVS; i++)
		if (provs[i].selected && provs[i].kind != P_ANON)
			provs[i].node = open(provs[i].path, O_RDWR | O_CLOEXEC);
	{
		uint64_t largest = 0;

		for (i = 0; i < g.nsizes; i++)
			if (g.sizes[i] > largest)
				largest = g.sizes[i];
		if (provs[OURS].node >= 0)
			pool_prepare(largest);
	}
#ifdef DMX_HAVE_LIBDRM
	g.vgem = vgem_open();
#endif
	uname(&u);

	json_init(&g.j, stdout);
	if (g.tool.json) {
		json_object_begin(&g.j, NULL);
		json_str(&g.j, "tool", g.tool.name);
		json_str(&g.j, "version", DMABUF_VERSION);
		json_str(&g.j, "kernel", u.release);
		json_str(&g.j, "machine", u.machine);
		json_i64(&g.j, "reps", g.reps);
		json_double(&g.j, "min_time_ms", g.min_time * 1000);
		json_object_begin(&g.j, "providers");
		for (i = 0; i < NPROVS; i++)
			json_bool(&g.j, provs[i].name, provs[i].selected &&
				  (provs[i].kind == P_ANON || provs[i].node >= 0));
		json_object_end(&g.j);
		json_bool(&g.j, "vgem", g.vgem >= 0);
		json_array_begin(&g.j, "results");
	} else {
		printf("dmabuf-bench %s on %s %s: medians of %d repetitions;\n"
		       "\"vs X\" = speed of ours-system relative to X (above 1.00: ours faster)\n\n",
		       DMABUF_VERSION, u.release, u.machine, g.reps);
		header();
	}

	for (i = 0; i < g.nsizes; i++)
		run_row("alloc_free", "alloc+free", "us", 0, g.sizes[i], op_alloc_free);
	for (i = 0; i < g.nsizes; i++)
		run_row("alloc_warm_pool", "alloc warm pool", "us", 0, g.sizes[i],
			op_alloc_warm);
	for (i = 0; i < g.nsizes; i++)
		run_row("alloc_free_sustained", "alloc+free loop", "us", 0,
			g.sizes[i], op_alloc_free_sustained);
	run_row("mmap_first_touch", "mmap+first touch", "MB/s", 1, g.bw_size, op_touch);
	run_row("mmap", "mmap+munmap", "us", 0, g.bw_size, op_mmap);
	run_row("write_bw", "write through map", "MB/s", 1, g.bw_size, op_write);
	run_row("read_bw", "read through map", "MB/s", 1, g.bw_size, op_read);
	run_row("sync_start_end", "SYNC start+end", "us", 0, g.sync_size, op_sync);
	run_row("import", "import existing memory", "MB/s", 1, g.import_size, op_import);
	if (g.disk_fd >= 0) {
		run_row("disk_read_direct", "O_DIRECT read into map", "MB/s", 1,
			g.disk_size, op_disk_direct);
		run_row("disk_read_copy", "read+memcpy into map", "MB/s", 1,
			g.disk_size, op_disk_copy);
	}
	/*
	 * vgem, like every device without DMA parameters, takes segments of
	 * up to 64 KiB: one for every provider at that size, many for a
	 * larger buffer, where providers that split differ from those that
	 * do not (docs/benchmarks.md).
	 */
#ifdef DMX_HAVE_LIBDRM
	if (g.sync_size > 64 << 10)
		run_row("vgem_import", "vgem import+release", "us", 0, 64 << 10, op_vgem);
	run_row("vgem_import", "vgem import+release", "us", 0, g.sync_size, op_vgem);
	run_row("vgem_sync_whole", "sync all, vgem-mapped", "us", 0,
		g.range_size, op_vgem_sync_whole);
	run_row("vgem_sync_part", "sync 1/256, vgem-mapped", "us", 0,
		g.range_size, op_vgem_sync_part);
#endif

	if (g.tool.json) {
		json_array_end(&g.j);
		json_object_end(&g.j);
	}
	for (i = 0; i < NPROVS; i++)
		if (provs[i].node >= 0)
			close(provs[i].node);
	if (g.vgem >= 0)
		close(g.vgem);
	if (g.disk_fd >= 0)
		close(g.disk_fd);
	pool_restore();
	if (!g.measured) {
		tool_err(&g.tool, "nothing could be measured: every selected provider is missing or failed");
		return 1;
	}
	return 0;
}
