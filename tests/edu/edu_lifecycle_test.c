// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifetimes: what keeps dmabuf_exporter_edu loaded (an open node, a fence of
 * its own that someone holds) and what must not (a finished fence left on a
 * buffer); unbinding the device under an open node with a live attachment;
 * signals and timeouts in the middle of device work.
 *
 * Runs after the other edu programs: it unbinds and rebinds the device.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "edu_test.h"
#include "kselftest_harness.h"

EDU_SKIP_PROGRAM_WITHOUT_NODE

#define PAGE		4096u
#define LONG_LEN	(8 * PAGE)	/* ~40 transfers: about four seconds */

static int __delete_module(void)
{
	if (syscall(SYS_delete_module, EDU_MODULE, O_NONBLOCK))
		return -errno;
	return 0;
}


struct copy_job {
	int edu, src, dst;
	uint32_t len;
	int ret;
	volatile int done;
	pthread_t thread;
};

static void *copy_run(void *arg)
{
	struct copy_job *j = arg;

	j->ret = __edu_copy(j->edu, j->src, j->dst, 0, 0, 0, j->len);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

FIXTURE(life) {
	int edu;
	int node;
	long refcnt;	/* with our node open */
};

FIXTURE_SETUP(life)
{
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	self->node = dmx_open_node("system");
	if (self->node < 0)
		SKIP(return, DMABUF_EXPORTER_DEV_SYSTEM " missing");
	self->refcnt = dmx_module_refcnt(EDU_MODULE);
	ASSERT_LE(1, self->refcnt);
}

FIXTURE_TEARDOWN(life)
{
	close(self->node);
	if (self->edu >= 0)
		close(self->edu);
}

TEST_F(life, rmmod_is_refused_while_a_node_is_open)
{
	EXPECT_EQ(-EWOULDBLOCK, __delete_module());
	EXPECT_TRUE(access("/sys/module/" EDU_MODULE, F_OK) == 0);
}

/*
 * A sync_file exported while the device worked holds the driver's fence:
 * the fence's code lives in the module, so the module stays.
 */
TEST_F(life, rmmod_is_refused_while_someone_holds_a_fence_of_the_module)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct copy_job j = { .edu = self->edu, .len = LONG_LEN };
	struct pollfd p;
	long idle;

	j.src = dmx_alloc(self->node, LONG_LEN);
	j.dst = dmx_alloc(self->node, LONG_LEN);
	ASSERT_LE(0, j.src);
	ASSERT_LE(0, j.dst);
	ASSERT_EQ(0, pthread_create(&j.thread, NULL, copy_run, &j));
	/* Wait for the device's fence to show on the destination. */
	p.fd = j.dst;
	p.events = POLLIN;
	while (!__atomic_load_n(&j.done, __ATOMIC_ACQUIRE) && poll(&p, 1, 0) == 1)
		edu_sleep_ms(2);
	ASSERT_FALSE(__atomic_load_n(&j.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, ioctl(j.dst, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
	pthread_join(j.thread, NULL);
	ASSERT_EQ(0, j.ret);

	close(self->edu);
	self->edu = -1;
	idle = dmx_module_refcnt(EDU_MODULE);
	EXPECT_EQ(-EWOULDBLOCK, __delete_module());
	close(exp.fd);
	/* Exactly the fence's reference is gone. */
	EXPECT_EQ(idle - 1, dmx_module_refcnt_settled(EDU_MODULE, idle - 1));
	close(j.dst);
	close(j.src);
}

/*
 * A finished call leaves no fence of the module on the buffer (it is
 * swapped for the kernel's signalled stub), so buffers that live on do not
 * pin the module.
 */
TEST_F(life, buffers_the_device_used_do_not_pin_the_module)
{
	int src = dmx_alloc(self->node, PAGE), dst = dmx_alloc(self->node, PAGE);
	long before = dmx_module_refcnt(EDU_MODULE);

	ASSERT_LE(0, src);
	ASSERT_LE(0, dst);
	ASSERT_EQ(0, __edu_copy(self->edu, src, dst, 0, 0, 0, 100));
	EXPECT_EQ(before, dmx_module_refcnt_settled(EDU_MODULE, before));
	close(dst);
	close(src);
}

TEST_F(life, unbind_under_an_open_node_detaches_and_fails_calls_with_enodev)
{
	struct dmabuf_exporter_edu_info info;
	int64_t live = dmx_live_buffers(self->node);
	char bdf[300];
	uint32_t h = 0;
	int buf, again;

	ASSERT_EQ(0, edu_pci_address(bdf, sizeof(bdf)));
	buf = dmx_alloc(self->node, 4 * PAGE);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	close(buf);
	EXPECT_EQ(live + 1, dmx_live_buffers(self->node));

	ASSERT_EQ(0, dmx_write_file(EDU_SYS_DRIVER "/unbind", bdf));
	/* remove() dropped the attachment: the buffer is gone. */
	EXPECT_EQ(live, dmx_live_buffers(self->node));
	EXPECT_NE(0, access(EDU_NODE, F_OK));
	EXPECT_EQ(-ENODEV, __edu_info(self->edu, &info));
	EXPECT_EQ(-ENODEV, __edu_detach(self->edu, h));
	EXPECT_EQ(-ENODEV, __edu_devbuf_read(self->edu, 0, &info, 8));

	close(self->edu);
	self->edu = -1;
	ASSERT_EQ(0, dmx_write_file(EDU_SYS_DRIVER "/bind", bdf));
	again = edu_open();
	ASSERT_LE(0, again);
	EXPECT_EQ(0, __edu_info(again, &info));
	self->edu = again;
}

/* A signal between transfers ends the call; the device stays usable. */
static void on_signal(int sig)
{
}

struct kicker {
	pthread_t target;
	unsigned int ms;
};

static void *kick(void *arg)
{
	struct kicker *k = arg;

	edu_sleep_ms(k->ms);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/*
 * Copy LONG_LEN bytes while another thread sends a signal after 300 ms.
 * Returns the copy's result; *ms is how long it took, *exact whether the
 * destination then holds the source.
 */
static int copy_with_signal(int node, int edu, bool restart, int64_t *ms,
			    bool *exact)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct kicker k = { .target = pthread_self(), .ms = 300 };
	int src = dmx_alloc(node, LONG_LEN), dst = dmx_alloc(node, LONG_LEN);
	uint8_t *smap = edu_map(src, LONG_LEN), *dmap = edu_map(dst, LONG_LEN);
	pthread_t t;
	int64_t start;
	int ret;

	edu_cpu_fill(src, smap, 0, LONG_LEN, 26);
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, kick, &k);
	start = edu_now_ms();
	ret = __edu_copy(edu, src, dst, 0, 0, 0, LONG_LEN);
	*ms = edu_now_ms() - start;
	pthread_join(t, NULL);

	__dmx_sync(dst, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	*exact = !memcmp(smap, dmap, LONG_LEN);
	__dmx_sync(dst, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(dmap, LONG_LEN);
	munmap(smap, LONG_LEN);
	close(dst);
	close(src);
	return ret;
}

TEST_F(life, signal_interrupts_a_long_copy_with_eintr)
{
	uint8_t in[64], out[64];
	bool exact = true;
	int64_t ms = 0;

	EXPECT_EQ(-EINTR, copy_with_signal(self->node, self->edu, false, &ms,
					   &exact));
	/* It stopped early: the whole copy takes seconds. */
	EXPECT_GT(2000, ms);
	EXPECT_FALSE(exact);
	edu_pattern(in, 0, sizeof(in), 24);
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, in, sizeof(in)));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

TEST_F_TIMEOUT(life, interrupted_copy_restarts_under_sa_restart, 60)
{
	bool exact = false;
	int64_t ms = 0;

	/* Every call can be repeated, so the kernel restarts it. */
	EXPECT_EQ(0, copy_with_signal(self->node, self->edu, true, &ms, &exact));
	EXPECT_TRUE(exact);
	EXPECT_LT(300, ms);
}

TEST_F(life, transfer_over_dma_timeout_ms_is_etimedout_and_the_device_recovers)
{
	uint8_t in[64], out[64];
	unsigned int saved = 0, i;
	int ret = 0;

	edu_pattern(in, 0, sizeof(in), 25);
	ASSERT_EQ(0, edu_param_get("dma_timeout_ms", &saved));
	/*
	 * A transfer takes ~100 ms: 1 ms is too short, unless the guest is so
	 * starved that the waiter runs again only after the transfer ended
	 * (then the call rightly succeeds). A few tries make that unlikely.
	 */
	ASSERT_EQ(0, edu_param_set("dma_timeout_ms", 1));
	for (i = 0; i < 5; i++) {
		ret = __edu_devbuf_write(self->edu, 0, in, sizeof(in));
		if (ret)
			break;
	}
	ASSERT_EQ(0, edu_param_set("dma_timeout_ms", saved));
	if (!ret)
		SKIP(return, "every transfer had ended before its waiter ran again (guest too slow to provoke a timeout)");
	EXPECT_EQ(-ETIMEDOUT, ret);
	/* The late transfer was waited for: nothing is broken. */
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, in, sizeof(in)));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

TEST_HARNESS_MAIN
