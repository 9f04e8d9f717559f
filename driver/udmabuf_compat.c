// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf's ABI on the ctl node: UDMABUF_CREATE and UDMABUF_CREATE_LIST
 * with the kernel's structs, rules and errnos, so software written for
 * /dev/udmabuf works on kernels built without it (Debian 12's 6.1).
 *
 * The kernel's rules: the memory is a memfd, shmem or hugetlbfs, sealed
 * against shrinking (F_SEAL_SHRINK) and not against writing (F_SEAL_WRITE,
 * F_SEAL_FUTURE_WRITE), ranges are page-aligned (base pages, also in a
 * hugetlbfs memfd), at most list_limit items and size_limit_mb in all.
 * Stricter than the kernel: unknown flags and a nonzero __pad are refused
 * (EINVAL) instead of ignored.
 *
 * The pages are pinned with memfd_pin_folios() where the kernel has it
 * (6.11+), as udmabuf does there, and held by reference before, as udmabuf
 * did. Huge pages a hugetlbfs memfd has not faulted in yet are refused
 * (EINVAL, as udmabuf before 6.11) on every kernel: see
 * dmx_hugetlb_check_present().
 */

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/udmabuf.h>
#include <linux/dmabuf_exporter.h>

#include "compat.h"
#include "exporter.h"

static unsigned int udmabuf_list_limit = 1024;
module_param(udmabuf_list_limit, uint, 0644);
MODULE_PARM_DESC(udmabuf_list_limit,
		 "UDMABUF_CREATE_LIST item limit, as udmabuf's list_limit (default 1024)");

static unsigned int udmabuf_size_limit_mb = 64;
module_param(udmabuf_size_limit_mb, uint, 0644);
MODULE_PARM_DESC(udmabuf_size_limit_mb,
		 "UDMABUF_CREATE* size limit in MiB, as udmabuf's size_limit_mb (default 64)");

struct dmx_memfd_args {
	const struct udmabuf_create_item *items;
	u32 count;
};

/**
 * struct dmx_memfd_pages - kind data of a memfd buffer
 * @pages:	the buffer's pages, in order.
 * @folios:	the folios holding them, each pinned (DMX_MEMFD_PINS) or
 *		referenced once per entry; a folio may appear more than once.
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
	if (item->offset >= isize || item->size > isize - item->offset)
		return -EINVAL;
	return 0;
}

/* The @hidx-th huge page of a hugetlbfs memfd, referenced; NULL if absent. */
static struct folio *dmx_hugetlb_get_folio(struct file *memfd, pgoff_t hidx)
{
	struct inode *inode = file_inode(memfd);
	struct page *page;

	page = pagecache_get_page(memfd->f_mapping,
				  dmx_hugetlb_index(inode, hidx), 0, 0);
	return page ? page_folio(page) : NULL;
}

/*
 * Every huge page of [@start, @end] must be in the memfd already. The
 * kernel's udmabuf before 6.11 refuses missing ones with -EINVAL. Since
 * 6.11 memfd_pin_folios() allocates them, but in 6.12 (checked up to
 * 6.12.117) it takes them from the pool as if they were reserved when
 * nothing reserved them (alloc_hugetlb_folio_reserve(): a VM_BUG_ON with
 * CONFIG_DEBUG_VM, the pool's reserve count wrapping around without), so we
 * never let it allocate and refuse them the same way on every kernel.
 * The caller holds the inode lock: hole punching, the only way to remove a
 * page of a memfd sealed against shrinking, waits for it.
 */
static int dmx_hugetlb_check_present(struct file *memfd, loff_t start,
				     loff_t end)
{
	unsigned int shift = huge_page_shift(hstate_inode(file_inode(memfd)));
	struct folio *folio;
	pgoff_t hidx;

	for (hidx = start >> shift; hidx <= end >> shift; hidx++) {
		folio = dmx_hugetlb_get_folio(memfd, hidx);
		if (!folio)
			return -EINVAL;
		folio_put(folio);
	}
	return 0;
}

/*
 * Before 6.11: memfd_pin_folios() with references instead of pins. Takes a
 * reference on each folio of [@start, @end] of @memfd into @folios, sets
 * *@offset to the byte offset of @start in the first, returns how many, or
 * a negative errno having released them all.
 */
static long dmx_memfd_ref_folios(struct file *memfd, loff_t start, loff_t end,
				 struct folio **folios, unsigned long max_folios,
				 pgoff_t *offset)
{
	bool huge = dmx_file_is_hugetlb(memfd);
	unsigned int shift = PAGE_SHIFT;
	struct folio *folio;
	struct page *page;
	pgoff_t idx, next;
	long n = 0;
	long ret;

	if (huge)
		shift = huge_page_shift(hstate_inode(file_inode(memfd)));
	for (idx = start >> shift; idx <= end >> shift; idx = next) {
		if (n >= max_folios) {
			ret = -EINVAL;
			goto err_put;
		}
		if (huge) {
			/* Never faulted in: -EINVAL, as udmabuf. */
			folio = dmx_hugetlb_get_folio(memfd, idx);
			if (!folio) {
				ret = -EINVAL;
				goto err_put;
			}
			next = idx + 1;
		} else {
			/* Reads it in (or allocates it), as udmabuf. */
			page = shmem_read_mapping_page(memfd->f_mapping, idx);
			if (IS_ERR(page)) {
				ret = PTR_ERR(page);
				goto err_put;
			}
			folio = page_folio(page);
			next = folio->index + folio_nr_pages(folio);
		}
		if (!n)
			*offset = offset_in_folio(folio, start);
		folios[n++] = folio;
	}
	return n;

err_put:
	while (n)
		folio_put(folios[--n]);
	return ret;
}

/* Release the folios dmx_memfd_hold_folios() took. */
static void dmx_memfd_release_folios(struct folio **folios, unsigned long n)
{
	if (DMX_MEMFD_PINS) {
		dmx_unpin_folios(folios, n);
		return;
	}
	while (n)
		folio_put(folios[--n]);
}

/* Pin (6.11+) or reference the folios of [@start, @end]: see above. */
static long dmx_memfd_hold_folios(struct file *memfd, loff_t start,
				  loff_t end, struct folio **folios,
				  unsigned long max_folios, pgoff_t *offset)
{
	long ret;

	if (!DMX_MEMFD_PINS)
		return dmx_memfd_ref_folios(memfd, start, end, folios,
					    max_folios, offset);
	if (dmx_file_is_hugetlb(memfd)) {
		ret = dmx_hugetlb_check_present(memfd, start, end);
		if (ret)
			return ret;
	}
	/* udmabuf turns "nothing pinned" into -EINVAL too. */
	ret = dmx_memfd_pin_folios(memfd, start, end, folios,
				   min_t(unsigned long, max_folios, UINT_MAX),
				   offset);
	return ret ?: -EINVAL;
}

/* Hold the pages of one item, appending them (and their folios) to @mp. */
static int dmx_memfd_hold_item(const struct udmabuf_create_item *item,
			       struct dmx_memfd_pages *mp)
{
	unsigned long left = item->size >> PAGE_SHIFT;
	struct folio **folios = mp->folios + mp->nfolios;
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
	/* At most one folio per page: @folios has room for @left. */
	n = dmx_memfd_hold_folios(memfd, item->offset,
				  item->offset + item->size - 1, folios, left,
				  &offset);
	if (n < 0) {
		ret = n;
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
		ret = dmx_memfd_hold_item(&ma->items[i], mp);
		if (ret)
			goto err_release;
	}
	/* Each item filled exactly its size: the sizes add up to npages. */
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

static long dmx_udmabuf_create(u32 flags, const struct udmabuf_create_item *items,
			       u32 count)
{
	u64 limit = (u64)READ_ONCE(udmabuf_size_limit_mb) << 20;
	struct dmx_memfd_args args = { .items = items, .count = count };
	u32 fd_flags = (flags & UDMABUF_FLAGS_CLOEXEC) ? O_CLOEXEC : 0;
	struct dma_buf *dmabuf;
	u64 total = 0;
	u32 i;

	if (flags & ~UDMABUF_FLAGS_CLOEXEC)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		/* A zero-size item would make its last byte offset - 1. */
		if (items[i].__pad || !items[i].size ||
		    !PAGE_ALIGNED(items[i].offset) ||
		    !PAGE_ALIGNED(items[i].size) || items[i].size > limit)
			return -EINVAL;
		total += items[i].size;
		if (total > limit)
			return -EINVAL;
	}
	if (!total)
		return -EINVAL;

	/* Like udmabuf: the buffer is read-write, the fd maybe close-on-exec. */
	dmabuf = dmx_buffer_create(&dmx_memfd_kind, total, O_RDWR | fd_flags,
				   &args);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	return dmx_install_fd(dmabuf, fd_flags, NULL, NULL, 0, NULL);
}

/* Returns the new dma-buf fd, as udmabuf does. */
long dmx_udmabuf_ioctl(unsigned int cmd, void __user *uarg)
{
	struct udmabuf_create_item *items;
	struct udmabuf_create_list head;
	struct udmabuf_create create;
	long ret;

	if (cmd == UDMABUF_CREATE) {
		struct udmabuf_create_item item;

		if (copy_from_user(&create, uarg, sizeof(create)))
			return -EFAULT;
		item = (struct udmabuf_create_item) {
			.memfd = create.memfd,
			.offset = create.offset,
			.size = create.size,
		};
		return dmx_udmabuf_create(create.flags, &item, 1);
	}

	if (copy_from_user(&head, uarg, sizeof(head)))
		return -EFAULT;
	if (head.count > READ_ONCE(udmabuf_list_limit))
		return -EINVAL;
	items = memdup_user(uarg + sizeof(head),
			    array_size(head.count, sizeof(*items)));
	if (IS_ERR(items))
		return PTR_ERR(items);
	ret = dmx_udmabuf_create(head.flags, items, head.count);
	kfree(items);
	return ret;
}
