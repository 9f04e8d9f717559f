/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the dmabuf_exporter module.
 *
 * A buffer (struct dmx_buffer) is a set of pages described by one sg_table
 * that only the exporter touches. A memory kind (struct dmx_kind) knows how
 * to fill and free that table; buffer.c implements every dma_buf operation
 * on top of it, so adding a kind never touches the dma-buf side.
 */
#ifndef DMABUF_EXPORTER_INTERNAL_H
#define DMABUF_EXPORTER_INTERNAL_H

#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct dmx_buffer;

/**
 * struct dmx_kind - a kind of memory the module can allocate
 * @name:	kind name; also the node name under /dev/dmabuf-exporter/.
 * @alloc:	fill @buf->sgt with @buf->size bytes of zeroed memory; returns
 *		0 or a negative errno and then leaves nothing allocated.
 * @free:	free what @alloc allocated, including the table.
 */
struct dmx_kind {
	const char *name;
	int (*alloc)(struct dmx_buffer *buf);
	void (*free)(struct dmx_buffer *buf);
};

/**
 * struct dmx_buffer - one exported buffer
 * @kind:	memory kind that owns the pages.
 * @size:	length in bytes, a multiple of PAGE_SIZE.
 * @sgt:	the exporter's own table of the pages; never handed out.
 * @lock:	protects @attachments, @vmap_count and @vaddr.
 * @attachments: list of struct dmx_attachment.
 * @vmap_count:	number of active kernel mappings sharing @vaddr.
 * @vaddr:	kernel virtual address while @vmap_count > 0.
 */
struct dmx_buffer {
	const struct dmx_kind *kind;
	size_t size;
	struct sg_table sgt;
	struct mutex lock;	/* protects attachments, vmap_count, vaddr */
	struct list_head attachments;
	unsigned int vmap_count;
	void *vaddr;
};

extern const struct dmx_kind dmx_system_kind;

struct dma_buf *dmx_buffer_create(const struct dmx_kind *kind, size_t size,
				  u32 fd_flags);
void dmx_buffer_stats(u64 *buffers, u64 *bytes);

#endif /* DMABUF_EXPORTER_INTERNAL_H */
