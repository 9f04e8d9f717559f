// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "contig" kind: physically contiguous, zeroed memory.
 *
 * Allocated with dma_alloc_pages() for the module's own DMA device, which
 * takes it from the default CMA area where the kernel has one and from the
 * page allocator otherwise, and gives the bus address for that device. The
 * page allocator gives at most 2^DMX_MAX_PAGE_ORDER pages in one piece (4 MiB
 * on x86-64); Debian's x86-64 kernels have no CMA, so larger requests fail
 * at once with ENOMEM there. Its arm64 ones reserve 64 MiB of CMA, which the
 * memory cgroup is not charged for: no kernel interface lets a module charge
 * it (the kernel's own CMA heap is not charged either). The allocation may
 * reclaim and compact, but fails rather than invoke the OOM killer.
 *
 * The memory is the device's between CPU accesses, as dma_alloc_pages()
 * requires: where DMA is not coherent (arm64), the zeroing is cleaned out
 * of the CPU caches before anyone sees the buffer, and every CPU access is
 * bracketed by syncs for the CPU and back for the device.
 */

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include <linux/dmabuf_exporter.h>

#include "buffer.h"
#include "compat.h"
#include "device.h"
#include "kinds.h"

#define DMX_CONTIG_GFP \
	(GFP_KERNEL | __GFP_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

static int dmx_contig_alloc(struct dmx_buffer *buf, const void *args)
{
	struct page *page;
	int ret;

	if (!IS_ENABLED(CONFIG_DMA_CMA) &&
	    get_order(buf->size) > DMX_MAX_PAGE_ORDER)
		return -ENOMEM;

	/* dma_alloc_pages() zeroes the memory. */
	page = dma_alloc_pages(dmx_dma_dev, buf->size, &buf->dma_addr,
			       DMA_BIDIRECTIONAL, DMX_CONTIG_GFP);
	if (!page)
		return -ENOMEM;
	/*
	 * Never true after a successful allocation, but 6.1's DMA-API
	 * debugging records it as a mapping whose error must be checked.
	 */
	if (dma_mapping_error(dmx_dma_dev, buf->dma_addr)) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = sg_alloc_table(&buf->sgt, 1, GFP_KERNEL);
	if (ret)
		goto err_free;
	sg_set_page(buf->sgt.sgl, page, buf->size, 0);
	/* dma_alloc_pages() zeroed it through the cache. */
	dma_sync_single_for_device(dmx_dma_dev, buf->dma_addr, buf->size,
				   DMA_BIDIRECTIONAL);
	return 0;

err_free:
	dma_free_pages(dmx_dma_dev, buf->size, page, buf->dma_addr,
		       DMA_BIDIRECTIONAL);
	return ret;
}

static void dmx_contig_free(struct dmx_buffer *buf)
{
	dma_free_pages(dmx_dma_dev, buf->size, sg_page(buf->sgt.sgl),
		       buf->dma_addr, DMA_BIDIRECTIONAL);
	sg_free_table(&buf->sgt);
}

/*
 * The whole buffer, or the part a range sync names: one mapping, so one
 * call, at the range's address within it (dma_sync_single_range_for_*()
 * spelled out, which also keeps these calls findable as the two-line
 * dma_sync_single_for_* calls tests/cache-maintenance/mutants.sh removes).
 */
static void dmx_contig_sync_for_cpu(struct dmx_buffer *buf, size_t offset,
				    size_t len)
{
	dma_sync_single_for_cpu(dmx_dma_dev, buf->dma_addr + offset, len,
				DMA_BIDIRECTIONAL);
}

static void dmx_contig_sync_for_device(struct dmx_buffer *buf, size_t offset,
				       size_t len)
{
	dma_sync_single_for_device(dmx_dma_dev, buf->dma_addr + offset, len,
				   DMA_BIDIRECTIONAL);
}

/*
 * The page allocator hands out powers of two and dma-direct keeps the whole
 * block. CMA, where there is one, takes exactly @size: counted high there.
 */
static u64 dmx_contig_footprint(u64 size)
{
	return PAGE_SIZE << get_order(size);
}

const struct dmx_kind dmx_contig_kind = {
	.name = "contig",
	.id = DMABUF_EXPORTER_KIND_CONTIG,
	.contiguous = true,
	.alloc = dmx_contig_alloc,
	.free = dmx_contig_free,
	.footprint = dmx_contig_footprint,
	.sync_for_cpu = dmx_contig_sync_for_cpu,
	.sync_for_device = dmx_contig_sync_for_device,
};
