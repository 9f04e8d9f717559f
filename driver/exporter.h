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

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <linux/dmabuf_exporter.h>

struct dmx_buffer;
struct seq_file;

/**
 * struct dmx_counters - what importers did with a buffer
 * @attach:	successful attaches; and so on, as in the uAPI struct
 *		dmabuf_exporter_counters. The counts are atomics: counting is
 *		on every importer's hot path and needs no lock.
 * @detach:	detaches.
 * @map:	DMA mappings by direction (DMA_BIDIRECTIONAL..DMA_FROM_DEVICE).
 * @unmap:	unmappings by the direction they were mapped with.
 * @vmap:	kernel mappings.
 * @vunmap:	kernel unmappings.
 * @begin_cpu:	begin_cpu_access calls that succeeded.
 * @end_cpu:	end_cpu_access calls.
 * @mmap:	userspace mappings made.
 * @failed:	calls failed by injection (test mode), under the stat_lock.
 * @inject_left: per operation, how many more calls fail.
 * @inject_error: per operation, the negative errno they fail with.
 */
struct dmx_counters {
	atomic64_t attach;
	atomic64_t detach;
	atomic64_t map[3];
	atomic64_t unmap[3];
	atomic64_t vmap;
	atomic64_t vunmap;
	atomic64_t begin_cpu;
	atomic64_t end_cpu;
	atomic64_t mmap;
	u64 failed;
	u32 inject_left[DMABUF_EXPORTER_OP_COUNT];
	int inject_error[DMABUF_EXPORTER_OP_COUNT];
};

/**
 * struct dmx_kind - a kind of memory the module can allocate
 * @name:	kind name; also the node name under /dev/dmabuf-exporter/.
 * @id:		its enum dmabuf_exporter_kind value.
 * @write_combine: CPU mappings (userspace and vmap) are write-combined.
 * @contiguous:	the pages are physically contiguous (one table entry).
 * @alloc:	fill @buf->sgt with @buf->size bytes of memory: zeroed and
 *		charged to the caller's memory cgroup for the allocating
 *		kinds, the pages @args describe for the importing ones; returns
 *		0 or a negative errno and then leaves nothing allocated.
 * @free:	free what @alloc allocated, including the table.
 */
struct dmx_kind {
	const char *name;
	u32 id;
	bool write_combine;
	bool contiguous;
	int (*alloc)(struct dmx_buffer *buf, const void *args);
	void (*free)(struct dmx_buffer *buf);
};

/**
 * struct dmx_buffer - one exported buffer
 * @kind:	memory kind that owns the pages.
 * @size:	length in bytes, a multiple of PAGE_SIZE.
 * @sgt:	the exporter's own table of the pages; never handed out.
 * @dma_addr:	for a contiguous kind, its address for dmx_dma_dev.
 * @priv:	private data of the kind.
 * @read_only:	devices may only read it (a read-only user-memory import).
 * @dmabuf:	the dma-buf exporting this buffer.
 * @node:	entry in the module's list of live buffers.
 * @lock:	protects the members below it.
 * @attachments: list of struct dmx_attachment.
 * @nr_attachments: length of @attachments.
 * @nr_mapped:	attachments currently mapped for DMA.
 * @vmap_count:	number of active kernel mappings sharing @vaddr.
 * @vaddr:	kernel virtual address while @vmap_count > 0.
 * @stat_lock:	protects the injection members of @counters; a spinlock,
 *		so any path may check for an injected failure.
 * @counters:	operation counters and injected failures.
 * @mmap_count:	userspace mappings (VMAs) alive; not under @lock.
 */
struct dmx_buffer {
	const struct dmx_kind *kind;
	size_t size;
	struct sg_table sgt;
	dma_addr_t dma_addr;
	void *priv;
	bool read_only;
	struct dma_buf *dmabuf;
	struct list_head node;
	struct mutex lock;	/* protects the members below */
	struct list_head attachments;
	unsigned int nr_attachments;
	unsigned int nr_mapped;
	unsigned int vmap_count;
	void *vaddr;
	spinlock_t stat_lock;	/* protects counters' injection members */
	struct dmx_counters counters;
	atomic_t mmap_count;
};

extern const struct dmx_kind dmx_system_kind;
extern const struct dmx_kind dmx_system_uncached_kind;
extern const struct dmx_kind dmx_contig_kind;
extern const struct dmx_kind dmx_user_kind;
extern const struct dmx_kind dmx_memfd_kind;

/* buffer.c */
struct dma_buf *dmx_buffer_create(const struct dmx_kind *kind, u64 len,
				  u32 fd_flags, const void *args);
struct dmx_buffer *dmx_buffer_of(struct dma_buf *dmabuf);
int dmx_sgt_from_pages(struct dmx_buffer *buf, struct page **pages);
int dmx_inject(struct dmx_buffer *buf, u32 op, u32 count, int error);
void dmx_buffer_stats(u64 *buffers, u64 *bytes);
int dmx_buffers_show(struct seq_file *m, void *unused);

/* The ioctl number without its size field, for structs that may grow. */
#define DMX_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/* main.c */
extern struct device *dmx_dma_dev;
int dmx_copy_struct_from_user(void *dst, size_t ksize, void __user *uarg,
			      unsigned int cmd);
u64 dmx_max_buffer_size(void);
u64 dmx_max_total_size(void);
u64 dmx_max_pinned_size(void);
long dmx_install_fd(struct dma_buf *dmabuf, u32 fd_flags, void __user *uarg,
		    void *karg, size_t usize, u32 *fd_field);
long dmx_info_ioctl(unsigned int cmd, void __user *uarg);

extern bool dmx_test_exporter;

/* Test mode (the test_exporter parameter): injected failures. */
static inline bool dmx_test_mode(void)
{
	return READ_ONCE(dmx_test_exporter);
}

/* ctl.c */
extern const struct file_operations dmx_ctl_fops;

/* user_pages.c */
struct dmx_user_args {
	unsigned long addr;
	bool write;
};

u64 dmx_pinned_bytes(void);

/* udmabuf_compat.c */
long dmx_udmabuf_ioctl(unsigned int cmd, void __user *uarg);

/* debugfs.c */
void dmx_debugfs_init(void);
void dmx_debugfs_exit(void);

#endif /* DMABUF_EXPORTER_INTERNAL_H */
