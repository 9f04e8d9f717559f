// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where DMA is not coherent (arm64), the CPU caches must be cleaned and
 * invalidated at each hand-over between CPU and device, for the right pages
 * and in the right direction. QEMU models no caches, so stale data never
 * shows in a guest: these tests watch the maintenance itself instead, with
 * kprobe events on the architecture's two sync functions
 * (arch_sync_dma_for_device: clean, arch_sync_dma_for_cpu: invalidate),
 * counting only what this process's own calls caused. Built for arm64 only.
 */
#include <inttypes.h>
#include <xf86drm.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"

#include "dmx_test.h"
#include "vgem.h"

#define TRACING		"/sys/kernel/tracing"
#define GROUP		"dmx_cache"
#define DIR_TO_DEVICE	1	/* enum dma_data_direction */

struct sync_event {
	bool for_cpu;
	uint64_t paddr, size;
	int dir;
};

struct trace {
	struct sync_event ev[4096];
	unsigned int n;
};

static int tracing_ready(void)
{
	if (access(TRACING "/kprobe_events", W_OK) &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL))
		return -errno;
	return 0;
}

static int probes_set(bool on)
{
	static const char *const defs[] = {
		"p:" GROUP "/for_device arch_sync_dma_for_device "
		"paddr=$arg1:x64 size=$arg2:u64 dir=$arg3:s32\n",
		"p:" GROUP "/for_cpu arch_sync_dma_for_cpu "
		"paddr=$arg1:x64 size=$arg2:u64 dir=$arg3:s32\n",
	};
	int fd, ret = 0;
	unsigned int i;

	if (!on)
		dmx_write_file(TRACING "/events/" GROUP "/enable", "0");
	fd = open(TRACING "/kprobe_events", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		char line[256];

		if (on)
			snprintf(line, sizeof(line), "%s", defs[i]);
		else
			snprintf(line, sizeof(line), "-:" GROUP "/%s\n",
				 i ? "for_cpu" : "for_device");
		if (write(fd, line, strlen(line)) < 0 && on)
			ret = -errno;
	}
	close(fd);
	if (!ret && on)
		ret = dmx_write_file(TRACING "/events/" GROUP "/enable", "1");
	return ret;
}

static int trace_clear(void)
{
	int fd = open(TRACING "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The pid of a trace line ("comm-PID [CPU] ..."), or -1. */
static int line_pid(const char *line)
{
	const char *p = strstr(line, " [");

	if (!p)
		return -1;
	while (p > line && p[-1] == ' ')
		p--;
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == line || p[-1] != '-')
		return -1;
	return atoi(p);
}

/* This process's events since trace_clear(), in order. */
static int trace_read(struct trace *t)
{
	FILE *f = fopen(TRACING "/trace", "re");
	int pid = getpid();
	char line[512];

	if (!f)
		return -errno;
	t->n = 0;
	while (fgets(line, sizeof(line), f) && t->n < ARRAY_SIZE(t->ev)) {
		struct sync_event *e = &t->ev[t->n];
		char *p = strstr(line, "paddr=");

		if (line[0] == '#' || !p || line_pid(line) != pid)
			continue;
		if (sscanf(p, "paddr=%" SCNx64 " size=%" SCNu64 " dir=%d",
			   &e->paddr, &e->size, &e->dir) != 3)
			continue;
		e->for_cpu = strstr(line, "for_cpu:") != NULL;
		t->n++;
	}
	fclose(f);
	return 0;
}

/* A clean (for_device) or an invalidation (for_cpu, not TO_DEVICE). */
static bool is(const struct sync_event *e, bool inval)
{
	return inval ? e->for_cpu && e->dir != DIR_TO_DEVICE : !e->for_cpu;
}

/* Bytes of the cleans or of the invalidations of @t. */
static uint64_t total(const struct trace *t, bool inval)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (is(&t->ev[i], inval))
			sum += t->ev[i].size;
	return sum;
}

/* Index of the first clean or invalidation after @from covering the range. */
static int covered(const struct trace *t, int from, bool inval, uint64_t pa,
		   uint64_t len)
{
	unsigned int i;

	for (i = from + 1; i < t->n; i++) {
		const struct sync_event *e = &t->ev[i];

		if (is(e, inval) && pa >= e->paddr &&
		    pa + len <= e->paddr + e->size)
			return (int)i;
	}
	return -1;
}

/*
 * Whether every clean of @ref is matched by an event of @t of kind @inval
 * covering the same range (after it when @t is @ref).
 */
static bool each_clean_matched(const struct trace *ref, const struct trace *t,
			       bool inval)
{
	unsigned int i;

	for (i = 0; i < ref->n; i++) {
		const struct sync_event *e = &ref->ev[i];

		if (!is(e, false))
			continue;
		if (covered(t, t == ref ? (int)i : -1, inval, e->paddr,
			    e->size) < 0)
			return false;
	}
	return true;
}

/* DMA_BUF_IOCTL_SYNC with @flags, and this process's events it caused. */
static int traced_sync(int buf, uint64_t flags, struct trace *t)
{
	int ret = trace_clear();

	if (!ret)
		ret = __dmx_sync(buf, flags);
	if (!ret)
		ret = trace_read(t);
	return ret;
}

/* The bus address of a contig buffer: its physical address (dma-direct). */
static uint64_t contig_phys(int buf)
{
	struct dmabuf_exporter_query q = { 0 };

	return dmabufx_query(-1, buf, &q, sizeof(q)) ? 0 : q.bus_addr;
}

