// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pre-zeroed page pools of the "system" kind (driver/pool.c): what was
 * written into a freed buffer never shows in a new one, checked on every
 * byte, also under concurrent load; the pools fill, are used, stay within
 * pool_max_mb, turn off at 0, shrink when it is lowered, empty on
 * drop_caches and under real memory pressure (without the OOM killer); and
 * an allocation from a non-root memory cgroup is charged and takes nothing
 * from them.
 *
 * Needs debugfs (/sys/kernel/debug/dmabuf_exporter/pool) and root. The
 * tests change pool_max_mb and restore it.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

#define POOL_FILE	"/sys/kernel/debug/dmabuf_exporter/pool"
#define POOL_PARAM	"/sys/module/dmabuf_exporter/parameters/pool_max_mb"
#define MiB		(1ull << 20)
#define PATTERN		0xa5

struct pool_stat {
	long long total, clean, dirty, max, taken;
};

static int pool_read(struct pool_stat *s)
{
	char key[64];
	long long v;
	FILE *f = fopen(POOL_FILE, "re");
	int n = 0;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	/* The per-order table first: lines of numbers only, skipped. */
	while (fscanf(f, "%63s", key) == 1) {
		if (fscanf(f, "%lld", &v) != 1) {
			/* a header or table word: skip the rest of the line */
			fscanf(f, "%*[^\n]");
			continue;
		}
		if (!strcmp(key, "total_bytes"))
			s->total = v, n++;
		else if (!strcmp(key, "clean_bytes"))
			s->clean = v, n++;
		else if (!strcmp(key, "dirty_bytes"))
			s->dirty = v, n++;
		else if (!strcmp(key, "max_bytes"))
			s->max = v, n++;
		else if (!strcmp(key, "taken_pages"))
			s->taken = v, n++;
		fscanf(f, "%*[^\n]");
	}
	fclose(f);
	return n == 5 ? 0 : -EIO;
}

static int pool_set_max(unsigned int mb)
{
	char val[32];

	snprintf(val, sizeof(val), "%u\n", mb);
	return dmx_write_file(POOL_PARAM, val);
}

static unsigned int pool_get_max(void)
{
	char val[32];

	dmx_module_param("pool_max_mb", val, sizeof(val));
	return (unsigned int)strtoul(val, NULL, 10);
}

/* Wait (at most 60 s) until the zeroing thread has no dirty page left. */
static int pool_settle(struct pool_stat *s)
{
	int i, ret = 0;

	for (i = 0; i < 6000; i++) {
		ret = pool_read(s);
		if (ret || !s->dirty)
			return ret;
		usleep(10 * 1000);
	}
	return -ETIMEDOUT;
}

/* Allocate @len, write @pattern over all of it, and free it. */
static int dirty_buffer(int node, uint64_t len, int pattern)
{
	int fd = dmx_alloc(node, len);
	void *p;

	if (fd < 0)
		return fd;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	memset(p, pattern, len);
	munmap(p, len);
	close(fd);
	return 0;
}

/*
 * Offset of the first byte of @len at @p that is not zero, or -1. Every
 * byte is checked (eight at a time, then the culprit's bytes one by one).
 */
static long long first_nonzero(const void *p, uint64_t len)
{
	const uint64_t *w = p;
	const unsigned char *b = p;
	uint64_t i, j;

	for (i = 0; i < len / 8; i++) {
		if (w[i]) {
			for (j = i * 8; j < i * 8 + 8; j++)
				if (b[j])
					return (long long)j;
		}
	}
	for (j = len / 8 * 8; j < len; j++)
		if (b[j])
			return (long long)j;
	return -1;
}

/* Allocate @len and check that every byte is zero: -1, an offset, or -errno - 2. */
static long long alloc_check_zero(int node, uint64_t len, int *out_fd)
{
	int fd = dmx_alloc(node, len);
	long long off;
	void *p;

	if (fd < 0)
		return fd - 2;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		off = -errno - 2;
		close(fd);
		return off;
	}
	off = first_nonzero(p, len);
	munmap(p, len);
	if (out_fd)
		*out_fd = fd;
	else
		close(fd);
	return off;
}

FIXTURE(pool) {
	unsigned int saved_max;
	int node;
};

