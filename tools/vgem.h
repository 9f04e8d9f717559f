/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgem, DRM's virtual GEM driver: the dma-buf importer the tools and tests
 * use (PRIME import through libdrm). Finding its node, and the part of its
 * uAPI that libdrm does not install (include/uapi/drm/vgem_drm.h): fences
 * that stay unsignalled until userspace signals them. Include after
 * <xf86drm.h>.
 */
#ifndef DMABUF_EXPORTER_VGEM_H
#define DMABUF_EXPORTER_VGEM_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define VGEM_FENCE_WRITE	0x1
#define VGEM_IOCTL_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

/*
 * Open (O_CLOEXEC) the DRM card node whose driver is vgem, or return -1.
 * Each call opens a new DRM file: two of them import a dma-buf twice.
 */
static inline int vgem_open(void)
{
	DIR *dir = opendir("/dev/dri");
	struct dirent *de;
	int fd = -1;

	if (!dir)
		return -1;
	while (fd < 0 && (de = readdir(dir))) {
		char path[300];
		drmVersionPtr v;

		if (strncmp(de->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (!v || strcmp(v->name, "vgem")) {
			close(fd);
			fd = -1;
		}
		drmFreeVersion(v);
	}
	closedir(dir);
	return fd;
}

#endif /* DMABUF_EXPORTER_VGEM_H */
