// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf_exporter: allocate DMA buffers and export them as dma-buf fds.
 *
 * One misc device per memory kind under /dev/dmabuf-exporter/. Each speaks
 * the kernel's dma-heap ABI (DMA_HEAP_IOCTL_ALLOC), so dma-heap users work
 * unchanged when pointed at our node. The "ctl" node (ctl.c) carries the
 * extension ioctls of <linux/dmabuf_exporter.h>.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <uapi/linux/dma-heap.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/dmabuf_exporter.h>

#include "compat.h"
#include "exporter.h"

static unsigned int max_buffer_mb;
module_param(max_buffer_mb, uint, 0644);
MODULE_PARM_DESC(max_buffer_mb,
		 "Largest buffer one allocation may ask for, in MiB (default 0: half of RAM)");

static unsigned int max_total_mb;
module_param(max_total_mb, uint, 0644);
MODULE_PARM_DESC(max_total_mb,
		 "Most memory all live buffers together may hold, in MiB (default 0: three quarters of RAM)");

bool dmx_test_exporter;
module_param_named(test_exporter, dmx_test_exporter, bool, 0644);
MODULE_PARM_DESC(test_exporter,
		 "Allow failure injection into buffers' operations (DMABUF_EXPORTER_IOCTL_INJECT), for importers' tests (default off)");