FIXTURE_SETUP(pool)
{
	struct pool_stat s;

	DMX_REQUIRE_MODULE();
	if (access(POOL_PARAM, W_OK))
		SKIP(return, "no writable pool_max_mb: %s", strerror(errno));
	if (pool_read(&s))
		SKIP(return, "%s not readable (debugfs)", POOL_FILE);
	self->saved_max = pool_get_max();
	/* Empty pools, then the default bound: each test starts the same. */
	ASSERT_EQ(0, pool_set_max(0));
	ASSERT_EQ(0, pool_set_max(64));
	self->node = dmx_open_node("system");
	ASSERT_LE(0, self->node);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->node >= 0)
		close(self->node);
	if (self->saved_max)
		pool_set_max(self->saved_max);
}

static const uint64_t sizes[] = {
	4096, 8192, 64 << 10, (64 << 10) + 4096, MiB, MiB + (68 << 10),
	3 * MiB, 16 * MiB,
};

/*
 * Buffers of every size the chunking produces, written all over, freed;
 * then the same sizes again: every byte zero, and the pools were used.
 */
TEST_F(pool, freed_dirty_buffers_come_back_zeroed_every_byte)
{
	struct pool_stat before, after;
	long long off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		ASSERT_EQ(0, dirty_buffer(self->node, sizes[i], PATTERN));
	ASSERT_EQ(0, pool_settle(&before));
	ASSERT_LT(0, before.clean) TH_LOG("nothing pooled");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		off = alloc_check_zero(self->node, sizes[i], NULL);
		EXPECT_EQ(-1, off) TH_LOG("size %llu: byte %lld not zero",
					  (unsigned long long)sizes[i], off);
	}
	ASSERT_EQ(0, pool_read(&after));
	EXPECT_LT(before.taken, after.taken) TH_LOG("the pools were not used");
}

/*
 * Freed and allocated again at once, before the zeroing thread can have
 * caught up: dirty pages must not be handed out.
 */
TEST_F(pool, allocation_right_after_free_never_sees_dirty_pages)
{
	long long off;
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, dirty_buffer(self->node, 4 * MiB, PATTERN));
		off = alloc_check_zero(self->node, 4 * MiB, NULL);
		ASSERT_EQ(-1, off) TH_LOG("round %d: byte %lld not zero", i, off);
	}
}

/* The pools fill from freed buffers, and an allocation empties them again. */
TEST_F(pool, pool_fills_after_free_and_allocation_takes_from_it)
{
	struct pool_stat empty, full, used;
	int fd;

	ASSERT_EQ(0, pool_settle(&empty));
	EXPECT_EQ(0, empty.total);
	ASSERT_EQ(0, dirty_buffer(self->node, 8 * MiB, PATTERN));
	ASSERT_EQ(0, pool_settle(&full));
	EXPECT_EQ(8 * MiB, full.total);
	EXPECT_EQ(8 * MiB, full.clean);
	ASSERT_EQ(-1, alloc_check_zero(self->node, 8 * MiB, &fd));
	ASSERT_EQ(0, pool_read(&used));
	EXPECT_EQ(0, used.total);
	EXPECT_EQ(full.taken + (long long)(8 * MiB / DMX_PAGE), used.taken);
	close(fd);
}

TEST_F(pool, pool_max_mb_0_turns_the_pools_off)
{
	struct pool_stat s;

	ASSERT_EQ(0, pool_set_max(0));
	ASSERT_EQ(0, dirty_buffer(self->node, 8 * MiB, PATTERN));
	ASSERT_EQ(0, pool_settle(&s));
	EXPECT_EQ(0, s.total);
	EXPECT_EQ(0, s.max);
	EXPECT_EQ(-1, alloc_check_zero(self->node, 8 * MiB, NULL));
	ASSERT_EQ(0, pool_read(&s));
	EXPECT_EQ(0, s.total);
}

TEST_F(pool, lowering_pool_max_mb_trims_at_once)
{
	struct pool_stat s;

	ASSERT_EQ(0, dirty_buffer(self->node, 32 * MiB, PATTERN));
	ASSERT_EQ(0, pool_settle(&s));
	EXPECT_EQ(32 * MiB, s.total);
	ASSERT_EQ(0, pool_set_max(4));
	ASSERT_EQ(0, pool_settle(&s));
	EXPECT_GE(4 * MiB, s.total);
	EXPECT_EQ(4 * MiB, s.max);
	EXPECT_EQ(-1, alloc_check_zero(self->node, 32 * MiB, NULL));
}

