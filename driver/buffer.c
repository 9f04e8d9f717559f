// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dma_buf operations shared by every memory kind.
 *
 * Rules this file keeps (each was a bug in some exporter once):
 *  - every attachment has its own copies of the page table: one the exporter
 *    maps and syncs, one handed to the importer, which the dma-buf core may
 *    scramble (CONFIG_DMABUF_DEBUG) and the importer may walk as it likes;
 *  - CPU access syncs every attachment that is mapped, in the direction it
 *    was mapped with, plus the kernel vmap range; a range sync does the same
 *    for its bytes, never with a part of a table (the DMA API syncs a table
 *    only with the entry count it was mapped with);
 *  - mmap is shared-only, bounds-checked, and maps the whole range at once:
 *    by PFN, or the pages themselves where GUP must be able to pin them.
 */

#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "buffer.h"
#include "compat.h"
#include "limits.h"

/**
 * struct dmx_attachment - exporter state of one importer's attachment
 * @node:	entry in dmx_buffer.attachments.
 * @dev:	the importer's device.
 * @sgt:	our copy of the pages, mapped for @dev; synced by us only.
 * @importer_sgt: the copy returned from map_dma_buf.
 * @dir:	direction @sgt is mapped with.
 * @mapped:	@sgt is currently mapped.
 * @sg:		the entries of both tables when they are short enough to
 *		live here (DMX_INLINE_SG); otherwise the tables are allocated.
 */
struct dmx_attachment {
	struct list_head node;
	struct device *dev;
	struct sg_table sgt;
	struct sg_table importer_sgt;
	enum dma_data_direction dir;
	bool mapped;
	struct scatterlist sg[];
};

/*
 * Entries per table kept inside struct dmx_attachment, so that it and both
 * tables fit in one page: one allocation per attach for common imports.
 */
#define DMX_INLINE_SG	((PAGE_SIZE - sizeof(struct dmx_attachment)) / \
			 (2 * sizeof(struct scatterlist)))

/* Every live buffer, for debugfs. */
static LIST_HEAD(dmx_buffers);
static DEFINE_MUTEX(dmx_buffers_lock);

/*
 * Longest scatterlist entry @dev can map: its max segment size (64 KiB when
 * unset) and what the DMA layer maps at once (256 KiB through swiotlb).
 */
static unsigned int dmx_max_segment(struct device *dev)
{
	size_t max = min_t(size_t, dma_max_mapping_size(dev),
			   dma_get_max_seg_size(dev));

	max = rounddown(min_t(size_t, max, UINT_MAX), PAGE_SIZE);
	return max_t(size_t, max, PAGE_SIZE);
}

static void dmx_sgt_init_inline(struct sg_table *sgt, struct scatterlist *sg,
				unsigned int nents)
{
	sg_init_table(sg, nents);
	sgt->sgl = sg;
	sgt->nents = nents;
	sgt->orig_nents = nents;
}

/*
 * A new attachment with its two tables: the pages of @src with no entry
 * longer than @max_seg, built in one pass.
 */
