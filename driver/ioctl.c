// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctls of every node: the kernel's dma-heap ABI (DMA_HEAP_IOCTL_ALLOC)
 * on the kind nodes, and on the ctl node what that ABI cannot express
 * (allocation by kind with a name, queries, user-memory import, test mode)
 * plus udmabuf's ABI; module information and range syncs on all of them.
 * Everything is validated before anything is allocated or synced.
 */

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/dma-buf.h>
#include <uapi/linux/dma-heap.h>
#include <uapi/linux/udmabuf.h>
#include <linux/dmabuf_exporter.h>

#include "buffer.h"
#include "ioctl.h"
#include "kinds.h"
#include "limits.h"
#include "testmode.h"
#include "udmabuf_abi.h"

/* The ioctl number without its size field, for structs that may grow. */
#define DMX_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/* The kind a node allocates: its miscdevice is the first member. */
static const struct dmx_kind *dmx_node_kind(struct file *file)
{
	struct dmx_node *node = container_of(file->private_data,
					     struct dmx_node, misc);

	return node->kind;
}

/**
 * dmx_install_fd() - give a new dma-buf to userspace as an fd
 * @dmabuf:	the buffer; its reference passes to the fd, or is dropped.
 * @fd_flags:	O_CLOEXEC or not.
 * @uarg:	where the ioctl's struct goes back to, or NULL when the fd is
 *		only returned (udmabuf's ABI).
 * @karg:	the kernel copy of that struct.
 * @usize:	how many bytes of it to copy back.
 * @fd_field:	the member of @karg that receives the fd number.
 *
 * The fd is reserved first but installed only once userspace has been told
 * its number: a failed copy must not leave a live fd nobody knows of, and an
 * fd table that is full must not leave the buffer behind (CVE-2024-56712).
 *
 * Return: the fd, or -EMFILE / -EFAULT with the buffer released.
 */
static long dmx_install_fd(struct dma_buf *dmabuf, u32 fd_flags,
			   void __user *uarg, void *karg, size_t usize,
			   u32 *fd_field)
{
	int fd;

	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	if (uarg) {
		*fd_field = fd;
		if (copy_to_user(uarg, karg, usize)) {
			put_unused_fd(fd);
			dma_buf_put(dmabuf);
			return -EFAULT;
		}
	}
	fd_install(fd, dmabuf->file);
	return fd;
}

/**
 * dmx_copy_struct_from_user() - read an extensible ioctl struct
 * @dst:	kernel struct.
 * @ksize:	its size: the size of the first version, as nothing was
 *		added yet.
 * @uarg:	user pointer.
 * @cmd:	the ioctl number, whose size field gives the user's size.
 *
 * Return: 0; -EINVAL for a struct shorter than the first version; -E2BIG for
 * a longer one whose tail is not zero; -EFAULT.
 */
static int dmx_copy_struct_from_user(void *dst, size_t ksize,
				     void __user *uarg, unsigned int cmd)
{
	size_t usize = _IOC_SIZE(cmd);

	if (usize < ksize)
		return -EINVAL;
	return copy_struct_from_user(dst, ksize, uarg, usize);
}

/*
 * DMA_HEAP_IOCTL_ALLOC, with the dma-heap core's rules: len rounded up to
 * pages, fd 0 on input, only O_CLOEXEC|O_ACCMODE in fd_flags, no heap_flags.
 * Like the core, shorter and longer structs are accepted (missing fields read
 * as zero, extra ones are ignored), as long as the fd can be returned.
 */