/* More freed than the bound: the pools hold at most pool_max_mb, ever. */
TEST_F(pool, pools_never_exceed_pool_max_mb)
{
	struct pool_stat s;
	int i;

	ASSERT_EQ(0, pool_set_max(8));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dirty_buffer(self->node, 6 * MiB, PATTERN));
		ASSERT_EQ(0, pool_read(&s));
		EXPECT_GE(8 * MiB, s.total);
	}
	ASSERT_EQ(0, pool_settle(&s));
	EXPECT_GE(8 * MiB, s.total);
	EXPECT_LT(0, s.total);
}

/* drop_caches runs every shrinker: ours gives everything back. */
TEST_F(pool, drop_caches_empties_the_pools)
{
	struct pool_stat s;
	int i;

	ASSERT_EQ(0, dirty_buffer(self->node, 32 * MiB, PATTERN));
	ASSERT_EQ(0, pool_settle(&s));
	ASSERT_EQ(32 * MiB, s.total);
	ASSERT_EQ(0, dmx_write_file("/proc/sys/vm/drop_caches", "3\n"));
	/* A page being zeroed at that moment is freed right after. */
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, pool_read(&s));
		if (!s.total)
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(0, s.total);
}

static long long vmstat(const char *key)
{
	long long v, ret = -1;
	char name[64];
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			ret = v;
	fclose(f);
	return ret;
}

/*
 * A child allocates anonymous memory, 4 MiB at a time, until the pools
 * are empty. It stops at the memory available when it started plus half
 * the pools' content: by then the pools must have given way, and nothing
 * needs the OOM killer.
 */
TEST_F(pool, memory_pressure_empties_the_pools_without_oom_kill)
{
	long long oom_before, oom_after;
	struct pool_stat s;
	long avail_kb;
	int status;
	pid_t child;

	ASSERT_EQ(0, pool_set_max(64));
	ASSERT_EQ(0, dirty_buffer(self->node, 64 * MiB, PATTERN));
	ASSERT_EQ(0, pool_settle(&s));
	ASSERT_EQ(64 * MiB, s.total);
	avail_kb = dmx_meminfo("MemAvailable");
	ASSERT_LT(0, avail_kb);
	oom_before = vmstat("oom_kill");

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		uint64_t cap = (uint64_t)avail_kb * 1024 + 32 * MiB, done = 0;
		const uint64_t step = 4 * MiB;
		struct pool_stat c;

		while (done + step <= cap) {
			char *p = mmap(NULL, step, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(3);
			memset(p, 1, step);
			done += step;
			if (pool_read(&c))
				_exit(4);
			if (!c.total) {
				printf("# pools empty after %llu MiB of %llu MiB available\n",
				       (unsigned long long)(done >> 20),
				       (unsigned long long)avail_kb >> 10);
				fflush(stdout);
				_exit(0);
			}
		}
		_exit(5);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	oom_after = vmstat("oom_kill");
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("child status %#x (SIGKILL: OOM-killed)",
					      status);
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("5: the pools kept their pages");
	EXPECT_EQ(oom_before, oom_after);
	ASSERT_EQ(0, pool_read(&s));
	EXPECT_EQ(0, s.total);
}

/*
 * A task in a memory cgroup other than the root: a fresh page is charged
 * to it, so it must not take pooled (uncharged) pages, and its pages must
 * not enter the pools when freed (their charge would go with them).
 */
TEST_F(pool, non_root_memcg_allocation_is_charged_and_skips_the_pools)
{
	struct pool_stat full, after;
	struct dmx_memcg memcg;
	struct {
		int64_t before, during;
		long long zero;
		struct pool_stat mid;
		int err;
	} *res;
	int status;
	pid_t child;

	ASSERT_EQ(0, dirty_buffer(self->node, 16 * MiB, PATTERN));
	ASSERT_EQ(0, pool_settle(&full));
	ASSERT_EQ(16 * MiB, full.total);

	if (dmx_memcg_mount(&memcg, "/tmp/dmx-pool-cgroup-XXXXXX"))
		SKIP(return, "no cgroup2 hierarchy: %s", strerror(errno));
	if (dmx_memcg_enable(&memcg)) {
		dmx_memcg_umount(&memcg);
		SKIP(return, "no memory controller in cgroup2");
	}
	ASSERT_EQ(0, dmx_memcg_mkdir(&memcg, "dmx-pool"));
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = -1;

		if (dmx_memcg_enter(&memcg))
			_exit(2);
		res->before = dmx_memcg_current(&memcg);
		res->zero = alloc_check_zero(self->node, 8 * MiB, &fd);
		res->during = dmx_memcg_current(&memcg);
		pool_read(&res->mid);
		if (fd >= 0) {
			void *p = mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0);

			if (p != MAP_FAILED) {
				memset(p, PATTERN, 8 * MiB);
				munmap(p, 8 * MiB);
			}
			close(fd);
		}
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(-1, res->zero);
	/*
	 * Charged: the group grew by the buffer, give or take the charges
	 * the memcg code keeps in advance per CPU (MEMCG_CHARGE_BATCH, 64
	 * pages), which memory.current already counts.
	 */
	EXPECT_LE(res->before + (int64_t)(8 * MiB) -
		  64 * (int64_t)DMX_PAGE * sysconf(_SC_NPROCESSORS_ONLN),
		  res->during)
		TH_LOG("memory.current %lld -> %lld", (long long)res->before,
		       (long long)res->during);
	/* Nothing taken from the pools... */
	EXPECT_EQ(full.taken, res->mid.taken);
	EXPECT_EQ(full.total, res->mid.total);
	/* ...and nothing of its pages put into them. */
	ASSERT_EQ(0, pool_settle(&after));
	EXPECT_EQ(full.total, after.total);
	munmap(res, sizeof(*res));
	EXPECT_EQ(0, dmx_memcg_rmdir(&memcg));
	dmx_memcg_umount(&memcg);
}

