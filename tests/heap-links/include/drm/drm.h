/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's dmabuf-heaps selftest includes <drm/drm.h>, the kernel's
 * uAPI header, which Debian ships in libdrm-dev only, as <libdrm/drm.h>
 * (the same header, synced from the kernel).
 */
#include <libdrm/drm.h>
