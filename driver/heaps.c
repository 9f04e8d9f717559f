// SPDX-License-Identifier: GPL-2.0-only
/*
 * register_heaps=1 registers the allocating kinds with the dma-heap core as
 * <heap_prefix><kind>, so programs that only look under /dev/dma_heap/ find
 * them. The core has no removal: once a heap is registered the module holds
 * a reference to itself and refuses to be unloaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "buffer.h"
#include "compat.h"
#include "heaps.h"
#include "kinds.h"

#define DMX_HEAP_PREFIX_MAX	32

static bool register_heaps;
module_param(register_heaps, bool, 0444);
MODULE_PARM_DESC(register_heaps,
		 "Register the kinds as dma-heaps (kernels 6.18+); the module then cannot be unloaded (default: off)");

static char *heap_prefix = "dmabuf-exporter-";
module_param(heap_prefix, charp, 0444);
MODULE_PARM_DESC(heap_prefix,
		 "Prefix of the registered heaps' names (default: \"dmabuf-exporter-\")");

/*
 * Checked before anything is registered: a prefix that makes a bad device
 * name, or a request this kernel cannot honour, fails the load.
 */
int dmx_heaps_check_params(void)
{
	const char *c;

	if (!register_heaps)
		return 0;
	if (!DMX_HAVE_DMA_HEAP_ADD) {
		pr_err("register_heaps: this kernel does not export dma_heap_add() (6.18+ with CONFIG_DMABUF_HEAPS)\n");
		return -EOPNOTSUPP;
	}
	/*
	 * Empty, our names would be the kernel's own ("system"): the core
	 * creates the device before it checks the name, and the duplicate
	 * sysfs entry dumps a stack.
	 */
	if (!heap_prefix || !*heap_prefix ||
	    strlen(heap_prefix) > DMX_HEAP_PREFIX_MAX) {
		pr_err("heap_prefix: 1 to %d characters\n",
		       DMX_HEAP_PREFIX_MAX);
		return -EINVAL;
	}
	for (c = heap_prefix; *c; c++) {
		if (!isalnum(*c) && !strchr(",._-", *c)) {
			pr_err("heap_prefix: only letters, digits and \",._-\"\n");
			return -EINVAL;
		}
	}
	return 0;
}

#if DMX_HAVE_DMA_HEAP_ADD
struct dmx_heap {
	const struct dmx_kind *kind;
	char name[DMX_HEAP_PREFIX_MAX + 32];
};

static struct dmx_heap dmx_heaps[] = {
	{ .kind = &dmx_system_kind },
	{ .kind = &dmx_system_uncached_kind },
	{ .kind = &dmx_contig_kind },
};

/* The core has checked len (page-aligned, non-zero) and both flag sets. */
static struct dma_buf *dmx_heap_allocate(struct dma_heap *heap,
					 unsigned long len, u32 fd_flags,
					 u64 heap_flags)
{
	struct dmx_heap *h = dma_heap_get_drvdata(heap);

	return dmx_buffer_create(h->kind, len, fd_flags, NULL);
}

static const struct dma_heap_ops dmx_heap_ops = {
	.allocate = dmx_heap_allocate,
};

/*
 * Runs last in module init. Fails, for init to unwind, only while nothing is
 * registered; past the first heap nothing can be undone, so a later failure
 * is logged and the heaps made so far stay.
 */
int dmx_heaps_register(void)
{
	struct dma_heap_export_info info = { .ops = &dmx_heap_ops };
	struct dma_heap *heap;
	int i, n = 0;

	if (!register_heaps)
		return 0;
	for (i = 0; i < ARRAY_SIZE(dmx_heaps); i++) {
		snprintf(dmx_heaps[i].name, sizeof(dmx_heaps[i].name), "%s%s",
			 heap_prefix, dmx_heaps[i].kind->name);
		info.name = dmx_heaps[i].name;
		info.priv = &dmx_heaps[i];
		heap = dma_heap_add(&info);
		if (IS_ERR(heap)) {
			pr_err("cannot register heap %s: %ld\n",
			       dmx_heaps[i].name, PTR_ERR(heap));
			if (!n)
				return PTR_ERR(heap);
			continue;
		}
		if (!n++)
			__module_get(THIS_MODULE);
		pr_info("registered /dev/dma_heap/%s\n", dmx_heaps[i].name);
	}
	pr_info("%d heaps registered: the module cannot be unloaded\n", n);
	return 0;
}

DMX_IMPORT_NS_DMA_BUF_HEAP();
#else
int dmx_heaps_register(void)
{
	return 0;
}
#endif