#define STRESS_PROCS	4
#define STRESS_SECONDS	20

static const uint64_t stress_sizes[] = {
	4096, 12288, 64 << 10, (64 << 10) + 4096, 512 << 10, MiB,
	MiB + 4096, 5 * MiB, 16 * MiB, 64 * MiB,
};

/*
 * Several processes allocate, check every byte is zero, write all over,
 * and free, concurrently, with sizes from 4 KiB to 64 MiB, for a while:
 * the pools fill and empty all the time, and nobody ever sees a byte
 * another wrote.
 */
TEST_F(pool, concurrent_dirty_free_allocate_always_zero)
{
	struct pool_stat before, after;
	int i, status, failed = 0;
	pid_t pids[STRESS_PROCS];

	ASSERT_EQ(0, pool_read(&before));
	for (i = 0; i < STRESS_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			time_t end = time(NULL) + STRESS_SECONDS;
			unsigned int seed = (unsigned int)getpid(), n = 0;

			while (time(NULL) < end) {
				uint64_t len = stress_sizes[rand_r(&seed) %
							    ARRAY_SIZE(stress_sizes)];
				long long off;
				int fd;
				void *p;

				fd = dmx_alloc(self->node, len);
				if (fd < 0)
					_exit(2);
				p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					 MAP_SHARED, fd, 0);
				if (p == MAP_FAILED)
					_exit(3);
				off = first_nonzero(p, len);
				if (off >= 0) {
					printf("# process %d: %llu-byte buffer, byte %lld is %#x\n",
					       i, (unsigned long long)len, off,
					       ((unsigned char *)p)[off]);
					fflush(stdout);
					_exit(1);
				}
				memset(p, 0x11 * (i + 1), len);
				munmap(p, len);
				close(fd);
				n++;
			}
			printf("# process %d: %u buffers\n", i, n);
			fflush(stdout);
			_exit(0);
		}
	}
	for (i = 0; i < STRESS_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_LOG("process %d: status %#x", i, status);
			failed++;
		}
	}
	EXPECT_EQ(0, failed);
	ASSERT_EQ(0, pool_settle(&after));
	EXPECT_LT(before.taken, after.taken) TH_LOG("the pools were not used");
	EXPECT_GE(after.max, after.total);
}

TEST_HARNESS_MAIN
