// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMABUF_EXPORTER_IOCTL_IMPORT_USER: user memory pinned and exported as a
 * dma-buf. Every test checks that the kernel's pin counters are back where
 * they started afterwards (nothing left pinned), whatever the outcome.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <xf86drm.h>

#include "dmx_test.h"
#include "kselftest_harness.h"

/*
 * Wait (bounded) for the counters to come back to @want or below: a pin
 * someone else held at the start may have been released since, but a pin we
 * leaked keeps them above.
 */
static int64_t pins_back_to(int64_t want)
{
	int64_t now = dmx_pins_settled();
	int i;

	for (i = 0; i < 100 && now > want; i++) {
		usleep(20 * 1000);
		now = dmx_pins_settled();
	}
	return now;
}

/* Writable import, read-write fd. */
static int import_rw(int ctl, void *addr, uint64_t len)
{
	return __dmx_import_user(ctl, addr, len, DMABUF_EXPORTER_IMPORT_WRITE, O_RDWR);
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(user) {
	int ctl;
	int64_t pins;
	int64_t live;
};

FIXTURE_SETUP(user)
{
	DMX_REQUIRE_MODULE();
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
	self->pins = dmx_pins_settled();
	ASSERT_LE(0, self->pins);
	self->live = dmx_live_buffers(self->ctl);
}

FIXTURE_TEARDOWN(user)
{
	EXPECT_EQ(self->live, dmx_live_buffers(self->ctl)) TH_LOG("buffer leaked");
	EXPECT_EQ(0, dmx_pinned_bytes(self->ctl)) TH_LOG("module holds pins");
	EXPECT_GE(self->pins, pins_back_to(self->pins)) TH_LOG("pages left pinned");
	close(self->ctl);
}

TEST_F(user, anonymous_memory_is_the_same_memory_both_ways)
{
	const size_t len = 16 * 4096;
	struct dmabuf_exporter_query q = { 0 };
	uint8_t *src, *map;
	int buf;

	src = map_anon(len);
	ASSERT_NE(NULL, src);
	dmx_fill(src, 0, len, 1);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	EXPECT_EQ((int64_t)len, dmx_buf_size(buf));
	EXPECT_EQ(len, dmx_pinned_bytes(self->ctl));
	q.fd = (uint32_t)buf;
	ASSERT_EQ(0, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q));
	EXPECT_EQ(DMABUF_EXPORTER_KIND_USER, q.kind);

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 1)) TH_LOG("source -> dma-buf");
	dmx_fill(map, 0, len, 2);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(-1, dmx_mismatch(src, 0, len, 2)) TH_LOG("dma-buf -> source");

	munmap(map, len);
	close(buf);
	munmap(src, len);
}

TEST_F(user, pages_stay_valid_after_the_source_is_unmapped)
{
	const size_t len = 8 * 4096;
	uint8_t *src, *map;
	int buf;

	src = map_anon(len);
	ASSERT_NE(NULL, src);
	dmx_fill(src, 0, len, 3);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, munmap(src, len));

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 3));
	munmap(map, len);
	close(buf);
}

/* MADV_DONTNEED gives the process new pages; the dma-buf keeps the old. */
TEST_F(user, madv_dontneed_of_the_source_keeps_the_pinned_pages)
{
	const size_t len = 4 * 4096;
	uint8_t *src, *map;
	int buf;

	src = map_anon(len);
	ASSERT_NE(NULL, src);
	dmx_fill(src, 0, len, 4);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, madvise(src, len, MADV_DONTNEED));
	EXPECT_EQ(0, src[0]);

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 4));
	munmap(map, len);
	close(buf);
	munmap(src, len);
}

/* Pinned pages stay the parent's after fork: its writes reach the dma-buf. */
TEST_F(user, parent_writes_after_fork_still_reach_the_dma_buf)
{
	const size_t len = 4 * 4096;
	uint8_t *src, *map;
	int buf, status;
	pid_t pid;

	src = map_anon(len);
	ASSERT_NE(NULL, src);
	dmx_fill(src, 0, len, 5);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		src[0] ^= 0xff;	/* the child's copy only */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	dmx_fill(src, 0, len, 6);

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 6));
	munmap(map, len);
	close(buf);
	munmap(src, len);
}

