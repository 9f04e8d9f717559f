/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the stress and fuzz programs share: the environment, the clock, and
 * the leak check (every counter back at its baseline after a test).
 */
#ifndef DMX_STRESS_H
#define DMX_STRESS_H

#include <stdlib.h>
#include <time.h>

#include "dmx_test.h"

#define MODNAME		"dmabuf_exporter"

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* Everything a test must leave as it found it. */
struct baseline {
	struct dmabuf_exporter_info info;
	int64_t pins;
	int fds;
	long refcnt;
};

static inline int take_baseline(struct baseline *b)
{
	int ctl = dmx_open_node("ctl"), ret;

	if (ctl < 0)
		return -errno;
	ret = __dmx_info(ctl, &b->info);
	close(ctl);
	b->pins = dmx_pins_settled();
	b->fds = dmx_count_fds();
	b->refcnt = dmx_module_refcnt(MODNAME);
	return ret;
}

static inline int read_param(const char *name, unsigned long *value)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/" MODNAME "/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = fscanf(f, "%lu", value) == 1 ? 0 : -EIO;
	fclose(f);
	return ret;
}

/*
 * Buffers are freed at their last fput, which the kernel may defer (a
 * process's exit, delayed fput): wait a little for the counters to settle.
 */
#define EXPECT_BACK_TO_BASELINE(b) do {					\
	struct baseline __now;						\
	int __i;							\
									\
	for (__i = 0; __i < 200; __i++) {				\
		ASSERT_EQ(0, take_baseline(&__now));			\
		if (__now.info.live_buffers == (b)->info.live_buffers &&\
		    __now.info.pinned_bytes == (b)->info.pinned_bytes &&\
		    __now.refcnt == (b)->refcnt)			\
			break;						\
		usleep(10 * 1000);					\
	}								\
	EXPECT_EQ((b)->info.live_buffers, __now.info.live_buffers);	\
	EXPECT_EQ((b)->info.live_bytes, __now.info.live_bytes);		\
	EXPECT_EQ((b)->info.pinned_bytes, __now.info.pinned_bytes);	\
	EXPECT_EQ((b)->pins, __now.pins);				\
	EXPECT_EQ((b)->fds, __now.fds);					\
	EXPECT_EQ((b)->refcnt, __now.refcnt);				\
} while (0)

#endif /* DMX_STRESS_H */
