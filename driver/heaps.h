/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Our kinds as real heaps of the dma-heap core (/dev/dma_heap/<name>), on
 * kernels that export dma_heap_add() to modules, when asked to.
 */
#ifndef DMABUF_EXPORTER_HEAPS_H
#define DMABUF_EXPORTER_HEAPS_H

int dmx_heaps_check_params(void);
int dmx_heaps_register(void);

#endif /* DMABUF_EXPORTER_HEAPS_H */
