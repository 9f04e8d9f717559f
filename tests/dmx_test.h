/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the dmabuf_exporter tests (kselftest_harness.h based).
 *
 * Naming, as in igt: __thing() returns 0 or -errno and asserts nothing, so
 * error-path tests can check the exact errno; callers that expect success
 * ASSERT on it.
 */
#ifndef DMX_TEST_H
#define DMX_TEST_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/capability.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dmabuf_exporter.h>

#define DMX_PAGE	((uint64_t)sysconf(_SC_PAGESIZE))

/*
 * kselftest convention: without the module, a program skips as a whole
 * (plan 1..0 and exit code 4, KSFT_SKIP) rather than fails. Runs before the
 * harness's main().
 */
__attribute__((constructor)) static void dmx_skip_without_module(void)
{
	if (!access("/sys/module/dmabuf_exporter", F_OK))
		return;
	printf("TAP version 13\n1..0 # SKIP the dmabuf_exporter module is not loaded\n");
	fflush(stdout);
	_exit(4);
}

/* The same, per test, for a module unloaded while a program runs. */
#define DMX_REQUIRE_MODULE() do {					\
	if (access("/sys/module/dmabuf_exporter", F_OK))		\
		SKIP(return, "the dmabuf_exporter module is not loaded"); \
} while (0)

/* DMA_HEAP_IOCTL_ALLOC with a struct size other than the standard one. */
#define DMX_HEAP_ALLOC_SIZED(size) \
	_IOC(_IOC_READ | _IOC_WRITE, DMA_HEAP_IOC_MAGIC, 0, (size))
/* DMABUF_EXPORTER_IOCTL_INFO with a struct size other than ours. */
#define DMX_INFO_SIZED(size) \
	_IOC(_IOC_READ | _IOC_WRITE, DMABUF_EXPORTER_IOC_MAGIC, 0, (size))