static long dmx_heap_alloc_ioctl(const struct dmx_kind *kind, unsigned int cmd,
				 void __user *uarg)
{
	struct dma_heap_allocation_data data = {};
	size_t usize = min_t(size_t, _IOC_SIZE(cmd), sizeof(data));
	struct dma_buf *dmabuf;
	long ret;

	if (usize < offsetofend(struct dma_heap_allocation_data, fd))
		return -EINVAL;
	if (copy_from_user(&data, uarg, usize))
		return -EFAULT;

	if (data.fd)
		return -EINVAL;
	if (data.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return -EINVAL;
	if (data.heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;

	dmabuf = dmx_buffer_create(kind, data.len, data.fd_flags, NULL);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = dmx_install_fd(dmabuf, data.fd_flags, uarg, &data, usize,
			     &data.fd);
	return ret < 0 ? ret : 0;
}

static long dmx_info_ioctl(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_info info;
	int ret;

	ret = dmx_copy_struct_from_user(&info, sizeof(info), uarg, cmd);
	if (ret)
		return ret;
	if (info.flags || info.pad ||
	    memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	info.api_version = DMABUF_EXPORTER_API_VERSION;
	info.max_buffer_size = dmx_max_buffer_size();
	info.page_size = PAGE_SIZE;
	info.pinned_bytes = dmx_pinned_bytes();
	dmx_buffer_stats(&info.live_buffers, &info.live_bytes);

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static const struct dmx_kind *const dmx_kinds[DMABUF_EXPORTER_KIND_COUNT] = {
	[DMABUF_EXPORTER_KIND_SYSTEM] = &dmx_system_kind,
	[DMABUF_EXPORTER_KIND_SYSTEM_UNCACHED] = &dmx_system_uncached_kind,
	[DMABUF_EXPORTER_KIND_CONTIG] = &dmx_contig_kind,
};

/*
 * Create a buffer and hand it to userspace: the name is read (and refused if
 * too long) before anything is allocated.
 */
static long dmx_ctl_export(const struct dmx_kind *kind, u64 len, u32 fd_flags,
			   const void *args, u64 uname, void __user *uarg,
			   void *karg, size_t ksize, u32 *fd_field)
{
	struct dma_buf *dmabuf;
	char *name = NULL;
	long ret;

	if (uname) {
		/* -EINVAL when too long, -EFAULT when unreadable. */
		name = strndup_user(u64_to_user_ptr(uname),
				    DMABUF_EXPORTER_NAME_LEN);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}

	dmabuf = dmx_buffer_create(kind, len, fd_flags, args);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out_free_name;
	}
	if (name) {
		/* debugfs may already read it: the core's lock for names. */
		spin_lock(&dmabuf->name_lock);
		dmabuf->name = name;
		spin_unlock(&dmabuf->name_lock);
		name = NULL;
	}
	ret = dmx_install_fd(dmabuf, fd_flags, uarg, karg, ksize, fd_field);
	if (ret > 0)
		ret = 0;
out_free_name:
	kfree(name);
	return ret;
}

static long dmx_ctl_alloc(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_alloc req;
	const struct dmx_kind *kind;
	long ret;

	ret = dmx_copy_struct_from_user(&req, sizeof(req), uarg, cmd);
	if (ret)
		return ret;
	if (req.flags || req.fd || req.kind >= DMABUF_EXPORTER_KIND_COUNT ||
	    (req.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS) ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;

	kind = dmx_kinds[array_index_nospec(req.kind, DMABUF_EXPORTER_KIND_COUNT)];
	return dmx_ctl_export(kind, req.size, req.fd_flags, NULL, req.name,
			      uarg, &req, sizeof(req), &req.fd);
}

static long dmx_ctl_import_user(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_import_user req;
	struct dmx_user_args args;
	long ret;

	ret = dmx_copy_struct_from_user(&req, sizeof(req), uarg, cmd);
	if (ret)
		return ret;
	if ((req.flags & ~DMABUF_EXPORTER_IMPORT_WRITE) || req.fd || req.pad ||
	    (req.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS) ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	/* A read-only pin cannot back a writable file. */
	if (!(req.flags & DMABUF_EXPORTER_IMPORT_WRITE) &&
	    (req.fd_flags & O_ACCMODE) != O_RDONLY)
		return -EINVAL;
	if (!req.len || !PAGE_ALIGNED(req.addr) || !PAGE_ALIGNED(req.len) ||
	    req.addr + req.len < req.addr || req.addr + req.len > TASK_SIZE)
		return -EINVAL;

	args.addr = req.addr;
	args.write = req.flags & DMABUF_EXPORTER_IMPORT_WRITE;
	return dmx_ctl_export(&dmx_user_kind, req.len, req.fd_flags, &args,
			      req.name, uarg, &req, sizeof(req), &req.fd);
}

/*
 * The buffer of one of our dma-buf fds, with a reference the caller drops
 * with dma_buf_put(*@dmabuf): -EBADF for a closed fd, -EINVAL for a file
 * that is no dma-buf or another exporter's.
 */
static struct dmx_buffer *dmx_get_buffer(u32 fd, struct dma_buf **dmabuf)
{
	struct dmx_buffer *buf;

	*dmabuf = dma_buf_get((int)fd);
	if (IS_ERR(*dmabuf))
		return ERR_CAST(*dmabuf);
	buf = dmx_buffer_of(*dmabuf);
	if (!buf) {
		dma_buf_put(*dmabuf);
		return ERR_PTR(-EINVAL);
	}
	return buf;
}

/* Physically contiguous runs of pages in @sgt. */
static u32 dmx_count_segments(const struct sg_table *sgt)
{
	phys_addr_t end = 0;
	struct scatterlist *sg;
	u32 n = 0;
	int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (!n || sg_phys(sg) != end)
			n++;
		end = sg_phys(sg) + sg->length;
	}
	return n;
}

/* Copy @name to a user buffer of @len bytes, cut to fit, NUL-terminated. */
static int dmx_copy_name(u64 uptr, u32 len, const char *name)
{
	char __user *dst = u64_to_user_ptr(uptr);
	size_t n;

	if (!uptr || !len)
		return 0;
	n = min_t(size_t, strlen(name), len - 1);
	if (copy_to_user(dst, name, n) || put_user('\0', dst + n))
		return -EFAULT;
	return 0;
}

/*
 * DMABUF_EXPORTER_IOCTL_SYNC_RANGE, on every node: the flags as
 * DMA_BUF_IOCTL_SYNC takes them, and the range checked against the buffer
 * before anything is synced.
 */
static long dmx_sync_range_ioctl(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_sync_range req;
	struct dmx_buffer *buf;
	struct dma_buf *dmabuf;
	u64 end;
	long ret;

	ret = dmx_copy_struct_from_user(&req, sizeof(req), uarg, cmd);
	if (ret)
		return ret;
	if ((req.flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) ||
	    !(req.flags & DMA_BUF_SYNC_RW) || req.pad ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if (!req.length || check_add_overflow(req.offset, req.length, &end))
		return -EINVAL;

	buf = dmx_get_buffer(req.fd, &dmabuf);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (end > buf->size) {
		ret = -EINVAL;
		goto out_put;
	}
	ret = dmx_buffer_sync_range(buf, req.offset, req.length,
				    req.flags & DMA_BUF_SYNC_END,
				    req.flags & DMA_BUF_SYNC_WRITE);
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static long dmx_node_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	const struct dmx_kind *kind = dmx_node_kind(file);
	void __user *uarg = (void __user *)arg;

	switch (DMX_IOC_BASE(cmd)) {
	case DMX_IOC_BASE(DMA_HEAP_IOCTL_ALLOC):
		return dmx_heap_alloc_ioctl(kind, cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_INFO):
		return dmx_info_ioctl(cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_SYNC_RANGE):
		return dmx_sync_range_ioctl(cmd, uarg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations dmx_node_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dmx_node_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static long dmx_ctl_query(unsigned int cmd, void __user *uarg)
{
	char name[DMABUF_EXPORTER_NAME_LEN];
	struct dmabuf_exporter_query q;
	struct dmx_buffer *buf;
	struct dma_buf *dmabuf;
	long ret;

	ret = dmx_copy_struct_from_user(&q, sizeof(q), uarg, cmd);
	if (ret)
		return ret;
	if (q.flags || memchr_inv(q.reserved, 0, sizeof(q.reserved)))
		return -EINVAL;

	buf = dmx_get_buffer(q.fd, &dmabuf);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	q.kind = buf->kind->id;
	q.size = buf->size;
	q.segments = dmx_count_segments(&buf->sgt);
	mutex_lock(&buf->lock);
	q.attachments = buf->nr_attachments;
	q.mapped_attachments = buf->nr_mapped;
	q.vmaps = buf->vmap_count;
	mutex_unlock(&buf->lock);
	q.mmaps = atomic_read(&buf->mmap_count);

	q.out_flags = 0;
	q.bus_addr = 0;
	if (buf->kind->contiguous && capable(CAP_SYS_RAWIO)) {
		q.bus_addr = buf->dma_addr;
		q.out_flags |= DMABUF_EXPORTER_QUERY_BUS_ADDR;
	}

	spin_lock(&dmabuf->name_lock);
	strscpy(name, dmabuf->name ?: "", sizeof(name));
	spin_unlock(&dmabuf->name_lock);
	ret = dmx_copy_name(q.name, q.name_len, name);
	if (ret)
		goto out_put;

	if (copy_to_user(uarg, &q, sizeof(q)))
		ret = -EFAULT;
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static long dmx_ctl_inject(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_inject req;
	struct dmx_buffer *buf;
	struct dma_buf *dmabuf;
	long ret;

	if (!dmx_test_mode())
		return -EPERM;
	ret = dmx_copy_struct_from_user(&req, sizeof(req), uarg, cmd);
	if (ret)
		return ret;
	/* 512 and up are the kernel's own codes (ERESTARTSYS...), not errnos. */
	if (req.op >= DMABUF_EXPORTER_OP_COUNT ||
	    (req.count && (req.error < 1 || req.error >= ERESTARTSYS)) ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;

	buf = dmx_get_buffer(req.fd, &dmabuf);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	dmx_inject(&buf->counters,
		   array_index_nospec(req.op, DMABUF_EXPORTER_OP_COUNT),
		   req.count, req.error);
	dma_buf_put(dmabuf);
	return 0;
}

static long dmx_ctl_counters(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_counters out;
	struct dmx_buffer *buf;
	struct dma_buf *dmabuf;
	long ret;

	ret = dmx_copy_struct_from_user(&out, sizeof(out), uarg, cmd);
	if (ret)
		return ret;
	if (out.flags || memchr_inv(out.reserved, 0, sizeof(out.reserved)))
		return -EINVAL;

	buf = dmx_get_buffer(out.fd, &dmabuf);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	dmx_counters_read(&buf->counters, &out);
	dma_buf_put(dmabuf);

	if (copy_to_user(uarg, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}

/* udmabuf's ABI returns the new fd. */
static long dmx_ctl_udmabuf(unsigned int cmd, void __user *uarg)
{
	struct dma_buf *dmabuf;
	u32 fd_flags;

	dmabuf = dmx_udmabuf_create(cmd, uarg, &fd_flags);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	return dmx_install_fd(dmabuf, fd_flags, NULL, NULL, 0, NULL);
}

static long dmx_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* udmabuf's structs never grow: exact numbers, as udmabuf matches. */
	if (cmd == UDMABUF_CREATE || cmd == UDMABUF_CREATE_LIST)
		return dmx_ctl_udmabuf(cmd, uarg);

	switch (DMX_IOC_BASE(cmd)) {
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_ALLOC):
		return dmx_ctl_alloc(cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_QUERY):
		return dmx_ctl_query(cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_IMPORT_USER):
		return dmx_ctl_import_user(cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_INJECT):
		return dmx_ctl_inject(cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_COUNTERS):
		return dmx_ctl_counters(cmd, uarg);

	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_INFO):
		return dmx_info_ioctl(cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_SYNC_RANGE):
		return dmx_sync_range_ioctl(cmd, uarg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations dmx_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dmx_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
