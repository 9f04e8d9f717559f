/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernel versions we build for lives here, so
 * the rest of the driver reads like code for a single kernel.
 *
 * Supported: Debian 12's 6.1 and 6.12 kernels, and anything in between.
 */
#ifndef DMABUF_EXPORTER_COMPAT_H
#define DMABUF_EXPORTER_COMPAT_H

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/version.h>

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

#endif /* DMABUF_EXPORTER_COMPAT_H */
