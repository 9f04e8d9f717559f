// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault-injection sweeps (Documentation/fault-injection/fault-injection.rst):
 * every ioctl that allocates is made with its 1st, 2nd, ... Nth fault point
 * failed in turn, through the per-thread /proc/thread-self/fail-nth, until a
 * call runs without reaching the armed point. Fault points are the slab
 * allocator (failslab), the page allocator (fail_page_alloc) and user copies
 * (fail_usercopy, which fail-nth counts too), in our module and in everything
 * it calls: the dma-buf core, the importers, even kmemleak's and KASAN's own
 * bookkeeping.
 *
 * Each failed call must fail with ENOMEM (an allocation) or EFAULT (a user
 * copy), and leave nothing behind: no buffer (INFO live_buffers), no pinned
 * page (INFO pinned_bytes; /proc/vmstat pin counters across the sweep), no fd,
 * no module reference, no attachment or mapping of the importer's buffer, no
 * unsignalled fence. A fault the call absorbs (a high-order allocation that
 * falls back to smaller pages, say) must leave a buffer that works. The
 * debug kernel's KASAN, kmemleak and lockdep watch the error paths meanwhile.
 *
 * Not swept: vmap (vivid's V4L2_MEMORY_DMABUF import). dma_buf_vmap() has
 * WARN_ON_ONCE(ret) on an exporter's vmap error, so the first fault inside
 * our vmap would print a kernel WARNING by design of the core, which the
 * harness rightly counts as a failure; the vmap error path is covered by
 * test-exporter injection instead (failure_injection_test, which documents
 * the same WARN).
 *
 * Kernels without fault injection (Debian's) skip the whole program.
 */
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <linux/udmabuf.h>
#include <xf86drm.h>

#include "edu_test.h"	/* includes dmx_test.h */
#include "kselftest_harness.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DBGFS		"/sys/kernel/debug/"

/* A call that still reaches an armed fault point after this many is stuck. */
#define SWEEP_MAX	3000
#define SWEEP_TIMEOUT	900	/* seconds per test: TCG and the debug kernel */

/*
 * Heap and ctl allocations: one chunk of each order the system kinds use
 * (1 MiB, 64 KiB, 4 KiB), so that a failure after the first chunk frees a
 * list of mixed orders. Small enough for page-pointer arrays to stay within
 * kmalloc: a failing vmalloc fallback would dump a stack (warn_alloc).
 */
#define SIZE_ALLOC	((1U << 20) + (64U << 10) + 4096U)
#define SIZE_IMPORT	(16 * 4096U)	/* user memory and memfds: faulted in */
#define SIZE_EDU	(4 * 4096U)
#define LEN_EDU		4000U		/* within the device buffer (4095) */

/*
 * The fault-injection attributes fail-nth goes through. By default failslab
 * and fail_page_alloc ignore allocations that may sleep (nearly all of ours),
 * fail_page_alloc also highmem-capable and order-0 ones, and each failure
 * dumps a stack ("Call Trace:", which the harness rejects). The probability
 * stays 0: nothing fails at random, only the Nth point of this thread.
 */
static const struct {
	const char *path;
	const char *value;
} knobs[] = {
	{ DBGFS "failslab/ignore-gfp-wait", "N" },
	{ DBGFS "failslab/verbose", "0" },
	{ DBGFS "fail_page_alloc/ignore-gfp-wait", "N" },
	{ DBGFS "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ DBGFS "fail_page_alloc/min-order", "0" },
	{ DBGFS "fail_page_alloc/verbose", "0" },
	{ DBGFS "fail_usercopy/verbose", "0" },
};

#define NR_KNOBS	(sizeof(knobs) / sizeof(knobs[0]))

/* Why this kernel cannot run the sweeps, or NULL. */
static const char *fault_injection_missing(void)
{
	unsigned int i;

	if (access(FAIL_NTH, R_OK | W_OK))
		return "no " FAIL_NTH " (kernel without CONFIG_FAULT_INJECTION)";
	for (i = 0; i < NR_KNOBS; i++)
		if (access(knobs[i].path, R_OK | W_OK))
			return "fault-injection debugfs attributes missing "
			       "(CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, "
			       "CONFIG_FAULT_INJECTION_USERCOPY, "
			       "CONFIG_FAULT_INJECTION_DEBUG_FS)";
	return NULL;
}

/*
 * Arm: the @n-th fault point this thread reaches from now on fails. The
 * write's own user copy runs before the counter is set.
 */
static int fail_nth_arm(int nth, unsigned int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%u", n);

	return pwrite(nth, s, len, 0) == len ? 0 : -errno;
}

/*
 * Disarm, and tell whether the armed fault was injected (the counter reads
 * 0). Reading and writing the file copy to and from user space, which are
 * fault points themselves while the counter still runs: such a copy may
 * consume the last count and fail with EFAULT, which also leaves it at 0.
 */
static int fail_nth_disarm(int nth, bool *injected)
{
	char s[16];
	ssize_t n;
	int i;

	n = pread(nth, s, sizeof(s) - 1, 0);
	if (n < 0 && errno != EFAULT)
		return -errno;
	if (n < 0) {
		*injected = false;	/* it was 1: the read took it */
		return 0;
	}
	s[n] = 0;
	*injected = strtoul(s, NULL, 10) == 0;
	if (*injected)
		return 0;
	for (i = 0; i < 3; i++) {
		if (pwrite(nth, "0", 1, 0) == 1)
			return 0;
		if (errno != EFAULT)
			return -errno;
	}
	return -EFAULT;
}


/*
 * DMA-API debugging tracks mapped cachelines in a radix tree whose nodes are
 * allocated GFP_ATOMIC while a mapping is made (our contig kind's own
 * mapping, vgem's and edu's imports): a fault injected there is absorbed by
 * the per-CPU radix-tree preload pool, and once that pool is empty
 * DMA-API debugging switches itself off with "DMA-API: cacheline tracking
 * ENOMEM", a failure of the run's kernel log and the end of DMA-API checks
 * for every later test. A sweep can empty the pool; fork() refills it
 * (alloc_pid() preloads), so the sweep stays on one CPU and forks before
 * each armed call.
 */
static int stay_on_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int refill_radix_tree_preloads(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return 0;
}

static int __query(int ctl, int fd, struct dmabuf_exporter_query *q)
{
	memset(q, 0, sizeof(*q));
	q->fd = (uint32_t)fd;
	return ioctl(ctl, DMABUF_EXPORTER_IOCTL_QUERY, q) ? -errno : 0;
}

/*
 * The test process runs in a memory cgroup of its own, so that pages charged
 * to it (our buffers' pages carry __GFP_ACCOUNT) and never uncharged show up
 * in memory.current; kmemleak does not track pages, only slab objects.
 */
struct memcg {
	struct dmx_memcg cg;
	bool entered;
	const char *why;	/* why the charge is not checked */
};

static void memcg_enter(struct memcg *m)
{
	if (dmx_memcg_mount(&m->cg, "/tmp/dmx-faults-XXXXXX")) {
		m->why = "cannot mount cgroup2";
		return;
	}
	if (dmx_memcg_enable(&m->cg)) {
		m->why = "no memory controller";
		return;
	}
	if (dmx_memcg_mkdir(&m->cg, "dmx-faults") || dmx_memcg_enter(&m->cg)) {
		m->why = "cannot create a memory cgroup";
		return;
	}
	m->entered = true;
}

static void memcg_leave(struct memcg *m)
{
	if (m->entered) {
		dmx_memcg_leave(&m->cg);
		dmx_memcg_rmdir(&m->cg);
	}
	dmx_memcg_umount(&m->cg);
}

/* Bytes charged to the test's cgroup, or -1. */
static int64_t memcg_current(const struct memcg *m)
{
	return m->entered ? dmx_memcg_current(&m->cg) : -1;
}

/*
 * Slack for memory.current: each CPU keeps a stock of up to 64 pages
 * charged ahead (MEMCG_CHARGE_BATCH), and slab objects are charged in bytes
 * through a per-CPU stock too. A leaked 1 MiB buffer is well above it.
 */
#define MEMCG_SLACK	(512U << 10)

/*
 * One sweep: the call under test and what it needs. prepare() sets up one
 * call outside the armed window (fresh memory to fault in, for instance);
 * call() makes the one ioctl and nothing else; release() checks and frees
 * what a successful call made (0 if it was fine); cleanup() undoes prepare().
 */
struct sweep {
	const char *name;
	int (*prepare)(struct sweep *sw);
	int (*call)(struct sweep *sw);
	int (*release)(struct sweep *sw);
	/* After a failed call: undo what the call documents it keeps. */
	void (*failed)(struct sweep *sw, int ret);
	void (*cleanup)(struct sweep *sw);

	int ctl;
	int node;		/* heap node, vgem or edu fd */
	int ctl_system;		/* the system node, for spacers */
	int buf, buf2;		/* buffers handed to an importer, or -1 */
	int memfd, memfd2;
	bool list;		/* UDMABUF_CREATE_LIST: memfd2 ends the buffer */
	uint8_t *map, *map2;	/* buf and buf2 mapped (edu) */
	int spacers[64];	/* cached buffers kept through a sweep */
	unsigned int nr_spacers;
	unsigned int seed;	/* the data pattern of this call (edu) */
	void *mem;
	uint32_t kind;
	uint32_t handle;
	int out;		/* the fd a successful call returned */
	int err;		/* errno of the last call, or 0 */
	unsigned int kept;	/* failed calls whose result was kept (failed()) */
	const struct memcg *memcg;
};

/* What a failed call must not change. */
struct snap {
	int fds;
	int64_t live;
	uint64_t pinned;
	long refcnt;
	long edu_refcnt;
};

static void snap_take(struct __test_metadata *_metadata, struct sweep *sw,
		      struct snap *s)
{
	struct dmabuf_exporter_info info;

	s->fds = dmx_count_fds();
	ASSERT_EQ(0, __dmx_info(sw->ctl, &info));
	s->live = (int64_t)info.live_buffers;
	s->pinned = info.pinned_bytes;
	s->refcnt = dmx_module_refcnt("dmabuf_exporter");
	s->edu_refcnt = dmx_module_refcnt(EDU_MODULE);
}

/* The importer's buffers: nothing attached, mapped or pending any more. */
static void expect_buffer_released(struct __test_metadata *_metadata,
				   struct sweep *sw, int buf, unsigned int n)
{
	struct dmabuf_exporter_query q;
	struct pollfd pfd = { .fd = buf, .events = POLLOUT };

	if (buf < 0)
		return;
	ASSERT_EQ(0, __query(sw->ctl, buf, &q));
	EXPECT_EQ(0, q.attachments)
		TH_LOG("%s: N=%u: attachment left (call: %s)", sw->name, n, strerror(sw->err));
	EXPECT_EQ(0, q.mapped_attachments)
		TH_LOG("%s: N=%u: mapping left (call: %s)", sw->name, n, strerror(sw->err));
	EXPECT_EQ(0, q.vmaps)
		TH_LOG("%s: N=%u: vmap left (call: %s)", sw->name, n, strerror(sw->err));
	/* POLLOUT: every fence, readers' and writers', has signalled. */
	EXPECT_EQ(1, poll(&pfd, 1, 0)) TH_LOG("%s: N=%u: unsignalled fence left", sw->name, n);
}

static void sweep_run(struct __test_metadata *_metadata, struct sweep *sw)
{
	unsigned int n, done = 0, absorbed = 0, enomem = 0, efault = 0;
	int64_t charged = memcg_current(sw->memcg), now;
	bool injected = true;
	int64_t pins = dmx_pins_settled();
	char trace[SWEEP_MAX + 1] = "";
	int nth;

	nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth);
	ASSERT_EQ(0, stay_on_this_cpu());

	for (n = 1; n <= SWEEP_MAX && injected; n++) {
		struct snap before, after;
		int ret;

		if (sw->prepare)
			ASSERT_EQ(0, sw->prepare(sw)) TH_LOG("%s: N=%u: prepare", sw->name, n);
		snap_take(_metadata, sw, &before);
		sw->out = -1;
		ASSERT_EQ(0, refill_radix_tree_preloads());

		ASSERT_EQ(0, fail_nth_arm(nth, n));
		ret = sw->call(sw);
		ASSERT_EQ(0, fail_nth_disarm(nth, &injected));
		sw->err = -ret;

		/* One letter per N: ENOMEM, EFAULT, other, absorbed, success. */
		trace[n - 1] = ret == -ENOMEM ? 'M' : ret == -EFAULT ? 'F' :
			       ret ? 'E' : injected ? 'a' : 's';
		if (!ret) {
			/* An absorbed fault must still give a working result. */
			EXPECT_EQ(0, sw->release(sw))
				TH_LOG("%s: N=%u: succeeded (fault %s) with a broken result",
				       sw->name, n, injected ? "absorbed" : "not reached");
			absorbed += injected;
		} else {
			EXPECT_TRUE(injected)
				TH_LOG("%s: N=%u: failed (%s) with no fault injected",
				       sw->name, n, strerror(-ret));
			/* ENOMEM for an allocation, EFAULT for a user copy. */
			EXPECT_TRUE(ret == -ENOMEM || ret == -EFAULT)
				TH_LOG("%s: N=%u: %s, not ENOMEM or EFAULT",
				       sw->name, n, strerror(-ret));
			enomem += ret == -ENOMEM;
			efault += ret == -EFAULT;
			if (sw->failed)
				sw->failed(sw, ret);
		}

		snap_take(_metadata, sw, &after);
		EXPECT_EQ(before.live, after.live) TH_LOG("%s: N=%u: buffer leaked", sw->name, n);
		EXPECT_EQ(before.pinned, after.pinned) TH_LOG("%s: N=%u: pin leaked", sw->name, n);
		EXPECT_EQ(before.fds, after.fds) TH_LOG("%s: N=%u: fd leaked", sw->name, n);
		EXPECT_EQ(before.refcnt, after.refcnt)
			TH_LOG("%s: N=%u: dmabuf_exporter reference leaked", sw->name, n);
		EXPECT_EQ(before.edu_refcnt,
			  dmx_module_refcnt_settled(EDU_MODULE, before.edu_refcnt))
			TH_LOG("%s: N=%u: " EDU_MODULE " reference leaked", sw->name, n);
		expect_buffer_released(_metadata, sw, sw->buf, n);
		expect_buffer_released(_metadata, sw, sw->buf2, n);

		if (sw->cleanup)
			sw->cleanup(sw);
		/* The first broken error path is the one to look at. */
		if (!__test_passed(_metadata))
			break;
		if (!injected) {
			ASSERT_EQ(0, ret) TH_LOG("%s: N=%u: no fault injected", sw->name, n);
			done = n;
		}
	}
	close(nth);
	while (sw->nr_spacers)
		close(sw->spacers[--sw->nr_spacers]);
	if (!__test_passed(_metadata))
		return;
	ASSERT_NE(0, done) TH_LOG("%s: still reaching fault points after %u",
				  sw->name, SWEEP_MAX);
	EXPECT_EQ(pins, dmx_pins_settled()) TH_LOG("%s: pinned pages leaked", sw->name);
	now = memcg_current(sw->memcg);
	if (charged >= 0 && now >= 0) {
		EXPECT_GT(charged + MEMCG_SLACK, now)
			TH_LOG("%s: %lld bytes more charged to the memory cgroup",
			       sw->name, (long long)(now - charged));
	} else {
		ksft_print_msg("%s: memory cgroup charge not checked: %s\n",
			       sw->name, sw->memcg->why);
	}
	ksft_print_msg("%s: %u faults injected, succeeded at N=%u (%u ENOMEM, %u EFAULT, %u absorbed by the call)\n",
		       sw->name, done - 1, done, enomem, efault, absorbed);
	ksft_print_msg("%s: by N (M ENOMEM, F EFAULT, a absorbed, s success): %s\n",
		       sw->name, trace);
	if (sw->kept)
		ksft_print_msg("%s: %u EFAULTs kept the result (the importer's rule)\n",
			       sw->name, sw->kept);
	fflush(stdout);
	/* A sweep that cannot inject proves nothing. */
	EXPECT_LT(1, done) TH_LOG("%s: no fault point reached", sw->name);
}

/* ---- the calls ---------------------------------------------------------- */

/* A buffer we allocated: the right size, mappable, zeroed, writable. */
static int check_new_buffer(int buf, uint64_t size)
{
	uint8_t *p;
	int ret = 0;

	if (dmx_buf_size(buf) != (int64_t)size)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (p[0] || p[size / 2] || p[size - 1])
		ret = -EINVAL;
	p[0] = 1;
	p[size - 1] = 2;
	if (p[0] != 1 || p[size - 1] != 2)
		ret = -EIO;
	munmap(p, size);
	return ret;
}

static int release_new_buffer(struct sweep *sw)
{
	int ret = check_new_buffer(sw->out, SIZE_ALLOC);

	close(sw->out);
	return ret;
}

static int call_heap_alloc(struct sweep *sw)
{
	return __dmx_alloc(sw->node, SIZE_ALLOC, O_RDWR | O_CLOEXEC, 0, 0, &sw->out);
}

/*
 * The uncached kind changes the kernel's linear mapping of its pages to
 * write-combined, which splits a large (2 MiB or 1 GiB) mapping the first
 * time: a page allocation inside set_pages_array_wc(), reached only while
 * the buffer's pages lie in memory never changed before. Freed pages come
 * back first, so a plain sweep reaches it at most once. Here each call
 * first takes the 2 MiB block the previous one freed (one large mapping)
 * into a cached buffer that is kept, so the uncached buffer lands in fresh
 * memory every time.
 */
static int prepare_spacer(struct sweep *sw)
{
	int fd;

	if (sw->nr_spacers == sizeof(sw->spacers) / sizeof(sw->spacers[0]))
		return 0;
	fd = dmx_alloc(sw->ctl_system, 2U << 20);
	if (fd < 0)
		return fd;
	sw->spacers[sw->nr_spacers++] = fd;
	return 0;
}

static int call_ctl_alloc(struct sweep *sw)
{
	static const char name[] = "fault-sweep";
	struct dmabuf_exporter_alloc req = {
		.size = SIZE_ALLOC,
		.kind = sw->kind,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.name = (uintptr_t)name,
	};

	if (ioctl(sw->ctl, DMABUF_EXPORTER_IOCTL_ALLOC, &req))
		return -errno;
	sw->out = (int)req.fd;
	return 0;
}

/* Fresh, untouched anonymous memory: the pin faults every page in. */
static int prepare_user_mem(struct sweep *sw)
{
	sw->mem = mmap(NULL, SIZE_IMPORT, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return sw->mem == MAP_FAILED ? -errno : 0;
}

static void cleanup_user_mem(struct sweep *sw)
{
	munmap(sw->mem, SIZE_IMPORT);
}

static int call_import_user(struct sweep *sw)
{
	struct dmabuf_exporter_import_user req = {
		.addr = (uintptr_t)sw->mem,
		.len = SIZE_IMPORT,
		.flags = DMABUF_EXPORTER_IMPORT_WRITE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(sw->ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req))
		return -errno;
	sw->out = (int)req.fd;
	return 0;
}

/* The dma-buf shows the user memory, and holds a pin until closed. */
static int release_import(struct sweep *sw)
{
	struct dmabuf_exporter_info info;
	uint8_t *p;
	int ret = 0;

	if (dmx_buf_size(sw->out) != SIZE_IMPORT)
		ret = -EINVAL;
	if (!ret && (__dmx_info(sw->ctl, &info) || info.pinned_bytes < SIZE_IMPORT))
		ret = -EINVAL;
	p = mmap(NULL, SIZE_IMPORT, PROT_READ | PROT_WRITE, MAP_SHARED, sw->out, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
	} else {
		p[SIZE_IMPORT - 1] = 0x5a;
		if (((uint8_t *)sw->mem)[SIZE_IMPORT - 1] != 0x5a)
			ret = -EIO;
		munmap(p, SIZE_IMPORT);
	}
	close(sw->out);
	return ret;
}

static int new_memfd(void)
{
	int fd = memfd_create("fault-sweep", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, SIZE_IMPORT) || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Fresh memfds, no page allocated yet: the import allocates them. */
static int prepare_memfds(struct sweep *sw)
{
	sw->memfd = new_memfd();
	if (sw->memfd < 0)
		return sw->memfd;
	sw->memfd2 = new_memfd();
	if (sw->memfd2 < 0) {
		close(sw->memfd);
		return sw->memfd2;
	}
	return 0;
}

static void cleanup_memfds(struct sweep *sw)
{
	close(sw->memfd);
	close(sw->memfd2);
}

static int call_udmabuf_create(struct sweep *sw)
{
	struct udmabuf_create create = {
		.memfd = (uint32_t)sw->memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = SIZE_IMPORT,
	};
	int fd = ioctl(sw->ctl, UDMABUF_CREATE, &create);

	if (fd < 0)
		return -errno;
	sw->out = fd;
	return 0;
}

/* Two memfds, half of each. */
static int call_udmabuf_create_list(struct sweep *sw)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[2];
	} list = {
		.head = { .flags = UDMABUF_FLAGS_CLOEXEC, .count = 2 },
		.items = {
			{ .memfd = (uint32_t)sw->memfd, .size = SIZE_IMPORT / 2 },
			{ .memfd = (uint32_t)sw->memfd2, .offset = SIZE_IMPORT / 2,
			  .size = SIZE_IMPORT / 2 },
		},
	};
	int fd = ioctl(sw->ctl, UDMABUF_CREATE_LIST, &list);

	if (fd < 0)
		return -errno;
	sw->out = fd;
	return 0;
}

/* The dma-buf shows the memfds' pages. */
static int release_memfd_import(struct sweep *sw)
{
	uint8_t *p, byte = 0;
	int ret = 0;

	if (dmx_buf_size(sw->out) != SIZE_IMPORT)
		ret = -EINVAL;
	p = mmap(NULL, SIZE_IMPORT, PROT_READ | PROT_WRITE, MAP_SHARED, sw->out, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
	} else {
		p[SIZE_IMPORT - 1] = 0x5a;
		if (pread(sw->list ? sw->memfd2 : sw->memfd, &byte, 1, SIZE_IMPORT - 1) != 1 ||
		    byte != 0x5a)
			ret = -EIO;
		munmap(p, SIZE_IMPORT);
	}
	close(sw->out);
	return ret;
}

/* vgem imports through PRIME: dma_buf_attach() and map. */
static int call_vgem_import(struct sweep *sw)
{
	return drmPrimeFDToHandle(sw->node, sw->buf, &sw->handle) ? -errno : 0;
}

static int release_vgem_import(struct sweep *sw)
{
	struct dmabuf_exporter_query q;
	int ret = __query(sw->ctl, sw->buf, &q);

	if (!ret && q.attachments != 1)
		ret = -EINVAL;
	if (drmCloseBufferHandle(sw->node, sw->handle))
		ret = -errno;
	return ret;
}

/*
 * The DRM core does not undo an ioctl whose reply cannot be copied back to
 * user space: when that last copy fails, the import stands and the handle
 * stays in the DRM file, unnamed (released when the file is closed). Not a
 * leak of ours; a second import of the same dma-buf finds that handle
 * (PRIME's per-file cache), so close it to check that the rest is undone.
 */
static void failed_vgem_import(struct sweep *sw, int ret)
{
	struct dmabuf_exporter_query q;

	if (ret != -EFAULT || __query(sw->ctl, sw->buf, &q) || !q.attachments)
		return;
	if (drmPrimeFDToHandle(sw->node, sw->buf, &sw->handle))
		return;
	drmCloseBufferHandle(sw->node, sw->handle);
	sw->kept++;
}

/*
 * The edu transfers get fresh data each time, and the destination is
 * cleared first: a call that succeeds despite an absorbed fault must still
 * have moved the right bytes.
 */
static int cpu_clear(int buf, uint8_t *map, size_t len)
{
	int ret = __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);

	if (ret)
		return ret;
	memset(map, 0, len);
	return __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/* 0 when map[0, len) holds the pattern of @seed. */
static int cpu_check(int buf, const uint8_t *map, size_t len, unsigned int seed)
{
	int64_t bad;
	int ret = __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);

	if (ret)
		return ret;
	bad = dmx_mismatch(map, 0, len, seed);
	ret = __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	return bad >= 0 ? -EIO : ret;
}

static int prepare_edu_read(struct sweep *sw)
{
	static const uint8_t zeros[LEN_EDU];

	sw->seed++;
	return edu_cpu_fill(sw->buf, sw->map, 0, LEN_EDU, sw->seed) ?:
	       __edu_devbuf_write(sw->node, 0, zeros, LEN_EDU);
}

static int call_edu_read(struct sweep *sw)
{
	return __edu_read_dmabuf(sw->node, (uint32_t)sw->buf, 0, 0, 0, LEN_EDU);
}

/* The device buffer holds what the dma-buf held. */
static int release_edu_read(struct sweep *sw)
{
	uint8_t got[LEN_EDU];
	int ret = __edu_devbuf_read(sw->node, 0, got, LEN_EDU);

	if (ret)
		return ret;
	return dmx_mismatch(got, 0, LEN_EDU, sw->seed) >= 0 ? -EIO : 0;
}

static int prepare_edu_write(struct sweep *sw)
{
	uint8_t data[LEN_EDU];

	sw->seed++;
	dmx_fill(data, 0, LEN_EDU, sw->seed);
	return __edu_devbuf_write(sw->node, 0, data, LEN_EDU) ?:
	       cpu_clear(sw->buf, sw->map, SIZE_EDU);
}

static int call_edu_write(struct sweep *sw)
{
	return __edu_write_dmabuf(sw->node, (uint32_t)sw->buf, 0, 0, 0, LEN_EDU);
}

static int release_edu_write(struct sweep *sw)
{
	return cpu_check(sw->buf, sw->map, LEN_EDU, sw->seed);
}

static int prepare_edu_copy(struct sweep *sw)
{
	sw->seed++;
	return edu_cpu_fill(sw->buf, sw->map, 0, SIZE_EDU, sw->seed) ?:
	       cpu_clear(sw->buf2, sw->map2, SIZE_EDU);
}

static int call_edu_copy(struct sweep *sw)
{
	return __edu_copy(sw->node, (uint32_t)sw->buf, (uint32_t)sw->buf2, 0,
			  0, 0, SIZE_EDU);
}

static int release_edu_copy(struct sweep *sw)
{
	return cpu_check(sw->buf2, sw->map2, SIZE_EDU, sw->seed);
}

static int call_edu_attach(struct sweep *sw)
{
	return __edu_attach(sw->node, sw->buf, &sw->handle);
}

static int release_edu_attach(struct sweep *sw)
{
	struct dmabuf_exporter_query q;
	int ret = __query(sw->ctl, sw->buf, &q);

	if (!ret && q.mapped_attachments != 1)
		ret = -EINVAL;
	return __edu_detach(sw->node, sw->handle) ?: ret;
}

/* ---- the tests ---------------------------------------------------------- */

FIXTURE(faults) {
	struct sweep sw;
	struct memcg memcg;
	char saved[NR_KNOBS][32];
	bool set[NR_KNOBS];
};

FIXTURE_SETUP(faults)
{
	unsigned int i;

	DMX_REQUIRE_MODULE();
	for (i = 0; i < NR_KNOBS; i++) {
		ASSERT_EQ(0, dmx_read_file(knobs[i].path, self->saved[i], sizeof(self->saved[i])))
			TH_LOG("%s", knobs[i].path);
		ASSERT_EQ(0, dmx_write_file(knobs[i].path, knobs[i].value))
			TH_LOG("%s", knobs[i].path);
		self->set[i] = true;
	}
	self->sw = (struct sweep){
		.node = -1, .buf = -1, .buf2 = -1, .memfd = -1, .memfd2 = -1,
		.out = -1, .ctl_system = -1,
	};
	self->sw.ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->sw.ctl);
	memcg_enter(&self->memcg);
	self->sw.memcg = &self->memcg;
}

