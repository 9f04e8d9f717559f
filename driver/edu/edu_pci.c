// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf_exporter_edu: the PCI side of the reference dma-buf importer for
 * QEMU's edu device (1234:11e8, QEMU's docs/specs/edu.rst).
 *
 * The device has a 4 KiB buffer at device address 0x40000 and a DMA engine
 * that copies between that buffer and memory, one transfer at a time; it
 * raises interrupt bit 0x100 when a transfer is done. It drives addresses of
 * 28 bits unless QEMU is told otherwise (-device edu,dma_mask=...), so the
 * driver's DMA mask comes from the dma_bits module parameter, 28 by default.
 *
 * A transfer takes about 100 ms (QEMU runs it from a timer).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "compat.h"
#include "edu.h"

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8

/* Registers of BAR 0 (32-bit below 0x80, 64-bit from 0x80 on). */
#define EDU_REG_ID		0x00	/* 0xRRrr00ed: major, minor version */
#define EDU_REG_LIVENESS	0x04	/* reads back the inverse of a write */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_ID_MAGIC		0xed
#define EDU_DMA_RUN		0x1	/* start; reads 1 until done */
#define EDU_DMA_TO_RAM		0x2	/* 0: memory -> device buffer */
#define EDU_DMA_IRQ		0x4	/* raise EDU_IRQ_DMA when done */
#define EDU_IRQ_DMA		0x100
/* A status bit the device never sets itself, for the probe self-test. */
#define EDU_IRQ_SELFTEST	0x80000000u

/* How long a late transfer may take to stop before the engine is given up. */
#define EDU_DRAIN_MS		1000
#define EDU_SELFTEST_MS		1000

static unsigned int edu_dma_bits = 28;
module_param_named(dma_bits, edu_dma_bits, uint, 0644);
MODULE_PARM_DESC(dma_bits,
		 "DMA address width of the device, 24..64 (default 28, QEMU's default; must match -device edu,dma_mask=...); read when a device is bound");

unsigned int edu_dma_timeout_ms = 5000;
module_param_named(dma_timeout_ms, edu_dma_timeout_ms, uint, 0644);
MODULE_PARM_DESC(dma_timeout_ms,
		 "How long one transfer may take, in ms (default 5000)");

unsigned int edu_fence_timeout_ms = 10000;
module_param_named(fence_timeout_ms, edu_fence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fence_timeout_ms,
		 "How long to wait for the fences of a dma-buf before using it, in ms (default 10000)");

static DEFINE_IDA(edu_ida);

static void edu_dev_release(struct kref *ref)
{
	struct edu_dev *edu = container_of(ref, struct edu_dev, ref);

	pci_dev_put(edu->pdev);
	mutex_destroy(&edu->lock);
	kfree(edu);
}

void edu_dev_put(struct edu_dev *edu)
{
	kref_put(&edu->ref, edu_dev_release);
}

static irqreturn_t edu_irq(int irq, void *data)
{
	struct edu_dev *edu = data;
	u32 status = ioread32(edu->regs + EDU_REG_IRQ_STATUS);

	/* The INTx line may be shared: no status bit, not ours. */
	if (!status)
		return IRQ_NONE;

	/* The device keeps the interrupt raised until it is acknowledged. */
	iowrite32(status, edu->regs + EDU_REG_IRQ_ACK);
	atomic_or(status, &edu->irq_seen);
	wake_up(&edu->wq);
	return IRQ_HANDLED;
}

static bool edu_dma_idle(struct edu_dev *edu)
{
	return !(readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_RUN);
}

/**
 * edu_dma_transfer() - run one transfer and wait for it
 * @edu:	the device; its lock is held.
 * @src:	source: a DMA address, or the device buffer (EDU_DEVBUF_ADDR + n).
 * @dst:	destination, likewise; exactly one end is the device buffer.
 * @len:	bytes, 1..EDU_DEVBUF_USABLE.
 * @to_ram:	true when @dst is memory.
 *
 * Return: 0; -ERESTARTSYS after a signal; -ETIMEDOUT when the transfer took
 * longer than dma_timeout_ms; -EIO when the engine is stuck, or when the
 * memory address does not fit the DMA mask.
 *
 * Whatever happens, the engine is idle when this returns 0, -ERESTARTSYS or
 * -ETIMEDOUT, so the caller may unmap the memory.
 */
