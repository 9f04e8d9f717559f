// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dma-buf importer that breaks the rules on purpose, so that tests can
 * check how an exporter copes: write "FD CASE" to
 * /sys/kernel/debug/dmx_misuse_importer/run, where CASE is
 *
 *   map_twice       attach, map, map again, unmap, detach: the write fails
 *                   with the second map's error, or succeeds if it worked
 *   detach_mapped   attach, map, detach without unmapping
 *   unmap_unmapped  attach, map, unmap, unmap again, detach
 *   vmap            a kernel mapping, written to and removed: the write
 *                   fails with the exporter's error (the dma-buf core
 *                   WARNs once when an exporter refuses a vmap)
 *
 * Test code only: never load it on a machine that matters.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"

static struct platform_device *misuse_pdev;
static struct dentry *misuse_dir;

static int misuse_vmap(struct dma_buf *dmabuf)
{
	struct iosys_map map;
	int ret;

	ret = misuse_dma_buf_vmap(dmabuf, &map);
	if (ret)
		return ret;
	/* Writes through it: a read-only mapping would fault here. */
	*(u8 *)map.vaddr = 0x5a;
	misuse_dma_buf_vunmap(dmabuf, &map);
	return 0;
}

static int misuse_run(int fd, const char *what)
{
	struct dma_buf_attachment *attach;
	struct sg_table *sgt, *again;
	struct dma_buf *dmabuf;
	int ret = 0;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (!strcmp(what, "vmap")) {
		ret = misuse_vmap(dmabuf);
		goto out_put;
	}
	attach = dma_buf_attach(dmabuf, &misuse_pdev->dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto out_put;
	}
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_detach;
	}

	if (!strcmp(what, "map_twice")) {
		again = dma_buf_map_attachment_unlocked(attach,
							DMA_BIDIRECTIONAL);
		if (IS_ERR(again))
			ret = PTR_ERR(again);
		else
			dma_buf_unmap_attachment_unlocked(attach, again,
							  DMA_BIDIRECTIONAL);
	} else if (!strcmp(what, "detach_mapped")) {
		goto out_detach;
	} else if (!strcmp(what, "unmap_unmapped")) {
		dma_buf_unmap_attachment_unlocked(attach, sgt,
						  DMA_BIDIRECTIONAL);
	} else {
		ret = -EINVAL;
	}
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
out_detach:
	dma_buf_detach(dmabuf, attach);
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static ssize_t misuse_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *pos)
{
	char line[64], what[32];
	int fd, ret;

	if (len >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, len))
		return -EFAULT;
	line[len] = '\0';
	if (sscanf(line, "%d %31s", &fd, what) != 2)
		return -EINVAL;
	ret = misuse_run(fd, what);
	return ret ? ret : len;
}

static const struct file_operations misuse_fops = {
	.owner = THIS_MODULE,
	.write = misuse_write,
	.llseek = noop_llseek,
};

static int __init misuse_init(void)
{
	int ret;

	misuse_pdev = platform_device_register_simple(KBUILD_MODNAME,
						      PLATFORM_DEVID_NONE,
						      NULL, 0);
	if (IS_ERR(misuse_pdev))
		return PTR_ERR(misuse_pdev);
	ret = dma_coerce_mask_and_coherent(&misuse_pdev->dev,
					   DMA_BIT_MASK(64));
	if (ret) {
		platform_device_unregister(misuse_pdev);
		return ret;
	}
	misuse_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("run", 0200, misuse_dir, NULL, &misuse_fops);
	return 0;
}

static void __exit misuse_exit(void)
{
	debugfs_remove_recursive(misuse_dir);
	platform_device_unregister(misuse_pdev);
}

module_init(misuse_init);
module_exit(misuse_exit);

MODULE_DESCRIPTION("A dma-buf importer that breaks the rules, for exporters' tests");
MODULE_LICENSE("GPL");
MISUSE_IMPORT_NS_DMA_BUF();
