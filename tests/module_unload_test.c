// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module stays loaded while anything of it is in use (an open node, a
 * dma-buf fd, a mapping of a dma-buf whose fd is closed) and unloads cleanly
 * once everything is released. Each test unloads the module and loads it
 * again, so this program runs last in a guest.
 *
 * The module file is $DMABUF_EXPORTER_KO, or by default the one meson built
 * for the running kernel: <exe dir>/../driver/dmabuf_exporter-<release>.ko.
 */
#include <limits.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

#define MODNAME "dmabuf_exporter"

static int module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" MODNAME, &st) == 0;
}

static int __delete_module(void)
{
	if (syscall(SYS_delete_module, MODNAME, O_NONBLOCK))
		return -errno;
	return 0;
}

static int module_path(char *path, size_t size)
{
	const char *env = getenv("DMABUF_EXPORTER_KO");
	char exe[PATH_MAX];
	struct utsname uts;
	ssize_t n;

	if (env) {
		snprintf(path, size, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0 || uname(&uts))
		return -errno;
	exe[n] = '\0';
	snprintf(path, size, "%s/../driver/" MODNAME "-%s.ko", dirname(exe),
		 uts.release);
	return 0;
}

static int __load_module_with(const char *params)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	ret = module_path(path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int __load_module(void)
{
	return __load_module_with("");
}

/*
 * Whether the module can register dma-heaps here: the core exports
 * dma_heap_add() to modules since 6.18 (and needs CONFIG_DMABUF_HEAPS).
 */
static bool kernel_exports_dma_heap_add(void)
{
	return dmx_kernel_at_least(6, 18) && !access("/sys/class/dma_heap", F_OK);
}

FIXTURE(unload) {
	int unused;
};

FIXTURE_SETUP(unload)
{
	DMX_REQUIRE_MODULE();
	ASSERT_TRUE(module_loaded()) TH_LOG(MODNAME " is not loaded");
}

/* Leave the module loaded for whatever runs next, whatever happened. */
FIXTURE_TEARDOWN(unload)
{
	if (!module_loaded())
		EXPECT_EQ(0, __load_module());
	EXPECT_TRUE(module_loaded());
}

TEST_F(unload, refused_while_a_node_is_open)
{
	int node = dmx_open_node("system");

	ASSERT_LE(0, node);
	EXPECT_EQ(-EWOULDBLOCK, __delete_module());
	close(node);
	EXPECT_EQ(0, __delete_module());
	EXPECT_FALSE(module_loaded());
}

TEST_F(unload, refused_while_a_buffer_fd_is_open)
{
	int node = dmx_open_node("system");
	int buf;

	ASSERT_LE(0, node);
	buf = dmx_alloc(node, 1 << 20);
	ASSERT_LE(0, buf);
	close(node);

	EXPECT_EQ(-EWOULDBLOCK, __delete_module());
	close(buf);
	EXPECT_EQ(0, __delete_module());
	EXPECT_FALSE(module_loaded());
}

TEST_F(unload, refused_while_a_mapping_outlives_its_fd)
{
	size_t len = 1 << 20;
	uint8_t *map;
	int node, buf;

	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	buf = dmx_alloc(node, len);
	ASSERT_LE(0, buf);
	close(node);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	close(buf);

	EXPECT_EQ(-EWOULDBLOCK, __delete_module());
	/* The pages are still ours to use. */
	map[len - 1] = 0x42;
	EXPECT_EQ(0x42, map[len - 1]);
	munmap(map, len);
	EXPECT_EQ(0, __delete_module());
	EXPECT_FALSE(module_loaded());
}

TEST_F(unload, reload_brings_the_node_back)
{
	int node;

	ASSERT_EQ(0, __delete_module());
	EXPECT_EQ(-1, dmx_open_node("system"));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, __load_module());

	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	EXPECT_EQ(0, dmx_live_buffers(node));
	close(node);
}

TEST_F(unload, register_heaps_where_the_kernel_cannot_fails_the_load_eopnotsupp)
{
	if (kernel_exports_dma_heap_add())
		SKIP(return, "this kernel exports dma_heap_add(): register_heaps works");
	ASSERT_EQ(0, __delete_module());
	EXPECT_EQ(-EOPNOTSUPP, __load_module_with("register_heaps=1"));
	EXPECT_FALSE(module_loaded());
}

/* Checked before anything is registered: the load fails, nothing stays. */
TEST_F(unload, bad_heap_prefix_fails_the_load_einval)
{
	static const char *const bad[] = {
		"register_heaps=1 heap_prefix=",
		"register_heaps=1 heap_prefix=a/b",
		"register_heaps=1 heap_prefix=with:colon",
		"register_heaps=1 heap_prefix=abcdefghijklmnopqrstuvwxyz0123456",
	};
	int expected = kernel_exports_dma_heap_add() ? -EINVAL : -EOPNOTSUPP;
	unsigned int i;

	ASSERT_EQ(0, __delete_module());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(expected, __load_module_with(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(module_loaded());
	}
	EXPECT_NE(0, access("/dev/dma_heap/a", F_OK));
}

TEST_HARNESS_MAIN
