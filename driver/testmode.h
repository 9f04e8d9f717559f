/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test-exporter mode: per-buffer operation counters (always kept: cheap
 * atomics on the buffer's own memory, and part of the uAPI) and injected
 * failures, checked behind a static key that costs nothing while the
 * test_exporter parameter is off. A leaf: it knows nothing of buffers.
 */
#ifndef DMABUF_EXPORTER_TESTMODE_H
#define DMABUF_EXPORTER_TESTMODE_H

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/jump_label.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <linux/dmabuf_exporter.h>

/**
 * struct dmx_counters - what importers did with one buffer
 * @attach:	successful attaches; the rest as in the uAPI struct
 *		dmabuf_exporter_counters.
 * @detach:	detaches.
 * @map:	DMA mappings by direction (DMA_BIDIRECTIONAL..DMA_FROM_DEVICE).
 * @unmap:	unmappings by the direction they were mapped with.
 * @vmap:	kernel mappings.
 * @vunmap:	kernel unmappings.
 * @begin_cpu:	begin_cpu_access calls that succeeded.
 * @end_cpu:	end_cpu_access calls.
 * @mmap:	userspace mappings made.
 * @lock:	protects the members below.
 * @failed:	calls failed by injection.
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
	spinlock_t lock;	/* protects the injection members */
	u64 failed;
	u32 inject_left[DMABUF_EXPORTER_OP_COUNT];
	int inject_error[DMABUF_EXPORTER_OP_COUNT];
};

DECLARE_STATIC_KEY_FALSE(dmx_testmode_key);

static inline bool dmx_test_mode(void)
{
	return static_branch_unlikely(&dmx_testmode_key);
}

int __dmx_injected(struct dmx_counters *c, u32 op);

/* The error to fail this call of @op with, or 0 (always 0 outside tests). */
static inline int dmx_injected(struct dmx_counters *c, u32 op)
{
	return dmx_test_mode() ? __dmx_injected(c, op) : 0;
}

static inline void dmx_count(atomic64_t *counter)
{
	atomic64_inc(counter);
}

static inline void dmx_count_dir(atomic64_t counters[3],
				 enum dma_data_direction dir)
{
	if (dir >= DMA_BIDIRECTIONAL && dir <= DMA_FROM_DEVICE)
		atomic64_inc(&counters[dir]);
}

void dmx_counters_init(struct dmx_counters *c);
void dmx_inject(struct dmx_counters *c, u32 op, u32 count, int error);
void dmx_counters_read(struct dmx_counters *c,
		       struct dmabuf_exporter_counters *out);

#endif /* DMABUF_EXPORTER_TESTMODE_H */
