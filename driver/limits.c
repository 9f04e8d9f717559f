// SPDX-License-Identifier: GPL-2.0-only
/*
 * Limits and accounting. Reservations are compare-and-exchange loops, so
 * allocations running in parallel cannot overshoot a limit and no check can
 * overflow.
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>

#include "limits.h"

static unsigned int max_buffer_mb;
module_param(max_buffer_mb, uint, 0644);
MODULE_PARM_DESC(max_buffer_mb,
		 "Largest buffer one allocation may ask for, in MiB (default 0: half of RAM)");

static unsigned int max_total_mb;
module_param(max_total_mb, uint, 0644);
MODULE_PARM_DESC(max_total_mb,
		 "Most memory all live buffers together may hold, in MiB (default 0: three quarters of RAM)");

static unsigned int max_pinned_mb;
module_param(max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most user memory all imports together may pin, in MiB (default 0: a quarter of RAM)");

/* Bytes of buffers allocated or being allocated, and pinned user pages. */
static atomic64_t dmx_live_buffers = ATOMIC64_INIT(0);
static atomic64_t dmx_live_bytes = ATOMIC64_INIT(0);
static atomic64_t dmx_pinned_pages = ATOMIC64_INIT(0);

/* A parameter in MiB, or the given fraction of RAM when it is 0. */
static u64 dmx_limit(unsigned int mb, unsigned long ram_pages)
{
	if (mb)
		return (u64)mb << 20;
	return (u64)ram_pages << PAGE_SHIFT;
}

u64 dmx_max_buffer_size(void)
{
	return dmx_limit(READ_ONCE(max_buffer_mb), totalram_pages() / 2);
}

static u64 dmx_max_total_size(void)
{
	return dmx_limit(READ_ONCE(max_total_mb), totalram_pages() / 4 * 3);
}

static u64 dmx_max_pinned_size(void)
{
	return dmx_limit(READ_ONCE(max_pinned_mb), totalram_pages() / 4);
}

/* Add @n to @counter unless that takes it over @max. */
static bool dmx_add_below(atomic64_t *counter, u64 n, u64 max)
{
	s64 old = atomic64_read(counter);

	do {
		if (n > max || (u64)old > max - n)
			return false;
	} while (!atomic64_try_cmpxchg(counter, &old, old + n));
	return true;
}

/* Reserve @size bytes under max_total_mb before allocating them. */
bool dmx_reserve_bytes(u64 size)
{
	return dmx_add_below(&dmx_live_bytes, size, dmx_max_total_size());
}

void dmx_unreserve_bytes(u64 size)
{
	atomic64_sub(size, &dmx_live_bytes);
}

void dmx_buffer_added(void)
{
	atomic64_inc(&dmx_live_buffers);
}

void dmx_buffer_removed(void)
{
	atomic64_dec(&dmx_live_buffers);
}

void dmx_buffer_stats(u64 *buffers, u64 *bytes)
{
	*buffers = atomic64_read(&dmx_live_buffers);
	*bytes = atomic64_read(&dmx_live_bytes);
}

/*
 * Count @npages against @mm's RLIMIT_MEMLOCK (as RDMA does; CAP_IPC_LOCK
 * exempts) and against max_pinned_mb, or -ENOMEM.
 */
int dmx_account_pinned(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (atomic64_add_return(npages, &mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK))
		goto err_unaccount_mm;
	if (!dmx_add_below(&dmx_pinned_pages, npages,
			   dmx_max_pinned_size() >> PAGE_SHIFT))
		goto err_unaccount_mm;
	return 0;

err_unaccount_mm:
	atomic64_sub(npages, &mm->pinned_vm);
	return -ENOMEM;
}

void dmx_unaccount_pinned(struct mm_struct *mm, unsigned long npages)
{
	atomic64_sub(npages, &dmx_pinned_pages);
	atomic64_sub(npages, &mm->pinned_vm);
}

u64 dmx_pinned_bytes(void)
{
	return (u64)atomic64_read(&dmx_pinned_pages) << PAGE_SHIFT;
}
