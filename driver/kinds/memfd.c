// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "memfd" kind: the pages of shmem and hugetlbfs memfds, as udmabuf
 * shares them (udmabuf_abi.c parses udmabuf's ioctls into items).
 *
 * The memory must be sealed against shrinking (F_SEAL_SHRINK) and not
 * against writing (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE); each item's range must
 * lie inside its memfd. The folios are pinned where the kernel can
 * (memfd_pin_folios(), 6.11+) and referenced before, as udmabuf does on each:
 * see dmx_memfd_hold_folios() in compat.h.
 */

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include <uapi/linux/udmabuf.h>
#include <linux/dmabuf_exporter.h>

#include "buffer.h"
#include "compat.h"
#include "kinds.h"

/**
 * struct dmx_memfd_pages - kind data of a memfd buffer
 * @pages:	the buffer's pages, in order.
 * @folios:	the folios holding them, each held once per entry; a folio
 *		may appear more than once.
 * @npages:	entries of @pages filled so far; in the end the buffer size.
 * @nfolios:	entries of @folios.
 */
struct dmx_memfd_pages {
	struct page **pages;
	struct folio **folios;
	unsigned long npages;
	unsigned long nfolios;
};

#define DMX_SEALS_WANTED	(F_SEAL_SHRINK)
#define DMX_SEALS_DENIED	(F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/*
 * Called with the inode lock held, so seals and size cannot change
 * meanwhile. The errnos and their order are udmabuf's: not a memfd
 * (-EBADFD), then seals, then a range past the end (-EINVAL).
 */
static int dmx_memfd_check(struct file *memfd,
			   const struct udmabuf_create_item *item)
{
	struct inode *inode = file_inode(memfd);
	u64 isize = i_size_read(inode);
	unsigned int seals;

	if (shmem_file(memfd))
		seals = SHMEM_I(inode)->seals;
	else if (dmx_file_is_hugetlb(memfd))
		seals = dmx_hugetlb_seals(inode);
	else
		return -EBADFD;
	if ((seals & DMX_SEALS_WANTED) != DMX_SEALS_WANTED ||
	    (seals & DMX_SEALS_DENIED))
		return -EINVAL;
	if (!item->size || item->offset >= isize ||
	    item->size > isize - item->offset)
		return -EINVAL;
	return 0;
}

/*
 * Every huge page of [@start, @end] must be in the memfd already (-EINVAL,
 * as udmabuf before 6.11): 6.12's memfd_pin_folios() would take missing
 * ones from the pool as if reserved when nothing reserved them. The caller
 * holds the inode lock, which hole punching waits for.
 */
static int dmx_hugetlb_check_present(struct file *memfd, loff_t start,
				     loff_t end)
{
	struct inode *inode = file_inode(memfd);
	unsigned int shift = huge_page_shift(hstate_inode(inode));
	struct folio *folio;
	pgoff_t hidx;

	for (hidx = start >> shift; hidx <= end >> shift; hidx++) {
		folio = dmx_filemap_get_folio(memfd->f_mapping,
					      dmx_hugetlb_index(inode, hidx));
		if (!folio)
			return -EINVAL;
		folio_put(folio);
	}
	return 0;
}

/* Hold the pages of one item, appending them (and their folios) to @mp. */
static int dmx_memfd_hold_item(const struct udmabuf_create_item *item,
			       struct dmx_memfd_pages *mp)
{
	unsigned long left = item->size >> PAGE_SHIFT;
	struct folio **folios = mp->folios + mp->nfolios;
	loff_t end = item->offset + item->size - 1;
	struct file *memfd;
	pgoff_t offset;
	long n, i;
	int ret;

	memfd = fget(item->memfd);
	if (!memfd)
		return -EBADFD;

	/* Against memfd_add_seals(), truncation and hole punching. */
	inode_lock_shared(file_inode(memfd));
	ret = dmx_memfd_check(memfd, item);
	if (ret)
		goto out_unlock;
	if (dmx_file_is_hugetlb(memfd)) {
		ret = dmx_hugetlb_check_present(memfd, item->offset, end);
		if (ret)
			goto out_unlock;
	}
	/* At most one folio per page: @folios has room for @left. */
	n = dmx_memfd_hold_folios(memfd, item->offset, end, folios, left,
				  &offset);
	if (n <= 0) {
		/* udmabuf turns "nothing held" into -EINVAL too. */
		ret = n ?: -EINVAL;
		goto out_unlock;
	}
	mp->nfolios += n;
	/* Only the first folio starts at an offset. */
	for (i = 0; i < n && left; i++, offset = 0) {
		for (; offset < folio_size(folios[i]) && left;
		     offset += PAGE_SIZE, left--)
			mp->pages[mp->npages++] =
				folio_page(folios[i], offset >> PAGE_SHIFT);
	}
out_unlock:
	inode_unlock_shared(file_inode(memfd));
	fput(memfd);
	return ret;
}

static int dmx_memfd_alloc(struct dmx_buffer *buf, const void *args)
{
	const struct dmx_memfd_args *ma = args;
	unsigned long npages = buf->size >> PAGE_SHIFT;
	struct dmx_memfd_pages *mp;
	int ret;
	u32 i;

	mp = kzalloc(sizeof(*mp), GFP_KERNEL);
	if (!mp)
		return -ENOMEM;
	mp->pages = kvmalloc_array(npages, sizeof(*mp->pages), GFP_KERNEL);
	mp->folios = kvmalloc_array(npages, sizeof(*mp->folios), GFP_KERNEL);
	if (!mp->pages || !mp->folios) {
		ret = -ENOMEM;
		goto err_free;
	}

	for (i = 0; i < ma->count; i++) {
		/* The sizes add up to npages; never write past the arrays. */
		if (WARN_ON_ONCE(ma->items[i].size >> PAGE_SHIFT >
				 npages - mp->npages)) {
			ret = -EINVAL;
			goto err_release;
		}
		ret = dmx_memfd_hold_item(&ma->items[i], mp);
		if (ret)
			goto err_release;
	}
	if (WARN_ON_ONCE(mp->npages != npages)) {
		ret = -EINVAL;
		goto err_release;
	}

	ret = dmx_sgt_from_pages(buf, mp->pages);
	if (ret)
		goto err_release;
	buf->priv = mp;
	return 0;

err_release:
	/* Exactly the folios held so far, items before the failing one. */
	dmx_memfd_release_folios(mp->folios, mp->nfolios);
err_free:
	kvfree(mp->folios);
	kvfree(mp->pages);
	kfree(mp);
	return ret;
}

static void dmx_memfd_free(struct dmx_buffer *buf)
{
	struct dmx_memfd_pages *mp = buf->priv;

	sg_free_table(&buf->sgt);
	dmx_memfd_release_folios(mp->folios, mp->nfolios);
	kvfree(mp->folios);
	kvfree(mp->pages);
	kfree(mp);
}

const struct dmx_kind dmx_memfd_kind = {
	.name = "memfd",
	.id = DMABUF_EXPORTER_KIND_MEMFD,
	.alloc = dmx_memfd_alloc,
	.free = dmx_memfd_free,
};
