// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness_overflow - deliberately broken module for the VM harness self-test.
 *
 * Writes a few bytes past the end of a kmalloc'ed buffer when loaded, then
 * frees it, like a driver that sizes an array one element short (the
 * zero-size UDMABUF_CREATE_LIST item of issue #12). Nothing else is wrong:
 * it loads, unloads, and a distribution kernel booted as usual does not
 * notice. Booted with slab debugging (run-vm.sh --slab-debug,
 * slub_debug=FZPU), the bytes land in the object's right redzone and
 * kfree() reports "BUG kmalloc-128 (...): Right Redzone overwritten" (6.1)
 * or "[Right Redzone overwritten] ..." (6.12), which tests/vm/run-vm.sh
 * must report as "not ok ... vm: kernel log clean".
 *
 * Only load it with slab debugging: without a redzone the bytes land in the
 * next object of kmalloc-128, whoever owns it.
 */
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>

/*
 * A kmalloc size class exactly, so that the bytes pass its end on every
 * kernel: 128, the smallest class where DMA needs cache-line alignment.
 */
#define HARNESS_OVERFLOW_SIZE	128
#define HARNESS_OVERFLOW_BYTES	4

static int __init harness_overflow_init(void)
{
	u8 *buf = kmalloc(HARNESS_OVERFLOW_SIZE, GFP_KERNEL);
	unsigned int i;

	if (!buf)
		return -ENOMEM;
	/*
	 * The bug: one element too many. WRITE_ONCE() keeps the compiler
	 * (and FORTIFY_SOURCE's size checks) from seeing the constant
	 * out-of-bounds index.
	 */
	for (i = 0; i < HARNESS_OVERFLOW_SIZE + HARNESS_OVERFLOW_BYTES; i++)
		WRITE_ONCE(buf[i], 0x5a);
	kfree(buf);
	return 0;
}

static void __exit harness_overflow_exit(void)
{
}

module_init(harness_overflow_init);
module_exit(harness_overflow_exit);

MODULE_DESCRIPTION("VM harness self-test: kmalloc buffer overflowed by a few bytes at load");
MODULE_LICENSE("GPL");