static struct dmx_attachment *dmx_attachment_alloc(const struct sg_table *src,
						   unsigned int max_seg)
{
	struct dmx_attachment *a;
	struct scatterlist *s, *d, *e;
	unsigned int nents = 0;
	bool inline_sg;
	int ret, i;

	/*
	 * No "length + max_seg - 1" and no "offset + max_seg": many devices
	 * allow segments of up to UINT_MAX bytes, where those overflow.
	 */
	for_each_sgtable_sg(src, s, i)
		nents += s->length / max_seg + !!(s->length % max_seg);

	inline_sg = nents <= DMX_INLINE_SG;
	a = kzalloc(inline_sg ? struct_size(a, sg, 2 * nents) : sizeof(*a),
		    GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	if (inline_sg) {
		dmx_sgt_init_inline(&a->sgt, a->sg, nents);
		dmx_sgt_init_inline(&a->importer_sgt, a->sg + nents, nents);
	} else {
		ret = sg_alloc_table(&a->sgt, nents, GFP_KERNEL);
		if (ret)
			goto err_free;
		ret = sg_alloc_table(&a->importer_sgt, nents, GFP_KERNEL);
		if (ret)
			goto err_free_sgt;
	}

	d = a->sgt.sgl;
	e = a->importer_sgt.sgl;
	for_each_sgtable_sg(src, s, i) {
		unsigned int off, len;

		for (off = 0; off < s->length; off += len) {
			struct page *page = dmx_nth_page(sg_page(s),
							 off >> PAGE_SHIFT);

			len = min(s->length - off, max_seg);
			sg_set_page(d, page, len, 0);
			sg_set_page(e, page, len, 0);
			d = sg_next(d);
			e = sg_next(e);
		}
	}
	return a;

err_free_sgt:
	sg_free_table(&a->sgt);
err_free:
	kfree(a);
	return ERR_PTR(ret);
}

static void dmx_attachment_free(struct dmx_attachment *a)
{
	if (a->sgt.sgl != a->sg) {
		sg_free_table(&a->importer_sgt);
		sg_free_table(&a->sgt);
	}
	kfree(a);
}

static int dmx_attach(struct dma_buf *dmabuf,
		      struct dma_buf_attachment *attachment)
{
	struct dmx_buffer *buf = dmabuf->priv;
	unsigned int max_seg = dmx_max_segment(attachment->dev);
	struct dmx_attachment *a;
	int ret;

	ret = dmx_injected(&buf->counters, DMABUF_EXPORTER_OP_ATTACH);
	if (ret)
		return ret;

	a = dmx_attachment_alloc(&buf->sgt, max_seg);
	if (IS_ERR(a))
		return PTR_ERR(a);

	a->dev = attachment->dev;
	a->dir = DMA_NONE;
	attachment->priv = a;

	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	buf->nr_attachments++;
	mutex_unlock(&buf->lock);
	dmx_count(&buf->counters.attach);
	return 0;
}

/*
 * Unmap our table with the direction it was mapped with, whatever the
 * importer passes: the DMA API requires the two to match.
 */
static void dmx_attachment_unmap(struct dmx_buffer *buf,
				 struct dmx_attachment *a)
{
	enum dma_data_direction mapped_dir;

	mutex_lock(&buf->lock);
	a->mapped = false;
	buf->nr_mapped--;
	mapped_dir = a->dir;
	mutex_unlock(&buf->lock);

	dma_sync_sgtable_for_cpu(a->dev, &a->sgt, mapped_dir);
	dma_unmap_sgtable(a->dev, &a->sgt, mapped_dir, DMA_ATTR_SKIP_CPU_SYNC);
	dmx_count_dir(buf->counters.unmap, mapped_dir);
}

static void dmx_detach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attachment)
{
	struct dmx_buffer *buf = dmabuf->priv;
	struct dmx_attachment *a = attachment->priv;

	/* Never free tables a device may still use: the importer's bug. */
	if (READ_ONCE(a->mapped)) {
		dev_warn_once(a->dev, "%s: attachment detached while mapped\n",
			      KBUILD_MODNAME);
		dmx_attachment_unmap(buf, a);
	}

	mutex_lock(&buf->lock);
	list_del(&a->node);
	buf->nr_attachments--;
	mutex_unlock(&buf->lock);

	dmx_attachment_free(a);
	dmx_count(&buf->counters.detach);
}

static struct sg_table *dmx_map_dma_buf(struct dma_buf_attachment *attachment,
					enum dma_data_direction dir)
{
	struct dmx_buffer *buf = attachment->dmabuf->priv;
	struct dmx_attachment *a = attachment->priv;
	struct scatterlist *s, *d;
	int ret, i;

	/* Pages pinned read-only must never be written by a device. */
	if (buf->read_only && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	/* A second mapping would leak the first: the importer's bug. */
	if (READ_ONCE(a->mapped)) {
		dev_warn_once(a->dev, "%s: attachment mapped twice\n",
			      KBUILD_MODNAME);
		return ERR_PTR(-EBUSY);
	}
	ret = dmx_injected(&buf->counters, DMABUF_EXPORTER_OP_MAP);
	if (ret)
		return ERR_PTR(ret);

	/*
	 * The exporter syncs every attachment itself; saying so lets several
	 * devices map one buffer without DMA-API debugging calling it overlap.
	 */
	ret = dma_map_sgtable(a->dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		return ERR_PTR(ret);
	dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);

	/* Entry i of both tables describes the same pages. */
	d = a->importer_sgt.sgl;
	for_each_sgtable_sg(&a->sgt, s, i) {
		dmx_sg_copy_dma(d, s);
		d = sg_next(d);
	}
	a->importer_sgt.nents = a->sgt.nents;

	mutex_lock(&buf->lock);
	a->dir = dir;
	a->mapped = true;
	buf->nr_mapped++;
	mutex_unlock(&buf->lock);
	dmx_count_dir(buf->counters.map, dir);

	return &a->importer_sgt;
}

static void dmx_unmap_dma_buf(struct dma_buf_attachment *attachment,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	struct dmx_buffer *buf = attachment->dmabuf->priv;
	struct dmx_attachment *a = attachment->priv;

	if (!READ_ONCE(a->mapped)) {
		dev_warn_once(a->dev, "%s: attachment unmapped but not mapped\n",
			      KBUILD_MODNAME);
		return;
	}
	dmx_attachment_unmap(buf, a);
}

static int dmx_begin_cpu_access(struct dma_buf *dmabuf,
				enum dma_data_direction dir)
{
	struct dmx_buffer *buf = dmabuf->priv;
	struct dmx_attachment *a;
	int ret;