FIXTURE_TEARDOWN(faults)
{
	unsigned int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (self->set[i])
			EXPECT_EQ(0, dmx_write_file(knobs[i].path, self->saved[i]));
	if (self->sw.buf >= 0)
		close(self->sw.buf);
	if (self->sw.buf2 >= 0)
		close(self->sw.buf2);
	if (self->sw.node >= 0)
		close(self->sw.node);
	if (self->sw.ctl >= 0)
		close(self->sw.ctl);
	while (self->sw.nr_spacers)
		close(self->sw.spacers[--self->sw.nr_spacers]);
	if (self->sw.ctl_system >= 0)
		close(self->sw.ctl_system);
	memcg_leave(&self->memcg);
}

static void sweep_heap(struct __test_metadata *_metadata, struct sweep *sw,
		       const char *kind, const char *name)
{
	sw->node = dmx_open_node(kind);
	ASSERT_LE(0, sw->node) TH_LOG("%s", kind);
	sw->name = name;
	sw->call = call_heap_alloc;
	sw->release = release_new_buffer;
	sweep_run(_metadata, sw);
}

TEST_F_TIMEOUT(faults, heap_alloc_system_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	sweep_heap(_metadata, &self->sw, "system", "heap alloc system");
}

TEST_F_TIMEOUT(faults, heap_alloc_system_uncached_fails_cleanly_at_every_fault,
	       SWEEP_TIMEOUT)
{
	sweep_heap(_metadata, &self->sw, "system-uncached", "heap alloc system-uncached");
}

