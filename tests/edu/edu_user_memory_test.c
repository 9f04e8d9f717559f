// SPDX-License-Identifier: GPL-2.0-only
/*
 * The edu device between our memory kinds, and the classic recipe for user
 * memory: pin (IMPORT_USER) -> map for the device -> the device DMAs ->
 * sync for the CPU (DMA_BUF_SYNC_START) -> the CPU reads its own malloc'd
 * memory -> unmap -> unpin (close), with nothing left pinned.
 *
 * Under swiotlb=force every device access goes through a bounce buffer, so a
 * missing or wrong-direction sync anywhere on the way shows as stale bytes.
 */
#include "edu_test.h"
#include "kselftest_harness.h"

EDU_SKIP_PROGRAM_WITHOUT_NODE

#define PAGE		4096UL
#define LEN		(5 * PAGE)

enum { SYSTEM, CONTIG, USER, NR_KINDS };
static const char *const kind_names[NR_KINDS] = { "system", "contig", "user" };

FIXTURE(mem) {
	int edu;
	int ctl;
	int buf[NR_KINDS];
	uint8_t *cpu[NR_KINDS];	/* the mmap, or the user's own memory */
	uint8_t *user;		/* malloc'd */
	int64_t live;
};

FIXTURE_SETUP(mem)
{
	int k, node;

	for (k = 0; k < NR_KINDS; k++)
		self->buf[k] = -1;
	self->ctl = -1;
	self->edu = edu_open();
	if (self->edu < 0)
		SKIP(return, "%s", edu_missing_reason());
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->live = dmx_live_buffers(self->ctl);

	for (k = SYSTEM; k <= CONTIG; k++) {
		node = dmx_open_node(kind_names[k]);
		ASSERT_LE(0, node);
		self->buf[k] = dmx_alloc(node, LEN);
		close(node);
		ASSERT_LE(0, self->buf[k]);
		self->cpu[k] = edu_map(self->buf[k], LEN);
		ASSERT_NE(MAP_FAILED, self->cpu[k]);
	}
	/* Plain heap memory, as an application would have it. */
	ASSERT_EQ(0, posix_memalign((void **)&self->user, PAGE, LEN));
	memset(self->user, 0, LEN);
	self->buf[USER] = __dmx_import_user(self->ctl, self->user, LEN,
					     DMABUF_EXPORTER_IMPORT_WRITE, O_RDWR);
	ASSERT_LE(0, self->buf[USER]) TH_LOG("IMPORT_USER: %s",
					     strerror(-self->buf[USER]));
	self->cpu[USER] = self->user;
}

FIXTURE_TEARDOWN(mem)
{
	int k;

	for (k = 0; k < NR_KINDS; k++) {
		if (self->buf[k] < 0)
			continue;
		if (k != USER)
			munmap(self->cpu[k], LEN);
		close(self->buf[k]);
	}
	if (self->ctl >= 0) {
		/* Closing the last fd unpinned the user's pages. */
		EXPECT_EQ(0, dmx_pinned_bytes(self->ctl));
		EXPECT_EQ(self->live, dmx_live_buffers(self->ctl));
		close(self->ctl);
	}
	free(self->user);
	if (self->edu >= 0)
		close(self->edu);
}

/* The CPU fills all of buffer k with the pattern of seed, bracketed by SYNC. */
static int cpu_fill(FIXTURE_DATA(mem) *self, int k, unsigned int seed)
{
	return edu_cpu_fill(self->buf[k], self->cpu[k], 0, LEN, seed);
}

