// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "user" kind: a range of the caller's memory, pinned and exported.
 *
 * The classic get_user_pages recipe: pin_user_pages() with FOLL_LONGTERM
 * (the pages stay pinned as long as the dma-buf lives), in batches, a
 * partial pin unwound by releasing exactly the pages that were pinned. The
 * mappings are checked and pinned under one hold of mmap_lock, so nobody
 * can map something else in between.
 *
 * Accounting, as RDMA does: mm->pinned_vm against RLIMIT_MEMLOCK and the
 * module-wide max_pinned_mb, both given back with the last reference to the
 * dma-buf, even after the process exited (the mm is kept with mmgrab).
 */

#include <linux/backing-dev.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <linux/dmabuf_exporter.h>

#include "buffer.h"
#include "compat.h"
#include "kinds.h"
#include "limits.h"

/* Pages pinned per pin_user_pages_fast() call: one page of pointers. */
#define DMX_PIN_BATCH	(PAGE_SIZE / sizeof(struct page *))

/**
 * struct dmx_user_pages - kind data of a user-memory buffer
 * @pages:	the pinned pages, in order.
 * @npages:	how many.
 * @mm:		the mm whose pinned_vm they count in.
 * @write:	pinned writable; unpinned dirty.
 */
struct dmx_user_pages {
	struct page **pages;
	unsigned long npages;
	struct mm_struct *mm;
	bool write;
};

/*
 * Refuse what must not be pinned for long, with the errno of the newest
 * kernels on all of them: holes, I/O and PFN mappings (another dma-buf's
 * mmap, say), writes to read-only mappings, and writable shared mappings of
 * files that are written back (6.5 and later refuse those themselves).
 */
static int dmx_check_vmas(struct mm_struct *mm, unsigned long start,
			  unsigned long end, bool write)
{
	struct vm_area_struct *vma;
	unsigned long addr;

	mmap_assert_locked(mm);
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    (write && !(vma->vm_flags & VM_WRITE)) ||
		    (write && (vma->vm_flags & VM_SHARED) && vma->vm_file &&
		     mapping_can_writeback(vma->vm_file->f_mapping)))
			return -EFAULT;
	}
	return 0;
}

/* Check and pin all of [addr, addr + npages pages), or nothing. */
static int dmx_pin_range(struct mm_struct *mm, unsigned long addr,
			 unsigned long npages, bool write, struct page **pages)
{
	unsigned int gup_flags = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned long pinned = 0;
	long ret;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	ret = dmx_check_vmas(mm, addr, addr + (npages << PAGE_SHIFT), write);
	while (!ret && pinned < npages) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = dmx_pin_user_pages_locked(addr + (pinned << PAGE_SHIFT),
						min(npages - pinned,
						    DMX_PIN_BATCH),
						gup_flags, pages + pinned);
		/* A short count stops at a hole; the next call reports it. */
		if (ret <= 0) {
			ret = ret ?: -EFAULT;
			break;
		}
		pinned += ret;
		ret = 0;
	}
	mmap_read_unlock(mm);

	/* Exactly the pages pinned so far, and nothing else. */
	if (ret)
		unpin_user_pages(pages, pinned);
	return ret;
}

static int dmx_user_alloc(struct dmx_buffer *buf, const void *args)
{
	const struct dmx_user_args *ua = args;
	unsigned long npages = buf->size >> PAGE_SHIFT;
	struct mm_struct *mm = current->mm;
	struct dmx_user_pages *up;
	int ret;

	up = kzalloc(sizeof(*up), GFP_KERNEL);
	if (!up)
		return -ENOMEM;
	up->npages = npages;
	up->write = ua->write;

	ret = dmx_account_pinned(mm, npages);
	if (ret)
		goto err_free_up;

	up->pages = kvmalloc_array(npages, sizeof(*up->pages), GFP_KERNEL);
	if (!up->pages) {
		ret = -ENOMEM;
		goto err_unaccount;
	}

	ret = dmx_pin_range(mm, ua->addr, npages, ua->write, up->pages);
	if (ret)
		goto err_free_pages;

	ret = dmx_sgt_from_pages(buf, up->pages);
	if (ret)
		goto err_unpin;

	mmgrab(mm);
	up->mm = mm;
	buf->priv = up;
	buf->read_only = !ua->write;
	return 0;

err_unpin:
	unpin_user_pages(up->pages, npages);
err_free_pages:
	kvfree(up->pages);
err_unaccount:
	dmx_unaccount_pinned(mm, npages);
err_free_up:
	kfree(up);
	return ret;
}

static void dmx_user_free(struct dmx_buffer *buf)
{
	struct dmx_user_pages *up = buf->priv;

	sg_free_table(&buf->sgt);
	/* Devices and mappings may have written them: tell the owner. */
	unpin_user_pages_dirty_lock(up->pages, up->npages, up->write);
	kvfree(up->pages);
	dmx_unaccount_pinned(up->mm, up->npages);
	mmdrop(up->mm);
	kfree(up);
}

const struct dmx_kind dmx_user_kind = {
	.name = "user",
	.id = DMABUF_EXPORTER_KIND_USER,
	.alloc = dmx_user_alloc,
	.free = dmx_user_free,
};
