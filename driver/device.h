/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The module's own DMA device: contig buffers are allocated for it and their
 * bus address is its view of them. A leaf.
 */
#ifndef DMABUF_EXPORTER_DEVICE_H
#define DMABUF_EXPORTER_DEVICE_H

struct device;

extern struct device *dmx_dma_dev;

int dmx_device_init(void);
void dmx_device_exit(void);

#endif /* DMABUF_EXPORTER_DEVICE_H */
