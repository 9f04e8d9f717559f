/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of dmabuf_exporter_edu, the reference dma-buf importer
 * for QEMU's edu device.
 *
 *  - edu_pci.c:    the PCI device: registers, interrupt, one DMA transfer at
 *                  a time, probe/remove, the device's lifetime.
 *  - edu_import.c: the importer proper: dma-buf fd or handle -> attachment ->
 *                  mapping -> fences -> transfers along the sg table -> back.
 *  - edu_ioctl.c:  the node: open/release, uAPI validation, handles.
 *
 * Locking: edu_dev.lock (a mutex) serialises everything that touches the
 * device or the per-file handle tables. It is taken before any dma_resv lock
 * (dma_buf_attach/map/unmap/detach take those internally).
 */
#ifndef DMABUF_EXPORTER_EDU_H
#define DMABUF_EXPORTER_EDU_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

/* Address of the device buffer in the device's DMA address space. */
#define EDU_DEVBUF_ADDR		0x40000
/* The device buffer is 4096 bytes... */
#define EDU_DEVBUF_SIZE		4096
/*
 * ...but QEMU up to at least 7.2 checks a transfer's end against the window
 * off by one and aborts the virtual machine when a transfer reaches the last
 * byte, so the driver never uses it.
 */
#define EDU_DEVBUF_USABLE	(EDU_DEVBUF_SIZE - 1)

/* Persistent attachments one open node may hold. */
#define EDU_MAX_HANDLES		64

/**
 * struct edu_dev - one bound edu device
 * @ref:	counts the bound device and every open file; the struct is
 *		freed when the last goes, which may be after remove().
 * @pdev:	the PCI device (a reference is held).
 * @regs:	BAR 0; valid only while @gone is false.
 * @lock:	serialises device use, @files, @gone, @failed and every
 *		handle table of @files. A call holds it from start to end,
 *		fence waits included: the device runs one call at a time.
 * @files:	open files (struct edu_file), so remove() can drop their
 *		mappings.
 * @gone:	remove() ran: every call fails with -ENODEV. Written under
 *		@lock; INFO reads it without.
 * @failed:	a transfer never finished: the engine cannot be trusted.
 * @wq:		woken by the interrupt handler.
 * @irq_seen:	interrupt status bits the handler acknowledged (self-test).
 * @dma_mask:	mask set with dma_set_mask_and_coherent().
 * @dma_bits:	its width.
 * @bounce:	coherent buffer for DEVBUF_READ/WRITE (device buffer size).
 * @bounce_dma:	its DMA address.
 * @transfers:	transfers started since probe; INFO reads it without @lock,
 *		so a status query never waits behind a call.
 * @fence_ctx:	dma_fence context of this device's transfers.
 * @fence_seqno: last fence sequence number used.
 * @irq:	Linux interrupt number.
 * @id:		N of /dev/dmabuf-exporter/eduN.
 * @misc:	the node.
 * @name:	misc device name (unique in /sys/class/misc).
 * @nodename:	node path below /dev.
 */
struct edu_dev {
	struct kref ref;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex lock;	/* see above */
	struct list_head files;
	bool gone;
	bool failed;
	wait_queue_head_t wq;
	atomic_t irq_seen;
	u64 dma_mask;
	unsigned int dma_bits;
	void *bounce;
	dma_addr_t bounce_dma;
	atomic64_t transfers;
	u64 fence_ctx;
	u64 fence_seqno;
	int irq;
	int id;
	struct miscdevice misc;
	char name[32];
	char nodename[48];
};

/**
 * struct edu_handle - a dma-buf kept attached and mapped between calls
 * @dmabuf:	the dma-buf (a reference is held).
 * @attach:	our attachment.
 * @sgt:	the mapping, DMA_BIDIRECTIONAL.
 */
struct edu_handle {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

/**
 * struct edu_file - one open node
 * @edu:	the device (a reference is held).
 * @node:	entry in edu_dev.files.
 * @handles:	id -> struct edu_handle.
 */
struct edu_file {
	struct edu_dev *edu;
	struct list_head node;
	struct xarray handles;
};

/**
 * struct edu_buf - a dma-buf taking part in one call
 * @dmabuf:	the dma-buf.
 * @handle:	set when borrowed from a handle: attached and mapped already,
 *		not ours to unmap or put.
 * @attach:	attachment made for this call (not for handles).
 * @sgt:	the mapping the device uses.
 * @dir:	direction of the mapping made for this call.
 */
struct edu_buf {
	struct dma_buf *dmabuf;
	struct edu_handle *handle;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

/**
 * struct edu_op - what one call asks the device to do
 * @src:	dma-buf read from, or NULL when the device buffer is the source.
 * @dst:	dma-buf written to, or NULL when the device buffer is the
 *		destination. May equal @src (a copy inside one dma-buf).
 * @src_off:	first byte read from @src.
 * @dst_off:	first byte written to @dst.
 * @dev_off:	first byte of the device buffer (when it is an end).
 * @len:	bytes.
 */
struct edu_op {
	struct edu_buf *src;
	struct edu_buf *dst;
	u64 src_off;
	u64 dst_off;
	u32 dev_off;
	u64 len;
};

/* edu_pci.c */
extern unsigned int edu_dma_timeout_ms;
extern unsigned int edu_fence_timeout_ms;
int edu_dma_transfer(struct edu_dev *edu, u64 src, u64 dst, u32 len,
		     bool to_ram);
void edu_dev_put(struct edu_dev *edu);

/* edu_import.c */
int edu_buf_get(struct edu_file *ef, u32 id, bool is_handle, bool write,
		struct edu_buf *buf);
void edu_buf_put(struct edu_buf *buf);
int edu_op_run(struct edu_dev *edu, struct edu_op *op);
struct edu_handle *edu_handle_create(struct edu_dev *edu,
				     struct dma_buf *dmabuf);
void edu_handle_destroy(struct edu_handle *h);
struct edu_handle *edu_dev_find_handle(struct edu_dev *edu,
				       struct dma_buf *dmabuf);
void edu_file_drop_handles(struct edu_file *ef);

/* edu_ioctl.c */
extern const struct file_operations edu_fops;

#endif /* DMABUF_EXPORTER_EDU_H */