static inline int dmx_open_node(const char *kind)
{
	char path[128];

	snprintf(path, sizeof(path), DMABUF_EXPORTER_DEV_DIR "/%s", kind);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Whether the running kernel is MAJOR.MINOR or newer. */
static inline bool dmx_kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname uts;
	unsigned int ma = 0, mi = 0;

	if (uname(&uts) || sscanf(uts.release, "%u.%u", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * Whether vgem maps an attachment when it imports a dma-buf: its shmem
 * helpers import without mapping since 6.16 (mapping then happens only for
 * a device that needs it, which vgem never does).
 */
static inline bool dmx_vgem_maps_at_import(void)
{
	return !dmx_kernel_at_least(6, 16);
}

/* A module parameter's value as sysfs shows it ("" when unreadable). */
static inline void dmx_module_param(const char *name, char *val, size_t size)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/dmabuf_exporter/parameters/%s",
		 name);
	val[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(val, (int)size, f))
		val[strcspn(val, "\n")] = '\0';
	fclose(f);
}

/* Whether the module was loaded with register_heaps=1. */
static inline bool dmx_heaps_registered(void)
{
	char val[8];

	dmx_module_param("register_heaps", val, sizeof(val));
	return !strcmp(val, "Y");
}

/* A kind's node of the kernel's dma-heap core: /dev/dma_heap/<prefix><kind>. */
static inline int dmx_open_dma_heap(const char *kind)
{
	char prefix[64], path[160];

	dmx_module_param("heap_prefix", prefix, sizeof(prefix));
	snprintf(path, sizeof(path), "/dev/dma_heap/%s%s", prefix, kind);
	return open(path, O_RDWR | O_CLOEXEC);
}

/*
 * The memory kinds as variants of fixture F, whose FIXTURE_VARIANT holds
 * "const char *kind; bool dma_heap;": our nodes; or, in a program built with
 * DMX_VIA_DMA_HEAP (tests/heaps/meson.build), the same kinds through the
 * dma-heap core, for a module loaded with register_heaps=1 (6.18+), where
 * the results must be the same.
 */
#ifndef DMX_VIA_DMA_HEAP
#define DMX_KIND_VARIANTS(f)						\
	FIXTURE_VARIANT_ADD(f, system) { .kind = "system" };		\
	FIXTURE_VARIANT_ADD(f, system_uncached) { .kind = "system-uncached" }; \
	FIXTURE_VARIANT_ADD(f, contig) { .kind = "contig" }
#else
#define DMX_KIND_VARIANTS(f)						\
	FIXTURE_VARIANT_ADD(f, system_dma_heap) {			\
		.kind = "system", .dma_heap = true };			\
	FIXTURE_VARIANT_ADD(f, system_uncached_dma_heap) {		\
		.kind = "system-uncached", .dma_heap = true };		\
	FIXTURE_VARIANT_ADD(f, contig_dma_heap) {			\
		.kind = "contig", .dma_heap = true }
#endif

/*
 * A kind's allocation node and a node for queries: ours and a duplicate of
 * it; or, with @dma_heap, the dma-heap core's and the ctl node (the core's
 * nodes speak only the heap ABI). 0, or -errno with both left at -1.
 */
static inline int dmx_open_kind(const char *kind, bool dma_heap, int *node,
				int *info_node)
{
	int err;

	*info_node = -1;
	*node = dma_heap ? dmx_open_dma_heap(kind) : dmx_open_node(kind);
	if (*node < 0)
		return -errno;
	*info_node = dma_heap ? dmx_open_node("ctl") : dup(*node);
	if (*info_node < 0) {
		err = -errno;
		close(*node);
		*node = -1;
		return err;
	}
	return 0;
}

static inline int __dmx_alloc(int node, uint64_t len, uint32_t fd_flags,
			      uint64_t heap_flags, uint32_t in_fd, int *out_fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd = in_fd,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(node, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;
	*out_fd = (int)data.fd;
	return 0;
}

/* Allocate read-write with O_CLOEXEC; -errno on failure. */
static inline int dmx_alloc(int node, uint64_t len)
{
	int fd = -1;
	int ret = __dmx_alloc(node, len, O_RDWR | O_CLOEXEC, 0, 0, &fd);

	return ret ? ret : fd;
}

static inline int __dmx_info(int node, struct dmabuf_exporter_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(node, DMABUF_EXPORTER_IOCTL_INFO, info))
		return -errno;
	return 0;
}

/* Buffers the module holds right now, or -1 if the query failed. */
static inline int64_t dmx_live_buffers(int node)
{
	struct dmabuf_exporter_info info;

	return __dmx_info(node, &info) ? -1 : (int64_t)info.live_buffers;
}

static inline int __dmx_sync(int buf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	if (ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync))
		return -errno;
	return 0;
}

static inline int64_t dmx_buf_size(int buf)
{
	return lseek(buf, 0, SEEK_END);
}

/* A byte pattern that differs per offset and per page (seeded). */
static inline uint8_t dmx_pattern(uint64_t off, unsigned int seed)
{
	return (uint8_t)(off * 13 + (off >> 12) * 101 + seed * 7 + 1);
}

/* Number of open fds of this process. */
static inline int dmx_count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n - 1;	/* the directory's own fd */
}

/* Fill @len bytes with the pattern of offsets @start.. (seed @seed). */
static inline void dmx_fill(uint8_t *p, uint64_t start, uint64_t len,
			    unsigned int seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = dmx_pattern(start + i, seed);
}

/* Index of the first byte that differs from that pattern, or -1. */
static inline int64_t dmx_mismatch(const uint8_t *p, uint64_t start,
				   uint64_t len, unsigned int seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != dmx_pattern(start + i, seed))
			return (int64_t)i;
	return -1;
}

/* @path's contents into @buf (NUL-terminated, trailing whitespace cut). */
static inline int dmx_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = 0;
	return 0;
}

