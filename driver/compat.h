/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernel versions (and architectures) we build
 * for lives here, so the rest of the driver reads like code for one kernel.
 *
 * Supported: Debian 12's 6.1 and 6.12 kernels, and anything in between.
 * Each difference is chosen at compile time: no path a kernel does not need
 * is compiled for it.
 */
#ifndef DMABUF_EXPORTER_COMPAT_H
#define DMABUF_EXPORTER_COMPAT_H

#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
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
 * The dma-heap core exports dma_heap_add() and its helpers to modules since
 * 6.18, in the DMA_BUF_HEAP namespace; before, only built-in heaps exist.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0) && IS_ENABLED(CONFIG_DMABUF_HEAPS)
#include <linux/dma-heap.h>
#define DMX_HAVE_DMA_HEAP_ADD	1
#define DMX_IMPORT_NS_DMA_BUF_HEAP()	MODULE_IMPORT_NS("DMA_BUF_HEAP")
#else
#define DMX_HAVE_DMA_HEAP_ADD	0
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
 * The @n-th page after @page within one physically contiguous range (one
 * folio, one scatterlist entry). 6.18 removed nth_page(): such ranges are
 * contiguous in the memmap there, so plain pointer arithmetic is right.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
#define dmx_nth_page(page, n)	((page) + (n))
#else
#define dmx_nth_page(page, n)	nth_page(page, n)
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
 * mapping of the same pages: x86 PAT would silently map them cached. Switch
 * the linear mapping of @n pages from @page (which also writes back the
 * caches) before mapping them write-combined, and back before freeing them.
 * set_memory_wc() undoes its own reservation when it fails.
 */
static inline int dmx_pages_set_wc(struct page *page, int n)
{
#ifdef CONFIG_X86
	return set_memory_wc((unsigned long)page_address(page), n);
#else
	return 0;
#endif
}

static inline void dmx_pages_set_wb(struct page *page, int n)
{
#ifdef CONFIG_X86
	set_memory_wb((unsigned long)page_address(page), n);
#endif
}

/*
 * VMA flags are changed through vm_flags_set() since 6.3 (which also takes
 * the per-VMA lock), by plain assignment before.
 */
static inline void dmx_vm_flags_set(struct vm_area_struct *vma,
				    vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
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
 * pin_user_pages() with mmap_lock held by the caller, which it never drops;
 * 6.5 removed its vmas argument.
 */
static inline long dmx_pin_user_pages_locked(unsigned long start,
					     unsigned long nr_pages,
					     unsigned int gup_flags,
					     struct page **pages)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return pin_user_pages(start, nr_pages, gup_flags, pages);
#else
	return pin_user_pages(start, nr_pages, gup_flags, pages, NULL);
#endif
}

/*
 * A page cache folio, referenced, or NULL when absent: since 6.3
 * filemap_get_folio() returns ERR_PTR(-ENOENT) instead of NULL.
 */
static inline struct folio *dmx_filemap_get_folio(struct address_space *mapping,
						  pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	if (IS_ERR(folio))
		return NULL;
#endif
	return folio;
}

/*
 * The folios of bytes [@start, @end] of a shmem or hugetlbfs memfd, held
 * until dmx_memfd_release_folios(): into @folios (room for @max_folios),
 * *@offset set to @start's offset in the first. Returns how many, or a
 * negative errno having held none. The caller holds the inode lock and has
 * checked that every huge page is present.
 *
 * 6.11 added memfd_pin_folios(), which udmabuf has used since: long-term
 * pins, the folios moved out of ZONE_MOVABLE and CMA first. Before, udmabuf
 * held plain references, and so do we there.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static inline long dmx_memfd_hold_folios(struct file *memfd, loff_t start,
					 loff_t end, struct folio **folios,
					 unsigned long max_folios,
					 pgoff_t *offset)
{
	return memfd_pin_folios(memfd, start, end, folios,
				min_t(unsigned long, max_folios, UINT_MAX),
				offset);
}

static inline void dmx_memfd_release_folios(struct folio **folios,
					    unsigned long n)
{
	unpin_folios(folios, n);
}
#else
static inline void dmx_memfd_release_folios(struct folio **folios,
					    unsigned long n)
{
	while (n)
		folio_put(folios[--n]);
}

static inline long dmx_memfd_hold_folios(struct file *memfd, loff_t start,
					 loff_t end, struct folio **folios,
					 unsigned long max_folios,
					 pgoff_t *offset)
{
	struct inode *inode = file_inode(memfd);
	bool huge = dmx_file_is_hugetlb(memfd);
	unsigned int shift = PAGE_SHIFT;
	struct folio *folio;
	struct page *page;
	pgoff_t idx, next;
	unsigned long n = 0;
	long ret;

	if (huge)
		shift = huge_page_shift(hstate_inode(inode));
	for (idx = start >> shift; idx <= end >> shift; idx = next) {
		if (n >= max_folios) {
			ret = -EINVAL;
			goto err_put;
		}
		if (huge) {
			folio = dmx_filemap_get_folio(memfd->f_mapping,
						      dmx_hugetlb_index(inode, idx));
			if (!folio) {
				ret = -EINVAL;
				goto err_put;
			}
			next = idx + 1;
		} else {
			/* Reads it in (or allocates it), as udmabuf. */
			page = shmem_read_mapping_page(memfd->f_mapping, idx);
			if (IS_ERR(page)) {
				ret = PTR_ERR(page);
				goto err_put;
			}
			folio = page_folio(page);
			next = folio->index + folio_nr_pages(folio);
		}
		if (!n)
			*offset = offset_in_folio(folio, start);
		folios[n++] = folio;
	}
	return n;