	ret = dmx_injected(&buf->counters, DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS);
	if (ret)
		return ret;

	mutex_lock(&buf->lock);
	if (buf->kind->sync_for_cpu)
		buf->kind->sync_for_cpu(buf, 0, buf->size);
	if (buf->vmap_count)
		invalidate_kernel_vmap_range(buf->vaddr, buf->size);
	list_for_each_entry(a, &buf->attachments, node) {
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
	}
	mutex_unlock(&buf->lock);
	dmx_count(&buf->counters.begin_cpu);
	return 0;
}

static int dmx_end_cpu_access(struct dma_buf *dmabuf,
			      enum dma_data_direction dir)
{
	struct dmx_buffer *buf = dmabuf->priv;
	struct dmx_attachment *a;

	mutex_lock(&buf->lock);
	if (buf->vmap_count)
		flush_kernel_vmap_range(buf->vaddr, buf->size);
	list_for_each_entry(a, &buf->attachments, node) {
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, a->dir);
	}
	if (buf->kind->sync_for_device)
		buf->kind->sync_for_device(buf, 0, buf->size);
	mutex_unlock(&buf->lock);
	dmx_count(&buf->counters.end_cpu);
	return 0;
}

/*
 * Sync bytes [@offset, @offset + @len) of attachment @a's mapping for the
 * CPU or for its device, in the direction it was mapped with, as
 * dma_sync_sgtable_for_*() does for all of them: one dma_sync_single_for_*()
 * per piece that lies in one entry of our table (physically contiguous, as
 * cache maintenance needs) and in one DMA segment, at its DMA address. An
 * IOMMU may merge entries into one segment, one after the other, but never
 * splits one; dma-direct maps each entry as a segment of its own. Syncing
 * inside a segment is what dma_sync_single_range_for_*() does, and what
 * DMA-API debugging accepts for a part of a mapped table.
 */
static void dmx_attachment_sync_range(struct dmx_attachment *a, size_t offset,
				      size_t len, bool for_cpu)
{
	struct scatterlist *s, *d = a->sgt.sgl;
	unsigned int dleft = a->sgt.nents;
	size_t end = offset + len, pos = 0, dpos = 0;
	int i;

	for_each_sgtable_sg(&a->sgt, s, i) {
		size_t from = max(pos, offset), to = min(pos + s->length, end);
		dma_addr_t addr;

		if (from >= to) {
			if (pos >= end)
				break;
			pos += s->length;
			continue;
		}
		/* The segment holding this entry: @dpos is where it starts. */
		while (pos - dpos >= sg_dma_len(d)) {
			if (WARN_ON_ONCE(!--dleft))
				return;
			dpos += sg_dma_len(d);
			d = sg_next(d);
		}
		addr = sg_dma_address(d) + (from - dpos);
		if (for_cpu)
			dma_sync_single_for_cpu(a->dev, addr, to - from, a->dir);
		else
			dma_sync_single_for_device(a->dev, addr, to - from,
						   a->dir);
		pos += s->length;
	}
}

/**
 * dmx_buffer_sync_range() - DMABUF_EXPORTER_IOCTL_SYNC_RANGE
 * @buf:	the buffer.
 * @offset:	first byte of the range.
 * @len:	bytes, nonzero; the caller checked that the range lies within
 *		the buffer.
 * @end:	false for DMA_BUF_SYNC_START: hand the range to the CPU; true
 *		for DMA_BUF_SYNC_END: back to the devices.
 * @write:	the CPU writes the range (DMA_BUF_SYNC_WRITE): START waits for
 *		every fence, not only for writers'.
 *
 * What dmx_begin_cpu_access() and dmx_end_cpu_access() do, in the same
 * order, for the range's bytes only: the kind's own mapping, the kernel
 * vmap and every mapped attachment. START waits for the fences as
 * DMA_BUF_IOCTL_SYNC does, but before syncing rather than after: what is
 * copied from a bounce buffer or invalidated while a device still writes
 * it would be stale. Counted, and failed by injection, as the whole-buffer
 * calls are.
 *
 * Return: 0; an injected error; -ERESTARTSYS when a signal interrupted
 * the wait (nothing synced).
 */
