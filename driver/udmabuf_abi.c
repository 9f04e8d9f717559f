// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf's ABI on the ctl node: UDMABUF_CREATE and UDMABUF_CREATE_LIST with
 * the kernel's structs, limits and errnos, so software written for
 * /dev/udmabuf works on kernels built without it. Parsing only: the memfd
 * kind holds the pages.
 *
 * Stricter than the kernel: unknown flags and a nonzero __pad are refused
 * (EINVAL) instead of ignored.
 */

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/udmabuf.h>

#include "buffer.h"
#include "kinds.h"
#include "udmabuf_abi.h"

static unsigned int udmabuf_list_limit = 1024;
module_param(udmabuf_list_limit, uint, 0644);
MODULE_PARM_DESC(udmabuf_list_limit,
		 "UDMABUF_CREATE_LIST item limit, as udmabuf's list_limit (default 1024)");

static unsigned int udmabuf_size_limit_mb = 64;
module_param(udmabuf_size_limit_mb, uint, 0644);
MODULE_PARM_DESC(udmabuf_size_limit_mb,
		 "UDMABUF_CREATE* size limit in MiB, as udmabuf's size_limit_mb (default 64)");

static struct dma_buf *dmx_udmabuf_export(u32 flags,
					  const struct udmabuf_create_item *items,
					  u32 count, u32 *fd_flags)
{
	u64 limit = (u64)READ_ONCE(udmabuf_size_limit_mb) << 20;
	struct dmx_memfd_args args = { .items = items, .count = count };
	u64 total = 0;
	u32 i;

	if (flags & ~UDMABUF_FLAGS_CLOEXEC)
		return ERR_PTR(-EINVAL);
	for (i = 0; i < count; i++) {
		/* A zero-size item would make its last byte offset - 1. */
		if (items[i].__pad || !items[i].size ||
		    !PAGE_ALIGNED(items[i].offset) ||
		    !PAGE_ALIGNED(items[i].size) || items[i].size > limit)
			return ERR_PTR(-EINVAL);
		total += items[i].size;
		if (total > limit)
			return ERR_PTR(-EINVAL);
	}
	if (!total)
		return ERR_PTR(-EINVAL);

	/* Like udmabuf: the buffer is read-write, the fd maybe close-on-exec. */
	*fd_flags = (flags & UDMABUF_FLAGS_CLOEXEC) ? O_CLOEXEC : 0;
	return dmx_buffer_create(&dmx_memfd_kind, total, O_RDWR | *fd_flags,
				 &args);
}

/**
 * dmx_udmabuf_create() - UDMABUF_CREATE or UDMABUF_CREATE_LIST
 * @cmd:	one of the two.
 * @uarg:	its struct.
 * @fd_flags:	the new fd's flags.
 *
 * Return: the new dma-buf, for the caller to install as an fd, or an ERR_PTR.
 */
struct dma_buf *dmx_udmabuf_create(unsigned int cmd, void __user *uarg,
				   u32 *fd_flags)
{
	struct udmabuf_create_item *items;
	struct udmabuf_create_list head;
	struct udmabuf_create create;
	struct dma_buf *dmabuf;

	if (cmd == UDMABUF_CREATE) {
		struct udmabuf_create_item item;

		if (copy_from_user(&create, uarg, sizeof(create)))
			return ERR_PTR(-EFAULT);
		item = (struct udmabuf_create_item) {
			.memfd = create.memfd,
			.offset = create.offset,
			.size = create.size,
		};
		return dmx_udmabuf_export(create.flags, &item, 1, fd_flags);
	}

	if (copy_from_user(&head, uarg, sizeof(head)))
		return ERR_PTR(-EFAULT);
	if (head.count > READ_ONCE(udmabuf_list_limit))
		return ERR_PTR(-EINVAL);
	items = memdup_user(uarg + sizeof(head),
			    array_size(head.count, sizeof(*items)));
	if (IS_ERR(items))
		return ERR_CAST(items);
	dmabuf = dmx_udmabuf_export(head.flags, items, head.count, fd_flags);
	kfree(items);
	return dmabuf;
}
