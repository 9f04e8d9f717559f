// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf_exporter: allocate DMA buffers and export them as dma-buf fds.
 *
 * One misc device per memory kind under /dev/dmabuf-exporter/, each speaking
 * the kernel's dma-heap ABI, plus the "ctl" node for the extension ioctls of
 * <linux/dmabuf_exporter.h>. docs/design.md maps the files.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "compat.h"
#include "debugfs.h"
#include "device.h"
#include "heaps.h"
#include "ioctl.h"
#include "kinds.h"
#include "pool.h"

static struct dmx_node dmx_nodes[] = {
	{
		.kind = &dmx_system_kind,
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-system",
			.nodename = "dmabuf-exporter/system",
			.fops = &dmx_node_fops,
		},
	},
	{
		.kind = &dmx_system_uncached_kind,
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-system-uncached",
			.nodename = "dmabuf-exporter/system-uncached",
			.fops = &dmx_node_fops,
		},
	},
	{
		.kind = &dmx_contig_kind,
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-contig",
			.nodename = "dmabuf-exporter/contig",
			.fops = &dmx_node_fops,
		},
	},
	{
		/* Extension ioctls only; no kind of its own. */
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-ctl",
			.nodename = "dmabuf-exporter/ctl",
			.fops = &dmx_ctl_fops,
		},
	},
};

static int __init dmx_init(void)
{
	int ret, i;

	ret = dmx_heaps_check_params();
	if (ret)
		return ret;
	ret = dmx_device_init();
	if (ret)
		return ret;
	/* Before any node exists: buffers use the pools from the start. */
	ret = dmx_pool_init();
	if (ret)
		goto err_device;

	for (i = 0; i < ARRAY_SIZE(dmx_nodes); i++) {
		ret = misc_register(&dmx_nodes[i].misc);
		if (ret) {
			pr_err("cannot register /dev/%s: %d\n",
			       dmx_nodes[i].misc.nodename, ret);
			goto err_deregister;
		}
	}
	dmx_debugfs_init();
	/* Last: registered heaps cannot be taken back. */
	ret = dmx_heaps_register();
	if (ret)
		goto err_debugfs;
	pr_info("version %s loaded\n", DMX_VERSION);
	return 0;

err_debugfs:
	dmx_debugfs_exit();
err_deregister:
	while (--i >= 0)
		misc_deregister(&dmx_nodes[i].misc);
	dmx_pool_exit();
err_device:
	dmx_device_exit();
	return ret;
}

static void __exit dmx_exit(void)
{
	int i;

	/* Every buffer holds a module reference: none is alive here. */
	dmx_debugfs_exit();
	for (i = ARRAY_SIZE(dmx_nodes) - 1; i >= 0; i--)
		misc_deregister(&dmx_nodes[i].misc);
	/* Drains the pools: every pooled page goes back. */
	dmx_pool_exit();
	dmx_device_exit();
}

module_init(dmx_init);
module_exit(dmx_exit);

MODULE_DESCRIPTION("Allocate DMA buffers and export them as dma-buf file descriptors");
MODULE_AUTHOR("The dmabuf-exporter authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMX_VERSION);
DMX_IMPORT_NS_DMA_BUF();
