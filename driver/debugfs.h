/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef DMABUF_EXPORTER_DEBUGFS_H
#define DMABUF_EXPORTER_DEBUGFS_H

void dmx_debugfs_init(void);
void dmx_debugfs_exit(void);

#endif /* DMABUF_EXPORTER_DEBUGFS_H */