static unsigned int max_pinned_mb;
module_param(max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most user memory all imports together may pin, in MiB (default 0: a quarter of RAM)");

/*
 * The module's own DMA device: contig buffers are allocated for it (through
 * CMA where the kernel has it) and their bus address is its view of them.
 */
static struct platform_device *dmx_pdev;
struct device *dmx_dma_dev;

/**
 * struct dmx_node - a device node of one memory kind
 * @misc:	the misc device; its nodename puts it under /dev/dmabuf-exporter/.
 * @kind:	the memory kind it allocates.
 */
struct dmx_node {
	struct miscdevice misc;
	const struct dmx_kind *kind;
};

u64 dmx_max_buffer_size(void)
{
	unsigned int mb = READ_ONCE(max_buffer_mb);

	if (mb)
		return (u64)mb << 20;
	return (u64)(totalram_pages() / 2) << PAGE_SHIFT;
}

u64 dmx_max_total_size(void)
{
	unsigned int mb = READ_ONCE(max_total_mb);

	if (mb)
		return (u64)mb << 20;
	return (u64)(totalram_pages() / 4 * 3) << PAGE_SHIFT;
}

u64 dmx_max_pinned_size(void)
{
	unsigned int mb = READ_ONCE(max_pinned_mb);

	if (mb)
		return (u64)mb << 20;
	return (u64)(totalram_pages() / 4) << PAGE_SHIFT;
}

/**
 * dmx_install_fd() - give a new dma-buf to userspace as an fd
 * @dmabuf:	the buffer; its reference passes to the fd, or is dropped.
 * @fd_flags:	O_CLOEXEC or not.
 * @uarg:	where the ioctl's struct goes back to, or NULL when the fd is
 *		only returned (udmabuf's ABI).
 * @karg:	the kernel copy of that struct.
 * @usize:	how many bytes of it to copy back.
 * @fd_field:	the member of @karg that receives the fd number.
 *
 * The fd is reserved first but installed only once userspace has been told
 * its number: a failed copy must not leave a live fd nobody knows of, and an
 * fd table that is full must not leave the buffer behind (CVE-2024-56712).
 *
 * Return: the fd, or -EMFILE / -EFAULT with the buffer released.
 */
long dmx_install_fd(struct dma_buf *dmabuf, u32 fd_flags, void __user *uarg,
		    void *karg, size_t usize, u32 *fd_field)
{
	int fd;

	fd = get_unused_fd_flags(fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	if (uarg) {
		*fd_field = fd;
		if (copy_to_user(uarg, karg, usize)) {
			put_unused_fd(fd);
			dma_buf_put(dmabuf);
			return -EFAULT;
		}
	}
	fd_install(fd, dmabuf->file);
	return fd;
}

/*
 * DMA_HEAP_IOCTL_ALLOC, with the dma-heap core's rules: len rounded up to
 * pages, fd 0 on input, only O_CLOEXEC|O_ACCMODE in fd_flags, no heap_flags.
 * Like the core, shorter and longer structs are accepted (missing fields read
 * as zero, extra ones are ignored), as long as the fd can be returned.
 */
static long dmx_heap_alloc_ioctl(const struct dmx_kind *kind, unsigned int cmd,
				 void __user *uarg)
{
	struct dma_heap_allocation_data data = {};
	size_t usize = min_t(size_t, _IOC_SIZE(cmd), sizeof(data));
	struct dma_buf *dmabuf;
	long ret;

	if (usize < offsetofend(struct dma_heap_allocation_data, fd))
		return -EINVAL;
	if (copy_from_user(&data, uarg, usize))
		return -EFAULT;

	if (data.fd)
		return -EINVAL;
	if (data.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return -EINVAL;
	if (data.heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;

	dmabuf = dmx_buffer_create(kind, data.len, data.fd_flags, NULL);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = dmx_install_fd(dmabuf, data.fd_flags, uarg, &data, usize,
			     &data.fd);
	return ret < 0 ? ret : 0;
}

/**
 * dmx_copy_struct_from_user() - read an extensible ioctl struct
 * @dst:	kernel struct.
 * @ksize:	its size: the size of the first version, as nothing was
 *		added yet.
 * @uarg:	user pointer.
 * @cmd:	the ioctl number, whose size field gives the user's size.
 *
 * Return: 0; -EINVAL for a struct shorter than the first version; -E2BIG for
 * a longer one whose tail is not zero; -EFAULT.
 */
int dmx_copy_struct_from_user(void *dst, size_t ksize, void __user *uarg,
			      unsigned int cmd)
{
	size_t usize = _IOC_SIZE(cmd);

	if (usize < ksize)
		return -EINVAL;
	return copy_struct_from_user(dst, ksize, uarg, usize);
}

long dmx_info_ioctl(unsigned int cmd, void __user *uarg)
{
	struct dmabuf_exporter_info info;
	int ret;

	ret = dmx_copy_struct_from_user(&info, sizeof(info), uarg, cmd);
	if (ret)
		return ret;
	if (info.flags || info.pad ||
	    memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	info.api_version = DMABUF_EXPORTER_API_VERSION;
	info.max_buffer_size = dmx_max_buffer_size();
	info.page_size = PAGE_SIZE;
	info.pinned_bytes = dmx_pinned_bytes();
	dmx_buffer_stats(&info.live_buffers, &info.live_bytes);

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long dmx_node_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct dmx_node *node = container_of(file->private_data,
					     struct dmx_node, misc);
	void __user *uarg = (void __user *)arg;

	switch (DMX_IOC_BASE(cmd)) {
	case DMX_IOC_BASE(DMA_HEAP_IOCTL_ALLOC):
		return dmx_heap_alloc_ioctl(node->kind, cmd, uarg);
	case DMX_IOC_BASE(DMABUF_EXPORTER_IOCTL_INFO):
		return dmx_info_ioctl(cmd, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations dmx_node_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dmx_node_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct dmx_node dmx_nodes[] = {
	{
		.kind = &dmx_system_kind,
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-system",
			.nodename = "dmabuf-exporter/system",
			.fops = &dmx_node_fops,
		},
	},
	{
		.kind = &dmx_system_uncached_kind,
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-system-uncached",
			.nodename = "dmabuf-exporter/system-uncached",
			.fops = &dmx_node_fops,
		},
	},
	{
		.kind = &dmx_contig_kind,
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-contig",
			.nodename = "dmabuf-exporter/contig",
			.fops = &dmx_node_fops,
		},
	},
	{
		/* Extension ioctls only; no kind of its own. */
		.misc = {
			.minor = MISC_DYNAMIC_MINOR,
			.name = "dmabuf-exporter-ctl",
			.nodename = "dmabuf-exporter/ctl",
			.fops = &dmx_ctl_fops,
		},
	},
};

static int __init dmx_init(void)
{
	int ret, i;

	dmx_pdev = platform_device_register_simple(KBUILD_MODNAME,
						   PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(dmx_pdev))
		return PTR_ERR(dmx_pdev);
	dmx_dma_dev = &dmx_pdev->dev;
	ret = dma_coerce_mask_and_coherent(dmx_dma_dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_unregister_pdev;

	for (i = 0; i < ARRAY_SIZE(dmx_nodes); i++) {
		ret = misc_register(&dmx_nodes[i].misc);
		if (ret) {
			pr_err("cannot register /dev/%s: %d\n",
			       dmx_nodes[i].misc.nodename, ret);
			goto err_deregister;
		}
	}
	dmx_debugfs_init();
	pr_info("version %s loaded\n", DMX_VERSION);
	return 0;

err_deregister:
	while (--i >= 0)
		misc_deregister(&dmx_nodes[i].misc);
err_unregister_pdev:
	platform_device_unregister(dmx_pdev);
	return ret;
}

static void __exit dmx_exit(void)
{
	int i;

	/*
	 * Every buffer holds a module reference (dma_buf_export() takes one for
	 * the owner), so none can be alive here.
	 */
	dmx_debugfs_exit();
	for (i = ARRAY_SIZE(dmx_nodes) - 1; i >= 0; i--)
		misc_deregister(&dmx_nodes[i].misc);
	platform_device_unregister(dmx_pdev);
}

module_init(dmx_init);
module_exit(dmx_exit);

MODULE_DESCRIPTION("Allocate DMA buffers and export them as dma-buf file descriptors");
MODULE_AUTHOR("The dmabuf-exporter authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(DMX_VERSION);
DMX_IMPORT_NS_DMA_BUF();
