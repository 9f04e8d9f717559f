// SPDX-License-Identifier: GPL-2.0-only
/*
 * Our dma-buf fds through the generic dma-buf interfaces: fork, dup,
 * sync_file export/import, poll, many buffers at once, and the CPU mapping
 * attributes of the write-combined kind.
 */
#include <poll.h>
#include <sys/wait.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

FIXTURE(fd) {
	int node;
	int64_t live;
};

FIXTURE_SETUP(fd)
{
	DMX_REQUIRE_MODULE();
	self->node = dmx_open_node("system");
	ASSERT_LE(0, self->node);
	self->live = dmx_live_buffers(self->node);
}

FIXTURE_TEARDOWN(fd)
{
	EXPECT_EQ(self->live, dmx_live_buffers(self->node)) TH_LOG("buffer leaked");
	close(self->node);
}

TEST_F(fd, child_writes_through_an_inherited_mapping_reach_the_parent)
{
	const size_t len = 5 * 4096;
	uint8_t *map;
	int buf, status;
	pid_t pid;
	size_t i;

	buf = dmx_alloc(self->node, len);
	ASSERT_LE(0, buf);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		for (i = 0; i < len; i++)
			map[i] = dmx_pattern(i, 9);
		_exit(__dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < len; i++)
		if (map[i] != dmx_pattern(i, 9))
			break;
	EXPECT_EQ(len, i);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(map, len);
	close(buf);
}

TEST_F(fd, dup_and_mapping_share_the_same_memory)
{
	uint8_t *a, *b;
	int buf, copy;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	copy = dup(buf);
	ASSERT_LE(0, copy);
	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	b = mmap(NULL, 4096, PROT_READ, MAP_SHARED, copy, 0);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	a[123] = 0x77;
	EXPECT_EQ(0x77, b[123]);
	munmap(a, 4096);
	munmap(b, 4096);
	close(buf);
	close(copy);
}

TEST_F(fd, export_sync_file_of_an_idle_buffer_is_signalled)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_RW, .fd = -1 };
	struct pollfd pfd;
	int buf;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
	ASSERT_LE(0, exp.fd);
	pfd = (struct pollfd){ .fd = exp.fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 0));

	/* The buffer itself polls ready for both reading and writing. */
	pfd = (struct pollfd){ .fd = buf, .events = POLLIN | POLLOUT };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents & (POLLIN | POLLOUT));
	close(exp.fd);
	close(buf);
}

TEST_F(fd, import_sync_file_back_into_the_buffer_works)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_WRITE, .fd = -1 };
	struct dma_buf_import_sync_file imp = { .flags = DMA_BUF_SYNC_WRITE };
	int buf, other;

	buf = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, buf);
	other = dmx_alloc(self->node, 4096);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
	imp.fd = exp.fd;
	EXPECT_EQ(0, ioctl(other, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp));

	/* Bad flags are refused by the core for our buffers too. */
	imp.flags = 0x100;
	EXPECT_EQ(-1, ioctl(other, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp));
	EXPECT_EQ(EINVAL, errno);
	close(exp.fd);
	close(buf);
	close(other);
}

TEST_F_TIMEOUT(fd, a_thousand_buffers_at_once_are_all_distinct_and_freed, 120)
{
	enum { N = 1000 };
	static int bufs[N];
	int i, made = 0;

	for (i = 0; i < N; i++) {
		uint32_t *map;

		bufs[i] = dmx_alloc(self->node, 4096);
		if (bufs[i] < 0)
			break;
		made++;
		map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, bufs[i], 0);
		if (map == MAP_FAILED)
			break;
		map[0] = (uint32_t)i;
		munmap(map, 4096);
	}
	EXPECT_EQ(N, made);
	EXPECT_EQ(self->live + made, dmx_live_buffers(self->node));
	for (i = 0; i < made; i++) {
		uint32_t *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, bufs[i], 0);

		ASSERT_NE(MAP_FAILED, map);
		EXPECT_EQ((uint32_t)i, map[0]);
		munmap(map, 4096);
		close(bufs[i]);
	}
}

/*
 * x86 PAT refuses to map RAM write-combined while its linear mapping is
 * cached, and says so ("map pfn RAM range req write-combining"), silently
 * mapping it cached instead. The uncached kind must not trigger that.
 */
TEST(uncached_mapping_raises_no_memory_type_conflict)
{
	char rec[1024];
	uint8_t *map;
	int node, buf, kmsg, conflict = 0;
	ssize_t n;

	DMX_REQUIRE_MODULE();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));

	node = dmx_open_node("system-uncached");
	ASSERT_LE(0, node);
	buf = dmx_alloc(node, 2 << 20);
	ASSERT_LE(0, buf);
	map = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 1;
	munmap(map, 2 << 20);
	close(buf);
	close(node);

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		if (strstr(rec, "x86/PAT") || strstr(rec, "conflicting memory types")) {
			TH_LOG("%s", rec);
			conflict = 1;
		}
	}
	EXPECT_EQ(0, conflict);
	close(kmsg);
}

TEST_HARNESS_MAIN
