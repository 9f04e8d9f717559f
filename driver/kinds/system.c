// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "system" kind: cached, scatter-gather, zeroed pages; and
 * "system-uncached": the same pages, mapped write-combined.
 *
 * Chunks of 1 MiB, 64 KiB and 4 KiB, largest first: short tables, few IOMMU
 * mappings, quick mmap. High orders never reclaim, so a fragmented machine
 * falls back to small pages at once. Pages are charged to the caller's
 * memory cgroup; a buffer that does not fit fails with ENOMEM, never with
 * the OOM killer, which would kill the caller for asking.
 */

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include <linux/dmabuf_exporter.h>

#include "buffer.h"
#include "compat.h"
#include "device.h"
#include "kinds.h"
#include "pool.h"

#define DMX_HIGH_ORDER_GFP \
	((GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT | __GFP_COMP | \
	  __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_RECLAIM)
#define DMX_LOW_ORDER_GFP \
	(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT | __GFP_NOWARN | \
	 __GFP_RETRY_MAYFAIL)

static const unsigned int dmx_orders[] = { 8, 4, 0 };

/*
 * A chunk of at most *@max_order that fits in @remaining, or NULL. With
 * @from_pool, a zeroed pooled page of the largest such order that has one
 * comes first: even smaller chunks cost less than zeroing a fresh larger
 * one. Else the largest fresh chunk, and *@max_order drops to its order:
 * an order that failed once will fail again, so it is not retried.
 */
static struct page *dmx_alloc_chunk(size_t remaining, unsigned int *max_order,
				    bool from_pool)
{
	struct page *page;
	int i;

	for (i = 0; from_pool && i < ARRAY_SIZE(dmx_orders); i++) {
		unsigned int order = dmx_orders[i];

		if (order > *max_order || (PAGE_SIZE << order) > remaining)
			continue;
		page = dmx_pool_take(order);
		if (page)
			return page;
	}
	for (i = 0; i < ARRAY_SIZE(dmx_orders); i++) {
		unsigned int order = dmx_orders[i];

		if (order > *max_order || (PAGE_SIZE << order) > remaining)
			continue;
		page = alloc_pages(order ? DMX_HIGH_ORDER_GFP : DMX_LOW_ORDER_GFP,
				   order);
		if (page) {
			*max_order = order;
			return page;
		}
	}
	return NULL;
}

static int dmx_system_fill(struct dmx_buffer *buf, bool from_pool)
{
	unsigned int max_order = dmx_orders[0];
	size_t remaining = buf->size;
	struct page *page, *tmp;
	struct scatterlist *sg;
	unsigned int nchunks = 0;
	LIST_HEAD(chunks);
	int ret;

	while (remaining) {
		/* A killed process must not wait for gigabytes to be zeroed. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free_chunks;
		}
		page = dmx_alloc_chunk(remaining, &max_order, from_pool);
		if (!page) {
			ret = -ENOMEM;
			goto err_free_chunks;
		}
		list_add_tail(&page->lru, &chunks);
		nchunks++;
		remaining -= page_size(page);
	}

	ret = sg_alloc_table(&buf->sgt, nchunks, GFP_KERNEL);
	if (ret)
		goto err_free_chunks;

	sg = buf->sgt.sgl;
	list_for_each_entry_safe(page, tmp, &chunks, lru) {
		list_del(&page->lru);
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
	}
	return 0;

err_free_chunks:
	list_for_each_entry_safe(page, tmp, &chunks, lru)
		__free_pages(page, compound_order(page));
	return ret;
}

/*
 * The cached kind uses the pools when the caller may (pool.c: only where
 * memcg charging stays exact); buf->pool_exact remembers it for the free.
 */
static int dmx_system_alloc(struct dmx_buffer *buf, const void *args)
{
	buf->pool_exact = dmx_pool_caller_exact();
	return dmx_system_fill(buf, buf->pool_exact);
}

/* Give the pages back: to the pools when @to_pool, else to the allocator. */
static void dmx_system_free_pages(struct dmx_buffer *buf, bool to_pool)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (to_pool)
			dmx_pool_put(sg_page(sg), buf->pool_exact);
		else
			__free_pages(sg_page(sg), compound_order(sg_page(sg)));
	}
	sg_free_table(&buf->sgt);
}

static void dmx_system_free(struct dmx_buffer *buf)
{
	dmx_system_free_pages(buf, true);
}

const struct dmx_kind dmx_system_kind = {
	.name = "system",
	.id = DMABUF_EXPORTER_KIND_SYSTEM,
	.struct_page_mmap = true,
	.alloc = dmx_system_alloc,
	.free = dmx_system_free,
};

/*
 * Chunk by chunk, so that a failure rolls back exactly the chunks that were
 * switched, and freeing needs no memory. A chunk whose switch failed may
 * have been changed in part: it is switched back too.
 */
static void dmx_chunks_set_wb(struct dmx_buffer *buf, unsigned int nchunks)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (i >= nchunks)
			break;
		dmx_pages_set_wb(sg_page(sg), sg->length >> PAGE_SHIFT);
	}
}

/*
 * The pages were zeroed through the cacheable linear mapping, which stays
 * cacheable where DMA is not coherent (arm64). Clean and invalidate those
 * lines before any write-combined mapping exists, or a dirty line written
 * back later would overwrite what went through it. Mapping for the module's
 * own (non-coherent) device cleans, unmapping invalidates. Where bouncing is
 * forced (swiotlb=force) both would act on the bounce buffer, and chunks
 * larger than its slots could not be mapped at all: not guaranteed there
 * (docs/architectures.md). x86's set_memory_wc() flushed already.
 */
static int dmx_pages_clean_inval(struct sg_table *sgt)
{
	int ret;

	if (dev_is_dma_coherent(dmx_dma_dev) ||
	    is_swiotlb_force_bounce(dmx_dma_dev))
		return 0;
	ret = dma_map_sgtable(dmx_dma_dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		return ret;
	dma_unmap_sgtable(dmx_dma_dev, sgt, DMA_BIDIRECTIONAL, 0);
	return 0;
}

static int dmx_system_uncached_alloc(struct dmx_buffer *buf,
				     const void *args)
{
	struct scatterlist *sg;
	unsigned int nchunks;
	int ret, i;

	/*
	 * Fresh pages only, and never back to the pools: they are switched to
	 * write-combined and back, which the pools need not know about.
	 */
	ret = dmx_system_fill(buf, false);
	if (ret)
		return ret;

	nchunks = buf->sgt.orig_nents;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (dmx_pages_set_wc(sg_page(sg), sg->length >> PAGE_SHIFT)) {
			nchunks = i + 1;
			goto err_set_wb;
		}
	}
	if (dmx_pages_clean_inval(&buf->sgt))
		goto err_set_wb;
	return 0;

err_set_wb:
	dmx_chunks_set_wb(buf, nchunks);
	dmx_system_free_pages(buf, false);
	/* x86 reports a failed page-table split as -EINVAL. */
	return -ENOMEM;
}

static void dmx_system_uncached_free(struct dmx_buffer *buf)
{
	/* Pages must go back to the allocator cached. */
	dmx_chunks_set_wb(buf, buf->sgt.orig_nents);
	dmx_system_free_pages(buf, false);
}

const struct dmx_kind dmx_system_uncached_kind = {
	.name = "system-uncached",
	.id = DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED,
	.write_combine = true,
	.alloc = dmx_system_uncached_alloc,
	.free = dmx_system_uncached_free,
};
