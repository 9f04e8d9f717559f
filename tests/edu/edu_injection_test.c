// SPDX-License-Identifier: GPL-2.0-only
/*
 * The edu importer's error handling, driven by our exporter in test-exporter
 * mode (docs/test-exporter.md): a buffer is told to fail its next attach or
 * map with a chosen errno, and each ioctl that imports (READ_DMABUF,
 * WRITE_DMABUF, COPY from either end, persistent ATTACH) must
 *  - fail with exactly that errno,
 *  - have started no DMA transfer (INFO.transfers),
 *  - have released everything it took, in the direction it took it
 *    (DMABUF_EXPORTER_IOCTL_COUNTERS: attach == detach, map[d] == unmap[d]),
 *  - leave no unsignalled fence on the buffer, no fd, no buffer reference,
 *    no handle slot,
 * and once the injection is used up the same call must work and move the
 * right bytes. Directions: the device reads a dma-buf through a
 * DMA_TO_DEVICE mapping, writes one through DMA_FROM_DEVICE, and a copy
 * inside one dma-buf and a persistent attachment map DMA_BIDIRECTIONAL.
 *
 * The importer never vmaps and never calls begin_cpu_access (the persistent
 * mode leaves CPU access to userspace's DMA_BUF_IOCTL_SYNC); one test checks
 * that an armed begin_cpu_access failure is not consumed by any of its calls.
 *
 * Each test runs with three errnos (variants), one of which (EFAULT) the
 * importer also produces itself for other reasons: the exact counters, not
 * the errno alone, show where the failure came from.
 */
#include "edu_test.h"
#include "kselftest_harness.h"

EDU_SKIP_PROGRAM_WITHOUT_NODE

#define PAGE		4096u
#define BUF_LEN		(2 * PAGE)
/* A range across the page boundary, within the device buffer's 4095 bytes. */
#define OFF		1000u
#define LEN		3000u
#define MAX_BUFS	4

/* enum dma_data_direction, as the counters index it. */
#define DIR_BIDI	0
#define DIR_TO_DEV	1
#define DIR_FROM_DEV	2

static const char *op_name(uint32_t op)
{
	return op == DMABUF_EXPORTER_OP_ATTACH ? "attach" :
	       op == DMABUF_EXPORTER_OP_MAP ? "map" : "other";
}

FIXTURE(inj) {
	int edu;
	int ctl;
	int node;
	int bufs[MAX_BUFS];
	int nbufs;
	int64_t live;
	int fds;
};

FIXTURE_VARIANT(inj) {
	uint32_t error;
};

FIXTURE_VARIANT_ADD(inj, eio) {
	.error = EIO,
};

FIXTURE_VARIANT_ADD(inj, enospc) {
	.error = ENOSPC,
};

FIXTURE_VARIANT_ADD(inj, efault) {
	.error = EFAULT,
};

FIXTURE_SETUP(inj)
{
	DMX_REQUIRE_MODULE();
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->node = dmx_open_node("system");
	ASSERT_LE(0, self->node);
	if (dmx_write_param("test_exporter", 1))
		SKIP(return, "cannot turn on test_exporter mode (needs root)");
	self->live = dmx_live_buffers(self->ctl);
	ASSERT_LE(0, self->live);
	self->fds = dmx_count_fds();
}

/*
 * A reference the importer kept would keep a buffer alive after the test
 * closed it; checked before the edu node is closed, which would drop it.
 */
FIXTURE_TEARDOWN(inj)
{
	int i;

	for (i = 0; i < self->nbufs; i++)
		close(self->bufs[i]);
	EXPECT_EQ(self->live, dmx_live_buffers(self->ctl))
		TH_LOG("a buffer is still alive: the importer kept a reference");
	EXPECT_EQ(self->fds, dmx_count_fds()) TH_LOG("fd leaked");
	EXPECT_EQ(0, dmx_write_param("test_exporter", 0));
	close(self->node);
	close(self->ctl);
	close(self->edu);
}

