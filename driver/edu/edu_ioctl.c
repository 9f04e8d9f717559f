// SPDX-License-Identifier: GPL-2.0-only
/*
 * The node /dev/dmabuf-exporter/eduN: open/release and the ioctls of
 * <linux/dmabuf_exporter_edu.h>. Every argument is checked before anything
 * is looked up, and every lookup before anything is attached or started.
 */

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/dmabuf_exporter_edu.h>

#include "edu.h"

/* The ioctl number without its size field, for structs that may grow. */
#define EDU_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/*
 * Read a struct that may grow: shorter than ours is refused (EINVAL), a
 * longer one must have a zero tail (E2BIG).
 */
static int edu_copy_in(void *karg, size_t ksize, void __user *uarg,
		       size_t usize)
{
	if (usize < ksize)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

/* Take the device lock; fails once the device is unbound. */
static int edu_lock(struct edu_dev *edu)
{
	if (mutex_lock_interruptible(&edu->lock))
		return -ERESTARTSYS;
	if (edu->gone) {
		mutex_unlock(&edu->lock);
		return -ENODEV;
	}
	return 0;
}

/* [off, off + len) within [0, size), without overflow. */
static bool edu_range_ok(u64 off, u64 len, u64 size)
{
	return len && off <= size && len <= size - off;
}

static int edu_ioctl_info(struct edu_file *ef, void __user *uarg,
			  size_t usize)
{
	struct dmabuf_exporter_edu_info info;
	struct edu_dev *edu = ef->edu;
	int ret;

	ret = edu_copy_in(&info, sizeof(info), uarg, usize);
	if (ret)
		return ret;
	if (info.flags || info.pad ||
	    memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	/* No lock: this must not wait behind a call that waits for fences. */
	if (READ_ONCE(edu->gone))
		return -ENODEV;
	info.api_version = DMABUF_EXPORTER_EDU_API_VERSION;
	info.devbuf_size = EDU_DEVBUF_USABLE;
	info.dma_bits = edu->dma_bits;
	info.transfers = atomic64_read(&edu->transfers);
	info.max_handles = EDU_MAX_HANDLES;

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/*
 * Userspace <-> device buffer, through the coherent bounce buffer: coherent
 * memory needs no sync, so this path shows the device's buffer as it is.
 */
static int edu_ioctl_devbuf(struct edu_file *ef, void __user *uarg,
			    size_t usize, bool to_device)
{
	struct dmabuf_exporter_edu_devbuf io;
	struct edu_dev *edu = ef->edu;
	void __user *data;
	u64 dev;
	int ret;

	ret = edu_copy_in(&io, sizeof(io), uarg, usize);
	if (ret)
		return ret;
	if (io.flags || io.pad || memchr_inv(io.reserved, 0, sizeof(io.reserved)))
		return -EINVAL;
	if (!edu_range_ok(io.offset, io.len, EDU_DEVBUF_USABLE))
		return -EINVAL;
	data = u64_to_user_ptr(io.data);
	dev = EDU_DEVBUF_ADDR + io.offset;

	ret = edu_lock(edu);
	if (ret)
		return ret;
	if (to_device) {
		if (copy_from_user(edu->bounce + io.offset, data, io.len)) {
			ret = -EFAULT;
			goto unlock;
		}
		ret = edu_dma_transfer(edu, edu->bounce_dma + io.offset, dev,
				       io.len, false);
	} else {
		ret = edu_dma_transfer(edu, dev, edu->bounce_dma + io.offset,
				       io.len, true);
		if (!ret && copy_to_user(data, edu->bounce + io.offset, io.len))
			ret = -EFAULT;
	}
unlock:
	mutex_unlock(&edu->lock);
	return ret;
}

/* READ_DMABUF (dma-buf -> device buffer) and WRITE_DMABUF (the reverse). */
static int edu_ioctl_xfer(struct edu_file *ef, void __user *uarg,
			  size_t usize, bool dev_writes)
{
	struct dmabuf_exporter_edu_xfer x;
	struct edu_dev *edu = ef->edu;
	struct edu_op op = {};
	struct edu_buf buf;
	int ret;

	ret = edu_copy_in(&x, sizeof(x), uarg, usize);
	if (ret)
		return ret;
	if ((x.flags & ~DMABUF_EXPORTER_EDU_HANDLE) ||
	    memchr_inv(x.reserved, 0, sizeof(x.reserved)))
		return -EINVAL;
	if (!edu_range_ok(x.dev_offset, x.len, EDU_DEVBUF_USABLE))
		return -EINVAL;

	ret = edu_lock(edu);
	if (ret)
		return ret;
	ret = edu_buf_get(ef, x.buf, x.flags & DMABUF_EXPORTER_EDU_HANDLE,
			  dev_writes, &buf);
	if (ret)
		goto unlock;
	if (!edu_range_ok(x.offset, x.len, buf.dmabuf->size)) {
		ret = -EINVAL;
		goto put;
	}

	op.len = x.len;
	op.dev_off = x.dev_offset;
	if (dev_writes) {
		op.dst = &buf;
		op.dst_off = x.offset;
	} else {
		op.src = &buf;
		op.src_off = x.offset;
	}
	ret = edu_op_run(edu, &op);
put:
	edu_buf_put(&buf);
unlock:
	mutex_unlock(&edu->lock);
	return ret;
}

static int edu_ioctl_copy(struct edu_file *ef, void __user *uarg, size_t usize)
{
	const u32 known = DMABUF_EXPORTER_EDU_SRC_HANDLE |
			  DMABUF_EXPORTER_EDU_DST_HANDLE;
	struct dmabuf_exporter_edu_copy c;
	struct edu_dev *edu = ef->edu;
	struct edu_buf src, dst;
	struct edu_op op = {};
	int ret;

	ret = edu_copy_in(&c, sizeof(c), uarg, usize);
	if (ret)
		return ret;
	if ((c.flags & ~known) || c.pad ||
	    memchr_inv(c.reserved, 0, sizeof(c.reserved)) || !c.len)
		return -EINVAL;

	ret = edu_lock(edu);
	if (ret)
		return ret;
	ret = edu_buf_get(ef, c.src, c.flags & DMABUF_EXPORTER_EDU_SRC_HANDLE,
			  false, &src);
	if (ret)
		goto unlock;
	ret = edu_buf_get(ef, c.dst, c.flags & DMABUF_EXPORTER_EDU_DST_HANDLE,
			  true, &dst);
	if (ret)
		goto put_src;
	if (!edu_range_ok(c.src_offset, c.len, src.dmabuf->size) ||
	    !edu_range_ok(c.dst_offset, c.len, dst.dmabuf->size)) {
		ret = -EINVAL;
		goto put_dst;
	}

	op.src = &src;
	op.dst = &dst;
	op.src_off = c.src_offset;
	op.dst_off = c.dst_offset;
	op.len = c.len;
	if (src.dmabuf == dst.dmabuf) {
		/* Pieces go through the device buffer: no overlap allowed. */
		if (c.src_offset < c.dst_offset + c.len &&
		    c.dst_offset < c.src_offset + c.len) {
			ret = -EINVAL;
			goto put_dst;
		}
		/* One attachment, mapped both ways. */
		op.dst = &src;
	}
	ret = edu_op_run(edu, &op);
put_dst:
	edu_buf_put(&dst);
put_src:
	edu_buf_put(&src);
unlock:
	mutex_unlock(&edu->lock);
	return ret;
}

static int edu_ioctl_attach(struct edu_file *ef, void __user *uarg,
			    size_t usize)
{
	struct dmabuf_exporter_edu_attach a;
	struct edu_dev *edu = ef->edu;
	struct dma_buf *dmabuf;
	struct edu_handle *h;
	u32 id;
	int ret;

	ret = edu_copy_in(&a, sizeof(a), uarg, usize);
	if (ret)
		return ret;
	if (a.flags || a.pad || memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;

	ret = edu_lock(edu);
	if (ret)
		return ret;
	dmabuf = dma_buf_get((int)a.fd);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto unlock;
	}
	/* One mapping per dma-buf and device: see edu_dev_find_handle(). */
	if (edu_dev_find_handle(edu, dmabuf)) {
		ret = -EEXIST;
		goto put;
	}
	/* Reserve the id first, so a full table fails before any mapping. */
	ret = xa_alloc(&ef->handles, &id, NULL, XA_LIMIT(1, EDU_MAX_HANDLES),
		       GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto put;
	}
	h = edu_handle_create(edu, dmabuf);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		goto release_id;
	}
	/* Fills the reserved slot: nothing to allocate, but check anyway. */
	ret = xa_err(xa_store(&ef->handles, id, h, GFP_KERNEL));
	if (ret) {
		edu_handle_destroy(h);
		goto release_id;
	}

	a.handle = id;
	a.size = dmabuf->size;
	if (copy_to_user(uarg, &a, sizeof(a))) {
		/* Nobody could name the handle: undo it. */
		ret = -EFAULT;
		edu_handle_destroy(h);
		goto release_id;
	}
	goto put;

release_id:
	xa_erase(&ef->handles, id);
put:
	dma_buf_put(dmabuf);
unlock:
	mutex_unlock(&edu->lock);
	return ret;
}

static int edu_ioctl_detach(struct edu_file *ef, void __user *uarg,
			    size_t usize)
{
	struct dmabuf_exporter_edu_detach d;
	struct edu_dev *edu = ef->edu;
	struct edu_handle *h;
	int ret;

	ret = edu_copy_in(&d, sizeof(d), uarg, usize);
	if (ret)
		return ret;
	if (d.flags || memchr_inv(d.reserved, 0, sizeof(d.reserved)))
		return -EINVAL;

	ret = edu_lock(edu);
	if (ret)
		return ret;
	h = xa_erase(&ef->handles, d.handle);
	if (h)
		edu_handle_destroy(h);
	else
		ret = -ENOENT;
	mutex_unlock(&edu->lock);
	return ret;
}

static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_file *ef = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	switch (EDU_IOC_BASE(cmd)) {
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_INFO):
		return edu_ioctl_info(ef, uarg, usize);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE):
		return edu_ioctl_devbuf(ef, uarg, usize, true);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ):
		return edu_ioctl_devbuf(ef, uarg, usize, false);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF):
		return edu_ioctl_xfer(ef, uarg, usize, false);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF):
		return edu_ioctl_xfer(ef, uarg, usize, true);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_COPY):
		return edu_ioctl_copy(ef, uarg, usize);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_ATTACH):
		return edu_ioctl_attach(ef, uarg, usize);
	case EDU_IOC_BASE(DMABUF_EXPORTER_EDU_IOCTL_DETACH):
		return edu_ioctl_detach(ef, uarg, usize);
	default:
		return -ENOTTY;
	}
}

static int edu_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice here. */
	struct edu_dev *edu = container_of(file->private_data, struct edu_dev,
					   misc);
	struct edu_file *ef;
	int ret;

	ef = kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef)
		return -ENOMEM;
	xa_init_flags(&ef->handles, XA_FLAGS_ALLOC1);
	ef->edu = edu;

	ret = edu_lock(edu);
	if (ret)
		goto err_free;
	kref_get(&edu->ref);
	list_add(&ef->node, &edu->files);
	mutex_unlock(&edu->lock);

	file->private_data = ef;
	return 0;

err_free:
	kfree(ef);
	return ret;
}

static int edu_release(struct inode *inode, struct file *file)
{
	struct edu_file *ef = file->private_data;
	struct edu_dev *edu = ef->edu;

	/* After remove() the table is empty already. */
	mutex_lock(&edu->lock);
	edu_file_drop_handles(ef);
	list_del(&ef->node);
	mutex_unlock(&edu->lock);

	xa_destroy(&ef->handles);
	kfree(ef);
	edu_dev_put(edu);
	return 0;
}

const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