TEST_F(user, aligned_malloc_memory_can_be_imported)
{
	const size_t len = 64 * 1024;
	uint8_t *src;
	int buf;

	ASSERT_EQ(0, posix_memalign((void **)&src, 4096, len));
	dmx_fill(src, 0, len, 7);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	close(buf);
	free(src);
}

TEST_F(user, transparent_huge_pages_can_be_imported)
{
	const size_t huge = 2 << 20, len = 2 * huge;
	uint8_t *raw, *src, *map;
	int buf;

	raw = map_anon(len + huge);
	ASSERT_NE(NULL, raw);
	src = (uint8_t *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	madvise(src, len, MADV_HUGEPAGE);
	dmx_fill(src, 0, len, 8);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 8));
	munmap(map, len);
	close(buf);
	munmap(raw, len + huge);
}

TEST_F(user, hugetlb_pages_can_be_imported)
{
	const size_t len = 2 << 20;
	uint8_t *src, *map;
	FILE *f;
	int buf;

	f = fopen("/proc/sys/vm/nr_hugepages", "we");
	if (f) {
		fputs("4\n", f);
		fclose(f);
	}
	src = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (src == MAP_FAILED)
		SKIP(return, "no huge pages could be reserved");
	dmx_fill(src, 0, len, 9);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 9));
	munmap(map, len);
	close(buf);
	munmap(src, len);
}

TEST_F(user, memfd_mappings_can_be_imported)
{
	const size_t len = 8 * 4096;
	uint8_t *src, *map;
	int memfd, buf;

	memfd = memfd_create("dmx-user", MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, len));
	src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, src);
	dmx_fill(src, 0, len, 10);
	buf = import_rw(self->ctl, src, len);
	ASSERT_LE(0, buf);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 10));
	dmx_fill(src, 0, len, 11);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 11)) TH_LOG("later writes are shared");
	munmap(map, len);
	close(buf);
	munmap(src, len);
	close(memfd);
}

TEST_F(user, read_only_import_of_a_read_only_mapping_works)
{
	const size_t len = 4 * 4096;
	uint8_t *src;
	int buf;

	src = map_anon(len);
	ASSERT_NE(NULL, src);
	dmx_fill(src, 0, len, 12);
	ASSERT_EQ(0, mprotect(src, len, PROT_READ));
	buf = __dmx_import_user(self->ctl, src, len, 0, O_RDONLY);
	ASSERT_LE(0, buf);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_WRITE, MAP_SHARED, buf, 0));
	EXPECT_EQ(EACCES, errno);
	close(buf);
	munmap(src, len);
}

TEST_F(user, unmapped_range_is_efault)
{
	uint8_t *src = map_anon(4 * 4096);

	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, munmap(src, 4 * 4096));
	EXPECT_EQ(-EFAULT, import_rw(self->ctl, src, 4 * 4096));
}

/* A partial pin is undone exactly: the teardown checks the pin counters. */
TEST_F(user, range_running_into_a_hole_is_efault_and_pins_nothing)
{
	const size_t len = 600 * 4096;	/* more than one pinning batch */
	uint8_t *src = map_anon(len);

	ASSERT_NE(NULL, src);
	dmx_fill(src, 0, len, 13);
	ASSERT_EQ(0, munmap(src + len - 4096, 4096));
	EXPECT_EQ(-EFAULT, import_rw(self->ctl, src, len));
	munmap(src, len - 4096);
}

/*
 * A mapping of one of our "system" buffers maps its pages themselves (not
 * PFNs): importing it pins and aliases those pages, byte for byte both
 * ways, and the import keeps them after the first buffer is gone.
 */
