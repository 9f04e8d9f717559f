/* SPDX-License-Identifier: GPL-2.0-only */
/* Every kernel-version difference of the misuse importer. */
#ifndef DMX_MISUSE_COMPAT_H
#define DMX_MISUSE_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/version.h>

/* Since 6.13 MODULE_IMPORT_NS() takes a string literal. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define MISUSE_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS("DMA_BUF")
#else
#define MISUSE_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS(DMA_BUF)
#endif

/* 6.2 added the _unlocked variants; dma_buf_vmap() took the lock before. */
static inline int misuse_dma_buf_vmap(struct dma_buf *dmabuf,
				      struct iosys_map *map)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return dma_buf_vmap_unlocked(dmabuf, map);
#else
	return dma_buf_vmap(dmabuf, map);
#endif
}

static inline void misuse_dma_buf_vunmap(struct dma_buf *dmabuf,
					 struct iosys_map *map)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	dma_buf_vunmap_unlocked(dmabuf, map);
#else
	dma_buf_vunmap(dmabuf, map);
#endif
}

#endif /* DMX_MISUSE_COMPAT_H */