/* The number @path holds (a sysfs, procfs, debugfs or cgroup file), or -1. */
static inline long long dmx_read_number(const char *path)
{
	char buf[32];

	if (dmx_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Write @val to @path (a sysfs, procfs or cgroup file). */
static inline int dmx_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Set a module parameter at runtime (they are all 0644). */
static inline int dmx_write_param(const char *name, unsigned long value)
{
	char path[128], val[32];

	snprintf(path, sizeof(path),
		 "/sys/module/dmabuf_exporter/parameters/%s", name);
	snprintf(val, sizeof(val), "%lu\n", value);
	return dmx_write_file(path, val);
}

/* Drop capability @cap from this process's effective set. */
static inline int dmx_drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * User pages pinned system-wide (FOLL_PIN): /proc/vmstat's acquired minus
 * released. The counters are per CPU and folded lazily, so stat_refresh
 * folds them first; other pinners (9p writeback) make it move, hence
 * compare values taken after sync() with the system otherwise idle.
 */
static inline int64_t dmx_pins_held(void)
{
	unsigned long long v, acquired = 0, released = 0;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	char name[64];
	FILE *f;

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			perror("stat_refresh");
		close(fd);
	}
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acquired = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			released = v;
	}
	fclose(f);
	return (int64_t)(acquired - released);
}

/*
 * dmx_pins_held() once the system holds still: dirty pages flushed first
 * (writeback of the 9p share pins pages too), then read until two readings
 * 20 ms apart agree (at most 2 s).
 */
static inline int64_t dmx_pins_settled(void)
{
	int64_t a, b;
	int i;

	sync();
	b = dmx_pins_held();
	for (i = 0; i < 100; i++) {
		usleep(20 * 1000);
		a = b;
		b = dmx_pins_held();
		if (a == b)
			break;
	}
	return b;
}

/* Bytes of user memory the module holds pinned (INFO), or UINT64_MAX. */
static inline uint64_t dmx_pinned_bytes(int ctl)
{
	struct dmabuf_exporter_info info;

	return __dmx_info(ctl, &info) ? UINT64_MAX : info.pinned_bytes;
}

/*
 * Pin [@addr, @addr + @len) and export it (IMPORT_USER on the ctl node);
 * the new fd (always O_CLOEXEC) or -errno.
 */
static inline int __dmx_import_user(int ctl, void *addr, uint64_t len,
				    uint32_t flags, uint32_t fd_flags)
{
	struct dmabuf_exporter_import_user req = {
		.addr = (uintptr_t)addr,
		.len = len,
		.flags = flags,
		.fd_flags = fd_flags | O_CLOEXEC,
	};

	if (ioctl(ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &req))
		return -errno;
	return (int)req.fd;
}

/* Test-exporter mode: fail the next @count calls of @op on @buf with @error. */
static inline int __dmx_inject(int ctl, int buf, uint32_t op, uint32_t count,
			       uint32_t error)
{
	struct dmabuf_exporter_inject req = {
		.fd = (uint32_t)buf, .op = op, .count = count, .error = error,
	};

	return ioctl(ctl, DMABUF_EXPORTER_IOCTL_INJECT, &req) ? -errno : 0;
}

/* The operation counters of our buffer @buf. */
static inline int __dmx_counters(int ctl, int buf,
				 struct dmabuf_exporter_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = (uint32_t)buf;
	return ioctl(ctl, DMABUF_EXPORTER_IOCTL_COUNTERS, c) ? -errno : 0;
}

/* /sys/module/@mod/refcnt, or -1 when the module is not loaded. */
static inline long dmx_module_refcnt(const char *mod)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	return dmx_read_number(path);
}