TEST_F(user, system_buffer_mapping_imports_as_the_same_pages)
{
	const size_t len = 64 * 4096 + 16 * 4096 + 3 * 4096;
	uint8_t *map, *alias;
	int node, sys, buf, ro;

	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	sys = dmx_alloc(node, len);
	ASSERT_LE(0, sys);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, sys, 0);
	ASSERT_NE(MAP_FAILED, map);
	dmx_fill(map, 0, len, 3);

	buf = import_rw(self->ctl, map, len);
	ASSERT_LE(0, buf) TH_LOG("import of a system mapping: %s", strerror(-buf));
	EXPECT_EQ(len, dmx_pinned_bytes(self->ctl));
	ro = __dmx_import_user(self->ctl, map, 4096, 0, O_RDONLY);
	EXPECT_LE(0, ro) TH_LOG("read-only import: %s", strerror(-ro));
	if (ro >= 0)
		close(ro);

	alias = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, alias);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(-1, dmx_mismatch(alias, 0, len, 3)) TH_LOG("system -> import");
	dmx_fill(alias, 0, len, 4);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, __dmx_sync(sys, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 4)) TH_LOG("import -> system");
	ASSERT_EQ(0, __dmx_sync(sys, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* The first buffer released: its pages live on, pinned by the import. */
	munmap(map, len);
	close(sys);
	close(node);
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(-1, dmx_mismatch(alias, 0, len, 4)) TH_LOG("after release");
	ASSERT_EQ(0, __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(alias, len);
	close(buf);
}

/*
 * The write-combined and contiguous kinds are mapped by PFN (VM_PFNMAP),
 * which GUP cannot pin: EFAULT, writable or not, as for device memory.
 */
static void pfn_mapping_is_efault(struct __test_metadata *_metadata, int ctl,
				  const char *kind)
{
	const size_t len = 16 * 4096;
	uint8_t *map;
	int node, other;

	node = dmx_open_node(kind);
	ASSERT_LE(0, node);
	other = dmx_alloc(node, len);
	ASSERT_LE(0, other);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, other, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-EFAULT, import_rw(ctl, map, len));
	EXPECT_EQ(-EFAULT, __dmx_import_user(ctl, map, 4096, 0, O_RDONLY));
	munmap(map, len);
	close(other);
	close(node);
}

TEST_F(user, uncached_buffer_mapping_is_efault)
{
	pfn_mapping_is_efault(_metadata, self->ctl, "system-uncached");
}

TEST_F(user, contig_buffer_mapping_is_efault)
{
	pfn_mapping_is_efault(_metadata, self->ctl, "contig");
}

TEST_F(user, writable_import_of_a_read_only_mapping_is_efault)
{
	uint8_t *src = map_anon(2 * 4096);

	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, mprotect(src, 2 * 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, import_rw(self->ctl, src, 2 * 4096));
	munmap(src, 2 * 4096);
}

TEST_F(user, bad_requests_are_einval)
{
	struct dmabuf_exporter_import_user req;
	uint8_t *src = map_anon(4 * 4096);
	char name[40];

	ASSERT_NE(NULL, src);
	EXPECT_EQ(-EINVAL, import_rw(self->ctl, src + 1, 4096)) TH_LOG("unaligned address");
	EXPECT_EQ(-EINVAL, import_rw(self->ctl, src, 4095)) TH_LOG("unaligned length");
	EXPECT_EQ(-EINVAL, import_rw(self->ctl, src, 0)) TH_LOG("zero length");
	EXPECT_EQ(-EINVAL, import_rw(self->ctl, (void *)(uintptr_t)-4096, 8192)) TH_LOG("wraps");
	EXPECT_EQ(-EINVAL, __dmx_import_user(self->ctl, src, 4096, 0x2, O_RDONLY)) TH_LOG("flags");
	EXPECT_EQ(-EINVAL, __dmx_import_user(self->ctl, src, 4096, 0, O_RDWR)) TH_LOG("rw fd, ro pin");
	EXPECT_EQ(-EINVAL, __dmx_import_user(self->ctl, src, 4096, DMABUF_EXPORTER_IMPORT_WRITE,
				    O_RDWR | O_NONBLOCK)) TH_LOG("fd_flags");

	memset(&req, 0, sizeof(req));
	req.addr = (uintptr_t)src;
	req.len = 4096;
	req.pad = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req));
	EXPECT_EQ(EINVAL, errno) TH_LOG("pad");
	req.pad = 0;
	req.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req));
	EXPECT_EQ(EINVAL, errno) TH_LOG("reserved");
	req.reserved[0] = 0;
	req.fd = 3;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req));
	EXPECT_EQ(EINVAL, errno) TH_LOG("input fd");
	req.fd = 0;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	req.name = (uintptr_t)name;
	EXPECT_EQ(-1, ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req));
	EXPECT_EQ(EINVAL, errno) TH_LOG("name too long");
	munmap(src, 4 * 4096);
}