int edu_dma_transfer(struct edu_dev *edu, u64 src, u64 dst, u32 len,
		     bool to_ram)
{
	unsigned long timeout = msecs_to_jiffies(max(READ_ONCE(edu_dma_timeout_ms), 1U));
	u64 ram = to_ram ? dst : src;
	u64 dev = to_ram ? src : dst;
	long left;

	lockdep_assert_held(&edu->lock);

	/* Callers keep to the device buffer; anything else is a driver bug. */
	if (WARN_ON_ONCE(!len || len > EDU_DEVBUF_USABLE ||
			 dev < EDU_DEVBUF_ADDR ||
			 dev - EDU_DEVBUF_ADDR > EDU_DEVBUF_USABLE - len))
		return -EINVAL;
	if (edu->failed)
		return -EIO;
	/*
	 * Mappings are made for our mask, but an address beyond it would be
	 * truncated by the device and land on other memory: refuse it.
	 */
	if (ram > edu->dma_mask || len - 1 > edu->dma_mask - ram) {
		dev_err_ratelimited(&edu->pdev->dev,
				    "DMA address %#llx+%u beyond the %u-bit mask\n",
				    ram, len, edu->dma_bits);
		return -EIO;
	}

	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_RUN | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0),
	       edu->regs + EDU_REG_DMA_CMD);
	atomic64_inc(&edu->transfers);

	/*
	 * The interrupt wakes us; the RUN bit says whether the transfer is
	 * done, so a late interrupt of an earlier transfer cannot fool us.
	 */
	left = wait_event_interruptible_timeout(edu->wq, edu_dma_idle(edu),
						timeout);
	if (left > 0)
		return 0;

	/*
	 * A signal or a timeout: the engine may still be reading or writing
	 * memory the caller is about to unmap. Wait for it, ignoring signals.
	 * The edu device has no reset; one that never stops is given up.
	 */
	if (!wait_event_timeout(edu->wq, edu_dma_idle(edu),
				msecs_to_jiffies(EDU_DRAIN_MS))) {
		edu->failed = true;
		dev_err(&edu->pdev->dev,
			"DMA engine stuck; device disabled until rebound\n");
		return -EIO;
	}
	return left ? -ERESTARTSYS : -ETIMEDOUT;
}

static int edu_check_identity(struct edu_dev *edu)
{
	u32 id = ioread32(edu->regs + EDU_REG_ID);
	u32 probe = 0x5a0f3cc3;

	if ((id & 0xff) != EDU_ID_MAGIC)
		return -ENODEV;
	iowrite32(probe, edu->regs + EDU_REG_LIVENESS);
	if (ioread32(edu->regs + EDU_REG_LIVENESS) != ~probe)
		return -ENODEV;
	dev_dbg(&edu->pdev->dev, "edu version %u.%u\n", id >> 24,
		(id >> 16) & 0xff);
	return 0;
}

