/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pre-zeroed page pools for the cached "system" kind: pages of its buffers
 * are zeroed by a background thread after the buffer is freed, so that an
 * allocation takes zeroed pages without waiting for the zeroing.
 */
#ifndef DMABUF_EXPORTER_POOL_H
#define DMABUF_EXPORTER_POOL_H

#include <linux/mm_types.h>
#include <linux/seq_file.h>
#include <linux/types.h>

int dmx_pool_init(void);
void dmx_pool_exit(void);

bool dmx_pool_caller_exact(void);
struct page *dmx_pool_take(unsigned int order);
void dmx_pool_put(struct page *page, bool exact);

int dmx_pool_show(struct seq_file *m, void *unused);

#endif /* DMABUF_EXPORTER_POOL_H */
