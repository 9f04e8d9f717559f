// SPDX-License-Identifier: GPL-2.0-only
/*
 * The importer proper: how a device driver uses a dma-buf that someone else
 * exported. This is the part to copy.
 *
 * One call, step by step (edu_op_run()):
 *
 *  1. dma_buf_get(fd)            take a reference; EBADF / EINVAL come from
 *                                here. Check the fd's access mode and every
 *                                offset against dmabuf->size before acting.
 *  2. dma_buf_attach(dev)        tell the exporter which device will access
 *                                the buffer (it may have to allocate per-device
 *                                state, or refuse).
 *  3. fences                     under the reservation lock(s): collect the
 *                                fences we must wait for (readers wait for
 *                                writers, writers wait for everyone), publish
 *                                our own fence (READ usage for what the device
 *                                reads, WRITE for what it writes), unlock,
 *                                then wait for the collected ones.
 *  4. dma_buf_map_attachment     only now: with bounce buffers, mapping copies
 *                                the pages, so the producer must be done.
 *  5. program the device         one transfer per piece of a DMA segment (the
 *                                device takes at most its buffer size), using
 *                                sg_dma_address()/sg_dma_len() only: the
 *                                page side of the table is the exporter's.
 *  6. dma_buf_unmap_attachment   with bounce buffers this copies what the
 *                                device wrote into the pages...
 *  7. signal our fence           ...so only now may waiters look.
 *  8. dma_buf_detach, dma_buf_put.
 *
 * A persistent attachment (edu_handle) does 1, 2 and 4 once and 6, 8 at
 * DETACH; in between the exporter's begin/end_cpu_access (userspace's
 * DMA_BUF_IOCTL_SYNC) is what moves data between CPU and device.
 */

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/stddef.h>

#include "edu.h"

/*
 * Fences of this driver. They can outlive the device (a sync_file exported
 * from a dma-buf holds one), so each has its own lock and holds a module
 * reference: the ops table and the release function live in this module.
 */
struct edu_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's lock */
};

static const char *edu_fence_driver_name(struct dma_fence *fence)
{
	return KBUILD_MODNAME;
}

static const char *edu_fence_timeline_name(struct dma_fence *fence)
{
	return "edu-dma";
}

/*
 * The module reference goes from an RCU callback: module exit waits for
 * those with rcu_barrier(), so no CPU is still in our text after rmmod.
 */
static void edu_fence_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct edu_fence, base.rcu));
	module_put(THIS_MODULE);
}

static void edu_fence_release(struct dma_fence *fence)
{
	call_rcu(&fence->rcu, edu_fence_free_rcu);
}

static const struct dma_fence_ops edu_fence_ops = {
	.get_driver_name = edu_fence_driver_name,
	.get_timeline_name = edu_fence_timeline_name,
	.release = edu_fence_release,
};

static struct dma_fence *edu_fence_create(struct edu_dev *edu)
{
	struct edu_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &edu_fence_ops, &f->lock, edu->fence_ctx,
		       ++edu->fence_seqno);
	return &f->base;
}

/**
 * struct edu_sync - implicit synchronisation of one call
 * @fence:	our fence, signalled when the call is over.
 * @published:	@fence is in the reservation objects below.
 * @count:	reservation objects in @obj (the two ends of a copy inside one
 *		dma-buf share one).
 * @obj:	per reservation object: @resv, the @usage our fence is added
 *		with, and the fences we wait for (@deps, @ndeps).
 */
struct edu_sync {
	struct dma_fence *fence;
	bool published;
	unsigned int count;
	struct {
		struct dma_resv *resv;
		enum dma_resv_usage usage;
		struct dma_fence **deps;
		unsigned int ndeps;
	} obj[2];
};

static void edu_sync_add(struct edu_sync *s, struct edu_buf *buf,
			 enum dma_resv_usage usage)
{
	unsigned int i;

	if (!buf)
		return;
	for (i = 0; i < s->count; i++) {
		if (s->obj[i].resv == buf->dmabuf->resv) {
			/* Read and written: WRITE covers both. */
			if (usage == DMA_RESV_USAGE_WRITE)
				s->obj[i].usage = usage;
			return;
		}
	}
	s->obj[s->count].resv = buf->dmabuf->resv;
	s->obj[s->count].usage = usage;
	s->count++;
}

