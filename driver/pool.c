// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pre-zeroed page pools for the cached "system" kind.
 *
 * One pool per order the kind allocates (8, 4, 0), each with a dirty list
 * (pages of freed buffers, not yet zeroed) and a clean list (zeroed). A
 * kernel thread zeroes dirty pages, every subpage, and moves them to the
 * clean list; allocations take clean pages before asking the page allocator,
 * so zeroing leaves the caller's path. Pages on the clean list are touched
 * by nobody: a page is pooled only when the buffer held its last reference.
 *
 * Bounds: pool_max_mb (0 turns the pools off; lowering it trims them at
 * once) and a shrinker that gives everything back under memory pressure.
 *
 * Memory cgroups: the kind allocates with __GFP_ACCOUNT, charging the
 * allocating task's memcg until the page is freed. A pooled page keeps the
 * charge of its first owner, and the kernel exports no way for a module to
 * move or add a charge to an existing page. So the pools hold only pages
 * that were never charged (allocated by a task in the root memcg, or with
 * kernel-memory accounting off), and only tasks for which a fresh page
 * would not be charged either take from them: exact, as a fresh page.
 * Everyone else allocates and frees as if the pools did not exist.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "compat.h"
#include "pool.h"

/**
 * struct dmx_pool - the pool of one order
 * @order:	page order of every page in it.
 * @lock:	protects the lists and counts below.
 * @dirty:	pages waiting to be zeroed (linked by page->lru).
 * @clean:	zeroed pages, ready to hand out.
 * @nr_dirty:	length of @dirty.
 * @nr_clean:	length of @clean.
 * @nr_zeroing:	pages the zeroing thread took from @dirty and holds.
 */
struct dmx_pool {
	unsigned int order;
	spinlock_t lock;	/* protects the members below */
	struct list_head dirty;
	struct list_head clean;
	unsigned long nr_dirty;
	unsigned long nr_clean;
	unsigned long nr_zeroing;
};

/*
 * Statically initialised, so that a pool_max_mb written at load time (before
 * dmx_pool_init()) can trim them safely.
 */
static struct dmx_pool dmx_pools[] = {
	{
		.order = 8,
		.lock = __SPIN_LOCK_UNLOCKED(dmx_pools[0].lock),
		.dirty = LIST_HEAD_INIT(dmx_pools[0].dirty),
		.clean = LIST_HEAD_INIT(dmx_pools[0].clean),
	},
	{
		.order = 4,
		.lock = __SPIN_LOCK_UNLOCKED(dmx_pools[1].lock),
		.dirty = LIST_HEAD_INIT(dmx_pools[1].dirty),
		.clean = LIST_HEAD_INIT(dmx_pools[1].clean),
	},
	{
		.order = 0,
		.lock = __SPIN_LOCK_UNLOCKED(dmx_pools[2].lock),
		.dirty = LIST_HEAD_INIT(dmx_pools[2].dirty),
		.clean = LIST_HEAD_INIT(dmx_pools[2].clean),
	},
};

/* Base pages in all pools, on their lists or being zeroed. */
static atomic_long_t dmx_pool_pages = ATOMIC_LONG_INIT(0);
/*
 * Base pages handed out from the pools, and not pooled because someone else
 * still held them when their buffer was freed.
 */
static atomic64_t dmx_pool_taken = ATOMIC64_INIT(0);
static atomic64_t dmx_pool_held = ATOMIC64_INIT(0);
/*
 * Bumped whenever the pools are emptied (shrinker, lower bound): a page the
 * zeroing thread holds across a bump is freed instead of pooled, so that an
 * emptied pool stays empty.
 */
static atomic_t dmx_pool_flushes = ATOMIC_INIT(0);

/*
 * The zeroing thread is woken for the first dirty page after it went idle,
 * and then for a batch of dirty pages or after a short while, not for every
 * page: a loop allocating and freeing 4 KiB buffers would otherwise pay a
 * wakeup per buffer, more than zeroing the page itself costs.
 */
#define DMX_POOL_WAKE_PAGES	16
#define DMX_POOL_LINGER_MS	10

static DECLARE_WAIT_QUEUE_HEAD(dmx_pool_wait);
/* The zeroing thread sleeps until the next dirty page. */
static bool dmx_pool_idle;
static struct task_struct *dmx_pool_thread;
static struct shrinker *dmx_pool_shrinker;

