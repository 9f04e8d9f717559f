// SPDX-License-Identifier: GPL-2.0-only
/*
 * An importer that breaks the dma-buf rules (tests/misuse/, loaded in every
 * guest) must neither leak a DMA mapping nor free tables that are still
 * mapped: the exporter refuses a second map of one attachment (EBUSY),
 * unmaps an attachment detached while mapped, and ignores an unmap of an
 * attachment that is not mapped. Each warns once in the kernel log. The
 * counters show what really happened; DMA-API debugging on the debug
 * kernels reports any mapping left behind when the importer's device goes.
 */
#include "dmabuf-helper.h"
#include "dmx_test.h"
#include "kselftest_harness.h"

#define MISUSE_RUN "/sys/kernel/debug/dmx_misuse_importer/run"

/* Have the misuse importer run @what on @buf: 0 or -errno. */
static int misuse(int buf, const char *what)
{
	char line[64];
	int fd, ret = 0;

	fd = open(MISUSE_RUN, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(line, sizeof(line), "%d %s", buf, what);
	if (write(fd, line, strlen(line)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

FIXTURE(misuse) {
	int ctl;
	int node;
	int buf;
};

FIXTURE_VARIANT(misuse) {
	const char *kind;
};

FIXTURE_VARIANT_ADD(misuse, system) {
	.kind = "system",
};

FIXTURE_VARIANT_ADD(misuse, contig) {
	.kind = "contig",
};

FIXTURE_SETUP(misuse)
{
	DMX_REQUIRE_MODULE();
	ASSERT_EQ(0, access(MISUSE_RUN, W_OK)) TH_LOG("dmx_misuse_importer not loaded");
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->node = dmx_open_node(variant->kind);
	ASSERT_LE(0, self->node);
	self->buf = dmx_alloc(self->node, 16 * DMX_PAGE);
	ASSERT_LE(0, self->buf);
}

FIXTURE_TEARDOWN(misuse)
{
	struct dmabuf_exporter_query q = { 0 };

	/* Nothing is left attached or mapped, whatever the importer did. */
	EXPECT_EQ(0, dmabufx_query(self->ctl, self->buf, &q, sizeof(q)));
	EXPECT_EQ(0, q.attachments);
	EXPECT_EQ(0, q.mapped_attachments);
	close(self->buf);
	close(self->node);
	close(self->ctl);
}

/*
 * Whatever the importer did, the exporter mapped once, unmapped once,
 * attached once and detached once.
 */
static void expect_one_of_each(struct __test_metadata *_metadata, int ctl,
			       int buf)
{
	struct dmabuf_exporter_counters c = { 0 };

	ASSERT_EQ(0, dmabufx_counters(ctl, buf, &c, sizeof(c)));
	EXPECT_EQ(1, c.map[0]);
	EXPECT_EQ(1, c.unmap[0]);
	EXPECT_EQ(1, c.attach);
	EXPECT_EQ(1, c.detach);
}

TEST_F(misuse, mapping_a_mapped_attachment_again_is_ebusy)
{
	EXPECT_EQ(-EBUSY, misuse(self->buf, "map_twice"));
	expect_one_of_each(_metadata, self->ctl, self->buf);
}

/* The exporter unmapped it itself before freeing its tables. */
TEST_F(misuse, detaching_a_mapped_attachment_unmaps_it_first)
{
	EXPECT_EQ(0, misuse(self->buf, "detach_mapped"));
	expect_one_of_each(_metadata, self->ctl, self->buf);
}

TEST_F(misuse, unmapping_an_unmapped_attachment_changes_nothing)
{
	EXPECT_EQ(0, misuse(self->buf, "unmap_unmapped"));
	expect_one_of_each(_metadata, self->ctl, self->buf);
}

TEST_F(misuse, unknown_case_is_einval_and_undone)
{
	struct dmabuf_exporter_counters c = { 0 };

	EXPECT_EQ(-EINVAL, misuse(self->buf, "no_such_case"));
	ASSERT_EQ(0, dmabufx_counters(self->ctl, self->buf, &c, sizeof(c)));
	EXPECT_EQ(c.map[0], c.unmap[0]);
	EXPECT_EQ(c.attach, c.detach);
}

/*
 * Tell the guest harness (tests/vm/run-vm.sh) that a WARNING splat from
 * @func is expected in this run's kernel log; outside it, nothing to do.
 */
static void expect_kernel_warning(const char *func)
{
	const char *path = getenv("DMX_VM_EXPECTED_WARNINGS");
	FILE *f;

	if (!path || !(f = fopen(path, "ae")))
		return;
	fprintf(f, "%s\n", func);
	fclose(f);
}

/*
 * A kernel mapping is writable, so pages pinned read-only get none: the
 * importer's vmap fails with EACCES and the memory stays as it was. A
 * writable import maps, and the importer's write lands in the user's memory.
 */
TEST(vmap_of_a_read_only_user_import_is_eacces)
{
	const size_t len = 4 * DMX_PAGE;
	uint8_t *mem;
	int ctl, rw, ro;

	DMX_REQUIRE_MODULE();
	ASSERT_EQ(0, access(MISUSE_RUN, W_OK)) TH_LOG("dmx_misuse_importer not loaded");
	ctl = dmx_open_node("ctl");
	ASSERT_LE(0, ctl);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0, len);

	rw = __dmx_import_user(ctl, mem, len, DMABUF_EXPORTER_IMPORT_WRITE, O_RDWR);
	ASSERT_LE(0, rw);
	EXPECT_EQ(0, misuse(rw, "vmap"));
	EXPECT_EQ(0x5a, mem[0]) TH_LOG("the importer's write did not land");
	close(rw);

	mem[0] = 0;
	ro = __dmx_import_user(ctl, mem, len, 0, O_RDONLY);
	ASSERT_LE(0, ro);
	/* dma_buf_vmap() WARNs once when an exporter refuses. */
	expect_kernel_warning("dma_buf_vmap");
	EXPECT_EQ(-EACCES, misuse(ro, "vmap"));
	EXPECT_EQ(0, mem[0]);
	close(ro);
	munmap(mem, len);
	close(ctl);
}

TEST_HARNESS_MAIN