/* Lock one or two reservation objects with the wound-wait protocol. */
static int edu_sync_lock(struct edu_sync *s, struct ww_acquire_ctx *ctx)
{
	struct dma_resv *held = s->obj[0].resv;
	struct dma_resv *next = s->count > 1 ? s->obj[1].resv : NULL;
	int ret;

	ww_acquire_init(ctx, &reservation_ww_class);
	ret = dma_resv_lock_interruptible(held, ctx);
	if (ret)
		goto err_fini;
	while (next) {
		ret = dma_resv_lock_interruptible(next, ctx);
		if (ret != -EDEADLK)
			break;
		/* An older context holds it: back off, wait for it, retry. */
		dma_resv_unlock(held);
		ret = dma_resv_lock_slow_interruptible(next, ctx);
		if (ret)
			goto err_fini;
		swap(held, next);
	}
	if (ret) {
		dma_resv_unlock(held);
		goto err_fini;
	}
	ww_acquire_done(ctx);
	return 0;

err_fini:
	ww_acquire_fini(ctx);
	/* Interrupted: the whole call can be repeated. */
	return ret == -EINTR ? -ERESTARTSYS : ret;
}

static void edu_sync_unlock(struct edu_sync *s, struct ww_acquire_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < s->count; i++)
		dma_resv_unlock(s->obj[i].resv);
	ww_acquire_fini(ctx);
}

/*
 * Collect what to wait for and publish our fence, atomically over all the
 * buffers of the call: a call that published its fence on one buffer before
 * collecting another's could wait for a call that waits for it.
 */
static int edu_sync_begin(struct edu_dev *edu, struct edu_op *op,
			  struct edu_sync *s)
{
	struct ww_acquire_ctx ctx;
	unsigned int i;
	int ret;

	edu_sync_add(s, op->src, DMA_RESV_USAGE_READ);
	edu_sync_add(s, op->dst, DMA_RESV_USAGE_WRITE);

	s->fence = edu_fence_create(edu);
	if (!s->fence)
		return -ENOMEM;

	ret = edu_sync_lock(s, &ctx);
	if (ret)
		return ret;
	for (i = 0; i < s->count; i++) {
		bool write = s->obj[i].usage == DMA_RESV_USAGE_WRITE;

		/* A reader waits for writers, a writer for everyone. */
		ret = dma_resv_get_fences(s->obj[i].resv, dma_resv_usage_rw(write),
					  &s->obj[i].ndeps, &s->obj[i].deps);
		if (ret)
			goto unlock;
		ret = dma_resv_reserve_fences(s->obj[i].resv, 1);
		if (ret)
			goto unlock;
	}
	for (i = 0; i < s->count; i++)
		dma_resv_add_fence(s->obj[i].resv, s->fence, s->obj[i].usage);
	s->published = true;
unlock:
	edu_sync_unlock(s, &ctx);
	return ret;
}

static int edu_sync_wait(struct edu_sync *s)
{
	long left = msecs_to_jiffies(max(READ_ONCE(edu_fence_timeout_ms), 1U));
	unsigned int i, j;

	for (i = 0; i < s->count; i++) {
		for (j = 0; j < s->obj[i].ndeps; j++) {
			left = dma_fence_wait_timeout(s->obj[i].deps[j], true, left);
			if (left < 0)
				return left;
			if (!left)
				return -ETIMEDOUT;
		}
	}
	return 0;
}

/*
 * Signal our fence, also on failure (with the error), or everybody waiting
 * for the buffer would hang. Then swap it in the reservation objects for the
 * always-signalled stub fence: otherwise buffers that live on would keep a
 * fence of this module (and with it the module) around.
 */
static void edu_sync_end(struct edu_sync *s, int err)
{
	struct dma_fence *stub;
	unsigned int i, j;

	if (!s->fence)
		return;
	if (err)
		dma_fence_set_error(s->fence, err == -ERESTARTSYS ? -EINTR : err);
	dma_fence_signal(s->fence);

	if (s->published) {
		stub = dma_fence_get_stub();
		for (i = 0; i < s->count; i++) {
			dma_resv_lock(s->obj[i].resv, NULL);
			dma_resv_replace_fences(s->obj[i].resv, s->fence->context,
						stub, s->obj[i].usage);
			dma_resv_unlock(s->obj[i].resv);
		}
		dma_fence_put(stub);
	}

	for (i = 0; i < s->count; i++) {
		for (j = 0; j < s->obj[i].ndeps; j++)
			dma_fence_put(s->obj[i].deps[j]);
		kfree(s->obj[i].deps);
	}
	dma_fence_put(s->fence);
}

/**
 * edu_buf_get() - look up a dma-buf named by fd or handle
 * @ef:		the open node.
 * @id:		dma-buf fd, or handle.
 * @is_handle:	@id is a handle.
 * @write:	the device will write the buffer (else read it).
 * @buf:	filled in; release with edu_buf_put().
 *
 * Only looks up and checks: nothing is attached yet.
 *
 * Return: 0, -EBADF (bad fd, or fd not open for that access), -EINVAL (not a
 * dma-buf), -ENOENT (unknown handle).
 */
int edu_buf_get(struct edu_file *ef, u32 id, bool is_handle, bool write,
		struct edu_buf *buf)
{
	struct edu_handle *h = NULL;
	struct dma_buf *dmabuf;
	int ret = 0;