int dmx_buffer_sync_range(struct dmx_buffer *buf, size_t offset, size_t len,
			  bool end, bool write)
{
	struct dmx_attachment *a;
	long ret;

	if (!end) {
		ret = dmx_injected(&buf->counters,
				   DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS);
		if (ret)
			return ret;
		ret = dma_resv_wait_timeout(buf->dmabuf->resv,
					    dma_resv_usage_rw(write), true,
					    MAX_SCHEDULE_TIMEOUT);
		if (ret < 0)
			return ret;
	}

	mutex_lock(&buf->lock);
	if (!end) {
		if (buf->kind->sync_for_cpu)
			buf->kind->sync_for_cpu(buf, offset, len);
		if (buf->vmap_count)
			invalidate_kernel_vmap_range(buf->vaddr + offset, len);
		list_for_each_entry(a, &buf->attachments, node) {
			if (a->mapped)
				dmx_attachment_sync_range(a, offset, len, true);
		}
	} else {
		if (buf->vmap_count)
			flush_kernel_vmap_range(buf->vaddr + offset, len);
		list_for_each_entry(a, &buf->attachments, node) {
			if (a->mapped)
				dmx_attachment_sync_range(a, offset, len, false);
		}
		if (buf->kind->sync_for_device)
			buf->kind->sync_for_device(buf, offset, len);
	}
	mutex_unlock(&buf->lock);
	dmx_count(end ? &buf->counters.end_cpu : &buf->counters.begin_cpu);
	return 0;
}

/* Count userspace mappings; fork and VMA splits open more of them. */
static void dmx_vm_open(struct vm_area_struct *vma)
{
	struct dmx_buffer *buf = vma->vm_private_data;

	atomic_inc(&buf->mmap_count);
}

static void dmx_vm_close(struct vm_area_struct *vma)
{
	struct dmx_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->mmap_count);
}

/*
 * Kinds with struct_page_mmap: a range zapped by MADV_DONTNEED (allowed on
 * such a mapping, unlike on a PFN one) comes back on the next access, as
 * the same page. The core maps the page we return, referenced, with the
 * rmap and refcount rules every file page follows. mremap() cannot grow the
 * mapping (VM_DONTEXPAND), so an offset past the buffer is a bug somewhere:
 * SIGBUS, never a page that is not ours.
 */
static vm_fault_t dmx_vm_fault(struct vm_fault *vmf)
{
	struct dmx_buffer *buf = vmf->vma->vm_private_data;
	pgoff_t pgoff = vmf->pgoff;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		unsigned long n = sg->length >> PAGE_SHIFT;

		if (pgoff < n) {
			vmf->page = dmx_nth_page(sg_page(sg), pgoff);
			get_page(vmf->page);
			return 0;
		}
		pgoff -= n;
	}
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct dmx_vm_ops = {
	.open = dmx_vm_open,
	.close = dmx_vm_close,
};

static const struct vm_operations_struct dmx_vm_page_ops = {
	.open = dmx_vm_open,
	.close = dmx_vm_close,
	.fault = dmx_vm_fault,
};

/* Pages per vm_insert_pages() call: one page of pointers. */
#define DMX_INSERT_BATCH	(PAGE_SIZE / sizeof(struct page *))

/*
 * Map the pages themselves (struct_page_mmap kinds), so that GUP can pin
 * them: O_DIRECT, io_uring fixed buffers, vmsplice and IMPORT_USER work on
 * the mapping, and a page someone pinned outlives the buffer by its own
 * reference. Everything is mapped now, a batch per call (one page-table
 * lock per page table rather than per page): no slower than the chunks'
 * remap_pfn_range() (docs/benchmarks.md). Compound pages are mapped a
 * subpage at a time, each counted in its folio, as the core does for any
 * file page.
 */
