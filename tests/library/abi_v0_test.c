// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program as it was built against libdmabuf-helper 0.x: the old names, the
 * old structs (frozen here, not taken from today's header), guard bytes
 * after each. The library must fill exactly the struct the program has, and
 * a program with a newer, longer struct must get zeroes in the fields the
 * library does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

/* struct dmabuf_fdinfo and struct dmabuf_exporter_info of 0.x. */
struct v0_fdinfo {
	uint64_t size;
	uint64_t inode;
	unsigned int flags;
	unsigned int count;
	char exp_name[64];
	char name[32];
};

struct v0_exporter_info {
	uint32_t api_version;
	uint32_t flags;
	uint64_t max_buffer_size;
	uint64_t live_buffers;
	uint64_t live_bytes;
	uint32_t page_size;
	uint32_t pad;
	uint64_t pinned_bytes;
	uint64_t reserved[3];
};

/* The 0.x prototypes, as the old header declared them. */
int dmabuf_fdinfo_parse(const char *text, struct v0_fdinfo *info);
int dmabuf_exporter_info(int node_fd, struct v0_exporter_info *info);
int dmabuf_node_open(const char *kind);
/* Today's sized calls, declared by hand for a struct of any size. */
int dmabufx_fdinfo_parse(const char *text, void *info, size_t size);
int dmabufx_exporter_info(int node_fd, void *info, size_t size);

#define GUARD	64
#define POISON	0xa5

static const char text[] = "size:\t8192\nflags:\t02000002\nmnt_id:\t15\n"
			   "ino:\t4242\ncount:\t2\nexp_name:\tdmabuf_exporter\n"
			   "name:\tframe\n";

/* Every byte of @p[0..len) is @val. */
static int all(const void *p, size_t len, uint8_t val)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len && b[i] == val; i++)
		;
	return i == len;
}

TEST(v0_structs_have_the_sizes_the_library_freezes)
{
	EXPECT_EQ(120, sizeof(struct v0_fdinfo));
	EXPECT_EQ(72, sizeof(struct v0_exporter_info));
}

TEST(old_fdinfo_parse_writes_no_byte_past_the_old_struct)
{
	struct {
		struct v0_fdinfo fi;
		uint8_t guard[GUARD];
	} buf;

	memset(&buf, POISON, sizeof(buf));
	ASSERT_EQ(0, dmabuf_fdinfo_parse(text, &buf.fi));
	EXPECT_EQ(8192, buf.fi.size);
	EXPECT_EQ(4242, buf.fi.inode);
	EXPECT_EQ(2, buf.fi.count);
	EXPECT_STREQ("dmabuf_exporter", buf.fi.exp_name);
	EXPECT_STREQ("frame", buf.fi.name);
	EXPECT_TRUE(all(buf.guard, GUARD, POISON));
}

TEST(sized_fdinfo_parse_zeroes_the_tail_of_a_newer_struct)
{
	uint8_t buf[sizeof(struct v0_fdinfo) + GUARD];
	struct v0_fdinfo head;

	memset(buf, POISON, sizeof(buf));
	ASSERT_EQ(0, dmabufx_fdinfo_parse(text, buf, sizeof(buf)));
	memcpy(&head, buf, sizeof(head));
	EXPECT_EQ(8192, head.size);
	EXPECT_STREQ("frame", head.name);
	EXPECT_TRUE(all(buf + sizeof(head), GUARD, 0));
}

TEST(sized_fdinfo_parse_of_a_struct_shorter_than_v0_is_einval_untouched)
{
	uint8_t buf[sizeof(struct v0_fdinfo)];

	memset(buf, POISON, sizeof(buf));
	errno = 0;
	EXPECT_EQ(-1, dmabufx_fdinfo_parse(text, buf, sizeof(buf) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(all(buf, sizeof(buf), POISON));
}

TEST(sized_exporter_info_shorter_than_v0_is_einval_untouched)
{
	uint8_t buf[sizeof(struct v0_exporter_info)];

	memset(buf, POISON, sizeof(buf));
	errno = 0;
	EXPECT_EQ(-1, dmabufx_exporter_info(-1, buf, sizeof(buf) - 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(all(buf, sizeof(buf), POISON));
	errno = 0;
	EXPECT_EQ(-1, dmabufx_exporter_info(-1, NULL, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

TEST(old_exporter_info_writes_no_byte_past_the_old_struct)
{
	struct {
		struct v0_exporter_info info;
		uint8_t guard[GUARD];
	} buf;
	int node = dmabuf_node_open("system");

	if (node < 0)
		SKIP(return, "dmabuf_exporter is not loaded");
	memset(&buf, POISON, sizeof(buf));
	EXPECT_EQ(0, dmabuf_exporter_info(node, &buf.info));
	EXPECT_EQ(1, buf.info.api_version);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), buf.info.page_size);
	EXPECT_TRUE(all(buf.guard, GUARD, POISON));
	close(node);
}

TEST(sized_exporter_info_of_a_newer_struct_reads_unknown_fields_as_zero)
{
	uint8_t buf[sizeof(struct v0_exporter_info) + GUARD];
	struct v0_exporter_info head;
	int node = dmabuf_node_open("system");

	if (node < 0)
		SKIP(return, "dmabuf_exporter is not loaded");
	memset(buf, POISON, sizeof(buf));
	EXPECT_EQ(0, dmabufx_exporter_info(node, buf, sizeof(buf)));
	memcpy(&head, buf, sizeof(head));
	EXPECT_EQ(1, head.api_version);
	EXPECT_TRUE(all(buf + sizeof(head), GUARD, 0));
	close(node);
}

TEST_HARNESS_MAIN
