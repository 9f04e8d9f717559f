// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dmabuf-exporter/ctl: what the dma-heap ABI cannot express. Allocate
 * with kind, size and name in one call; describe any of our buffers; export
 * pinned user memory; and udmabuf's ABI for memfds.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/dma-heap.h>
#include <uapi/linux/udmabuf.h>
#include <linux/dmabuf_exporter.h>

#include "exporter.h"

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
	if (req.op >= DMABUF_EXPORTER_OP_COUNT ||
	    (req.count && (req.error < 1 || req.error > MAX_ERRNO)) ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;

	buf = dmx_get_buffer(req.fd, &dmabuf);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = dmx_inject(buf, array_index_nospec(req.op, DMABUF_EXPORTER_OP_COUNT),
			 req.count, req.error);
	dma_buf_put(dmabuf);
	return ret;
}

static long dmx_ctl_counters(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_counters out;
	struct dmx_counters *c;
	struct dmx_buffer *buf;
	struct dma_buf *dmabuf;
	long ret;
	int i;

	ret = dmx_copy_struct_from_user(&out, sizeof(out), uarg, cmd);
	if (ret)
		return ret;
	if (out.flags || memchr_inv(out.reserved, 0, sizeof(out.reserved)))
		return -EINVAL;

	buf = dmx_get_buffer(out.fd, &dmabuf);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	c = &buf->counters;
	out.attach = atomic64_read(&c->attach);
	out.detach = atomic64_read(&c->detach);
	for (i = 0; i < ARRAY_SIZE(out.map); i++) {
		out.map[i] = atomic64_read(&c->map[i]);
		out.unmap[i] = atomic64_read(&c->unmap[i]);
	}
	out.vmap = atomic64_read(&c->vmap);
	out.vunmap = atomic64_read(&c->vunmap);
	out.begin_cpu_access = atomic64_read(&c->begin_cpu);
	out.end_cpu_access = atomic64_read(&c->end_cpu);
	out.mmap = atomic64_read(&c->mmap);
	spin_lock(&buf->stat_lock);
	out.failed = c->failed;
	spin_unlock(&buf->stat_lock);
	dma_buf_put(dmabuf);

	if (copy_to_user(uarg, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}

static long dmx_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* udmabuf's structs never grow: exact numbers, as udmabuf matches. */
	if (cmd == UDMABUF_CREATE || cmd == UDMABUF_CREATE_LIST)
		return dmx_udmabuf_ioctl(cmd, uarg);

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