TEST_F_TIMEOUT(faults,
	       heap_alloc_system_uncached_in_fresh_memory_fails_cleanly_at_every_fault,
	       SWEEP_TIMEOUT)
{
	struct sweep *sw = &self->sw;

	sw->ctl_system = dmx_open_node("system");
	ASSERT_LE(0, sw->ctl_system);
	sw->prepare = prepare_spacer;
	sweep_heap(_metadata, sw, "system-uncached",
		   "heap alloc system-uncached, fresh memory");
}

TEST_F_TIMEOUT(faults, heap_alloc_contig_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	sweep_heap(_metadata, &self->sw, "contig", "heap alloc contig");
}

TEST_F_TIMEOUT(faults, ctl_alloc_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	struct sweep *sw = &self->sw;

	sw->name = "ctl alloc system, named";
	sw->kind = DMABUF_EXPORTER_KIND_SYSTEM;
	sw->call = call_ctl_alloc;
	sw->release = release_new_buffer;
	sweep_run(_metadata, sw);
}

TEST_F_TIMEOUT(faults, import_user_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	struct sweep *sw = &self->sw;

	sw->name = "import user memory";
	sw->prepare = prepare_user_mem;
	sw->call = call_import_user;
	sw->release = release_import;
	sw->cleanup = cleanup_user_mem;
	sweep_run(_metadata, sw);
}