TEST_F(user, rlimit_memlock_is_enforced_without_cap_ipc_lock)
{
	const size_t len = 32 * 4096;
	struct rlimit lim = { 16 * 4096, 16 * 4096 };
	uint8_t *src = map_anon(len);
	int a, b;

	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	ASSERT_EQ(0, dmx_drop_cap(CAP_IPC_LOCK));

	EXPECT_EQ(-ENOMEM, import_rw(self->ctl, src, len)) TH_LOG("over the limit");
	a = import_rw(self->ctl, src, 12 * 4096);
	EXPECT_LE(0, a);
	b = import_rw(self->ctl, src + 12 * 4096, 8 * 4096);
	EXPECT_EQ(-ENOMEM, b) TH_LOG("the limit counts every live import");
	if (a >= 0)
		close(a);
	b = import_rw(self->ctl, src + 12 * 4096, 8 * 4096);
	EXPECT_LE(0, b) TH_LOG("released at the last reference");
	if (b >= 0)
		close(b);
	munmap(src, len);
}

TEST_F(user, module_pin_limit_is_enforced)
{
	const size_t len = 2 << 20;
	uint8_t *src = map_anon(len);

	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, dmx_write_param("max_pinned_mb", 1));
	EXPECT_EQ(-ENOMEM, import_rw(self->ctl, src, len));
	ASSERT_EQ(0, dmx_write_param("max_pinned_mb", 0));
	munmap(src, len);
}

/*
 * The importing process exits while another holds the dma-buf: the pages
 * stay valid, and are unpinned and unaccounted when that holder lets go.
 */
TEST_F(user, buffer_outlives_the_process_that_imported_it)
{
	const size_t len = 4 * 4096;
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int sv[2], status, buf;
	uint8_t *map;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint8_t *src = map_anon(len);
		int fd;

		if (!src)
			_exit(1);
		dmx_fill(src, 0, len, 14);
		fd = import_rw(self->ctl, src, len);
		if (fd < 0)
			_exit(2);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(1, recvmsg(sv[0], &msg, 0));
	cmsg = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cmsg);
	memcpy(&buf, CMSG_DATA(cmsg), sizeof(int));

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, dmx_mismatch(map, 0, len, 14));
	munmap(map, len);
	close(buf);
	close(sv[0]);
	close(sv[1]);
}

/*
 * An ext4 file system on a loop device in a new directory (dir, and its
 * image dir.img), for file pages that are written back; 0, or -1 when the
 * guest cannot make one.
 */
static int mount_ext4(char *dir, char *img, size_t img_size)
{
	char cmd[512];

	if (!mkdtemp(dir))
		return -1;
	snprintf(img, img_size, "%s.img", dir);
	snprintf(cmd, sizeof(cmd),
		 "modprobe -q loop; modprobe -q ext4; truncate -s 16M %s && "
		 "mkfs.ext4 -q -F %s && mount -o loop %s %s", img, img, img, dir);
	if (system(cmd)) {
		rmdir(dir);
		unlink(img);
		return -1;
	}
	return 0;
}

static int umount_ext4(const char *dir, const char *img)
{
	char cmd[256];
	int ret;

	snprintf(cmd, sizeof(cmd), "umount %s", dir);
	ret = system(cmd);
	rmdir(dir);
	unlink(img);
	return ret;
}

/* A file of @len bytes of @byte in @dir, open read-write, or -1. */
static int filled_file(const char *dir, size_t len, int byte)
{
	char file[96], *data = malloc(len);
	int fd;

	snprintf(file, sizeof(file), "%s/data", dir);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || !data || pwrite(fd, memset(data, byte, len), len, 0) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(data);
	return fd;
}

/*
 * Long-term writable pins of file pages that are written back would break
 * writeback: refused. Needs a real disk filesystem: ext4 on a loop device.
 */
TEST_F(user, writable_shared_mapping_of_a_regular_file_is_efault)
{
	char dir[] = "/tmp/dmx-ext4-XXXXXX", img[64];
	const size_t len = 16 * 4096;
	uint8_t *map;
	int fd, buf;

	if (mount_ext4(dir, img, sizeof(img)))
		SKIP(return, "cannot mount an ext4 image (loop, ext4, e2fsprogs)");
	fd = filled_file(dir, len, 0);
	ASSERT_LE(0, fd);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 1;

	EXPECT_EQ(-EFAULT, import_rw(self->ctl, map, len)) TH_LOG("writable");
	/* Read-only pins do not dirty the pages: allowed. */
	buf = __dmx_import_user(self->ctl, map, len, 0, O_RDONLY);
	EXPECT_LE(0, buf) TH_LOG("read-only");
	if (buf >= 0)
		close(buf);

	munmap(map, len);
	close(fd);
	EXPECT_EQ(0, umount_ext4(dir, img));
}

