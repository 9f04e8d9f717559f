// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf's ABI on the ctl node: UDMABUF_CREATE and UDMABUF_CREATE_LIST
 * with the kernel's structs, rules and errnos, so software written for
 * /dev/udmabuf works on kernels built without it (Debian 12's 6.1).
 *
 * The kernel's rules: the memory is a memfd (shmem) sealed against shrinking
 * (F_SEAL_SHRINK) and not against writing (F_SEAL_WRITE,
 * F_SEAL_FUTURE_WRITE), ranges are page-aligned, at most list_limit items
 * and size_limit_mb in all. Stricter than the kernel: unknown flags and a
 * nonzero __pad are refused (EINVAL) instead of ignored. Not supported yet:
 * hugetlbfs memfds (EBADFD, as for any other non-shmem file).
 */

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/udmabuf.h>
#include <linux/dmabuf_exporter.h>

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
 * @pages:	the memfd's pages, in order, each holding a reference.
 * @npages:	how many.
 */
struct dmx_memfd_pages {
	struct page **pages;
	unsigned long npages;
};

#define DMX_SEALS_WANTED	(F_SEAL_SHRINK)
#define DMX_SEALS_DENIED	(F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/* Called with the inode lock held, so seals cannot change meanwhile. */
static int dmx_memfd_check(struct file *memfd)
{
	unsigned int seals;

	if (!shmem_file(memfd))
		return -EBADFD;
	seals = SHMEM_I(file_inode(memfd))->seals;
	if ((seals & DMX_SEALS_WANTED) != DMX_SEALS_WANTED ||
	    (seals & DMX_SEALS_DENIED))
		return -EINVAL;
	return 0;
}

/* Take a reference on each page of one item; *@got counts them. */
static int dmx_memfd_get_item(const struct udmabuf_create_item *item,
			      struct page **pages, unsigned long *got)
{
	pgoff_t pgoff = item->offset >> PAGE_SHIFT;
	pgoff_t n = item->size >> PAGE_SHIFT;
	struct address_space *mapping;
	struct file *memfd;
	struct page *page;
	u64 isize;
	int ret;

	memfd = fget(item->memfd);
	if (!memfd)
		return -EBADFD;

	inode_lock_shared(file_inode(memfd));
	ret = dmx_memfd_check(memfd);
	if (ret)
		goto out_unlock;
	/*
	 * Past the end of the memfd (its last page counts whole): -EINVAL, as
	 * udmabuf. Checked here, as shmem says -EFBIG for offsets past the
	 * largest file size.
	 */
	isize = PAGE_ALIGN((u64)i_size_read(file_inode(memfd)));
	if (item->offset > isize || item->size > isize - item->offset) {
		ret = -EINVAL;
		goto out_unlock;
	}
	mapping = file_inode(memfd)->i_mapping;
	for (; n; n--, pgoff++) {
		page = shmem_read_mapping_page(mapping, pgoff);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			goto out_unlock;
		}
		pages[(*got)++] = page;
	}
out_unlock:
	inode_unlock_shared(file_inode(memfd));
	fput(memfd);
	return ret;
}

static void dmx_put_pages(struct page **pages, unsigned long n)
{
	while (n)
		put_page(pages[--n]);
}

static int dmx_memfd_alloc(struct dmx_buffer *buf, const void *args)
{
	const struct dmx_memfd_args *ma = args;
	struct dmx_memfd_pages *mp;
	unsigned long got = 0;
	int ret;
	u32 i;

	mp = kzalloc(sizeof(*mp), GFP_KERNEL);
	if (!mp)
		return -ENOMEM;
	mp->npages = buf->size >> PAGE_SHIFT;
	mp->pages = kvmalloc_array(mp->npages, sizeof(*mp->pages), GFP_KERNEL);
	if (!mp->pages) {
		ret = -ENOMEM;
		goto err_free_mp;
	}

	for (i = 0; i < ma->count; i++) {
		ret = dmx_memfd_get_item(&ma->items[i], mp->pages, &got);
		if (ret)
			goto err_put;
	}

	ret = dmx_sgt_from_pages(buf, mp->pages);
	if (ret)
		goto err_put;
	buf->priv = mp;
	return 0;

err_put:
	dmx_put_pages(mp->pages, got);
	kvfree(mp->pages);
err_free_mp:
	kfree(mp);
	return ret;
}

static void dmx_memfd_free(struct dmx_buffer *buf)
{
	struct dmx_memfd_pages *mp = buf->priv;

	sg_free_table(&buf->sgt);
	dmx_put_pages(mp->pages, mp->npages);
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
		if (items[i].__pad || !PAGE_ALIGNED(items[i].offset) ||
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
