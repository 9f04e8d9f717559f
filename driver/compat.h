/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernel versions (and architectures) we build
 * for lives here, so the rest of the driver reads like code for one kernel.
 *
 * Supported: Debian 12's 6.1 and 6.12 kernels, and anything in between.
 */
#ifndef DMABUF_EXPORTER_COMPAT_H
#define DMABUF_EXPORTER_COMPAT_H

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/version.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

/*
 * The dma-buf core exports its symbols in the DMA_BUF namespace. Since 6.13
 * MODULE_IMPORT_NS() takes a string literal instead of a bare token.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define DMX_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS("DMA_BUF")
#else
#define DMX_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS(DMA_BUF)
#endif

/*
 * Largest order the page allocator hands out. 6.4 renamed MAX_ORDER's
 * meaning from "one past the largest" to "the largest", and 6.8 renamed it
 * MAX_PAGE_ORDER.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define DMX_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define DMX_MAX_PAGE_ORDER	MAX_ORDER
#else
#define DMX_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Importers get their own copy of an attachment's mapped table (the dma-buf
 * core may scramble it with CONFIG_DMABUF_DEBUG), so the DMA fields are copied
 * over after mapping. dma_flags (bus address / swiotlb markers) exists under
 * CONFIG_PCI_P2PDMA before 6.2 and under CONFIG_NEED_SG_DMA_FLAGS since.
 */
static inline void dmx_sg_copy_dma(struct scatterlist *dst,
				   const struct scatterlist *src)
{
	dst->dma_address = src->dma_address;
#ifdef CONFIG_NEED_SG_DMA_LENGTH
	dst->dma_length = src->dma_length;
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#ifdef CONFIG_NEED_SG_DMA_FLAGS
	dst->dma_flags = src->dma_flags;
#endif
#elif defined(CONFIG_PCI_P2PDMA)
	dst->dma_flags = src->dma_flags;
#endif
}

/*
 * Write-combined CPU mappings of RAM must not coexist with the cached linear
 * mapping of the same pages: with x86 PAT the kernel would silently map them
 * cached instead. Switch the linear mapping (which also flushes the caches)
 * before mapping them write-combined, and back before freeing them.
 */
static inline int dmx_pages_set_wc(struct page **pages, int n)
{
#ifdef CONFIG_X86
	return set_pages_array_wc(pages, n);
#else
	return 0;
#endif
}

static inline void dmx_pages_set_wb(struct page **pages, int n)
{
#ifdef CONFIG_X86
	set_pages_array_wb(pages, n);
#endif
}

#endif /* DMABUF_EXPORTER_COMPAT_H */
