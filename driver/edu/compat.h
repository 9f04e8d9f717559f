/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernel versions the edu importer builds for
 * lives here (Debian 12's 6.1 and 6.12, and anything in between), so the
 * rest reads like code for a single kernel. The importer is self-contained
 * (driver writers copy driver/edu/ as a whole), so it does not share the
 * exporter's driver/compat.h, which it would otherwise need for one macro.
 */
#ifndef DMABUF_EXPORTER_EDU_COMPAT_H
#define DMABUF_EXPORTER_EDU_COMPAT_H

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/version.h>

/*
 * The dma-buf core exports its symbols in the DMA_BUF namespace. Since 6.13
 * MODULE_IMPORT_NS() takes a string literal instead of a bare token.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define EDU_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS("DMA_BUF")
#else
#define EDU_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS(DMA_BUF)
#endif

/* PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8 (and later removed). */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#endif

#endif /* DMABUF_EXPORTER_EDU_COMPAT_H */