/* A zeroed BUF_LEN buffer of ours, closed by the teardown. */
static int new_buf(struct __test_metadata *_metadata,
		   FIXTURE_DATA(inj) *self)
{
	int buf;

	ASSERT_GT(MAX_BUFS, self->nbufs);
	buf = dmx_alloc(self->node, BUF_LEN);
	ASSERT_LE(0, buf);
	self->bufs[self->nbufs++] = buf;
	return buf;
}

/*
 * @buf's counters after the importer attached it @attaches times and mapped
 * it @maps times, all in direction @dir, with @failed calls failed by
 * injection; everything taken must have been given back, in the direction
 * it was taken.
 */
static void expect_counters(struct __test_metadata *_metadata, int ctl,
			    int buf, uint64_t attaches, int dir, uint64_t maps,
			    uint64_t failed, const char *what)
{
	struct dmabuf_exporter_counters c;
	int d;

	ASSERT_EQ(0, __dmx_counters(ctl, buf, &c));
	EXPECT_EQ(attaches, c.attach) TH_LOG("%s: attaches", what);
	EXPECT_EQ(c.attach, c.detach)
		TH_LOG("%s: %llu attaches, %llu detaches", what,
		       (unsigned long long)c.attach,
		       (unsigned long long)c.detach);
	for (d = 0; d < 3; d++) {
		EXPECT_EQ(d == dir ? maps : 0, c.map[d])
			TH_LOG("%s: maps in direction %d", what, d);
		EXPECT_EQ(c.map[d], c.unmap[d])
			TH_LOG("%s: direction %d: %llu maps, %llu unmaps", what,
			       d, (unsigned long long)c.map[d],
			       (unsigned long long)c.unmap[d]);
	}
	EXPECT_EQ(0, c.vmap) TH_LOG("%s: the importer never vmaps", what);
	EXPECT_EQ(0, c.vunmap) TH_LOG("%s", what);
	/* The tests' own DMA_BUF_IOCTL_SYNC calls come in pairs. */
	EXPECT_EQ(c.begin_cpu_access, c.end_cpu_access) TH_LOG("%s", what);
	EXPECT_EQ(failed, c.failed) TH_LOG("%s: injected failures used", what);
}

/*
 * A failed call must still signal the fence it published (with the error)
 * and take it off the buffer, or every later user would wait for it.
 */
static void expect_no_pending_fence(struct __test_metadata *_metadata,
				    int buf, const char *what)
{
	struct pollfd p = { .fd = buf, .events = POLLOUT };

	EXPECT_EQ(1, poll(&p, 1, 0)) TH_LOG("%s: a fence is still pending", what);
	EXPECT_EQ(POLLOUT, p.revents & POLLOUT) TH_LOG("%s", what);
}

/* [OFF, OFF + LEN) of @buf is still all zero: the device wrote nothing. */
static void expect_untouched(struct __test_metadata *_metadata, int buf,
			     const uint8_t *map, const char *what)
{
	static const uint8_t zero[LEN];

	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(LEN, edu_mismatch(map, OFF, zero, LEN))
		TH_LOG("%s: the device wrote into the buffer", what);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
}

/* map[OFF, OFF + LEN) holds @want, read between SYNC_START and SYNC_END. */
static void expect_bytes(struct __test_metadata *_metadata, int buf,
			 const uint8_t *map, const uint8_t *want,
			 const char *what)
{
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(LEN, edu_mismatch(map, OFF, want, LEN))
		TH_LOG("%s: wrong bytes", what);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
}

/* The device buffer's [0, LEN) holds @want. */
static void expect_devbuf(struct __test_metadata *_metadata, int edu,
			  const uint8_t *want, const char *what)
{
	uint8_t got[LEN];

	ASSERT_EQ(0, __edu_devbuf_read(edu, 0, got, LEN));
	EXPECT_EQ(LEN, edu_mismatch(got, 0, want, LEN))
		TH_LOG("%s: the device buffer holds the wrong bytes", what);
}