struct remap_race {
	uint8_t *addr;
	size_t len;
	int file;
	volatile int stop;
	unsigned long swaps;
};

/* Swap the range between the file and anonymous memory, as fast as it can. */
static void *remapper(void *arg)
{
	struct remap_race *r = arg;

	while (!r->stop) {
		mmap(r->addr, r->len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_FIXED, r->file, 0);
		mmap(r->addr, r->len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		r->swaps++;
	}
	return NULL;
}

/*
 * The mapping check and the pin must be one step: a thread that maps a
 * written-back file over the range between the two must not get the file's
 * pages pinned writable (6.1's GUP does not refuse them itself). Every
 * import either fails with EFAULT or holds anonymous (zero) pages, never
 * the file's bytes.
 */
TEST_F_TIMEOUT(user, remapping_a_file_over_the_range_during_import_pins_no_file_page, 120)
{
	char dir[] = "/tmp/dmx-ext4-XXXXXX", img[64];
	struct remap_race r = { .len = 4 * 4096 };
	unsigned long imports = 0, refused = 0, file_pages = 0, other = 0;
	struct timespec start, now;
	pthread_t thread;
	int buf;

	if (mount_ext4(dir, img, sizeof(img)))
		SKIP(return, "cannot mount an ext4 image (loop, ext4, e2fsprogs)");
	r.file = filled_file(dir, r.len, 'F');
	ASSERT_LE(0, r.file);
	r.addr = map_anon(r.len);
	ASSERT_NE(NULL, r.addr);
	ASSERT_EQ(0, pthread_create(&thread, NULL, remapper, &r));

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		buf = import_rw(self->ctl, r.addr, r.len);
		if (buf >= 0) {
			uint8_t *map = mmap(NULL, r.len, PROT_READ, MAP_SHARED, buf, 0);

			imports++;
			if (map == MAP_FAILED || memchr(map, 'F', r.len))
				file_pages++;
			if (map != MAP_FAILED)
				munmap(map, r.len);
			close(buf);
		} else if (buf == -EFAULT) {
			refused++;
		} else {
			other++;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 3);
	r.stop = 1;
	pthread_join(thread, NULL);
	printf("# %lu imports, %lu refused, %lu swaps\n", imports, refused, r.swaps);

	EXPECT_EQ(0, file_pages) TH_LOG("file pages pinned writable");
	EXPECT_EQ(0, other) TH_LOG("an import failed with neither success nor EFAULT");
	/* Both outcomes happened: the race really ran. */
	EXPECT_LT(0, imports);
	EXPECT_LT(0, refused);

	munmap(r.addr, r.len);
	close(r.file);
	EXPECT_EQ(0, umount_ext4(dir, img));
}

TEST_F(user, writable_imports_go_into_vgem_read_only_ones_do_not)
{
	const size_t len = 16 * 4096;
	uint8_t *src = map_anon(len);
	uint32_t handle = 0;
	int drm, rw, ro;

	ASSERT_NE(NULL, src);
	drm = vgem_open();
	if (drm < 0) {
		munmap(src, len);
		SKIP(return, "no vgem device");
	}
	rw = import_rw(self->ctl, src, len);
	ASSERT_LE(0, rw);
	EXPECT_EQ(0, drmPrimeFDToHandle(drm, rw, &handle));
	if (handle)
		drmCloseBufferHandle(drm, handle);

	/*
	 * vgem maps for both directions: a device must not write these. Where
	 * vgem imports without mapping, the import itself works and the
	 * refusal would come at the first mapping, which vgem never makes.
	 */
	ro = __dmx_import_user(self->ctl, src, len, 0, O_RDONLY);
	ASSERT_LE(0, ro);
	handle = 0;
	if (dmx_vgem_maps_at_import()) {
		EXPECT_NE(0, drmPrimeFDToHandle(drm, ro, &handle));
	} else {
		EXPECT_EQ(0, drmPrimeFDToHandle(drm, ro, &handle));
		if (handle)
			drmCloseBufferHandle(drm, handle);
	}
	close(ro);
	close(rw);
	close(drm);
	munmap(src, len);
}

TEST_HARNESS_MAIN
