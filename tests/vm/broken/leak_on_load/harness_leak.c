// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness_leak - deliberately broken module for the debug-kernel self-test.
 *
 * Allocates an object when loaded and forgets to free it when unloaded, like
 * a driver whose exit path misses a kfree(). Nothing else is wrong: it loads,
 * unloads and logs nothing bad. Once the module is gone nothing points at the
 * object, and kmemleak on the debug kernel lists it as an unreferenced
 * object, which tests/vm/run-vm.sh must report as
 * "not ok ... vm: kmemleak scan clean".
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *harness_leak_obj;

static int __init harness_leak_init(void)
{
	harness_leak_obj = kmalloc(128, GFP_KERNEL);
	if (!harness_leak_obj)
		return -ENOMEM;
	/* Recognisable in kmemleak's hex dump of the object. */
	strscpy(harness_leak_obj, "harness_leak: leaked on purpose", 128);
	return 0;
}

static void __exit harness_leak_exit(void)
{
	/* The bug: no kfree(harness_leak_obj). */
}

module_init(harness_leak_init);
module_exit(harness_leak_exit);

MODULE_DESCRIPTION("VM harness self-test: memory leaked at load");
MODULE_LICENSE("GPL");