	memset(buf, 0, sizeof(*buf));
	if (is_handle) {
		h = xa_load(&ef->handles, id);
		if (!h)
			return -ENOENT;
		dmabuf = h->dmabuf;
		get_dma_buf(dmabuf);
	} else {
		/* A u32 above INT_MAX becomes negative: EBADF, as it should. */
		dmabuf = dma_buf_get((int)id);
		if (IS_ERR(dmabuf))
			return PTR_ERR(dmabuf);
		/*
		 * Attached already (through any node of the device): use that
		 * mapping. With bounce buffers a second mapping is a second
		 * copy, and syncing one for the CPU would overwrite what the
		 * device wrote through the other.
		 */
		h = edu_dev_find_handle(ef->edu, dmabuf);
	}

	/* Like write(2): the device writes only through a writable fd. */
	if (!(dmabuf->file->f_mode & (write ? FMODE_WRITE : FMODE_READ))) {
		ret = -EBADF;
		goto out;
	}
	buf->dmabuf = dmabuf;
	buf->handle = h;
	if (h)
		buf->sgt = h->sgt;
out:
	if (ret)
		dma_buf_put(dmabuf);
	return ret;
}

void edu_buf_put(struct edu_buf *buf)
{
	if (buf->dmabuf)
		dma_buf_put(buf->dmabuf);
	buf->dmabuf = NULL;
}

static int edu_buf_attach(struct edu_dev *edu, struct edu_buf *buf)
{
	struct dma_buf_attachment *attach;

	if (!buf || buf->handle)
		return 0;
	attach = dma_buf_attach(buf->dmabuf, &edu->pdev->dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	buf->attach = attach;
	return 0;
}

static void edu_buf_detach(struct edu_buf *buf)
{
	if (!buf || !buf->attach)
		return;
	dma_buf_detach(buf->dmabuf, buf->attach);
	buf->attach = NULL;
}

static int edu_buf_map(struct edu_buf *buf, enum dma_data_direction dir)
{
	struct sg_table *sgt;

	if (!buf || buf->handle)
		return 0;
	sgt = dma_buf_map_attachment_unlocked(buf->attach, dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	buf->sgt = sgt;
	buf->dir = dir;
	return 0;
}

static void edu_buf_unmap(struct edu_buf *buf)
{
	if (!buf || buf->handle || !buf->sgt)
		return;
	dma_buf_unmap_attachment_unlocked(buf->attach, buf->sgt, buf->dir);
	buf->sgt = NULL;
}

static int edu_op_attach(struct edu_dev *edu, struct edu_op *op)
{
	int ret;

	ret = edu_buf_attach(edu, op->src);
	if (ret)
		return ret;
	if (op->dst == op->src)
		return 0;
	ret = edu_buf_attach(edu, op->dst);
	if (ret)
		edu_buf_detach(op->src);
	return ret;
}

static void edu_op_detach(struct edu_op *op)
{
	edu_buf_detach(op->src);
	if (op->dst != op->src)
		edu_buf_detach(op->dst);
}

/*
 * Map in the direction of the data: TO_DEVICE what the device reads,
 * FROM_DEVICE what it writes, BIDIRECTIONAL for both ends in one buffer.
 */
static int edu_op_map(struct edu_op *op)
{
	int ret;

	if (op->src && op->src == op->dst)
		return edu_buf_map(op->src, DMA_BIDIRECTIONAL);
	ret = edu_buf_map(op->src, DMA_TO_DEVICE);
	if (ret)
		return ret;
	ret = edu_buf_map(op->dst, DMA_FROM_DEVICE);
	if (ret)
		edu_buf_unmap(op->src);
	return ret;
}

static void edu_op_unmap(struct edu_op *op)
{
	edu_buf_unmap(op->dst);
	if (op->src != op->dst)
		edu_buf_unmap(op->src);
}

/*
 * Move @len bytes between the device buffer at @dev_off and the mapped
 * dma-buf at @off: one transfer per piece of a DMA segment. Segments are
 * contiguous only in the device's address space, and only the DMA side of
 * the table is ours to read.
 */
static int edu_xfer_sg(struct edu_dev *edu, struct sg_table *sgt, u64 off,
		       u32 dev_off, u32 len, bool to_ram)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 seg = sg_dma_len(sg);
		u64 mem, dev;
		u32 n;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = min_t(u64, seg - off, len);
		mem = sg_dma_address(sg) + off;
		dev = EDU_DEVBUF_ADDR + dev_off;
		if (to_ram)
			ret = edu_dma_transfer(edu, dev, mem, n, true);
		else
			ret = edu_dma_transfer(edu, mem, dev, n, false);
		if (ret)
			return ret;
		len -= n;
		dev_off += n;
		off = 0;
		if (!len)
			return 0;
	}
	/* The exporter's table covers less than the dma-buf's size. */
	return -EIO;
}