static unsigned int pool_max_mb = 64;

static unsigned long dmx_pool_max_pages(void)
{
	return (unsigned long)READ_ONCE(pool_max_mb) << (20 - PAGE_SHIFT);
}

static struct dmx_pool *dmx_pool_of(unsigned int order)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(dmx_pools); i++) {
		if (dmx_pools[i].order == order)
			return &dmx_pools[i];
	}
	return NULL;
}

/* Count @n more pages unless that takes the pools over their bound. */
static bool dmx_pool_reserve(unsigned long n)
{
	unsigned long max = dmx_pool_max_pages();
	long old = atomic_long_read(&dmx_pool_pages);

	do {
		if (n > max || (unsigned long)old > max - n)
			return false;
	} while (!atomic_long_try_cmpxchg(&dmx_pool_pages, &old, old + n));
	return true;
}

static void dmx_pool_free_page(struct page *page, unsigned int order)
{
	atomic_long_sub(1L << order, &dmx_pool_pages);
	__free_pages(page, order);
}

/*
 * Free pooled pages, clean ones first (they cost the most to make), until
 * at most @keep base pages stay pooled or @nr_to_free base pages have been
 * freed. Returns the number of base pages freed.
 */
static unsigned long dmx_pool_free_over(unsigned long keep,
					unsigned long nr_to_free)
{
	unsigned long freed = 0;
	struct page *page;
	LIST_HEAD(victims);
	bool clean;
	int i;

	atomic_inc(&dmx_pool_flushes);
	for (clean = true; ; clean = false) {
		for (i = 0; i < ARRAY_SIZE(dmx_pools); i++) {
			struct dmx_pool *pool = &dmx_pools[i];
			struct list_head *list = clean ? &pool->clean : &pool->dirty;
			unsigned long *nr = clean ? &pool->nr_clean : &pool->nr_dirty;

			spin_lock(&pool->lock);
			while (*nr && freed < nr_to_free &&
			       (unsigned long)atomic_long_read(&dmx_pool_pages) > keep) {
				page = list_first_entry(list, struct page, lru);
				list_del(&page->lru);
				(*nr)--;
				/* Counted out now, freed outside the lock. */
				atomic_long_sub(1L << pool->order, &dmx_pool_pages);
				freed += 1UL << pool->order;
				list_add(&page->lru, &victims);
			}
			spin_unlock(&pool->lock);
		}
		if (!clean)
			break;
	}

	while (!list_empty(&victims)) {
		page = list_first_entry(&victims, struct page, lru);
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
	return freed;
}

/* Bring the pools within pool_max_mb. */
static void dmx_pool_trim(void)
{
	unsigned long max = dmx_pool_max_pages();

	if ((unsigned long)atomic_long_read(&dmx_pool_pages) > max)
		dmx_pool_free_over(max, ULONG_MAX);
}

static int dmx_pool_max_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		dmx_pool_trim();
	return ret;
}

static const struct kernel_param_ops dmx_pool_max_ops = {
	.set = dmx_pool_max_set,
	.get = param_get_uint,
};

module_param_cb(pool_max_mb, &dmx_pool_max_ops, &pool_max_mb, 0644);
__MODULE_PARM_TYPE(pool_max_mb, "uint");
MODULE_PARM_DESC(pool_max_mb,
		 "Most memory the pre-zeroed page pools of the system kind may hold, in MiB (default 64, 0: no pools)");

/**
 * dmx_pool_caller_exact() - may the current task use the pools?
 *
 * True when a page the current task allocates with __GFP_ACCOUNT would not
 * be charged to any memory cgroup: only then is a pooled page (never
 * charged) exactly what a fresh page would be, and only then may the pages
 * of its buffer enter the pools later.
 */
bool dmx_pool_caller_exact(void)
{
	return !dmx_current_kmem_charged();
}

/**
 * dmx_pool_take() - a zeroed page of @order from the pools, or NULL
 * @order: page order wanted.
 *
 * The page has the one reference the pool held, and is compound for
 * orders above 0, as the kind's own allocations.
 */
struct page *dmx_pool_take(unsigned int order)
{
	struct dmx_pool *pool = dmx_pool_of(order);
	struct page *page;