/* First byte of buffer k differing from model (LEN if none), read by SYNC. */
static size_t cpu_check(struct __test_metadata *_metadata,
			FIXTURE_DATA(mem) *self, int k, const uint8_t *model)
{
	size_t bad;

	EXPECT_EQ(0, __dmx_sync(self->buf[k], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	bad = edu_mismatch(self->cpu[k], 0, model, LEN);
	EXPECT_EQ(0, __dmx_sync(self->buf[k], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	return bad;
}

/*
 * Every ordered pair of system, contig and user memory, at offsets and
 * lengths that are not page multiples and cross both page boundaries and the
 * device's 4095-byte window (a copy moves in several device transfers).
 */
TEST_F_TIMEOUT(mem, copies_between_system_contig_and_user_memory_are_byte_exact, 120)
{
	static const struct { size_t src, dst, len; } cases[] = {
		{ 1, 4093, 4097 },
		{ 4095, 3, 8191 },
		{ 12287, 8190, 7001 },
	};
	uint8_t *model = malloc(LEN), *src = malloc(LEN);
	int s, d, seed = 10;
	unsigned int i;

	ASSERT_NE(NULL, model);
	ASSERT_NE(NULL, src);
	for (s = 0; s < NR_KINDS; s++) {
		for (d = 0; d < NR_KINDS; d++) {
			if (s == d)
				continue;
			for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
				size_t bad;

				seed += 2;
				ASSERT_EQ(0, cpu_fill(self, s, seed));
				ASSERT_EQ(0, cpu_fill(self, d, seed + 1));
				edu_pattern(src, 0, LEN, seed);
				edu_pattern(model, 0, LEN, seed + 1);
				memcpy(model + cases[i].dst, src + cases[i].src,
				       cases[i].len);

				ASSERT_EQ(0, __edu_copy(self->edu, self->buf[s],
							self->buf[d], 0,
							cases[i].src,
							cases[i].dst,
							cases[i].len))
					TH_LOG("%s -> %s, case %u", kind_names[s],
					       kind_names[d], i);
				bad = cpu_check(_metadata, self, d, model);
				ASSERT_EQ(LEN, bad)
					TH_LOG("%s -> %s, case %u: first wrong byte at %zu",
					       kind_names[s], kind_names[d], i, bad);
				/* The source is untouched. */
				ASSERT_EQ(LEN, cpu_check(_metadata, self, s, src));
			}
		}
	}
	free(src);
	free(model);
}

/*
 * The classic recipe, with the device writing: its bytes end up in the
 * application's own malloc'd memory, where the CPU reads them after
 * DMA_BUF_SYNC_START, and only in the range the device wrote.
 */
TEST_F(mem, device_write_lands_in_the_users_malloced_memory)
{
	const size_t off = PAGE - 7, n = 4000;	/* crosses a page boundary */
	uint8_t dev[4000], *model = malloc(LEN);
	int64_t transfers = edu_transfers(self->edu);

	ASSERT_NE(NULL, model);
	ASSERT_EQ(LEN, dmx_pinned_bytes(self->ctl));
	ASSERT_EQ(0, cpu_fill(self, USER, 40));
	edu_pattern(dev, 0, n, 41);
	ASSERT_EQ(0, __edu_devbuf_write(self->edu, 0, dev, n));

	ASSERT_EQ(0, __edu_write_dmabuf(self->edu, self->buf[USER], 0, off, 0, n));
	EXPECT_LT(transfers, edu_transfers(self->edu));

	edu_pattern(model, 0, LEN, 40);
	memcpy(model + off, dev, n);
	EXPECT_EQ(LEN, cpu_check(_metadata, self, USER, model));
	free(model);
}

/* And reading: what the application wrote reaches the device. */
TEST_F(mem, device_reads_what_the_user_wrote_to_malloced_memory)
{
	const size_t off = 2 * PAGE + 5, n = 4090;
	uint8_t dev[4090], expect[4090];

	ASSERT_EQ(0, cpu_fill(self, USER, 50));
	ASSERT_EQ(0, __edu_read_dmabuf(self->edu, self->buf[USER], 0, off, 0, n));
	ASSERT_EQ(0, __edu_devbuf_read(self->edu, 0, dev, n));
	edu_pattern(expect, off, n, 50);
	EXPECT_EQ(n, edu_mismatch(dev, 0, expect, n));
}

/*
 * A buffer of many segments: 128 pages of a memfd, every other one and in
 * reverse order (UDMABUF_CREATE_LIST on our ctl node), so no two merge. An
 * attachment keeps its tables inside itself up to a few dozen entries and
 * allocates them beyond (driver/buffer.c); this one takes the second path.
 * The device copies all of it into a system buffer and most of it back, at
 * offsets that are not page multiples.
 */
#define SCATTER_PAGES	128

/* Byte j of the list buffer is byte scatter_off(j) of the memfd. */
static size_t scatter_off(size_t j)
{
	return 2 * (SCATTER_PAGES - 1 - j / PAGE) * PAGE + j % PAGE;
}

TEST_F_TIMEOUT(mem, copies_through_a_buffer_of_128_scattered_pages_are_byte_exact, 120)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[SCATTER_PAGES];
	} req = { .head = { .flags = UDMABUF_FLAGS_CLOEXEC, .count = SCATTER_PAGES } };
	struct dmabuf_exporter_query q = { 0 };
	const size_t len = SCATTER_PAGES * PAGE, file_len = 2 * len;
	uint8_t *file, *sysmap, *model = malloc(len), *pat = malloc(len);
	int memfd, list, node, sys;
	size_t j;

	ASSERT_NE(NULL, model);
	ASSERT_NE(NULL, pat);
	memfd = memfd_create("scattered", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, file_len));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	file = mmap(NULL, file_len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, file);
	edu_pattern(file, 0, file_len, 70);
	for (j = 0; j < SCATTER_PAGES; j++)
		req.items[j] = (struct udmabuf_create_item){
			.memfd = (uint32_t)memfd,
			.offset = scatter_off(j * PAGE),
			.size = PAGE,
		};
	list = ioctl(self->ctl, UDMABUF_CREATE_LIST, &req);
	ASSERT_LE(0, list) TH_LOG("UDMABUF_CREATE_LIST: %s", strerror(errno));
	q.fd = (uint32_t)list;
	ASSERT_EQ(0, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	ASSERT_LT(100, q.segments);

	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	sys = dmx_alloc(node, len);
	close(node);
	ASSERT_LE(0, sys);
	sysmap = edu_map(sys, len);
	ASSERT_NE(MAP_FAILED, sysmap);
	ASSERT_EQ(0, edu_cpu_fill(sys, sysmap, 0, len, 71));

	/* All of the list into the system buffer. */
	ASSERT_EQ(0, __edu_copy(self->edu, list, sys, 0, 0, 0, len));
	for (j = 0; j < len; j++)
		model[j] = file[scatter_off(j)];
	ASSERT_EQ(0, __dmx_sync(sys, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(len, edu_mismatch(sysmap, 0, model, len));
	ASSERT_EQ(0, __dmx_sync(sys, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* And back: the system buffer's bytes [5, len - 3) over the list's. */
	ASSERT_EQ(0, edu_cpu_fill(sys, sysmap, 0, len, 72));
	ASSERT_EQ(0, __edu_copy(self->edu, sys, list, 0, 5, 5, len - 8));
	edu_pattern(pat, 0, len, 72);
	for (j = 5; j < len - 3; j++)
		model[j] = pat[j];
	ASSERT_EQ(0, __dmx_sync(list, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (j = 0; j < len; j++)
		if (file[scatter_off(j)] != model[j])
			break;
	EXPECT_EQ(len, j) TH_LOG("list byte %zu differs", j);
	ASSERT_EQ(0, __dmx_sync(list, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	munmap(sysmap, len);
	close(sys);
	close(list);
	munmap(file, file_len);
	close(memfd);
	free(pat);
	free(model);
}

TEST_HARNESS_MAIN