err_put:
	dmx_memfd_release_folios(folios, n);
	return ret;
}
#endif

/*
 * Shrinkers. 6.0 gave register_shrinker() a name (printf format) for its
 * debugfs entry; 6.7 replaced registration of a caller's struct with
 * shrinker_alloc()/shrinker_register()/shrinker_free(), which free the
 * shrinker only after an RCU grace period. Either way the caller gets a
 * struct shrinker to fill in between dmx_shrinker_alloc() and
 * dmx_shrinker_register(), and frees it with dmx_shrinker_free().
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *dmx_shrinker_alloc(const char *name)
{
	return shrinker_alloc(0, "%s", name);
}

static inline int dmx_shrinker_register(struct shrinker *shrinker,
					const char *name)
{
	shrinker_register(shrinker);
	return 0;
}

/* Also for a shrinker that was allocated but never registered. */
static inline void dmx_shrinker_free(struct shrinker *shrinker, bool registered)
{
	shrinker_free(shrinker);
}
#else
static inline struct shrinker *dmx_shrinker_alloc(const char *name)
{
	return kzalloc(sizeof(struct shrinker), GFP_KERNEL);
}

static inline int dmx_shrinker_register(struct shrinker *shrinker,
					const char *name)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
	return register_shrinker(shrinker, "%s", name);
#else
	return register_shrinker(shrinker);
#endif
}

static inline void dmx_shrinker_free(struct shrinker *shrinker, bool registered)
{
	if (registered)
		unregister_shrinker(shrinker);
	kfree(shrinker);
}
#endif

/*
 * Whether a __GFP_ACCOUNT page allocation by the current task would be
 * charged to a memory cgroup, decided as the page allocator decides it:
 * not when the memory controller is off or kernel-memory accounting is
 * (cgroup.memory=nokmem; memcg_kmem_enabled() until 6.2, renamed
 * memcg_kmem_online() in 6.3), not for kernel threads, and not for a task
 * whose memcg (the active one set with set_active_memcg(), or its own) is
 * the root. root_mem_cgroup is not exported to modules before 7.x (6.1,
 * 6.12: no; mem_cgroup_from_task() is, on 6.1, 6.12 and 7.3), so the root is
 * recognised as the memcg without a parent css, which only the root is.
 */
static inline bool dmx_current_kmem_charged(void)
{
#ifdef CONFIG_MEMCG
	struct mem_cgroup *memcg;
	bool charged;

	if (mem_cgroup_disabled())
		return false;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	if (!memcg_kmem_online())
		return false;
#else
	if (!memcg_kmem_enabled())
		return false;
#endif
	if (!current->mm || (current->flags & PF_KTHREAD))
		return false;
	rcu_read_lock();
	memcg = current->active_memcg;
	if (!memcg)
		memcg = mem_cgroup_from_task(current);
	charged = memcg && memcg->css.parent;
	rcu_read_unlock();
	return charged;
#else
	return false;
#endif
}

/*
 * Whether @page (a head page) is charged to a memory cgroup now.
 * folio_memcg_charged() exists since 6.12; before, a charged page has
 * memcg_data set (it is 0 for an uncharged one).
 */
static inline bool dmx_page_memcg_charged(struct page *page)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	return folio_memcg_charged(page_folio(page));
#elif defined(CONFIG_MEMCG)
	return READ_ONCE(page->memcg_data) != 0;
#else
	return false;
#endif
}

#endif /* DMABUF_EXPORTER_COMPAT_H */