	if (!pool || !READ_ONCE(pool->nr_clean))
		return NULL;
	spin_lock(&pool->lock);
	page = list_first_entry_or_null(&pool->clean, struct page, lru);
	if (page) {
		list_del(&page->lru);
		pool->nr_clean--;
	}
	spin_unlock(&pool->lock);
	if (!page)
		return NULL;
	atomic_long_sub(1L << order, &dmx_pool_pages);
	atomic64_add(1L << order, &dmx_pool_taken);
	return page;
}

/* Base pages waiting to be zeroed (not those being zeroed). */
static unsigned long dmx_pool_dirty_pages(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(dmx_pools); i++)
		n += READ_ONCE(dmx_pools[i].nr_dirty) << dmx_pools[i].order;
	return n;
}

static bool dmx_pool_wake_wanted(void)
{
	return READ_ONCE(dmx_pool_idle) ||
	       dmx_pool_dirty_pages() >= DMX_POOL_WAKE_PAGES;
}

static bool dmx_pool_batch_or_stop(void)
{
	return dmx_pool_dirty_pages() >= DMX_POOL_WAKE_PAGES ||
	       kthread_should_stop();
}

/**
 * dmx_pool_put() - give a page of a freed buffer back
 * @page:	the (head) page; the buffer's reference is given up.
 * @exact:	its buffer was allocated by a task dmx_pool_caller_exact()
 *		allowed to use the pools.
 *
 * Pooled (dirty) when the pools are on and have room, the page is not
 * charged to a memcg and nobody else holds it; freed otherwise. A page
 * someone else still holds (an O_DIRECT read in flight, a pin of a mapping,
 * an io_uring registered buffer) is only released: the holder frees it
 * when done, and it must never be zeroed or handed out under them.
 */
void dmx_pool_put(struct page *page, bool exact)
{
	unsigned int order = compound_order(page);
	struct dmx_pool *pool = dmx_pool_of(order);

	if (page_count(page) != 1) {
		atomic64_add(1L << order, &dmx_pool_held);
		goto free;
	}
	if (!pool || !exact || dmx_page_memcg_charged(page) ||
	    !dmx_pool_reserve(1UL << order))
		goto free;

	spin_lock(&pool->lock);
	list_add_tail(&page->lru, &pool->dirty);
	pool->nr_dirty++;
	spin_unlock(&pool->lock);
	/*
	 * List the page before reading dmx_pool_idle and the wait queue
	 * (pairs with the barrier before the zeroer's idle wait, and with the
	 * one in its prepare_to_wait()): one of the two sees the other.
	 */
	smp_mb();
	/* waitqueue_active() is safe after the barrier above. */
	if (dmx_pool_wake_wanted() && waitqueue_active(&dmx_pool_wait))
		wake_up(&dmx_pool_wait);
	return;

free:
	__free_pages(page, order);
}

/* A dirty page to zero, taken off its list, or NULL; *@flushes as then. */
static struct page *dmx_pool_take_dirty(struct dmx_pool **poolp, int *flushes)
{
	struct page *page = NULL;
	int i;

	for (i = 0; i < ARRAY_SIZE(dmx_pools) && !page; i++) {
		struct dmx_pool *pool = &dmx_pools[i];

		spin_lock(&pool->lock);
		page = list_first_entry_or_null(&pool->dirty, struct page, lru);
		if (page) {
			list_del(&page->lru);
			pool->nr_dirty--;
			pool->nr_zeroing++;
			*flushes = atomic_read(&dmx_pool_flushes);
			*poolp = pool;
		}
		spin_unlock(&pool->lock);
	}
	return page;
}

/*
 * The zeroing thread. A kernel thread rather than a workqueue so that it
 * runs at nice 19: zeroing is deferred work that must not compete with the
 * tasks it saves time for, and a module cannot lower the priority of an
 * unbound workqueue's workers (their attributes are set through sysfs).
 */
