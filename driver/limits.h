/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The module-wide limits (module parameters) and what counts against them:
 * bytes of live buffers and pages of pinned user memory. A leaf: it knows
 * nothing of buffers.
 */
#ifndef DMABUF_EXPORTER_LIMITS_H
#define DMABUF_EXPORTER_LIMITS_H

#include <linux/mm_types.h>
#include <linux/types.h>

u64 dmx_max_buffer_size(void);

bool dmx_reserve_bytes(u64 size);
void dmx_unreserve_bytes(u64 size);

void dmx_buffer_added(void);
void dmx_buffer_removed(void);
void dmx_buffer_stats(u64 *buffers, u64 *bytes);

int dmx_account_pinned(struct mm_struct *mm, unsigned long npages);
void dmx_unaccount_pinned(struct mm_struct *mm, unsigned long npages);
u64 dmx_pinned_bytes(void);

#endif /* DMABUF_EXPORTER_LIMITS_H */