static int dmx_mmap_pages(struct dmx_buffer *buf, struct vm_area_struct *vma)
{
	unsigned long todo = vma_pages(vma);
	unsigned long batch = min_t(unsigned long, todo, DMX_INSERT_BATCH);
	unsigned long addr = vma->vm_start, n = 0, left;
	struct sg_page_iter iter;
	struct page **pages;
	int ret = 0;

	pages = kmalloc_array(batch, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	/*
	 * VM_MIXEDMAP is what vm_insert_pages() would set; VM_DONTEXPAND and
	 * VM_DONTDUMP are what remap_pfn_range() sets for the other kinds:
	 * mremap() must not grow the mapping past the buffer, and core dumps
	 * leave device buffers out.
	 */
	dmx_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);

	for_each_sgtable_page(&buf->sgt, &iter, vma->vm_pgoff) {
		pages[n++] = sg_page_iter_page(&iter);
		if (n < batch && n < todo)
			continue;
		left = n;
		ret = vm_insert_pages(vma, addr, pages, &left);
		/* The core zaps what was mapped when mmap fails. */
		if (ret)
			break;
		addr += n << PAGE_SHIFT;
		todo -= n;
		n = 0;
		if (!todo)
			break;
	}
	kfree(pages);
	return ret;
}

/* Map the other kinds by PFN, one call per contiguous chunk. */
static int dmx_mmap_pfns(struct dmx_buffer *buf, struct vm_area_struct *vma)
{
	unsigned long skip = vma->vm_pgoff << PAGE_SHIFT;
	unsigned long addr = vma->vm_start;
	struct scatterlist *sg;
	int ret, i;

	if (buf->kind->write_combine)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);

	/*
	 * remap_pfn_range() also sets VM_DONTEXPAND, so mremap() cannot grow
	 * the mapping past the buffer.
	 */
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		unsigned long len = sg->length;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		len = min(len - skip, vma->vm_end - addr);
		ret = remap_pfn_range(vma, addr,
				      page_to_pfn(sg_page(sg)) + (skip >> PAGE_SHIFT),
				      len, vma->vm_page_prot);
		if (ret)
			return ret;
		addr += len;
		skip = 0;
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

static int dmx_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct dmx_buffer *buf = dmabuf->priv;
	unsigned long npages = buf->size >> PAGE_SHIFT;
	bool pages = buf->kind->struct_page_mmap;
	int ret;

	/* A private mapping of shared device memory has no sane meaning. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	ret = dmx_injected(&buf->counters, DMABUF_EXPORTER_OP_MMAP);
	if (ret)
		return ret;

	/* The core checks this too; checked again so it cannot overflow. */
	if (vma->vm_pgoff > npages || vma_pages(vma) > npages - vma->vm_pgoff)
		return -EINVAL;

	/* Everything is mapped now: no page faults later but after a zap. */
	ret = pages ? dmx_mmap_pages(buf, vma) : dmx_mmap_pfns(buf, vma);
	if (ret)
		return ret;

	/* Only now: a failed mmap gets no close() call. */
	vma->vm_ops = pages ? &dmx_vm_page_ops : &dmx_vm_ops;
	vma->vm_private_data = buf;
	dmx_vm_open(vma);
	dmx_count(&buf->counters.mmap);
	return 0;
}

static void *dmx_vmap_pages(struct dmx_buffer *buf)
{
	unsigned long npages = buf->size >> PAGE_SHIFT;
	struct sg_page_iter iter;
	struct page **pages;
	unsigned long i = 0;
	void *vaddr;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;

	for_each_sgtable_page(&buf->sgt, &iter, 0)
		pages[i++] = sg_page_iter_page(&iter);

	vaddr = vmap(pages, npages, VM_MAP,
		     buf->kind->write_combine ?
		     pgprot_writecombine(PAGE_KERNEL) : PAGE_KERNEL);
	kvfree(pages);
	return vaddr;
}

static int dmx_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dmx_buffer *buf = dmabuf->priv;
	int ret;

	/* A kernel mapping is writable: none for read-only pinned pages. */
	if (buf->read_only)
		return -EACCES;
	ret = dmx_injected(&buf->counters, DMABUF_EXPORTER_OP_VMAP);
	if (ret)
		return ret;

	mutex_lock(&buf->lock);
	if (!buf->vmap_count) {
		buf->vaddr = dmx_vmap_pages(buf);
		if (!buf->vaddr) {
			ret = -ENOMEM;
			goto out;
		}
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
	dmx_count(&buf->counters.vmap);
out:
	mutex_unlock(&buf->lock);
	return ret;
}

static void dmx_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dmx_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	mutex_unlock(&buf->lock);
	iosys_map_clear(map);
	dmx_count(&buf->counters.vunmap);
}