/* A value of /proc/meminfo ("HugePages_Free", "Hugepagesize"), or -1. */
static inline long dmx_meminfo(const char *key)
{
	size_t klen = strlen(key);
	char line[128];
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

#define DMX_NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

static inline int dmx_write_nr_hugepages(long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", val);
	return dmx_write_file(DMX_NR_HUGEPAGES, buf);
}

/*
 * The module's reference count once it has come down to @want, or what it
 * is after a bounded wait: the edu importer's fences give their reference
 * back after an RCU grace period.
 */
static inline long dmx_module_refcnt_settled(const char *mod, long want)
{
	long now = dmx_module_refcnt(mod);
	int i;

	for (i = 0; i < 200 && now > want; i++) {
		usleep(10 * 1000);
		now = dmx_module_refcnt(mod);
	}
	return now;
}

/*
 * A memory cgroup (v2) of a test's own, to see and limit what our buffers
 * charge. Set up in steps, so that each test checks each step as it needs to
 * (asserts, skips, or notes why and goes on without):
 *
 *	dmx_memcg_mount(&m, "/tmp/dmx-...-XXXXXX")	the hierarchy
 *	dmx_memcg_enable(&m)		its memory controller; fails without one
 *	dmx_memcg_mkdir(&m, "dmx-...")	the group, <hierarchy>/dmx-...-<pid>
 *	dmx_memcg_write(&m, "memory.max", "32M")
 *	dmx_memcg_enter(&m) ... dmx_memcg_leave(&m)
 *	dmx_memcg_rmdir(&m)
 *	dmx_memcg_umount(&m)		last, whichever step failed
 */
struct dmx_memcg {
	char root[64];		/* the hierarchy */
	char cg[128];		/* the group */
	char mnt[48];		/* our own mount of the hierarchy, if any */
	bool mounted;
};

/*
 * The cgroup v2 hierarchy: /sys/fs/cgroup, or where that is not one (a host
 * with cgroup v1 or the hybrid layout) a private mount at
 * mkdtemp(@mnt_template).
 */
static inline int dmx_memcg_mount(struct dmx_memcg *m, const char *mnt_template)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->root, sizeof(m->root), "/sys/fs/cgroup");
	if (!access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		return 0;
	snprintf(m->mnt, sizeof(m->mnt), "%s", mnt_template);
	if (!mkdtemp(m->mnt) || mount("none", m->mnt, "cgroup2", 0, NULL))
		return -errno;
	snprintf(m->root, sizeof(m->root), "%s", m->mnt);
	m->mounted = true;
	return 0;
}

/* Give the hierarchy's groups the memory controller: fails without one. */
static inline int dmx_memcg_enable(const struct dmx_memcg *m)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", m->root);
	return dmx_write_file(path, "+memory");
}

/* Create the group <hierarchy>/<@name>-<pid>: one per test process. */
static inline int dmx_memcg_mkdir(struct dmx_memcg *m, const char *name)
{
	snprintf(m->cg, sizeof(m->cg), "%s/%s-%d", m->root, name, getpid());
	return mkdir(m->cg, 0755) ? -errno : 0;
}

/* Write @val to the group's @file (memory.max, ...). */
static inline int dmx_memcg_write(const struct dmx_memcg *m, const char *file,
				  const char *val)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", m->cg, file);
	return dmx_write_file(path, val);
}

/* Move the calling process into the cgroup directory @dir. */
static inline int __dmx_cgroup_move_self(const char *dir)
{
	char path[192], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return dmx_write_file(path, pid);
}

/* Charge the calling process's allocations to the group from now on. */
static inline int dmx_memcg_enter(const struct dmx_memcg *m)
{
	return __dmx_cgroup_move_self(m->cg);
}

/* Back to the hierarchy's root, which empties the group for rmdir. */
static inline int dmx_memcg_leave(const struct dmx_memcg *m)
{
	return __dmx_cgroup_move_self(m->root);
}

/* Bytes charged to the group (memory.current), or -1. */
static inline int64_t dmx_memcg_current(const struct dmx_memcg *m)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/memory.current", m->cg);
	return dmx_read_number(path);
}

/* Remove the group; it must hold no process by now. */
static inline int dmx_memcg_rmdir(const struct dmx_memcg *m)
{
	return rmdir(m->cg) ? -errno : 0;
}

/* Undo dmx_memcg_mount(): our own mount, if it made one, and its directory. */
static inline void dmx_memcg_umount(struct dmx_memcg *m)
{
	if (!m->mounted)
		return;
	umount(m->mnt);
	rmdir(m->mnt);
	m->mounted = false;
}

#ifdef _XF86DRM_H_
/* vgem_open() and vgem's fence uAPI (tools/vgem.h, shared with the tools). */
#include "vgem.h"
#endif

#endif /* DMX_TEST_H */