/* READ_DMABUF or WRITE_DMABUF of [OFF, OFF + LEN), device buffer at 0. */
static int xfer(int edu, bool dev_writes, uint32_t buf, uint32_t flags)
{
	if (dev_writes)
		return __edu_write_dmabuf(edu, buf, flags, OFF, 0, LEN);
	return __edu_read_dmabuf(edu, buf, flags, OFF, 0, LEN);
}

/*
 * One READ_DMABUF or WRITE_DMABUF by fd whose attach or map fails @count
 * times: exactly @count calls fail with @error, start no transfer and give
 * everything back; the next one moves the right bytes.
 */
static void xfer_fails_then_works(struct __test_metadata *_metadata,
				  FIXTURE_DATA(inj) *self, uint32_t error,
				  bool dev_writes, uint32_t op, uint32_t count)
{
	int dir = dev_writes ? DIR_FROM_DEV : DIR_TO_DEV;
	int buf = new_buf(_metadata, self);
	uint8_t want[LEN], other[LEN];
	/* A failed map comes after a successful attach, undone. */
	uint64_t attached = op == DMABUF_EXPORTER_OP_MAP ? count : 0;
	int64_t transfers;
	uint8_t *map;
	uint32_t i;

	map = edu_map(buf, BUF_LEN);
	ASSERT_NE(MAP_FAILED, map);
	if (dev_writes) {
		/* What the device will write, in its own buffer. */
		edu_pattern(want, OFF, LEN, 1);
		ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, want, LEN));
	} else {
		/* What it will read, in the dma-buf; its buffer differs. */
		ASSERT_EQ(0, edu_cpu_fill(buf, map, OFF, LEN, 2));
		edu_pattern(want, OFF, LEN, 2);
		memset(other, 0xa5, LEN);
		ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, other, LEN));
	}
	transfers = edu_transfers(self->edu);
	ASSERT_LE(0, transfers);

	ASSERT_EQ(0, __dmx_inject(self->ctl, buf, op, count, error));
	for (i = 0; i < count; i++)
		EXPECT_EQ(-(int)error, xfer(self->edu, dev_writes, buf, 0))
			TH_LOG("%s failure %u of %u", op_name(op), i + 1, count);
	EXPECT_EQ(transfers, edu_transfers(self->edu))
		TH_LOG("the device ran a transfer in a failed call");
	expect_counters(_metadata, self->ctl, buf, attached, dir, 0, count,
			"after the failures");
	expect_no_pending_fence(_metadata, buf, "after the failures");
	if (dev_writes)
		expect_untouched(_metadata, buf, map, "after the failures");

	/* Used up: the same call works now. */
	EXPECT_EQ(0, xfer(self->edu, dev_writes, buf, 0));
	EXPECT_LT(transfers, edu_transfers(self->edu));
	expect_counters(_metadata, self->ctl, buf, attached + 1, dir, 1, count,
			"after the call that worked");
	if (dev_writes)
		expect_bytes(_metadata, buf, map, want, "device write");
	else
		expect_devbuf(_metadata, self->edu, want, "device read");
	munmap(map, BUF_LEN);
}

TEST_F(inj, read_dmabuf_returns_the_attach_error_and_recovers)
{
	xfer_fails_then_works(_metadata, self, variant->error, false,
			      DMABUF_EXPORTER_OP_ATTACH, 1);
}

TEST_F(inj, read_dmabuf_returns_the_map_error_detaches_and_recovers)
{
	xfer_fails_then_works(_metadata, self, variant->error, false,
			      DMABUF_EXPORTER_OP_MAP, 1);
}

TEST_F(inj, write_dmabuf_returns_the_attach_error_writes_nothing_and_recovers)
{
	xfer_fails_then_works(_metadata, self, variant->error, true,
			      DMABUF_EXPORTER_OP_ATTACH, 1);
}

TEST_F(inj, write_dmabuf_returns_the_map_error_writes_nothing_and_recovers)
{
	xfer_fails_then_works(_metadata, self, variant->error, true,
			      DMABUF_EXPORTER_OP_MAP, 1);
}

