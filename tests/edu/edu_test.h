/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the edu importer tests (kselftest_harness.h based).
 *
 * As in dmx_test.h: __thing() returns 0 or -errno and asserts nothing, so
 * error-path tests compare exact errnos.
 *
 * The exporters the protocol is checked against are opened by name:
 *   "ours"     /dev/dmabuf-exporter/system (this project's module)
 *   "contig"   /dev/dmabuf-exporter/contig (one DMA segment for the buffer)
 *   "user"     anonymous memory pinned by IMPORT_USER on our ctl node
 *   "heap"     /dev/dma_heap/system (the kernel's system heap; 6.12)
 *   "udmabuf"  /dev/udmabuf over a sealed memfd (6.12)
 *   "vgem"     a vgem dumb buffer exported with PRIME
 */
#ifndef EDU_TEST_H
#define EDU_TEST_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dmabuf_exporter_edu.h>
#include <linux/udmabuf.h>
#include <xf86drm.h>

#include "dmx_test.h"

#define EDU_MODULE		"dmabuf_exporter_edu"
#define EDU_NODE		DMABUF_EXPORTER_EDU_DEV_PREFIX "0"
#define EDU_SYS_DRIVER		"/sys/bus/pci/drivers/" EDU_MODULE
#define EDU_SYS_PARAMS		"/sys/module/" EDU_MODULE "/parameters/"
#define EDU_SWIOTLB_USED	"/sys/kernel/debug/swiotlb/io_tlb_used"
#define EDU_SWIOTLB_SLOT	2048	/* bytes per swiotlb slot (IO_TLB_SIZE) */

static inline int64_t edu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void edu_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the device -------------------------------------------------------- */

/* PCI address (e.g. 0000:00:04.0) of the first edu device, or -ENOENT. */
static inline int edu_pci_address(char *bdf, size_t size)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	int ret = -ENOENT;

	if (!dir)
		return -errno;
	while (ret && (de = readdir(dir))) {
		char path[300], vendor[16], device[16];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (dmx_read_file(path, vendor, sizeof(vendor)))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (dmx_read_file(path, device, sizeof(device)))
			continue;
		if (!strcmp(vendor, "0x1234") && !strcmp(device, "0x11e8")) {
			snprintf(bdf, size, "%s", de->d_name);
			ret = 0;
		}
	}
	closedir(dir);
	return ret;
}

/* Why the edu node is missing, for SKIP. */
static inline const char *edu_missing_reason(void)
{
	char bdf[300];

	if (access("/sys/module/" EDU_MODULE, F_OK))
		return EDU_MODULE " is not loaded";
	if (edu_pci_address(bdf, sizeof(bdf)))
		return "no edu device (QEMU needs -device edu)";
	return "the edu device is not bound to " EDU_MODULE " (see dmesg)";
}

/*
 * kselftest convention, as for the exporter (dmx_test.h): a program of the
 * edu importer skips as a whole (plan 1..0, exit code 4, KSFT_SKIP) when
 * there is no edu node, rather than reporting every test skipped under a
 * passing program. A macro each such program places once at file scope
 * (like TEST_HARNESS_MAIN), since the stress, fuzz and fault programs include
 * this header but use the device only when it is there.
 */
#define EDU_SKIP_PROGRAM_WITHOUT_NODE					\
__attribute__((constructor)) static void edu_skip_without_node(void)	\
{									\
	if (!access(EDU_NODE, F_OK))					\
		return;							\
	printf("TAP version 13\n1..0 # SKIP %s\n", edu_missing_reason()); \
	fflush(stdout);							\
	_exit(4);							\
}

static inline int edu_rebind(void)
{
	char bdf[300];
	int ret = edu_pci_address(bdf, sizeof(bdf));

	if (ret)
		return ret;
	ret = dmx_write_file(EDU_SYS_DRIVER "/unbind", bdf);
	if (ret && ret != -ENODEV)
		return ret;
	return dmx_write_file(EDU_SYS_DRIVER "/bind", bdf);
}

/*
 * The VM configurations put module parameters for the edu driver on the
 * kernel command line (tests/edu/meson.build: QEMU's edu is started with a
 * wider dma_mask, and dma_bits must match it). modprobe would apply them at
 * load time; the harness loads with insmod, so apply them here: write each
 * into sysfs and, for dma_bits, which is read when a device is bound, rebind.
 */
static inline int edu_apply_cmdline_params(void)
{
	static const char prefix[] = EDU_MODULE ".";
	char cmdline[4096], *tok, *save = NULL;
	bool rebind = false;
	int ret;

	ret = dmx_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	if (ret)
		return ret;
	for (tok = strtok_r(cmdline, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char path[256], cur[64], *eq;

		if (strncmp(tok, prefix, sizeof(prefix) - 1))
			continue;
		tok += sizeof(prefix) - 1;
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = 0;
		snprintf(path, sizeof(path), EDU_SYS_PARAMS "%s", tok);
		ret = dmx_read_file(path, cur, sizeof(cur));
		if (ret)
			return ret;
		if (!strcmp(cur, eq + 1))
			continue;
		ret = dmx_write_file(path, eq + 1);
		if (ret)
			return ret;
		rebind |= !strcmp(tok, "dma_bits");
	}
	return rebind ? edu_rebind() : 0;
}

/* Open /dev/dmabuf-exporter/edu0 as configured; -errno if missing. */
static inline int edu_open(void)
{
	int fd;

	if (access("/sys/module/" EDU_MODULE, F_OK) == 0) {
		int ret = edu_apply_cmdline_params();

		if (ret)
			return ret;
	}
	fd = open(EDU_NODE, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static inline int edu_param_get(const char *name, unsigned int *val)
{
	char path[256], buf[32];
	int ret;

	snprintf(path, sizeof(path), EDU_SYS_PARAMS "%s", name);
	ret = dmx_read_file(path, buf, sizeof(buf));
	if (!ret)
		*val = (unsigned int)strtoul(buf, NULL, 10);
	return ret;
}

static inline int edu_param_set(const char *name, unsigned int val)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), EDU_SYS_PARAMS "%s", name);
	snprintf(buf, sizeof(buf), "%u", val);
	return dmx_write_file(path, buf);
}

/* ---- the uAPI, one wrapper per ioctl ---------------------------------- */

static inline int __edu_info(int edu, struct dmabuf_exporter_edu_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(edu, DMABUF_EXPORTER_EDU_IOCTL_INFO, info) ? -errno : 0;
}

/* Transfers the device ran so far, or -1. */
static inline int64_t edu_transfers(int edu)
{
	struct dmabuf_exporter_edu_info info;

	return __edu_info(edu, &info) ? -1 : (int64_t)info.transfers;
}

static inline int __edu_devbuf(int edu, unsigned long cmd, uint32_t off,
			       void *data, uint32_t len)
{
	struct dmabuf_exporter_edu_devbuf io = {
		.data = (uintptr_t)data,
		.offset = off,
		.len = len,
	};

	return ioctl(edu, cmd, &io) ? -errno : 0;
}

static inline int __edu_devbuf_write(int edu, uint32_t off, const void *data,
				     uint32_t len)
{
	return __edu_devbuf(edu, DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_WRITE, off,
			    (void *)data, len);
}

static inline int __edu_devbuf_read(int edu, uint32_t off, void *data,
				    uint32_t len)
{
	return __edu_devbuf(edu, DMABUF_EXPORTER_EDU_IOCTL_DEVBUF_READ, off,
			    data, len);
}

static inline int __edu_xfer(int edu, unsigned long cmd, uint32_t buf,
			     uint32_t flags, uint64_t off, uint32_t dev_off,
			     uint32_t len)
{
	struct dmabuf_exporter_edu_xfer x = {
		.buf = buf,
		.flags = flags,
		.offset = off,
		.dev_offset = dev_off,
		.len = len,
	};

	return ioctl(edu, cmd, &x) ? -errno : 0;
}

/* The device reads buf[off, off + len) into its buffer at dev_off. */
static inline int __edu_read_dmabuf(int edu, uint32_t buf, uint32_t flags,
				    uint64_t off, uint32_t dev_off, uint32_t len)
{
	return __edu_xfer(edu, DMABUF_EXPORTER_EDU_IOCTL_READ_DMABUF, buf, flags,
			  off, dev_off, len);
}

/* The device writes its buffer at dev_off into buf[off, off + len). */
static inline int __edu_write_dmabuf(int edu, uint32_t buf, uint32_t flags,
				     uint64_t off, uint32_t dev_off,
				     uint32_t len)
{
	return __edu_xfer(edu, DMABUF_EXPORTER_EDU_IOCTL_WRITE_DMABUF, buf,
			  flags, off, dev_off, len);
}

static inline int __edu_copy(int edu, uint32_t src, uint32_t dst,
			     uint32_t flags, uint64_t src_off, uint64_t dst_off,
			     uint64_t len)
{
	struct dmabuf_exporter_edu_copy c = {
		.src = src,
		.dst = dst,
		.flags = flags,
		.src_offset = src_off,
		.dst_offset = dst_off,
		.len = len,
	};

	return ioctl(edu, DMABUF_EXPORTER_EDU_IOCTL_COPY, &c) ? -errno : 0;
}

static inline int __edu_attach(int edu, int buf, uint32_t *handle)
{
	struct dmabuf_exporter_edu_attach a = { .fd = (uint32_t)buf };

	if (ioctl(edu, DMABUF_EXPORTER_EDU_IOCTL_ATTACH, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

static inline int __edu_detach(int edu, uint32_t handle)
{
	struct dmabuf_exporter_edu_detach d = { .handle = handle };

	return ioctl(edu, DMABUF_EXPORTER_EDU_IOCTL_DETACH, &d) ? -errno : 0;
}

/* ---- the running kernel ------------------------------------------------- */

/*
 * Whether the running kernel's config sets opt ("CONFIG_..."): 1 (=y or =m),
 * 0 (not set), or -1 when /boot/config-<release> is not there to say.
 */
static inline int edu_kernel_config(const char *opt)
{
	size_t n = strlen(opt);
	char path[512], line[512];
	struct utsname u;
	int ret = 0;
	FILE *f;

	if (uname(&u))
		return -1;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, opt, n) && line[n] == '=') {
			ret = line[n + 1] == 'y' || line[n + 1] == 'm';
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ---- bounce buffering --------------------------------------------------- */

/* swiotlb slots in use right now, or -1 when debugfs does not say. */
static inline long edu_swiotlb_used(void)
{
	return dmx_read_number(EDU_SWIOTLB_USED);
}

/* ---- exporters --------------------------------------------------------- */

/* A vgem buffer object of len bytes (a multiple of 4096); its GEM handle. */
static inline int edu_vgem_create(int drm, uint64_t len, uint32_t *handle)
{
	struct drm_mode_create_dumb create = {
		.width = 1024,
		.height = (uint32_t)(len / 4096),
		.bpp = 32,
	};

	if (drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	*handle = create.handle;
	return 0;
}

struct edu_exporter {
	const char *name;
	int dev;	/* heap node, udmabuf node or vgem DRM fd */
};

/* 0, or -errno with *why saying what is missing (for SKIP). */
static inline int edu_exporter_open(struct edu_exporter *e, const char *name,
				    const char **why)
{
	e->name = name;
	e->dev = -1;
	if (!strcmp(name, "ours")) {
		e->dev = open(DMABUF_EXPORTER_DEV_SYSTEM, O_RDWR | O_CLOEXEC);
		*why = DMABUF_EXPORTER_DEV_SYSTEM " missing (dmabuf_exporter not loaded)";
	} else if (!strcmp(name, "contig")) {
		e->dev = open(DMABUF_EXPORTER_DEV_CONTIG, O_RDWR | O_CLOEXEC);
		*why = DMABUF_EXPORTER_DEV_CONTIG " missing (dmabuf_exporter not loaded)";
	} else if (!strcmp(name, "user")) {
		e->dev = open(DMABUF_EXPORTER_DEV_CTL, O_RDWR | O_CLOEXEC);
		*why = DMABUF_EXPORTER_DEV_CTL " missing (dmabuf_exporter not loaded)";
	} else if (!strcmp(name, "heap")) {
		e->dev = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
		*why = "/dev/dma_heap/system missing (kernel without CONFIG_DMABUF_HEAPS_SYSTEM)";
	} else if (!strcmp(name, "udmabuf")) {
		e->dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		*why = "/dev/udmabuf missing (kernel without CONFIG_UDMABUF)";
	} else if (!strcmp(name, "vgem")) {
		e->dev = vgem_open();
		*why = "no vgem device (modprobe vgem)";
	} else {
		*why = "unknown exporter";
		return -EINVAL;
	}
	return e->dev < 0 ? -ENOENT : 0;
}

static inline void edu_exporter_close(struct edu_exporter *e)
{
	if (e->dev >= 0)
		close(e->dev);
	e->dev = -1;
}

/* A new read-write dma-buf of len bytes (a multiple of 4096), or -errno. */
static inline int edu_exporter_alloc(struct edu_exporter *e, uint64_t len)
{
	if (!strcmp(e->name, "ours") || !strcmp(e->name, "contig") ||
	    !strcmp(e->name, "heap")) {
		int fd = -1;
		int ret = __dmx_alloc(e->dev, len, O_RDWR | O_CLOEXEC, 0, 0, &fd);

		return ret ? ret : fd;
	}
	if (!strcmp(e->name, "udmabuf")) {
		struct udmabuf_create create = {
			.flags = UDMABUF_FLAGS_CLOEXEC,
			.size = len,
		};
		int memfd, fd;

		memfd = memfd_create("edu-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
		if (memfd < 0)
			return -errno;
		/* udmabuf insists the memfd cannot shrink under it. */
		if (ftruncate(memfd, (off_t)len) ||
		    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
			fd = -errno;
			close(memfd);
			return fd;
		}
		create.memfd = (uint32_t)memfd;
		fd = ioctl(e->dev, UDMABUF_CREATE, &create);
		if (fd < 0)
			fd = -errno;
		close(memfd);
		return fd;
	}
	if (!strcmp(e->name, "user")) {
		void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int fd;

		if (mem == MAP_FAILED)
			return -errno;
		fd = __dmx_import_user(e->dev, mem, len,
				       DMABUF_EXPORTER_IMPORT_WRITE, O_RDWR);
		/* The pinned pages live as long as the dma-buf. */
		munmap(mem, len);
		return fd;
	}
	if (!strcmp(e->name, "vgem")) {
		uint32_t handle = 0;
		int fd = -1, ret;

		ret = edu_vgem_create(e->dev, len, &handle);
		if (ret)
			return ret;
		ret = drmPrimeHandleToFD(e->dev, handle, DRM_CLOEXEC | DRM_RDWR, &fd);
		if (ret)
			ret = -errno;
		/* The dma-buf keeps the object alive. */
		drmCloseBufferHandle(e->dev, handle);
		return ret ? ret : fd;
	}
	return -EINVAL;
}

/* ---- CPU access through the protocol ------------------------------------ */

/* Map a whole dma-buf read-write; MAP_FAILED on error. */
static inline uint8_t *edu_map(int buf, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
}

/* Fill [off, off + len) with the pattern of seed, bracketed by SYNC. */
static inline int edu_cpu_fill(int buf, uint8_t *map, size_t off, size_t len,
			       unsigned int seed)
{
	size_t i;
	int ret;

	ret = __dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	if (ret)
		return ret;
	for (i = 0; i < len; i++)
		map[off + i] = dmx_pattern(off + i, seed);
	return __dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/*
 * Index of the first byte of map[off, off + len) that differs from
 * expect[0, len), or len when all match. No sync: callers bracket.
 */
static inline size_t edu_mismatch(const uint8_t *map, size_t off,
				  const uint8_t *expect, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (map[off + i] != expect[i])
			return i;
	return len;
}

/* Fill dst[0, len) with the pattern of seed at positions base + i. */
static inline void edu_pattern(uint8_t *dst, size_t base, size_t len,
			       unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = dmx_pattern(base + i, seed);
}

#endif /* EDU_TEST_H */