static void dmx_release(struct dma_buf *dmabuf)
{
	struct dmx_buffer *buf = dmabuf->priv;

	/* The core only releases a buffer with no attachment and no vmap. */
	mutex_lock(&dmx_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&dmx_buffers_lock);
	dmx_buffer_removed();
	dmx_unreserve_bytes(buf->footprint);
	buf->kind->free(buf);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

static const struct dma_buf_ops dmx_dma_buf_ops = {
	.attach = dmx_attach,
	.detach = dmx_detach,
	.map_dma_buf = dmx_map_dma_buf,
	.unmap_dma_buf = dmx_unmap_dma_buf,
	.begin_cpu_access = dmx_begin_cpu_access,
	.end_cpu_access = dmx_end_cpu_access,
	.mmap = dmx_mmap,
	.vmap = dmx_vmap,
	.vunmap = dmx_vunmap,
	.release = dmx_release,
};

/*
 * Fill @buf->sgt from an array of @buf->size / PAGE_SIZE pages (importing
 * kinds), merging physically contiguous pages into one entry.
 */
int dmx_sgt_from_pages(struct dmx_buffer *buf, struct page **pages)
{
	return sg_alloc_table_from_pages_segment(&buf->sgt, pages,
						 buf->size >> PAGE_SHIFT, 0,
						 buf->size,
						 rounddown(UINT_MAX, PAGE_SIZE),
						 GFP_KERNEL);
}

/* The buffer behind @dmabuf if this module exported it, else NULL. */
struct dmx_buffer *dmx_buffer_of(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &dmx_dma_buf_ops ? dmabuf->priv : NULL;
}

/**
 * dmx_buffer_create() - allocate a buffer of one kind and export it
 * @kind:	memory kind.
 * @len:	length in bytes as userspace asked; rounded up to pages.
 * @fd_flags:	O_CLOEXEC and access mode of the future dma-buf file.
 * @args:	what the kind needs to know (importing kinds), or NULL.
 *
 * Return: the dma-buf, which owns the buffer, or an ERR_PTR: -EINVAL for a
 * length that is 0 or wraps when rounded up, -ENOMEM when it is over a limit
 * or memory ran out, -EINTR on a fatal signal. On error nothing stays
 * allocated.
 */
struct dma_buf *dmx_buffer_create(const struct dmx_kind *kind, u64 len,
				  u32 fd_flags, const void *args)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dmx_buffer *buf;
	struct dma_buf *dmabuf;
	u64 size, footprint;
	int ret;

	/* Rounding up may wrap to 0 for lengths near U64_MAX: EINVAL too. */
	size = PAGE_ALIGN(len);
	if (!size)
		return ERR_PTR(-EINVAL);
	if (size > dmx_max_buffer_size())
		return ERR_PTR(-ENOMEM);
	footprint = kind->footprint ? kind->footprint(size) : size;
	if (!dmx_reserve_bytes(footprint))
		return ERR_PTR(-ENOMEM);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto err_unreserve;
	}
	buf->kind = kind;
	buf->size = size;
	buf->footprint = footprint;
	mutex_init(&buf->lock);
	dmx_counters_init(&buf->counters);
	INIT_LIST_HEAD(&buf->attachments);
	atomic_set(&buf->mmap_count, 0);

	ret = kind->alloc(buf, args);
	if (ret)
		goto err_free_buf;

	exp_info.exp_name = KBUILD_MODNAME;
	exp_info.ops = &dmx_dma_buf_ops;
	exp_info.size = size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free_pages;
	}
	buf->dmabuf = dmabuf;
	buf->ino = file_inode(dmabuf->file)->i_ino;

	/* From here on, dmx_release() undoes everything. */
	dmx_buffer_added();
	mutex_lock(&dmx_buffers_lock);
	list_add_tail(&buf->node, &dmx_buffers);
	mutex_unlock(&dmx_buffers_lock);
	return dmabuf;

err_free_pages:
	kind->free(buf);
err_free_buf:
	mutex_destroy(&buf->lock);
	kfree(buf);
err_unreserve:
	dmx_unreserve_bytes(footprint);
	return ERR_PTR(ret);
}

/* Call @fn for every live buffer, under the list's lock (debugfs). */
void dmx_buffers_for_each(void (*fn)(struct dmx_buffer *buf, void *data),
			  void *data)
{
	struct dmx_buffer *buf;

	mutex_lock(&dmx_buffers_lock);
	list_for_each_entry(buf, &dmx_buffers, node)
		fn(buf, data);
	mutex_unlock(&dmx_buffers_lock);
}