/* The injection counts calls: exactly N fail, each one cleanly. */
TEST_F(inj, read_dmabuf_fails_exactly_n_times_when_n_maps_are_failed)
{
	xfer_fails_then_works(_metadata, self, variant->error, false,
			      DMABUF_EXPORTER_OP_MAP, 3);
}

TEST_F(inj, write_dmabuf_fails_exactly_n_times_when_n_attaches_are_failed)
{
	xfer_fails_then_works(_metadata, self, variant->error, true,
			      DMABUF_EXPORTER_OP_ATTACH, 3);
}

/*
 * COPY between two dma-bufs, @op failing on the source (@on_src) or the
 * destination. The importer attaches the source, then the destination, then
 * maps them in that order (edu_op_attach(), edu_op_map()): what was taken
 * before the failure is exactly what must have been given back.
 */
static void copy_fails_then_works(struct __test_metadata *_metadata,
				  FIXTURE_DATA(inj) *self, uint32_t error,
				  bool on_src, uint32_t op)
{
	int src = new_buf(_metadata, self), dst = new_buf(_metadata, self);
	bool map_fails = op == DMABUF_EXPORTER_OP_MAP;
	uint64_t src_att, dst_att, src_maps;
	uint8_t *smap, *dmap, want[LEN];
	int64_t transfers;

	smap = edu_map(src, BUF_LEN);
	ASSERT_NE(MAP_FAILED, smap);
	dmap = edu_map(dst, BUF_LEN);
	ASSERT_NE(MAP_FAILED, dmap);
	ASSERT_EQ(0, edu_cpu_fill(src, smap, OFF, LEN, 3));
	edu_pattern(want, OFF, LEN, 3);
	transfers = edu_transfers(self->edu);
	ASSERT_LE(0, transfers);

	ASSERT_EQ(0, __dmx_inject(self->ctl, on_src ? src : dst, op, 1, error));
	EXPECT_EQ(-(int)error, __edu_copy(self->edu, src, dst, 0, OFF, OFF, LEN));
	EXPECT_EQ(transfers, edu_transfers(self->edu))
		TH_LOG("the device ran a transfer in a failed call");

	/* Source: attached unless its own attach failed; mapped only when
	 * the destination's map is what failed.
	 */
	src_att = on_src && !map_fails ? 0 : 1;
	src_maps = !on_src && map_fails ? 1 : 0;
	/* Destination: attached when the failure is a map (either end). */
	dst_att = map_fails ? 1 : 0;
	expect_counters(_metadata, self->ctl, src, src_att, DIR_TO_DEV,
			src_maps, on_src ? 1 : 0, "source, after the failure");
	expect_counters(_metadata, self->ctl, dst, dst_att, DIR_FROM_DEV, 0,
			on_src ? 0 : 1, "destination, after the failure");
	expect_no_pending_fence(_metadata, src, "source, after the failure");
	expect_no_pending_fence(_metadata, dst, "destination, after the failure");
	expect_untouched(_metadata, dst, dmap, "destination, after the failure");

	EXPECT_EQ(0, __edu_copy(self->edu, src, dst, 0, OFF, OFF, LEN));
	EXPECT_LT(transfers, edu_transfers(self->edu));
	expect_counters(_metadata, self->ctl, src, src_att + 1, DIR_TO_DEV,
			src_maps + 1, on_src ? 1 : 0, "source, after the copy");
	expect_counters(_metadata, self->ctl, dst, dst_att + 1, DIR_FROM_DEV, 1,
			on_src ? 0 : 1, "destination, after the copy");
	expect_bytes(_metadata, dst, dmap, want, "copy");
	munmap(smap, BUF_LEN);
	munmap(dmap, BUF_LEN);
}

TEST_F(inj, copy_returns_the_source_attach_error_and_recovers)
{
	copy_fails_then_works(_metadata, self, variant->error, true,
			      DMABUF_EXPORTER_OP_ATTACH);
}