TEST_F_TIMEOUT(faults, udmabuf_create_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	struct sweep *sw = &self->sw;

	sw->name = "UDMABUF_CREATE";
	sw->prepare = prepare_memfds;
	sw->call = call_udmabuf_create;
	sw->release = release_memfd_import;
	sw->cleanup = cleanup_memfds;
	sweep_run(_metadata, sw);
}

TEST_F_TIMEOUT(faults, udmabuf_create_list_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	struct sweep *sw = &self->sw;

	sw->name = "UDMABUF_CREATE_LIST";
	sw->list = true;
	sw->prepare = prepare_memfds;
	sw->call = call_udmabuf_create_list;
	sw->release = release_memfd_import;
	sw->cleanup = cleanup_memfds;
	sweep_run(_metadata, sw);
}

TEST_F_TIMEOUT(faults, vgem_import_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	struct sweep *sw = &self->sw;
	int node = dmx_open_node("system");

	ASSERT_LE(0, node);
	sw->buf = dmx_alloc(node, SIZE_ALLOC);
	close(node);
	ASSERT_LE(0, sw->buf);
	sw->node = vgem_open();
	if (sw->node < 0)
		SKIP(return, "no vgem device");
	sw->name = "vgem PRIME import (attach + map)";
	sw->call = call_vgem_import;
	sw->release = release_vgem_import;
	sw->failed = failed_vgem_import;
	sweep_run(_metadata, sw);
}

