/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernel versions (and architectures) we build
 * for lives here, so the rest of the driver reads like code for one kernel.
 *
 * Supported: Debian 12's 6.1 and 6.12 kernels, and anything in between.
 */
#ifndef DMABUF_EXPORTER_COMPAT_H
#define DMABUF_EXPORTER_COMPAT_H

#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/scatterlist.h>
#include <linux/version.h>
#include <uapi/linux/magic.h>
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

/*
 * hugetlbfs memfds. is_file_hugepages() compares f_op with
 * hugetlbfs_file_operations before 6.9, a symbol 6.1 does not export to
 * modules; the superblock's magic tells the same on every kernel.
 */
static inline bool dmx_file_is_hugetlb(struct file *file)
{
	return IS_ENABLED(CONFIG_HUGETLBFS) &&
	       file_inode(file)->i_sb->s_magic == HUGETLBFS_MAGIC;
}

/* The memfd seals of a hugetlbfs inode, as F_GET_SEALS reads them. */
static inline unsigned int dmx_hugetlb_seals(struct inode *inode)
{
#ifdef CONFIG_HUGETLBFS
	return HUGETLBFS_I(inode)->seals;
#else
	return 0;
#endif
}

/*
 * Page cache index of the @hidx-th huge page of hugetlbfs inode @inode: the
 * page cache counted hugetlbfs files in huge pages until 6.7, in base pages
 * (one multi-index entry per huge page) since.
 */
static inline pgoff_t dmx_hugetlb_index(struct inode *inode, pgoff_t hidx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return hidx << huge_page_order(hstate_inode(inode));
#else
	return hidx;
#endif
}

/*
 * The memfd pages of a udmabuf-compatible buffer. 6.11 added (and exports)
 * memfd_pin_folios(), which the kernel's udmabuf has used since: long-term
 * pins (FOLL_PIN), the folios moved out of ZONE_MOVABLE and CMA first.
 * Before 6.11, udmabuf held plain page references, and so do we there
 * (DMX_MEMFD_PINS is 0 and these two are never called).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define DMX_MEMFD_PINS	1

static inline long dmx_memfd_pin_folios(struct file *memfd, loff_t start,
					loff_t end, struct folio **folios,
					unsigned int max_folios, pgoff_t *offset)
{
	return memfd_pin_folios(memfd, start, end, folios, max_folios, offset);
}

static inline void dmx_unpin_folios(struct folio **folios, unsigned long nr)
{
	unpin_folios(folios, nr);
}
#else
#define DMX_MEMFD_PINS	0

static inline long dmx_memfd_pin_folios(struct file *memfd, loff_t start,
					loff_t end, struct folio **folios,
					unsigned int max_folios, pgoff_t *offset)
{
	return -EOPNOTSUPP;
}

static inline void dmx_unpin_folios(struct folio **folios, unsigned long nr)
{
}
#endif

#endif /* DMABUF_EXPORTER_COMPAT_H */
