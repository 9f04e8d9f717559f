// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness_stuck - deliberately broken module for the VM harness self-test.
 *
 * Takes a reference on itself when loaded and never drops it, like a driver
 * that leaks a file or a dma-buf holding its module. rmmod is refused
 * ("Module harness_stuck is in use"), which tests/vm/run-vm.sh must report
 * as "not ok ... vm: rmmod harness_stuck".
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init harness_stuck_init(void)
{
	__module_get(THIS_MODULE);
	return 0;
}

static void __exit harness_stuck_exit(void)
{
}

module_init(harness_stuck_init);
module_exit(harness_stuck_exit);

MODULE_DESCRIPTION("VM harness self-test: module reference never dropped");
MODULE_LICENSE("GPL");
