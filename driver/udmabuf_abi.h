/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef DMABUF_EXPORTER_UDMABUF_ABI_H
#define DMABUF_EXPORTER_UDMABUF_ABI_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct dma_buf;

struct dma_buf *dmx_udmabuf_create(unsigned int cmd, void __user *uarg,
				   u32 *fd_flags);

#endif /* DMABUF_EXPORTER_UDMABUF_ABI_H */
