/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmabuf-helper: allocate, import, map, name, describe and synchronise
 * dma-buf buffers, from the dmabuf_exporter module or any other exporter.
 *
 * Conventions: functions returning int give -1 and set errno on error;
 * functions returning a pointer give NULL and set errno. Every file
 * descriptor the library opens or creates has O_CLOEXEC set unless the caller
 * asks otherwise (through fd_flags). Nodes the library opens for one call
 * are closed before it returns. ioctls interrupted by a signal (EINTR) are
 * retried; EAGAIN is retried only for DMA_BUF_IOCTL_SYNC, the one call that
 * reports a fence still pending with it. A file descriptor a function
 * returns belongs to the caller, who closes it. Functions keep no state: all
 * are safe to call from several threads.
 *
 * Every struct the library fills is the caller's, and its size is passed
 * along (as for openat2()): the library writes exactly that many bytes,
 * zeroing fields it does not know, so programs built against an older or a
 * newer header both work with this library.
 *
 * The prefix of every symbol is dmabufx_ (DMABUFX_ for macros).
 */
#ifndef DMABUFX_HELPER_H
#define DMABUFX_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/dma-buf.h>
#include <linux/dmabuf_exporter.h>

/** DMABUFX_UDMABUF_DEV - the kernel's udmabuf node. */
#define DMABUFX_UDMABUF_DEV	"/dev/udmabuf"

/** DMABUFX_PATH_MAX - room enough for any path the library reports. */
#define DMABUFX_PATH_MAX		128

