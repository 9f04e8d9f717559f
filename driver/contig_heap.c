// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "contig" kind: physically contiguous, zeroed memory.
 *
 * Neither Debian kernel has CMA, so this is what the page allocator can give
 * in one piece: up to 2^DMX_MAX_PAGE_ORDER pages (4 MiB on x86-64). The
 * allocation may reclaim and compact, but fails rather than invoke the OOM
 * killer; anything larger fails at once with ENOMEM.
 */

#include <linux/gfp.h>
#include <linux/mm.h>

#include <linux/dmabuf_exporter.h>

#include "compat.h"
#include "exporter.h"

#define DMX_CONTIG_GFP \
	(GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT | __GFP_NOWARN | \
	 __GFP_RETRY_MAYFAIL)

static int dmx_contig_alloc(struct dmx_buffer *buf)
{
	void *vaddr;
	int ret;

	if (get_order(buf->size) > DMX_MAX_PAGE_ORDER)
		return -ENOMEM;

	/* Exact: the rounding up to a power of two is given back at once. */
	vaddr = alloc_pages_exact(buf->size, DMX_CONTIG_GFP);
	if (!vaddr)
		return -ENOMEM;

	ret = sg_alloc_table(&buf->sgt, 1, GFP_KERNEL);
	if (ret)
		goto err_free;
	sg_set_page(buf->sgt.sgl, virt_to_page(vaddr), buf->size, 0);
	return 0;

err_free:
	free_pages_exact(vaddr, buf->size);
	return ret;
}

static void dmx_contig_free(struct dmx_buffer *buf)
{
	free_pages_exact(page_address(sg_page(buf->sgt.sgl)), buf->size);
	sg_free_table(&buf->sgt);
}

const struct dmx_kind dmx_contig_kind = {
	.name = "contig",
	.id = DMABUF_EXPORTER_KIND_CONTIG,
	.contiguous = true,
	.alloc = dmx_contig_alloc,
	.free = dmx_contig_free,
};
