/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory kinds, and what the importing ones need to know of the memory
 * they import.
 */
#ifndef DMABUF_EXPORTER_KINDS_H
#define DMABUF_EXPORTER_KINDS_H

#include <linux/types.h>

struct dmx_kind;
struct udmabuf_create_item;

extern const struct dmx_kind dmx_system_kind;
extern const struct dmx_kind dmx_system_uncached_kind;
extern const struct dmx_kind dmx_contig_kind;
extern const struct dmx_kind dmx_user_kind;
extern const struct dmx_kind dmx_memfd_kind;

/* The user kind: a page-aligned range of the caller's memory. */
struct dmx_user_args {
	unsigned long addr;
	bool write;
};

/* The memfd kind: udmabuf's items, already checked for alignment and size. */
struct dmx_memfd_args {
	const struct udmabuf_create_item *items;
	u32 count;
};

#endif /* DMABUF_EXPORTER_KINDS_H */