static int dmx_pool_zeroer(void *unused)
{
	struct dmx_pool *pool;
	struct page *page;
	unsigned long i;
	int flushes;

	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		page = dmx_pool_take_dirty(&pool, &flushes);
		if (!page) {
			/* More usually follow: wait for a batch, or a while. */
			wait_event_interruptible_timeout(dmx_pool_wait,
							 dmx_pool_batch_or_stop(),
							 msecs_to_jiffies(DMX_POOL_LINGER_MS));
			if (dmx_pool_dirty_pages())
				continue;
			WRITE_ONCE(dmx_pool_idle, true);
			/*
			 * Idle is set before the lists are read again (in
			 * wait_event); pairs with dmx_pool_put(), which lists
			 * a page before it reads idle.
			 */
			smp_mb();
			wait_event_interruptible(dmx_pool_wait,
						 dmx_pool_dirty_pages() ||
						 kthread_should_stop());
			WRITE_ONCE(dmx_pool_idle, false);
			continue;
		}

		for (i = 0; i < (1UL << pool->order); i++) {
			clear_highpage(dmx_nth_page(page, i));
			cond_resched();
		}

		spin_lock(&pool->lock);
		pool->nr_zeroing--;
		if (flushes == atomic_read(&dmx_pool_flushes)) {
			list_add_tail(&page->lru, &pool->clean);
			pool->nr_clean++;
			page = NULL;
		}
		spin_unlock(&pool->lock);
		if (page)
			dmx_pool_free_page(page, pool->order);
	}
	return 0;
}

static unsigned long dmx_pool_count(struct shrinker *shrinker,
				    struct shrink_control *sc)
{
	long n = atomic_long_read(&dmx_pool_pages);

	return n > 0 ? n : SHRINK_EMPTY;
}

/*
 * Under memory pressure everything goes back, not only the batch asked
 * for: a pooled page is worth a zeroing pass at most, far less than
 * anything else reclaim could take instead.
 */
static unsigned long dmx_pool_scan(struct shrinker *shrinker,
				   struct shrink_control *sc)
{
	unsigned long freed = dmx_pool_free_over(0, ULONG_MAX);

	return freed ? freed : SHRINK_STOP;
}

int dmx_pool_show(struct seq_file *m, void *unused)
{
	unsigned long clean = 0, dirty = 0, zeroing = 0;
	int i;

	seq_puts(m, "order clean dirty zeroing bytes\n");
	for (i = 0; i < ARRAY_SIZE(dmx_pools); i++) {
		struct dmx_pool *pool = &dmx_pools[i];
		unsigned long c, d, z;

		spin_lock(&pool->lock);
		c = pool->nr_clean;
		d = pool->nr_dirty;
		z = pool->nr_zeroing;
		spin_unlock(&pool->lock);
		seq_printf(m, "%u %lu %lu %lu %llu\n", pool->order, c, d, z,
			   (u64)(c + d + z) << (pool->order + PAGE_SHIFT));
		clean += c << pool->order;
		dirty += d << pool->order;
		zeroing += z << pool->order;
	}
	seq_printf(m, "total_bytes %llu\n",
		   (u64)atomic_long_read(&dmx_pool_pages) << PAGE_SHIFT);
	seq_printf(m, "clean_bytes %llu\n", (u64)clean << PAGE_SHIFT);
	seq_printf(m, "dirty_bytes %llu\n", (u64)(dirty + zeroing) << PAGE_SHIFT);
	seq_printf(m, "max_bytes %llu\n", (u64)dmx_pool_max_pages() << PAGE_SHIFT);
	seq_printf(m, "taken_pages %lld\n", atomic64_read(&dmx_pool_taken));
	seq_printf(m, "held_pages %lld\n", atomic64_read(&dmx_pool_held));
	return 0;
}

int dmx_pool_init(void)
{
	struct shrinker *shrinker;
	int ret;

	shrinker = dmx_shrinker_alloc("dmabuf_exporter-pool");
	if (!shrinker)
		return -ENOMEM;
	shrinker->count_objects = dmx_pool_count;
	shrinker->scan_objects = dmx_pool_scan;
	shrinker->seeks = DEFAULT_SEEKS;

	dmx_pool_thread = kthread_run(dmx_pool_zeroer, NULL, "dmx_pool_zero");
	if (IS_ERR(dmx_pool_thread)) {
		ret = PTR_ERR(dmx_pool_thread);
		goto err_free_shrinker;
	}
	ret = dmx_shrinker_register(shrinker, "dmabuf_exporter-pool");
	if (ret)
		goto err_stop_thread;
	dmx_pool_shrinker = shrinker;
	return 0;

err_stop_thread:
	kthread_stop(dmx_pool_thread);
err_free_shrinker:
	dmx_shrinker_free(shrinker, false);
	return ret;
}

/* No buffer is alive here: nothing puts pages any more. */
void dmx_pool_exit(void)
{
	kthread_stop(dmx_pool_thread);
	dmx_shrinker_free(dmx_pool_shrinker, true);
	dmx_pool_free_over(0, ULONG_MAX);
}
