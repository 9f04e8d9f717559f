// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-exporter mode (docs/test-exporter.md): the test_exporter parameter
 * flips a static key, so the buffers' hot paths test nothing while it is off.
 */

#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "testmode.h"

DEFINE_STATIC_KEY_FALSE(dmx_testmode_key);

static int dmx_testmode_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	if (on)
		static_branch_enable(&dmx_testmode_key);
	else
		static_branch_disable(&dmx_testmode_key);
	return 0;
}

static int dmx_testmode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", dmx_test_mode() ? 'Y' : 'N');
}

static const struct kernel_param_ops dmx_testmode_ops = {
	.set = dmx_testmode_set,
	.get = dmx_testmode_get,
};

module_param_cb(test_exporter, &dmx_testmode_ops, NULL, 0644);
__MODULE_PARM_TYPE(test_exporter, "bool");
MODULE_PARM_DESC(test_exporter,
		 "Allow failure injection into buffers' operations (DMABUF_EXPORTER_IOCTL_INJECT), for importers' tests (default off)");

void dmx_counters_init(struct dmx_counters *c)
{
	memset(c, 0, sizeof(*c));
	spin_lock_init(&c->lock);
}

/* Failed calls are counted apart and change nothing else. */
int __dmx_injected(struct dmx_counters *c, u32 op)
{
	int err = 0;

	spin_lock(&c->lock);
	if (c->inject_left[op]) {
		c->inject_left[op]--;
		err = c->inject_error[op];
		c->failed++;
	}
	spin_unlock(&c->lock);
	return err;
}

/* Fail the next @count calls of @op with -@error (count 0: stop). */
void dmx_inject(struct dmx_counters *c, u32 op, u32 count, int error)
{
	spin_lock(&c->lock);
	c->inject_left[op] = count;
	c->inject_error[op] = -error;
	spin_unlock(&c->lock);
}

void dmx_counters_read(struct dmx_counters *c,
		       struct dmabuf_exporter_counters *out)
{
	int i;

	out->attach = atomic64_read(&c->attach);
	out->detach = atomic64_read(&c->detach);
	for (i = 0; i < ARRAY_SIZE(out->map); i++) {
		out->map[i] = atomic64_read(&c->map[i]);
		out->unmap[i] = atomic64_read(&c->unmap[i]);
	}
	out->vmap = atomic64_read(&c->vmap);
	out->vunmap = atomic64_read(&c->vunmap);
	out->begin_cpu_access = atomic64_read(&c->begin_cpu);
	out->end_cpu_access = atomic64_read(&c->end_cpu);
	out->mmap = atomic64_read(&c->mmap);
	spin_lock(&c->lock);
	out->failed = c->failed;
	spin_unlock(&c->lock);
}