/* The edu importer's calls that take dma-bufs, on buffers of ours. */
static void sweep_edu(struct __test_metadata *_metadata, struct sweep *sw,
		      const char *name, int (*prepare)(struct sweep *),
		      int (*call)(struct sweep *), int (*release)(struct sweep *))
{
	int node, edu = edu_open();

	if (edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	sw->node = edu;
	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	sw->buf = dmx_alloc(node, SIZE_EDU);
	sw->buf2 = dmx_alloc(node, SIZE_EDU);
	close(node);
	ASSERT_LE(0, sw->buf);
	ASSERT_LE(0, sw->buf2);
	sw->map = edu_map(sw->buf, SIZE_EDU);
	ASSERT_NE(MAP_FAILED, sw->map);
	sw->map2 = edu_map(sw->buf2, SIZE_EDU);
	ASSERT_NE(MAP_FAILED, sw->map2);
	sw->name = name;
	sw->prepare = prepare;
	sw->call = call;
	sw->release = release;
	sweep_run(_metadata, sw);
	munmap(sw->map, SIZE_EDU);
	munmap(sw->map2, SIZE_EDU);
}

TEST_F_TIMEOUT(faults, edu_read_dmabuf_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	sweep_edu(_metadata, &self->sw, "edu READ_DMABUF", prepare_edu_read,
		  call_edu_read, release_edu_read);
}

TEST_F_TIMEOUT(faults, edu_write_dmabuf_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	sweep_edu(_metadata, &self->sw, "edu WRITE_DMABUF", prepare_edu_write,
		  call_edu_write, release_edu_write);
}

TEST_F_TIMEOUT(faults, edu_copy_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	sweep_edu(_metadata, &self->sw, "edu COPY", prepare_edu_copy,
		  call_edu_copy, release_edu_copy);
}

TEST_F_TIMEOUT(faults, edu_attach_fails_cleanly_at_every_fault, SWEEP_TIMEOUT)
{
	sweep_edu(_metadata, &self->sw, "edu ATTACH", NULL, call_edu_attach,
		  release_edu_attach);
}

int main(int argc, char **argv)
{
	const char *why = fault_injection_missing();

	/* As dmx_test.h does without the module: plan 1..0, KSFT_SKIP. */
	if (why) {
		printf("TAP version 13\n1..0 # SKIP %s\n", why);
		return KSFT_SKIP;
	}
	return test_harness_run(argc, argv);
}