/* Raise an interrupt by hand: proves the vector works before any DMA. */
static int edu_irq_selftest(struct edu_dev *edu)
{
	atomic_set(&edu->irq_seen, 0);
	iowrite32(EDU_IRQ_SELFTEST, edu->regs + EDU_REG_IRQ_RAISE);
	if (!wait_event_timeout(edu->wq,
				atomic_read(&edu->irq_seen) & EDU_IRQ_SELFTEST,
				msecs_to_jiffies(EDU_SELFTEST_MS)))
		return -EIO;
	return 0;
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	unsigned int bits = READ_ONCE(edu_dma_bits);
	struct edu_dev *edu;
	int ret;

	if (bits < 24 || bits > 64) {
		dev_err(&pdev->dev, "dma_bits=%u: must be 24..64\n", bits);
		return -EINVAL;
	}

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	kref_init(&edu->ref);
	edu->pdev = pci_dev_get(pdev);
	mutex_init(&edu->lock);
	INIT_LIST_HEAD(&edu->files);
	init_waitqueue_head(&edu->wq);
	edu->dma_bits = bits;
	edu->dma_mask = DMA_BIT_MASK(bits);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_put;
	ret = pci_request_regions(pdev, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release_regions;
	}
	ret = edu_check_identity(edu);
	if (ret) {
		dev_err(&pdev->dev, "not an edu device\n");
		goto err_unmap;
	}

	/*
	 * Everything the device is given must fit its address width; the DMA
	 * layer then bounces or remaps what does not (or refuses to map it).
	 */
	ret = dma_set_mask_and_coherent(&pdev->dev, edu->dma_mask);
	if (ret) {
		dev_err(&pdev->dev, "cannot set a %u-bit DMA mask\n", bits);
		goto err_unmap;
	}
	/*
	 * The engine is programmed in pieces of at most its window, however
	 * long a DMA segment is, so segments may be as long as the DMA layer
	 * makes them (PCI's default limit is 64 KiB). GPUs say the same; an
	 * exporter must cope with that limit as well as with small ones.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	pci_set_master(pdev);

	edu->bounce = dma_alloc_coherent(&pdev->dev, EDU_DEVBUF_SIZE,
					 &edu->bounce_dma, GFP_KERNEL);
	if (!edu->bounce) {
		ret = -ENOMEM;
		goto err_clear_master;
	}

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto err_free_bounce;
	edu->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(edu->irq, edu_irq, IRQF_SHARED, KBUILD_MODNAME, edu);
	if (ret)
		goto err_free_vectors;
	ret = edu_irq_selftest(edu);
	if (ret) {
		dev_err(&pdev->dev, "no interrupt from the device\n");
		goto err_free_irq;
	}

	ret = ida_alloc(&edu_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_free_irq;
	edu->id = ret;
	snprintf(edu->name, sizeof(edu->name), "dmabuf-exporter-edu%d", edu->id);
	snprintf(edu->nodename, sizeof(edu->nodename), "dmabuf-exporter/edu%d",
		 edu->id);
	edu->fence_ctx = dma_fence_context_alloc(1);

	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = edu->name;
	edu->misc.nodename = edu->nodename;
	edu->misc.fops = &edu_fops;
	edu->misc.parent = &pdev->dev;
	pci_set_drvdata(pdev, edu);
	ret = misc_register(&edu->misc);
	if (ret)
		goto err_free_id;

	dev_info(&pdev->dev, "/dev/%s: %s interrupt, %u-bit DMA\n",
		 edu->nodename, pdev->msi_enabled ? "MSI" : "INTx", bits);
	return 0;

err_free_id:
	ida_free(&edu_ida, edu->id);
err_free_irq:
	free_irq(edu->irq, edu);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_free_bounce:
	dma_free_coherent(&pdev->dev, EDU_DEVBUF_SIZE, edu->bounce,
			  edu->bounce_dma);
err_clear_master:
	pci_clear_master(pdev);
err_unmap:
	pci_iounmap(pdev, edu->regs);
err_release_regions:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_put:
	edu_dev_put(edu);
	return ret;
}

/*
 * Unbind, also while nodes are open (sysfs unbind, hot unplug, rmmod cannot
 * happen then: an open node holds a module reference). Open files keep the
 * struct alive; their calls fail with -ENODEV from now on.
 */
static void edu_remove(struct pci_dev *pdev)
{
	struct edu_dev *edu = pci_get_drvdata(pdev);
	struct edu_file *ef;

	/* No new opens; misc_deregister() waits for opens in progress. */
	misc_deregister(&edu->misc);

	/*
	 * Calls in progress finish first (they hold the lock). Mappings of
	 * files that stay open are dropped now, while the device is still
	 * ours for DMA API calls.
	 */
	mutex_lock(&edu->lock);
	WRITE_ONCE(edu->gone, true);
	list_for_each_entry(ef, &edu->files, node)
		edu_file_drop_handles(ef);
	mutex_unlock(&edu->lock);

	ida_free(&edu_ida, edu->id);
	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
	dma_free_coherent(&pdev->dev, EDU_DEVBUF_SIZE, edu->bounce,
			  edu->bounce_dma);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	edu_dev_put(edu);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static int __init edu_init(void)
{
	int ret = pci_register_driver(&edu_driver);

	if (!ret)
		pr_info("version %s loaded\n", EDU_VERSION);
	return ret;
}

static void __exit edu_exit(void)
{
	pci_unregister_driver(&edu_driver);
	ida_destroy(&edu_ida);
	/* The last fence's free (edu_import.c) may still be running. */
	rcu_barrier();
}

module_init(edu_init);
module_exit(edu_exit);

MODULE_DESCRIPTION("Reference dma-buf importer for QEMU's edu device");
MODULE_AUTHOR("The dmabuf-exporter authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(EDU_VERSION);
EDU_IMPORT_NS_DMA_BUF();
