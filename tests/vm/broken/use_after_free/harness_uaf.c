// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness_uaf - deliberately broken module for the debug-kernel self-test.
 *
 * Reads a kmalloc'ed object after kfree() when loaded, like a driver that
 * drops its last reference to a buffer and then looks at it. Nothing else is
 * wrong: it loads, unloads, and the read itself goes unnoticed on a
 * distribution kernel. On the debug kernel KASAN reports
 * "BUG: KASAN: slab-use-after-free in harness_uaf_init", which
 * tests/vm/run-vm.sh must report as "not ok ... vm: kernel log clean".
 */
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>

static int __init harness_uaf_init(void)
{
	int *obj = kmalloc(sizeof(*obj) * 16, GFP_KERNEL);

	if (!obj)
		return -ENOMEM;
	obj[0] = 42;
	kfree(obj);
	/* The bug: READ_ONCE() so that the compiler keeps the read. */
	pr_info("harness_uaf: read %d after kfree\n", READ_ONCE(obj[0]));
	return 0;
}

static void __exit harness_uaf_exit(void)
{
}

module_init(harness_uaf_init);
module_exit(harness_uaf_exit);

MODULE_DESCRIPTION("VM harness self-test: use after free at load");
MODULE_LICENSE("GPL");
