// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/dmabuf_exporter/buffers: every live buffer (inode, kind,
 * size, attachments, mappings, name) and the totals per kind. The kernel's
 * own /sys/kernel/debug/dma_buf/bufinfo lists ours among all dma-bufs.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "exporter.h"

static struct dentry *dmx_debugfs_dir;

DEFINE_SHOW_ATTRIBUTE(dmx_buffers);

void dmx_debugfs_init(void)
{
	/* debugfs is optional: failures only cost the summary. */
	dmx_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("buffers", 0400, dmx_debugfs_dir, NULL,
			    &dmx_buffers_fops);
}

void dmx_debugfs_exit(void)
{
	debugfs_remove_recursive(dmx_debugfs_dir);
}