static int edu_op_transfer(struct edu_dev *edu, struct edu_op *op)
{
	u64 done;
	u32 n;
	int ret;

	if (!op->dst)
		return edu_xfer_sg(edu, op->src->sgt, op->src_off, op->dev_off,
				   op->len, false);
	if (!op->src)
		return edu_xfer_sg(edu, op->dst->sgt, op->dst_off, op->dev_off,
				   op->len, true);

	/* A copy stages each piece in the device buffer. */
	for (done = 0; done < op->len; done += n) {
		n = min_t(u64, op->len - done, EDU_DEVBUF_USABLE);
		ret = edu_xfer_sg(edu, op->src->sgt, op->src_off + done, 0, n,
				  false);
		if (ret)
			return ret;
		ret = edu_xfer_sg(edu, op->dst->sgt, op->dst_off + done, 0, n,
				  true);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * edu_op_run() - run one call: attach, fence, wait, map, transfer, unmap,
 * signal, detach
 * @edu:	the device; its lock is held.
 * @op:		the call, validated: ranges lie within the buffers.
 *
 * Return: 0 or a negative errno; nothing stays attached or mapped, and our
 * fence is signalled either way.
 */
int edu_op_run(struct edu_dev *edu, struct edu_op *op)
{
	struct edu_sync sync = {};
	int ret;

	lockdep_assert_held(&edu->lock);

	ret = edu_op_attach(edu, op);
	if (ret)
		return ret;
	ret = edu_sync_begin(edu, op, &sync);
	if (ret)
		goto out;
	ret = edu_sync_wait(&sync);
	if (ret)
		goto out;
	ret = edu_op_map(op);
	if (ret)
		goto out;
	ret = edu_op_transfer(edu, op);
	edu_op_unmap(op);
out:
	edu_sync_end(&sync, ret);
	edu_op_detach(op);
	return ret;
}

/**
 * edu_handle_create() - attach and map a dma-buf until edu_handle_destroy()
 * @edu:	the device; its lock is held.
 * @dmabuf:	the dma-buf; the handle takes a reference of its own.
 *
 * Waits for pending writes first: with bounce buffers the mapping is a copy
 * of the pages as they are now.
 *
 * Return: the handle or an ERR_PTR.
 */
struct edu_handle *edu_handle_create(struct edu_dev *edu, struct dma_buf *dmabuf)
{
	long timeout = msecs_to_jiffies(max(READ_ONCE(edu_fence_timeout_ms), 1U));
	struct edu_handle *h;
	long left;
	int ret;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);

	left = dma_resv_wait_timeout(dmabuf->resv, DMA_RESV_USAGE_WRITE, true,
				     timeout);
	if (left <= 0) {
		ret = left ? left : -ETIMEDOUT;
		goto err_free;
	}

	h->attach = dma_buf_attach(dmabuf, &edu->pdev->dev);
	if (IS_ERR(h->attach)) {
		ret = PTR_ERR(h->attach);
		goto err_free;
	}
	h->sgt = dma_buf_map_attachment_unlocked(h->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(h->sgt)) {
		ret = PTR_ERR(h->sgt);
		goto err_detach;
	}
	get_dma_buf(dmabuf);
	h->dmabuf = dmabuf;
	return h;

err_detach:
	dma_buf_detach(dmabuf, h->attach);
err_free:
	kfree(h);
	return ERR_PTR(ret);
}

void edu_handle_destroy(struct edu_handle *h)
{
	dma_buf_unmap_attachment_unlocked(h->attach, h->sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(h->dmabuf, h->attach);
	dma_buf_put(h->dmabuf);
	kfree(h);
}

/*
 * The handle through which any open node of the device has @dmabuf
 * attached, or NULL. One mapping per device and buffer: the DMA API does
 * not support overlapping mappings (DMA-API debugging reports them), and
 * with bounce buffers each would be a separate copy.
 */
struct edu_handle *edu_dev_find_handle(struct edu_dev *edu,
				       struct dma_buf *dmabuf)
{
	struct edu_handle *h;
	struct edu_file *ef;
	unsigned long id;

	lockdep_assert_held(&edu->lock);
	list_for_each_entry(ef, &edu->files, node) {
		xa_for_each(&ef->handles, id, h) {
			if (h->dmabuf == dmabuf)
				return h;
		}
	}
	return NULL;
}

/* Detach everything an open node holds (at close, or when unbound). */
void edu_file_drop_handles(struct edu_file *ef)
{
	struct edu_handle *h;
	unsigned long id;

	xa_for_each(&ef->handles, id, h) {
		xa_erase(&ef->handles, id);
		edu_handle_destroy(h);
	}
}
