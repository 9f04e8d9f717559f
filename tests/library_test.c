// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdmabuf-helper against the real module (in a guest) and, for what needs
 * no kernel support, against ordinary files (on the host as well).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "kselftest_harness.h"

static int have_module(void)
{
	return access(DMABUF_EXPORTER_DEV_SYSTEM, F_OK) == 0;
}

TEST(node_open_rejects_names_that_leave_the_directory)
{
	static const char *const bad[] = { "", ".", "..", "../null", "a/b" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, dmabuf_node_open(bad[i])) TH_LOG("'%s'", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("'%s'", bad[i]);
	}
	EXPECT_EQ(-1, dmabuf_node_open(NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST(sync_rejects_empty_or_unknown_access)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabuf_sync_begin(fds[0], 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabuf_sync_end(fds[0], 0x4));
	EXPECT_EQ(EINVAL, errno);
	/* A valid request on something that is not a dma-buf: the kernel says. */
	EXPECT_EQ(-1, dmabuf_sync_begin(fds[0], DMA_BUF_SYNC_READ));
	EXPECT_EQ(ENOTTY, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(size_of_a_pipe_is_espipe)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, dmabuf_size(fds[0]));
	EXPECT_EQ(ESPIPE, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(version_matches_the_project)
{
	EXPECT_STREQ(DMABUF_VERSION, dmabuf_helper_version());
}

TEST(alloc_map_sync_round_trip_through_the_library)
{
	struct dmabuf_exporter_info info;
	uint8_t *map;
	int node, buf, i;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	node = dmabuf_node_open("system");
	ASSERT_LE(0, node);
	ASSERT_EQ(0, dmabuf_exporter_info(node, &info));
	EXPECT_EQ(DMABUF_EXPORTER_API_VERSION, info.api_version);

	buf = dmabuf_heap_alloc(node, 5000, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, buf);
	EXPECT_EQ(8192, dmabuf_size(buf));
	map = dmabuf_map(buf, 8192, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, dmabuf_sync_begin(buf, DMA_BUF_SYNC_WRITE));
	for (i = 0; i < 8192; i++)
		map[i] = (uint8_t)i;
	ASSERT_EQ(0, dmabuf_sync_end(buf, DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, dmabuf_sync_begin(buf, DMA_BUF_SYNC_READ));
	for (i = 0; i < 8192; i++)
		if (map[i] != (uint8_t)i)
			break;
	EXPECT_EQ(8192, i);
	ASSERT_EQ(0, dmabuf_sync_end(buf, DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, dmabuf_unmap(map, 8192));
	close(buf);
	close(node);
}

TEST(alloc_errors_come_back_as_errno)
{
	int node;

	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	node = dmabuf_node_open("system");
	ASSERT_LE(0, node);
	EXPECT_EQ(-1, dmabuf_heap_alloc(node, 0, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dmabuf_heap_alloc(node, 4096, O_NONBLOCK));
	EXPECT_EQ(EINVAL, errno);
	close(node);
}

TEST(node_open_of_a_missing_kind_is_enoent)
{
	if (!have_module())
		SKIP(return, "dmabuf_exporter is not loaded");
	EXPECT_EQ(-1, dmabuf_node_open("no-such-kind"));
	EXPECT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
