/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A buffer (struct dmx_buffer) is a set of pages described by one sg_table
 * that only the exporter touches. A memory kind (struct dmx_kind) fills and
 * frees that table; buffer.c implements every dma_buf operation on top of
 * it, so a new kind never touches the dma-buf side.
 */
#ifndef DMABUF_EXPORTER_BUFFER_H
#define DMABUF_EXPORTER_BUFFER_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include "testmode.h"

struct dmx_buffer;

/**
 * struct dmx_kind - a kind of memory the module can allocate
 * @name:	kind name; also the node name under /dev/dmabuf-exporter/.
 * @id:		its enum dmabuf_exporter_kind value.
 * @write_combine: CPU mappings (userspace and vmap) are write-combined.
 * @contiguous:	the pages are physically contiguous (one table entry).
 * @struct_page_mmap: userspace mappings map the pages themselves rather
 *		than their PFNs, so GUP can pin them (O_DIRECT, io_uring
 *		fixed buffers, vmsplice, IMPORT_USER of such a mapping). Only
 *		for cached kinds of ordinary refcounted pages. A pinner's
 *		reference then keeps a page past the buffer's release, so
 *		@free must give each page back by dropping its own reference
 *		(__free_pages(), put_page()), never reuse or recycle a page
 *		whose refcount shows another holder.
 * @alloc:	fill @buf->sgt with @buf->size bytes: zeroed and charged to
 *		the caller's memory cgroup for the allocating kinds, the pages
 *		@args describe for the importing ones. Returns 0 or a negative
 *		errno, and then leaves nothing allocated.
 * @free:	free what @alloc allocated, including the table.
 * @footprint:	optional: the bytes a buffer of @size really takes (counted
 *		against max_total_mb), when that is more than @size.
 * @sync_for_cpu: optional: hand bytes [@offset, @offset + @len) of the
 *		pages from the module's own device to the CPU (begin_cpu_access:
 *		the whole buffer; DMABUF_EXPORTER_IOCTL_SYNC_RANGE: a part), for
 *		a kind that keeps them mapped for that device.
 * @sync_for_device: optional: and back (end_cpu_access).
 */
struct dmx_kind {
	const char *name;
	u32 id;
	bool write_combine;
	bool contiguous;
	bool struct_page_mmap;
	int (*alloc)(struct dmx_buffer *buf, const void *args);
	void (*free)(struct dmx_buffer *buf);
	u64 (*footprint)(u64 size);
	void (*sync_for_cpu)(struct dmx_buffer *buf, size_t offset, size_t len);
	void (*sync_for_device)(struct dmx_buffer *buf, size_t offset,
				size_t len);
};

/**
 * struct dmx_buffer - one exported buffer
 * @kind:	memory kind that owns the pages.
 * @size:	length in bytes, a multiple of PAGE_SIZE.
 * @footprint:	bytes reserved for it under max_total_mb.
 * @sgt:	the exporter's own table of the pages; never handed out.
 * @dma_addr:	for a contiguous kind, its address for the module's device.
 * @priv:	private data of the kind.
 * @read_only:	devices and kernel mappings may only read it (a read-only
 *		user-memory import).
 * @pool_exact:	its pages were allocated uncharged to any memory cgroup, by
 *		a task that may take pages from the zeroed pools (pool.c), so
 *		they may enter the pools when freed.
 * @dmabuf:	the dma-buf exporting this buffer.
 * @ino:	its inode number, kept for listings: the core drops the inode
 *		before it calls release.
 * @node:	entry in the list of live buffers.
 * @lock:	protects the members below it.
 * @attachments: list of struct dmx_attachment.
 * @nr_attachments: length of @attachments.
 * @nr_mapped:	attachments currently mapped for DMA.
 * @vmap_count:	number of active kernel mappings sharing @vaddr.
 * @vaddr:	kernel virtual address while @vmap_count > 0.
 * @counters:	operation counters and injected failures (test mode).
 * @mmap_count:	userspace mappings (VMAs) alive; not under @lock.
 */
struct dmx_buffer {
	const struct dmx_kind *kind;
	size_t size;
	u64 footprint;
	struct sg_table sgt;
	dma_addr_t dma_addr;
	void *priv;
	bool read_only;
	bool pool_exact;
	struct dma_buf *dmabuf;
	u64 ino;
	struct list_head node;
	struct mutex lock;	/* protects the members below */
	struct list_head attachments;
	unsigned int nr_attachments;
	unsigned int nr_mapped;
	unsigned int vmap_count;
	void *vaddr;
	struct dmx_counters counters;
	atomic_t mmap_count;
};

struct dma_buf *dmx_buffer_create(const struct dmx_kind *kind, u64 len,
				  u32 fd_flags, const void *args);
struct dmx_buffer *dmx_buffer_of(struct dma_buf *dmabuf);
int dmx_buffer_sync_range(struct dmx_buffer *buf, size_t offset, size_t len,
			  bool end, bool write);
int dmx_sgt_from_pages(struct dmx_buffer *buf, struct page **pages);
void dmx_buffers_for_each(void (*fn)(struct dmx_buffer *buf, void *data),
			  void *data);

#endif /* DMABUF_EXPORTER_BUFFER_H */
