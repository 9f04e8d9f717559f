/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libdmabuf-helper. */
#ifndef DMABUF_HELPER_INTERNAL_H
#define DMABUF_HELPER_INTERNAL_H

/* Symbols are hidden by default (-fvisibility=hidden); this exports one. */
#define DMABUF_API __attribute__((visibility("default")))

#endif