TEST_F(inj, copy_returns_the_destination_attach_error_detaches_the_source)
{
	copy_fails_then_works(_metadata, self, variant->error, false,
			      DMABUF_EXPORTER_OP_ATTACH);
}

TEST_F(inj, copy_returns_the_source_map_error_detaches_both)
{
	copy_fails_then_works(_metadata, self, variant->error, true,
			      DMABUF_EXPORTER_OP_MAP);
}

TEST_F(inj, copy_returns_the_destination_map_error_unmaps_the_source)
{
	copy_fails_then_works(_metadata, self, variant->error, false,
			      DMABUF_EXPORTER_OP_MAP);
}

/* A copy inside one dma-buf: one attachment, mapped both ways. */
TEST_F(inj, copy_inside_one_dmabuf_returns_attach_and_map_errors)
{
	static const uint32_t ops[] = {
		DMABUF_EXPORTER_OP_ATTACH, DMABUF_EXPORTER_OP_MAP,
	};
	int buf = new_buf(_metadata, self);
	uint8_t *map, want[LEN];
	int64_t transfers;
	unsigned int i;

	map = edu_map(buf, BUF_LEN);
	ASSERT_NE(MAP_FAILED, map);
	/* Source [OFF + PAGE, ...) to [OFF, ...): no overlap. */
	ASSERT_EQ(0, edu_cpu_fill(buf, map, OFF + PAGE, LEN - 1000, 4));
	edu_pattern(want, OFF + PAGE, LEN - 1000, 4);
	transfers = edu_transfers(self->edu);
	ASSERT_LE(0, transfers);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, __dmx_inject(self->ctl, buf, ops[i], 1, variant->error));
		EXPECT_EQ(-(int)variant->error,
			  __edu_copy(self->edu, buf, buf, 0, OFF + PAGE, OFF,
				     LEN - 1000))
			TH_LOG("%s", op_name(ops[i]));
		EXPECT_EQ(transfers, edu_transfers(self->edu));
		expect_no_pending_fence(_metadata, buf, op_name(ops[i]));
	}
	/* The attach of the second (map) failure was undone. */
	expect_counters(_metadata, self->ctl, buf, 1, DIR_BIDI, 0, 2,
			"after both failures");

	EXPECT_EQ(0, __edu_copy(self->edu, buf, buf, 0, OFF + PAGE, OFF,
				LEN - 1000));
	expect_counters(_metadata, self->ctl, buf, 2, DIR_BIDI, 1, 2,
			"after the copy");
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(LEN - 1000, edu_mismatch(map, OFF, want, LEN - 1000));
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(map, BUF_LEN);
}

/*
 * Persistent ATTACH whose attach or map fails max_handles times in a row:
 * each fails with the errno and keeps nothing (a handle slot reserved and
 * not released would make the attach after them ENOSPC, a handle kept would
 * make it EEXIST). Then the attachment works for a transfer by handle, and
 * DETACH gives everything back.
 */
static void attach_fails_then_works(struct __test_metadata *_metadata,
				    FIXTURE_DATA(inj) *self, uint32_t error,
				    uint32_t op)
{
	struct dmabuf_exporter_edu_info info;
	struct dmabuf_exporter_counters c;
	int buf = new_buf(_metadata, self);
	uint64_t attached;
	uint8_t *map, want[LEN];
	uint32_t h = 0, i;

	ASSERT_EQ(0, __edu_info(self->edu, &info));
	ASSERT_LT(1, info.max_handles);
	map = edu_map(buf, BUF_LEN);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, edu_cpu_fill(buf, map, OFF, LEN, 5));
	edu_pattern(want, OFF, LEN, 5);

	ASSERT_EQ(0, __dmx_inject(self->ctl, buf, op, info.max_handles, error));
	for (i = 0; i < info.max_handles; i++)
		ASSERT_EQ(-(int)error, __edu_attach(self->edu, buf, &h))
			TH_LOG("%s failure %u", op_name(op), i + 1);
	attached = op == DMABUF_EXPORTER_OP_MAP ? info.max_handles : 0;
	expect_counters(_metadata, self->ctl, buf, attached, DIR_BIDI, 0,
			info.max_handles, "after the failures");

	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	EXPECT_EQ(1, h) TH_LOG("the failed calls used up handle numbers");
	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_EQ(attached + 1, c.attach);
	EXPECT_EQ(attached, c.detach);
	EXPECT_EQ(1, c.map[DIR_BIDI]);
	EXPECT_EQ(0, c.unmap[DIR_BIDI]);

	/* The mapping is the device's: the CPU's bytes went with SYNC_END. */
	ASSERT_EQ(0, xfer(self->edu, false, h, DMABUF_EXPORTER_EDU_HANDLE));
	expect_devbuf(_metadata, self->edu, want, "device read by handle");
	EXPECT_EQ(0, __edu_detach(self->edu, h));
	expect_counters(_metadata, self->ctl, buf, attached + 1, DIR_BIDI, 1,
			info.max_handles, "after DETACH");
	munmap(map, BUF_LEN);
}

