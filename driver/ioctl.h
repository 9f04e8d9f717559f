/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef DMABUF_EXPORTER_IOCTL_H
#define DMABUF_EXPORTER_IOCTL_H

#include <linux/fs.h>
#include <linux/miscdevice.h>

struct dmx_kind;

/**
 * struct dmx_node - a device node
 * @misc:	the misc device; its nodename puts it under /dev/dmabuf-exporter/.
 * @kind:	the memory kind it allocates (kind nodes only).
 */
struct dmx_node {
	struct miscdevice misc;
	const struct dmx_kind *kind;
};

/* A kind node: struct dmx_node, dma-heap ABI. */
extern const struct file_operations dmx_node_fops;
/* The ctl node: a plain miscdevice. */
extern const struct file_operations dmx_ctl_fops;

#endif /* DMABUF_EXPORTER_IOCTL_H */
