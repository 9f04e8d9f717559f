// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness_warn - deliberately broken module for the VM harness self-test.
 *
 * Triggers a WARN_ON() when loaded. It loads and unloads fine; the only
 * trace of the problem is the warning splat in the kernel log, which
 * tests/vm/run-vm.sh must report as "not ok ... vm: kernel log clean".
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>

static int __init harness_warn_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit harness_warn_exit(void)
{
}

module_init(harness_warn_init);
module_exit(harness_warn_exit);

MODULE_DESCRIPTION("VM harness self-test: WARN_ON() at load");
MODULE_LICENSE("GPL");