FIXTURE(cache) {
	struct trace t, ref;
	int buf;
	uint8_t *map;
	uint64_t len;
};

FIXTURE_SETUP(cache)
{
	self->buf = -1;
	self->map = MAP_FAILED;
	ASSERT_EQ(0, tracing_ready());
	probes_set(false);
	ASSERT_EQ(0, probes_set(true))
		TH_LOG("kprobe events on arch_sync_dma_for_{device,cpu}");
	ASSERT_EQ(0, trace_clear());
}

FIXTURE_TEARDOWN(cache)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->len);
	if (self->buf >= 0)
		close(self->buf);
	probes_set(false);
}

/* Allocate @len of @kind into the fixture and map it. */
static int alloc_mapped(struct _test_data_cache *self, const char *kind,
			uint64_t len)
{
	int node = dmx_open_node(kind);

	if (node < 0)
		return -errno;
	self->buf = dmx_alloc(node, len);
	close(node);
	if (self->buf < 0)
		return self->buf;
	self->len = len;
	self->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->buf, 0);
	return self->map == MAP_FAILED ? -errno : 0;
}

/*
 * Every chunk (1 MiB, 64 KiB and 4 KiB ones) was cleaned, then invalidated,
 * before the buffer was handed out: no dirty line of the zeroing is left to
 * be written back over what goes through the write-combined mapping.
 */
TEST_F(cache, uncached_pages_are_cleaned_then_invalidated_at_allocation)
{
	char cmdline[4096], *swiotlb;

	ASSERT_EQ(0, dmx_read_file("/proc/cmdline", cmdline, sizeof(cmdline)));
	swiotlb = strstr(cmdline, "swiotlb=");
	if (swiotlb && strstr(strtok(swiotlb, " "), "force"))
		SKIP(return, "swiotlb=force: the maintenance would clean the bounce buffer, not guaranteed there (docs/architectures.md)");
	ASSERT_EQ(0, alloc_mapped(self, "system-uncached",
				  (1 << 20) + (64 << 10) + 4096));
	ASSERT_EQ(0, trace_read(&self->t));
	EXPECT_EQ(self->len, total(&self->t, false))
		TH_LOG("cleaned bytes (%u events)", self->t.n);
	EXPECT_EQ(self->len, total(&self->t, true))
		TH_LOG("invalidated bytes (%u events)", self->t.n);
	EXPECT_TRUE(each_clean_matched(&self->t, &self->t, true))
		TH_LOG("a cleaned range was not invalidated after its clean");
}

/*
 * contig memory is the module's device's between CPU accesses: cleaned
 * after the zeroing, invalidated at DMA_BUF_SYNC_START, cleaned again at
 * DMA_BUF_SYNC_END, the whole buffer each time.
 */
TEST_F(cache, contig_is_cleaned_at_allocation_and_synced_around_cpu_access)
{
	uint64_t pa;

	ASSERT_EQ(0, alloc_mapped(self, "contig", 64 << 10));
	pa = contig_phys(self->buf);
	ASSERT_NE(0, pa);
	ASSERT_EQ(0, trace_read(&self->t));
	EXPECT_LE(0, covered(&self->t, -1, false, pa, self->len))
		TH_LOG("the zeroed buffer was not cleaned (%u events)", self->t.n);

	ASSERT_EQ(0, traced_sync(self->buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, &self->t));
	EXPECT_LE(0, covered(&self->t, -1, true, pa, self->len))
		TH_LOG("SYNC_START did not invalidate the buffer (%u events)", self->t.n);
	memset(self->map, 0x5a, self->len);

	ASSERT_EQ(0, traced_sync(self->buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, &self->t));
	EXPECT_LE(0, covered(&self->t, -1, false, pa, self->len))
		TH_LOG("SYNC_END did not clean the buffer (%u events)", self->t.n);
}

/*
 * An importer's mapping (vgem, whose device is not coherent either): the
 * pages are cleaned when vgem maps them, invalidated for that device at
 * SYNC_START and cleaned again at SYNC_END, the same ranges each time.
 */
TEST_F(cache, importer_mapping_is_synced_at_map_and_around_cpu_access)
{
	uint32_t handle;
	int drm;

	if (!dmx_vgem_maps_at_import())
		SKIP(return, "vgem maps no attachment on this kernel (6.16+)");
	drm = vgem_open();
	ASSERT_LE(0, drm) TH_LOG("vgem: %s", strerror(-drm));
	ASSERT_EQ(0, alloc_mapped(self, "system", 64 << 10));

	ASSERT_EQ(0, trace_clear());
	ASSERT_EQ(0, drmPrimeFDToHandle(drm, self->buf, &handle));
	ASSERT_EQ(0, trace_read(&self->ref));
	EXPECT_EQ(self->len, total(&self->ref, false))
		TH_LOG("vgem's mapping cleaned the wrong bytes (%u events)", self->ref.n);

	ASSERT_EQ(0, traced_sync(self->buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, &self->t));
	EXPECT_EQ(self->len, total(&self->t, true));
	EXPECT_TRUE(each_clean_matched(&self->ref, &self->t, true))
		TH_LOG("SYNC_START did not invalidate vgem's mapping");

	ASSERT_EQ(0, traced_sync(self->buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, &self->t));
	EXPECT_EQ(self->len, total(&self->t, false));
	EXPECT_TRUE(each_clean_matched(&self->ref, &self->t, false))
		TH_LOG("SYNC_END did not clean vgem's mapping");
	close(drm);
}

TEST_HARNESS_MAIN