TEST_F(inj, attach_returns_the_attach_error_and_keeps_no_handle)
{
	attach_fails_then_works(_metadata, self, variant->error,
				DMABUF_EXPORTER_OP_ATTACH);
}

TEST_F(inj, attach_returns_the_map_error_detaches_and_keeps_no_handle)
{
	attach_fails_then_works(_metadata, self, variant->error,
				DMABUF_EXPORTER_OP_MAP);
}

/*
 * The importer leaves CPU access to userspace: none of its calls may call
 * begin_cpu_access, so an armed failure stays armed through all of them
 * and is what the next DMA_BUF_IOCTL_SYNC gets.
 */
TEST_F(inj, no_import_call_consumes_a_begin_cpu_access_failure)
{
	struct dmabuf_exporter_counters c;
	int buf = new_buf(_metadata, self), other = new_buf(_metadata, self);
	uint32_t h = 0;

	ASSERT_EQ(0, __dmx_inject(self->ctl, buf, DMABUF_EXPORTER_OP_BEGIN_CPU_ACCESS,
			      1, variant->error));
	EXPECT_EQ(0, xfer(self->edu, false, buf, 0));
	EXPECT_EQ(0, xfer(self->edu, true, buf, 0));
	EXPECT_EQ(0, __edu_copy(self->edu, buf, other, 0, OFF, OFF, LEN));
	EXPECT_EQ(0, __edu_copy(self->edu, other, buf, 0, OFF, OFF, LEN));
	ASSERT_EQ(0, __edu_attach(self->edu, buf, &h));
	EXPECT_EQ(0, xfer(self->edu, true, h, DMABUF_EXPORTER_EDU_HANDLE));
	EXPECT_EQ(0, __edu_detach(self->edu, h));

	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_EQ(0, c.begin_cpu_access);
	EXPECT_EQ(0, c.end_cpu_access);
	EXPECT_EQ(0, c.failed);
	EXPECT_EQ(-(int)variant->error,
		  __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		TH_LOG("the armed failure was consumed");
	EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	/* Each import call attached and mapped once, in its direction. */
	ASSERT_EQ(0, __dmx_counters(self->ctl, buf, &c));
	EXPECT_EQ(5, c.attach);
	EXPECT_EQ(c.attach, c.detach);
	EXPECT_EQ(2, c.map[DIR_TO_DEV]);	/* READ_DMABUF, copy source */
	EXPECT_EQ(2, c.map[DIR_FROM_DEV]);	/* WRITE_DMABUF, copy dest. */
	EXPECT_EQ(1, c.map[DIR_BIDI]);		/* ATTACH */
	EXPECT_EQ(c.map[DIR_TO_DEV], c.unmap[DIR_TO_DEV]);
	EXPECT_EQ(c.map[DIR_FROM_DEV], c.unmap[DIR_FROM_DEV]);
	EXPECT_EQ(c.map[DIR_BIDI], c.unmap[DIR_BIDI]);
	EXPECT_EQ(1, c.failed);
}

TEST_HARNESS_MAIN