#ifdef __cplusplus
extern "C" {
#endif

/**
 * dmabufx_version() - the library's version string, e.g. "0.1.0".
 */
const char *dmabufx_version(void);

/**
 * dmabufx_ioctl() - ioctl() that retries on EINTR.
 * @fd:		file descriptor.
 * @request:	ioctl request.
 * @arg:	its argument.
 *
 * Return: what ioctl() returns; -1 with errno on error.
 */
int dmabufx_ioctl(int fd, unsigned long request, void *arg);

/**
 * dmabufx_node_open() - open a memory-kind node of the dmabuf_exporter module.
 * @kind:	kind name, e.g. "system" (opens /dev/dmabuf-exporter/system).
 *
 * Return: a file descriptor (O_RDWR | O_CLOEXEC) the caller closes, or -1
 * with errno (ENOENT when the module is not loaded, EINVAL for a bad name).
 */
int dmabufx_node_open(const char *kind);

/**
 * dmabufx_heap_alloc() - allocate a buffer with DMA_HEAP_IOCTL_ALLOC.
 * @node_fd:	an open dma-heap node: one of ours or /dev/dma_heap/<name>.
 * @len:	length in bytes; the kernel rounds it up to whole pages.
 * @fd_flags:	flags of the new fd: O_CLOEXEC and an access mode
 *		(O_RDWR to map it writable).
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: EINVAL for a zero
 * length or bad flags, ENOMEM when the memory or the size limit is exceeded,
 * EMFILE when the process is out of fds.
 */
int dmabufx_heap_alloc(int node_fd, uint64_t len, unsigned int fd_flags);

/**
 * dmabufx_alloc() - allocate a dma-buf from a kind or heap name, or a path.
 * @provider:	a name such as "system", "system-uncached", "contig" or any
 *		dma-heap name; or an absolute path of a node speaking
 *		DMA_HEAP_IOCTL_ALLOC (e.g. "/dev/dma_heap/system").
 * @len:	length in bytes, nonzero; rounded up to whole pages.
 * @fd_flags:	O_CLOEXEC and an access mode for the new fd.
 * @used:	if not NULL, receives the path of the node that allocated
 *		(at most @used_len bytes, NUL-terminated; DMABUFX_PATH_MAX fits).
 * @used_len:	size of @used.
 *
 * A path is used as is, with no fallback. A name is tried, in order, at:
 *  1. /dev/dmabuf-exporter/<name> (this project's module);
 *  2. /dev/dma_heap/<name> (the kernel's dma-heaps);
 *  3. for "system" only: zeroed memfd pages exported by udmabuf, through
 *     our ctl node (DMABUF_EXPORTER_DEV_CTL), then /dev/udmabuf. Such a
 *     buffer is always read-write whatever the access mode in @fd_flags,
 *     and udmabuf's size_limit_mb (64 MiB by default) applies.
 * The next provider is tried only when one is missing (ENOENT, ENODEV,
 * ENXIO when opening it; ENOTTY from a node that does not know the ioctl).
 * Any other error stops the search and is returned, so that a real failure
 * (ENOMEM, EACCES, ...) is never hidden by a different provider.
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: EINVAL for a NULL
 * or malformed @provider (empty, ".", "..", containing '/' without being a
 * path), a zero @len or unknown @fd_flags; ENOENT when no provider exists;
 * otherwise the provider's error (ENOMEM, EACCES, EMFILE, ...).
 */
int dmabufx_alloc(const char *provider, uint64_t len, unsigned int fd_flags,
		 char *used, size_t used_len);

/**
 * dmabufx_alloc_named() - allocate from our ctl node with a kind and a name.
 * @kind:	an &enum dmabuf_exporter_kind.
 * @len:	length in bytes; rounded up to whole pages.
 * @fd_flags:	O_CLOEXEC and an access mode for the new fd.
 * @name:	a name of at most DMABUF_EXPORTER_NAME_LEN - 1 characters, or
 *		NULL.
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: ENOENT when the
 * module is not loaded; EINVAL for a zero @len, an unknown @kind or
 * @fd_flags, a name too long; ENOMEM, EMFILE as for dmabufx_heap_alloc().
 */
int dmabufx_alloc_named(unsigned int kind, uint64_t len, unsigned int fd_flags,
		       const char *name);

/**
 * dmabufx_memfd_create() - a sealable memfd of @len bytes, ready for udmabuf.
 * @name:	memfd name (shown in /proc/PID/fd), or NULL.
 * @len:	size in bytes; a multiple of the page size for udmabuf.
 *
 * The memfd is O_CLOEXEC, sized to @len, and sealed against shrinking
 * (F_SEAL_SHRINK), which udmabuf requires; it is not sealed against writes.
 *
 * Return: the memfd, owned by the caller, or -1 with errno (ENOMEM, EMFILE,
 * EFBIG or EINVAL for a length the kernel refuses).
 */
int dmabufx_memfd_create(const char *name, uint64_t len);

/**
 * dmabufx_import_memfd() - turn a memfd range into a dma-buf (UDMABUF_CREATE).
 * @memfd:	a memfd (shmem or hugetlbfs) sealed with F_SEAL_SHRINK and
 *		not F_SEAL_WRITE.
 * @offset:	start of the range; page-aligned.
 * @len:	length of the range; page-aligned, nonzero.
 * @fd_flags:	O_CLOEXEC is honoured; udmabuf buffers are always read-write.
 * @used:	if not NULL, receives the path of the node used.
 * @used_len:	size of @used.
 *
 * Tries our ctl node first, then the kernel's /dev/udmabuf, moving on only
 * when one is missing (as dmabufx_alloc()). The dma-buf shares the memfd's
 * pages: writes through either are seen through the other. The caller may
 * close @memfd afterwards; the dma-buf keeps the pages.
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: ENOENT when
 * neither node exists; EINVAL for an unaligned or empty range, a range past
 * the end of the memfd, a memfd without F_SEAL_SHRINK or with F_SEAL_WRITE,
 * a length over udmabuf's size_limit_mb, unknown @fd_flags; EBADF when
 * @memfd is not open.
 */
int dmabufx_import_memfd(int memfd, uint64_t offset, uint64_t len,
			unsigned int fd_flags, char *used, size_t used_len);

/**
 * dmabufx_import_memfd_at() - dmabufx_import_memfd() through one given node.
 * @dev:	a node speaking UDMABUF_CREATE, e.g. DMABUFX_UDMABUF_DEV.
 * @memfd:	as for dmabufx_import_memfd().
 * @offset:	as for dmabufx_import_memfd().
 * @len:	as for dmabufx_import_memfd().
 * @fd_flags:	as for dmabufx_import_memfd().
 *
 * Return: as dmabufx_import_memfd(), with no fallback: ENOENT when @dev does
 * not exist, ENOTTY when it does not know UDMABUF_CREATE.
 */
int dmabufx_import_memfd_at(const char *dev, int memfd, uint64_t offset,
			   uint64_t len, unsigned int fd_flags);

/**
 * dmabufx_import_user() - pin a user memory range and export it
 * (DMABUF_EXPORTER_IOCTL_IMPORT_USER on our ctl node).
 * @addr:	start of the range; page-aligned.
 * @len:	length; page-aligned, nonzero.
 * @flags:	DMABUF_EXPORTER_IMPORT_WRITE to pin writable, or 0.
 * @fd_flags:	O_CLOEXEC and an access mode; a writable mode needs
 *		DMABUF_EXPORTER_IMPORT_WRITE.
 * @name:	buffer name, or NULL.
 *
 * The pages stay pinned until the last reference to the dma-buf is gone,
 * even if the caller unmaps the range; they count against RLIMIT_MEMLOCK.
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: ENOENT when the
 * module is not loaded; ENOTTY when the module predates user import;
 * otherwise as DMABUF_EXPORTER_IOCTL_IMPORT_USER (EINVAL, EFAULT,
 * EOPNOTSUPP, ENOMEM, EINTR, EMFILE).
 */
int dmabufx_import_user(void *addr, uint64_t len, unsigned int flags,
		       unsigned int fd_flags, const char *name);

/**
 * dmabufx_exporter_info() - read module-wide state (DMABUF_EXPORTER_IOCTL_INFO).
 * @node_fd:	an open node of ours.
 * @info:	filled in on success: exactly @size bytes are written.
 * @size:	sizeof(*@info) as the caller was compiled; at least
 *		DMABUFX_EXPORTER_INFO_SIZE_VER0.
 *
 * The ioctl is issued with @size as its struct size, so the module writes
 * only what both sides know; fields newer than the module read as zero.
 *
 * Return: 0, or -1 with errno: EINVAL for a NULL @info or a @size below
 * DMABUFX_EXPORTER_INFO_SIZE_VER0 or too large for an ioctl; ENOTTY when
 * @node_fd is not one of ours.
 */
int dmabufx_exporter_info(int node_fd, struct dmabuf_exporter_info *info,
			  size_t size);

/** DMABUFX_EXPORTER_INFO_SIZE_VER0 - the first struct dmabuf_exporter_info. */
#define DMABUFX_EXPORTER_INFO_SIZE_VER0	72

/**
 * dmabufx_size() - size of a dma-buf in bytes.
 * @buf_fd:	dma-buf fd.
 *
 * Return: the size, or -1 with errno (ESPIPE if @buf_fd is not a dma-buf).
 */
int64_t dmabufx_size(int buf_fd);

/**
 * dmabufx_map() - map a whole dma-buf shared into the address space.
 * @buf_fd:	dma-buf fd.
 * @len:	bytes to map from offset 0; at most the buffer size.
 * @prot:	PROT_READ and/or PROT_WRITE.
 *
 * Return: the address, to be released with dmabufx_unmap(), or NULL with
 * errno.
 */
void *dmabufx_map(int buf_fd, size_t len, int prot);

/**
 * dmabufx_unmap() - undo dmabufx_map().
 * @addr:	address returned by dmabufx_map().
 * @len:	the length given to it.
 *
 * Return: 0, or -1 with errno.
 */
int dmabufx_unmap(void *addr, size_t len);

/**
 * dmabufx_sync_begin() - start CPU access (DMA_BUF_IOCTL_SYNC, SYNC_START).
 * @buf_fd:	dma-buf fd.
 * @access:	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW.
 *
 * Every CPU access through a mapping must be bracketed by dmabufx_sync_begin()
 * and dmabufx_sync_end() with the same @access, so the exporter can make
 * device writes visible to the CPU and CPU writes visible to devices.
 *
 * Return: 0, or -1 with errno (EINVAL for bad @access).
 */
int dmabufx_sync_begin(int buf_fd, unsigned int access);

/**
 * dmabufx_sync_end() - end CPU access (DMA_BUF_IOCTL_SYNC, SYNC_END).
 * @buf_fd:	dma-buf fd.
 * @access:	the access given to dmabufx_sync_begin().
 *
 * Return: 0, or -1 with errno.
 */
int dmabufx_sync_end(int buf_fd, unsigned int access);

/**
 * dmabufx_set_name() - name a dma-buf (DMA_BUF_SET_NAME_B), any exporter.
 * @buf_fd:	dma-buf fd.
 * @name:	at most DMA_BUF_NAME_LEN - 1 characters ("" is a valid name).
 *
 * The name shows in /proc/PID/fdinfo/FD ("name:"), in the dma-buf debugfs
 * list and in /proc/PID/maps ("/dmabuf:NAME").
 *
 * Return: 0, or -1 with errno: EINVAL for a NULL or too long @name; ENOTTY
 * when @buf_fd is not a dma-buf; EBADF when it is not open.
 */
int dmabufx_set_name(int buf_fd, const char *name);

/**
 * struct dmabufx_fdinfo - what /proc/PID/fdinfo/FD says about a dma-buf
 * @size:	buffer size in bytes.
 * @inode:	inode number of the dma-buf file: the buffer's identity,
 *		the same for every fd and mapping of it (as in /proc/PID/maps).
 * @flags:	the open file's flags (O_ACCMODE, O_CLOEXEC of this fd, ...).
 * @count:	references to the dma-buf's file (fds, mappings, importers).
 * @exp_name:	the exporter's name, e.g. "dmabuf_exporter", "vgem",
 *		"system" (the kernel heap), "udmabuf".
 * @name:	the buffer's name, "" when unnamed.
 */
struct dmabufx_fdinfo {
	uint64_t size;
	uint64_t inode;
	unsigned int flags;
	unsigned int count;
	char exp_name[64];
	char name[DMA_BUF_NAME_LEN];
};

/** DMABUFX_FDINFO_SIZE_VER0 - the first struct dmabufx_fdinfo (120 bytes). */
#define DMABUFX_FDINFO_SIZE_VER0	120

/**
 * dmabufx_fdinfo() - describe any dma-buf fd of this process.
 * @buf_fd:	dma-buf fd, of any exporter.
 * @info:	filled in on success: exactly @size bytes are written.
 * @size:	sizeof(*@info) as the caller was compiled; at least
 *		DMABUFX_FDINFO_SIZE_VER0.
 *
 * Return: 0, or -1 with errno: EBADF when @buf_fd is not open; EINVAL when
 * it is not a dma-buf or @size is too small; or the error reading /proc
 * (ENOENT without /proc).
 */
int dmabufx_fdinfo(int buf_fd, struct dmabufx_fdinfo *info, size_t size);

/**
 * dmabufx_fdinfo_pid() - describe a dma-buf fd of another process.
 * @pid:	process id, or 0 for the caller.
 * @fd:		fd number in that process.
 * @info:	filled in on success: exactly @size bytes are written.
 * @size:	sizeof(*@info), at least DMABUFX_FDINFO_SIZE_VER0.
 *
 * Return: 0, or -1 with errno: ENOENT when the process or fd does not exist
 * (EBADF for a missing fd of the caller); EACCES when /proc refuses; EINVAL
 * when the fd is not a dma-buf.
 */
int dmabufx_fdinfo_pid(int pid, int fd, struct dmabufx_fdinfo *info,
		       size_t size);

/**
 * dmabufx_fdinfo_parse() - parse the text of a /proc/PID/fdinfo/FD file.
 * @text:	NUL-terminated contents.
 * @info:	filled in on success (missing keys read as 0 or ""): exactly
 *		@size bytes are written.
 * @size:	sizeof(*@info), at least DMABUFX_FDINFO_SIZE_VER0.
 *
 * Return: 0, or -1 with errno EINVAL when the text has no "exp_name:" line
 * (the file is not a dma-buf), an argument is NULL or @size is too small.
 */
int dmabufx_fdinfo_parse(const char *text, struct dmabufx_fdinfo *info,
			 size_t size);

/**
 * dmabufx_export_sync_file() - the buffer's current fences as a sync_file
 * (DMA_BUF_IOCTL_EXPORT_SYNC_FILE).
 * @buf_fd:	dma-buf fd.
 * @access:	DMA_BUF_SYNC_READ: the fences a reader must wait for (the
 *		writers'); DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW: all fences.
 *
 * Return: a sync_file fd (O_CLOEXEC) the caller owns, signalled already if
 * there is nothing to wait for; or -1 with errno: EINVAL for a bad @access;
 * ENOTTY when @buf_fd is not a dma-buf.
 */
int dmabufx_export_sync_file(int buf_fd, unsigned int access);

/**
 * dmabufx_import_sync_file() - add a sync_file's fence to the buffer
 * (DMA_BUF_IOCTL_IMPORT_SYNC_FILE).
 * @buf_fd:	dma-buf fd.
 * @access:	DMA_BUF_SYNC_READ: the fence is a read (later writers wait
 *		for it); DMA_BUF_SYNC_WRITE or _RW: a write (everyone waits).
 * @sync_fd:	a sync_file fd; still the caller's afterwards.
 *
 * Return: 0, or -1 with errno: EINVAL for a bad @access or a @sync_fd that
 * is not a sync_file; ENOTTY when @buf_fd is not a dma-buf.
 */
int dmabufx_import_sync_file(int buf_fd, unsigned int access, int sync_fd);

/**
 * dmabufx_wait() - wait until the CPU may access a buffer (poll on the fd).
 * @buf_fd:	dma-buf fd.
 * @access:	DMA_BUF_SYNC_READ waits for the write fences (POLLIN);
 *		DMA_BUF_SYNC_WRITE or _RW for all fences (POLLOUT).
 * @timeout_ms:	milliseconds; 0 to check without waiting; -1 forever.
 *
 * Signals do not shorten or lengthen the wait. On an fd that is not a
 * dma-buf the answer is that file's own poll readiness.
 *
 * Return: 0 when the fences signalled, or -1 with errno: ETIMEDOUT when they
 * did not in time; EINVAL for a bad @access; EBADF for a closed fd.
 */
int dmabufx_wait(int buf_fd, unsigned int access, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* DMABUFX_HELPER_H */
