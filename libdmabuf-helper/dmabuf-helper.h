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
 * are safe to call from several threads. The one object with state, a
 * struct dmabufx_mapping, is used by one thread at a time.
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
 * @provider:	a name such as "system", "system-uncached", "contig", a
 *		name userspace uses for CMA ("linux,cma", "reserved",
 *		"default_cma_region") or any dma-heap name; or an absolute
 *		path of a node speaking DMA_HEAP_IOCTL_ALLOC (e.g.
 *		"/dev/dma_heap/system").
 * @len:	length in bytes, nonzero; rounded up to whole pages.
 * @fd_flags:	O_CLOEXEC and an access mode for the new fd.
 * @used:	if not NULL, receives on success the path of the node that
 *		allocated; on failure the path of the node whose error is
 *		returned, or "" when the error is no node's (a bad argument,
 *		no provider of a name at all). At most @used_len bytes,
 *		NUL-terminated; DMABUFX_PATH_MAX fits.
 * @used_len:	size of @used.
 *
 * A path is used as is, with no fallback. A name of one of our kinds is
 * tried, in order, at:
 *  1. /dev/dmabuf-exporter/<kind> (this project's module);
 *  2. /dev/dma_heap/<name> for every dma-heap name of that kind in
 *     packaging/dma-heap/names (system: "system"; system-uncached:
 *     "system-uncached"; contig: "contig", "linux,cma", "reserved",
 *     "default_cma_region");
 *  3. for "system" only: zeroed memfd pages exported by udmabuf, through
 *     our ctl node (DMABUF_EXPORTER_DEV_CTL), then /dev/udmabuf. Such a
 *     buffer is always read-write whatever the access mode in @fd_flags,
 *     and udmabuf's size_limit_mb (64 MiB by default) applies.
 * Another name of that table ("linux,cma", ...) is tried at
 * /dev/dma_heap/<name> first, the kernel's heap of that very name, then as
 * its kind. Any other name: /dev/dmabuf-exporter/<name>, then
 * /dev/dma_heap/<name>.
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
 * dmabufx_sync_range() - sync part of one of our buffers
 *	(DMABUF_EXPORTER_IOCTL_SYNC_RANGE through our ctl node).
 * @buf_fd:	a dma-buf fd of the dmabuf_exporter module.
 * @flags:	DMA_BUF_SYNC_START or DMA_BUF_SYNC_END, and DMA_BUF_SYNC_READ,
 *		DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW: the flags of
 *		DMA_BUF_IOCTL_SYNC, with its rules.
 * @offset:	first byte of the range.
 * @length:	bytes in it, nonzero; the range must lie within the buffer.
 *
 * dmabufx_sync_begin() and dmabufx_sync_end() for [@offset, @offset +
 * @length) only: a CPU access to those bytes, bracketed by a START and an
 * END of the same range, costs what the range costs, not what the buffer
 * does. Bytes outside the range are not synced. On machines whose caches
 * are maintained by hand (arm64), whole cache lines are: keep ranges that
 * a device writes at the same time at least a cache line (64 bytes) apart.
 * START waits for the buffer's fences, as dmabufx_sync_begin() does.
 *
 * Return: 0, or -1 with errno: EBADF when @buf_fd is not open; EINVAL when
 * it is not a dma-buf of the dmabuf_exporter module, for unknown @flags or
 * flags without DMA_BUF_SYNC_READ or DMA_BUF_SYNC_WRITE, a zero @length, a
 * range that wraps or ends past the buffer; ENOENT when the module is not
 * loaded (no ctl node); EACCES when the ctl node may not be opened (root
 * only unless a udev rule says otherwise); EMFILE when the process is out
 * of fds; ENOTTY when the module is too old for range syncs; in
 * test-exporter mode, the error injected into begin_cpu_access.
 */
int dmabufx_sync_range(int buf_fd, unsigned int flags, uint64_t offset,
		       uint64_t length);

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

/* ---- Mapping objects: fd, length and access in one handle ---- */

/**
 * struct dmabufx_mapping - a shared mapping of a dma-buf, with its fd, length
 * and access, that brackets CPU access in begin/end pairs. Opaque: use the
 * accessors below. One mapping is used by one thread at a time.
 */
struct dmabufx_mapping;

/**
 * dmabufx_mapping_open() - map a dma-buf and wrap it in a mapping object.
 * @buf_fd:	dma-buf fd, of any exporter. The mapping keeps a duplicate
 *		of it (O_CLOEXEC): the caller may close @buf_fd afterwards.
 * @len:	bytes to map from offset 0, at most the buffer's size; 0 maps
 *		the whole buffer (its size from lseek(SEEK_END)).
 * @access:	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW:
 *		both the protection of the mapping (PROT_READ, PROT_WRITE or
 *		both) and the access every dmabufx_mapping_begin() announces.
 *
 * The mapping starts outside CPU access: bracket each access with
 * dmabufx_mapping_begin() and dmabufx_mapping_end().
 *
 * Return: the mapping, to be released with dmabufx_mapping_close(); or
 * NULL with errno: EINVAL for an empty or unknown @access, or a @len the
 * buffer does not have (past its end; 0 for an empty file); EBADF when
 * @buf_fd is not open; ESPIPE when @len is 0 and @buf_fd has no size (a
 * pipe); EACCES when the fd's access mode does not allow @access (a
 * read-only fd mapped for writing); ENODEV when @buf_fd cannot be mapped;
 * EMFILE when out of fds; ENOMEM.
 */
struct dmabufx_mapping *dmabufx_mapping_open(int buf_fd, size_t len,
					     unsigned int access);

/**
 * dmabufx_mapping_addr() - where a mapping starts.
 * @mapping:	a mapping.
 *
 * Return: the address; NULL for a NULL @mapping.
 */
void *dmabufx_mapping_addr(const struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_len() - the length of a mapping.
 * @mapping:	a mapping.
 *
 * Return: the length in bytes; 0 for a NULL @mapping.
 */
size_t dmabufx_mapping_len(const struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_fd() - the mapping's own duplicate of the buffer's fd.
 * @mapping:	a mapping.
 *
 * The fd stays the mapping's: dmabufx_mapping_close() closes it. Use it for
 * calls on the buffer (dmabufx_query(), dmabufx_wait(), importing it into a
 * device) while the mapping lives, or dup() it to keep the buffer longer.
 *
 * Return: the fd; -1 for a NULL @mapping.
 */
int dmabufx_mapping_fd(const struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_access() - the access a mapping was opened with.
 * @mapping:	a mapping.
 *
 * Return: DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW; 0 for
 * a NULL @mapping.
 */
unsigned int dmabufx_mapping_access(const struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_begin() - start CPU access through a mapping
 * (DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_START and the mapping's access).
 * @mapping:	a mapping outside CPU access.
 *
 * Begins and ends come in pairs: a second begin before the end is refused
 * without reaching the kernel. When the kernel refuses the begin, the
 * mapping stays outside CPU access.
 *
 * Return: 0, or -1 with errno: EALREADY when CPU access has begun already;
 * EINVAL for a NULL @mapping; otherwise the kernel's error for the sync
 * (ENOTTY when the fd is not a dma-buf; whatever the exporter's
 * begin_cpu_access returns).
 */
int dmabufx_mapping_begin(struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_end() - end CPU access through a mapping
 * (DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_END and the mapping's access).
 * @mapping:	a mapping inside CPU access (after dmabufx_mapping_begin()).
 *
 * The mapping is outside CPU access afterwards even when the kernel reports
 * an error: the pair is over, and a second end would be unpaired.
 *
 * Return: 0, or -1 with errno: EINVAL when CPU access has not begun (an
 * end without a begin, which is refused without reaching the kernel) or
 * for a NULL @mapping; otherwise the kernel's error for the sync.
 */
int dmabufx_mapping_end(struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_close() - end CPU access if it is on, unmap, close the
 * mapping's fd and free the mapping.
 * @mapping:	a mapping, or NULL (nothing to do).
 *
 * A mapping closed inside CPU access is ended first (as
 * dmabufx_mapping_end()), so an error path that leaves early never leaves
 * the access open. Everything is released whatever fails.
 *
 * Return: 0, or -1 with errno of the first step that failed: the end's
 * error, or munmap()'s.
 */
int dmabufx_mapping_close(struct dmabufx_mapping *mapping);

/**
 * dmabufx_mapping_closep() - dmabufx_mapping_close() for cleanup handlers.
 * @mappingp:	address of a mapping pointer; *@mappingp may be NULL. It
 *		is set to NULL.
 *
 * errno is left as it was, so a function returning an error keeps its own.
 * Used by DMABUFX_MAPPING_AUTO.
 */
void dmabufx_mapping_closep(struct dmabufx_mapping **mappingp);

/**
 * DMABUFX_MAPPING_AUTO - close a mapping when its variable leaves scope
 * (GCC and Clang: __attribute__((cleanup))). Initialise the variable at its
 * declaration, to NULL or a mapping:
 *
 *	DMABUFX_MAPPING_AUTO struct dmabufx_mapping *m =
 *		dmabufx_mapping_open(fd, 0, DMA_BUF_SYNC_RW);
 *
 * Every return then ends CPU access if it is on and releases the mapping.
 * Set the variable to NULL to keep the mapping past the scope.
 */
#if defined(__GNUC__) || defined(__clang__)
#define DMABUFX_MAPPING_AUTO __attribute__((cleanup(dmabufx_mapping_closep)))
#endif

/* ---- The ctl node's queries and test mode (our buffers only) ---- */

/** DMABUFX_QUERY_SIZE_VER0 - the first struct dmabuf_exporter_query. */
#define DMABUFX_QUERY_SIZE_VER0		96
/** DMABUFX_COUNTERS_SIZE_VER0 - the first struct dmabuf_exporter_counters. */
#define DMABUFX_COUNTERS_SIZE_VER0	152
/** DMABUFX_INJECT_SIZE_VER0 - the first struct dmabuf_exporter_inject. */
#define DMABUFX_INJECT_SIZE_VER0	32

/**
 * dmabufx_query() - describe one of our buffers (DMABUF_EXPORTER_IOCTL_QUERY).
 * @ctl_fd:	our ctl node (open(DMABUF_EXPORTER_DEV_CTL) or
 *		dmabufx_node_open("ctl")); -1 to have it opened for this call.
 * @buf_fd:	a dma-buf of this module; written to @query->fd.
 * @query:	in: the struct's other inputs as for the ioctl (name and
 *		name_len for the buffer's name, or 0), everything else zero;
 *		out: filled in by the kernel. At most @size bytes are written.
 * @size:	sizeof(*@query) as the caller was compiled; at least
 *		DMABUFX_QUERY_SIZE_VER0.
 *
 * The ioctl is issued with @size as its struct size, so a program built
 * against a newer, longer struct works with an older module (as long as it
 * leaves the members the module lacks zero) and an older one with a newer
 * module.
 *
 * Return: 0, or -1 with errno: EINVAL for a NULL @query, a @size below
 * DMABUFX_QUERY_SIZE_VER0 or too large for an ioctl, a @buf_fd that is not
 * a dma-buf or another exporter's, nonzero flags or reserved members; EBADF
 * when @buf_fd is not open; E2BIG for members past the module's struct that
 * are not zero; EFAULT for a bad name pointer; ENOTTY when @ctl_fd is not
 * our ctl node; when @ctl_fd is -1, the errors of opening the ctl node
 * (ENOENT: the module is not loaded; EACCES).
 */
int dmabufx_query(int ctl_fd, int buf_fd, struct dmabuf_exporter_query *query,
		  size_t size);

/**
 * dmabufx_counters() - what importers and the CPU did with one of our
 * buffers (DMABUF_EXPORTER_IOCTL_COUNTERS).
 * @ctl_fd:	our ctl node, or -1 to have it opened for this call.
 * @buf_fd:	a dma-buf of this module; written to @counters->fd.
 * @counters:	in: zero (flags and reserved must be); out: the counters,
 *		among them begin_cpu_access and end_cpu_access (successful
 *		DMA_BUF_SYNC_START and DMA_BUF_SYNC_END). At most @size bytes
 *		are written.
 * @size:	sizeof(*@counters); at least DMABUFX_COUNTERS_SIZE_VER0.
 *
 * Counted always, test mode or not. The ioctl is issued with @size, as for
 * dmabufx_query().
 *
 * Return: 0, or -1 with errno: as dmabufx_query() (EINVAL, EBADF, E2BIG,
 * ENOTTY, and the errors of opening the ctl node when @ctl_fd is -1).
 */
int dmabufx_counters(int ctl_fd, int buf_fd,
		     struct dmabuf_exporter_counters *counters, size_t size);

/**
 * dmabufx_inject() - make one of our buffers' next operations fail
 * (DMABUF_EXPORTER_IOCTL_INJECT; the module's test mode).
 * @ctl_fd:	our ctl node, or -1 to have it opened for this call.
 * @buf_fd:	a dma-buf of this module; written to @inject->fd.
 * @inject:	in: op (an &enum dmabuf_exporter_op), count (how many of
 *		the next calls fail; 0 stops failing) and error (a positive
 *		errno below 512), everything else zero. Only @inject->fd is
 *		written.
 * @size:	sizeof(*@inject); at least DMABUFX_INJECT_SIZE_VER0.
 *
 * Needs the module parameter test_exporter=1 (root).
 *
 * Return: 0, or -1 with errno: EPERM when test_exporter is 0; EINVAL for a
 * NULL @inject, a bad @size, an unknown op, an error out of range with a
 * nonzero count, a @buf_fd that is not one of our buffers, nonzero reserved
 * members; EBADF when @buf_fd is not open; E2BIG, ENOTTY and the errors of
 * opening the ctl node as for dmabufx_query().
 */
int dmabufx_inject(int ctl_fd, int buf_fd,
		   struct dmabuf_exporter_inject *inject, size_t size);

/* ---- Allocation with options: a name, the node used, by property ---- */

/**
 * struct dmabufx_alloc_opts - options of dmabufx_alloc2() and
 * dmabufx_alloc_props(); the caller's, passed with its size (as for
 * openat2()): zero what you do not use.
 * @name:	in: a name to give the buffer at allocation (at most
 *		DMA_BUF_NAME_LEN - 1 characters), or NULL. Our nodes name it
 *		in the allocation itself (through the ctl node,
 *		DMABUF_EXPORTER_IOCTL_ALLOC) when the ctl node may be opened;
 *		every other provider, and our kind nodes when it may not, with
 *		DMA_BUF_SET_NAME_B right after allocating.
 * @node:	out, if not NULL: on success the path of the node that
 *		allocated; on failure the path of the node whose error is
 *		returned (the node that refused, or whose name could not be
 *		set); "" when the error is not a node's (a bad argument, no
 *		provider at all). At most @node_len bytes, NUL-terminated;
 *		DMABUFX_PATH_MAX fits any.
 * @node_len:	in: size of @node.
 *
 * Later versions add members at the end; this library refuses (E2BIG)
 * members it does not know that are not zero.
 */
struct dmabufx_alloc_opts {
	const char *name;
	char *node;
	size_t node_len;
};

/** DMABUFX_ALLOC_OPTS_SIZE_VER0 - the first struct dmabufx_alloc_opts. */
#define DMABUFX_ALLOC_OPTS_SIZE_VER0	(2 * sizeof(void *) + sizeof(size_t))

/**
 * dmabufx_alloc2() - dmabufx_alloc() with options: a name, and the node
 * that allocated or refused.
 * @provider:	as for dmabufx_alloc().
 * @len:	as for dmabufx_alloc().
 * @fd_flags:	as for dmabufx_alloc().
 * @opts:	options, or NULL for none.
 * @opts_size:	sizeof(*@opts) as the caller was compiled; at least
 *		DMABUFX_ALLOC_OPTS_SIZE_VER0 (ignored when @opts is NULL).
 *
 * Providers are tried as by dmabufx_alloc(). Naming is part of the
 * allocation: a name that cannot be set fails the call with the naming
 * error, the buffer closed (nothing leaks), and no other provider is tried.
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: as for
 * dmabufx_alloc(), plus EINVAL for a @name too long or an @opts_size below
 * DMABUFX_ALLOC_OPTS_SIZE_VER0; E2BIG for an @opts_size over 4096 or
 * unknown members not zero; the errors of DMA_BUF_SET_NAME_B (ENOMEM).
 */
int dmabufx_alloc2(const char *provider, uint64_t len, unsigned int fd_flags,
		   const struct dmabufx_alloc_opts *opts, size_t opts_size);

/** DMABUFX_MEM_CACHED - memory the CPU maps cached. */
#define DMABUFX_MEM_CACHED		0x1U
/** DMABUFX_MEM_WRITECOMBINE - memory the CPU maps write-combined (uncached). */
#define DMABUFX_MEM_WRITECOMBINE	0x2U
/** DMABUFX_MEM_CONTIG - physically contiguous memory (CMA and the like). */
#define DMABUFX_MEM_CONTIG		0x4U

/**
 * dmabufx_alloc_props() - allocate memory that has the given properties.
 * @props:	DMABUFX_MEM_* bits the memory must have; 0 for any memory.
 * @len:	length in bytes, nonzero; rounded up to whole pages.
 * @fd_flags:	O_CLOEXEC and an access mode for the new fd.
 * @opts:	options (name, node), or NULL.
 * @opts_size:	sizeof(*@opts), as for dmabufx_alloc2().
 *
 * The memory kinds, in this order, and their properties: "system" (CACHED),
 * "system-uncached" (WRITECOMBINE), "contig" (CACHED | CONTIG). Every kind
 * that has all of @props is tried, each through its providers:
 *  1. our node, /dev/dmabuf-exporter/<kind>;
 *  2. the kernel's dma-heaps of the names userspace uses for that kind
 *     (/dev/dma_heap/<name>, from packaging/dma-heap/names: for contig,
 *     "contig", "linux,cma", "reserved", "default_cma_region");
 *  3. for system: udmabuf, as dmabufx_alloc() does.
 * As for dmabufx_alloc(), the next provider (and the next kind) is tried
 * only when one is missing; any other error is returned.
 *
 * Return: a dma-buf fd the caller owns, or -1 with errno: EINVAL for
 * unknown bits in @props, a combination no kind has (CACHED with
 * WRITECOMBINE, CONTIG with WRITECOMBINE), a zero @len, unknown @fd_flags
 * or bad @opts (see dmabufx_alloc2()); ENOENT when no provider of such
 * memory exists; otherwise the provider's error (ENOMEM, EACCES, ...).
 */
int dmabufx_alloc_props(unsigned int props, uint64_t len, unsigned int fd_flags,
			const struct dmabufx_alloc_opts *opts, size_t opts_size);

/* ---- Every dma-buf on the system, and who holds it ---- */

/**
 * struct dmabufx_snapshot - every dma-buf of the system (any exporter) at one
 * moment, with the processes holding each by fd or by mapping, the devices
 * attached to each, and per-process totals. Opaque: read it with the
 * accessors below, free it with dmabufx_snapshot_free(). Every pointer an
 * accessor returns (buffers, holders, processes, strings) belongs to the
 * snapshot and stays valid until it is freed; nothing is copied into memory
 * of the caller's, so the objects can grow in later versions.
 *
 * Sources: /proc/PID/fd and /proc/PID/fdinfo/FD (size, exporter, name and
 * inode of each buffer a process holds an fd of), /proc/PID/maps (mappings
 * of dma-bufs, "/dmabuf:NAME", also those whose fd was closed) and, when it
 * can be read (root, debugfs mounted), /sys/kernel/debug/dma_buf/bufinfo:
 * the attached devices of every buffer, and buffers no process holds. The
 * kernel offers no atomic view: buffers and processes that come or go
 * while the snapshot is taken may be missing or partly described.
 */
struct dmabufx_snapshot;

/**
 * struct dmabufx_buffer - one dma-buf of a snapshot; its identity is the
 * inode number of its file (the same in every process, in /proc/PID/maps
 * and in the debugfs list). Opaque: see dmabufx_buffer_inode() and the
 * accessors after it.
 */
struct dmabufx_buffer;

/**
 * struct dmabufx_holder - one process holding one buffer, by fds, by
 * mappings or both. Opaque: see dmabufx_holder_pid() and after.
 */
struct dmabufx_holder;

/**
 * struct dmabufx_process - one process holding buffers of a snapshot, with
 * its totals. Opaque: see dmabufx_process_pid() and after.
 */
struct dmabufx_process;

/**
 * DMABUFX_SNAPSHOT_NO_DEBUGFS - flag of dmabufx_snapshot_take(): do not read
 * the kernel's debugfs list (attachments then read as unknown, and buffers
 * no process holds are missing).
 */
#define DMABUFX_SNAPSHOT_NO_DEBUGFS	0x1U

/** DMABUFX_BUFINFO_PATH - the kernel's debugfs list of every dma-buf. */
#define DMABUFX_BUFINFO_PATH	"/sys/kernel/debug/dma_buf/bufinfo"

/**
 * dmabufx_snapshot_take() - enumerate every dma-buf and who holds it.
 * @pid:	0 for every buffer; a process id for the buffers that process
 *		holds (by fd or mapping). A thread's id counts as its
 *		process's. All processes are read either way, so that the
 *		holders of those buffers, and the shares of dmabufx_process_pss(),
 *		are complete.
 * @flags:	0 or DMABUFX_SNAPSHOT_NO_DEBUGFS.
 *
 * Processes that cannot be read (another user's, without root) do not fail
 * the call: they are listed by dmabufx_snapshot_unreadable(), and what they
 * hold is missing. Kernel threads, which hold no dma-buf, are never listed.
 * Processes that exit while they are read are left out silently.
 *
 * Return: a snapshot the caller frees with dmabufx_snapshot_free(); or NULL
 * with errno: EINVAL for a negative @pid or unknown @flags; ESRCH when @pid
 * is not a running process; ENOMEM; or the error of opening /proc (ENOENT
 * without /proc, EACCES).
 */
struct dmabufx_snapshot *dmabufx_snapshot_take(int pid, unsigned int flags);

/**
 * dmabufx_snapshot_take_at() - dmabufx_snapshot_take() from other files.
 * @proc_dir:	a directory laid out as /proc (PID/fd/N symlinks,
 *		PID/fdinfo/N, PID/maps, PID/comm), e.g. a copy taken on
 *		another machine or a test's; NULL for "/proc".
 * @bufinfo:	a file in the format of the kernel's debugfs list; NULL for
 *		DMABUFX_BUFINFO_PATH. Ignored with DMABUFX_SNAPSHOT_NO_DEBUGFS.
 * @pid:	as for dmabufx_snapshot_take().
 * @flags:	as for dmabufx_snapshot_take().
 *
 * Return: as dmabufx_snapshot_take(); ENOTDIR when @proc_dir is not a
 * directory.
 */
struct dmabufx_snapshot *dmabufx_snapshot_take_at(const char *proc_dir,
						  const char *bufinfo, int pid,
						  unsigned int flags);

/**
 * dmabufx_snapshot_free() - free a snapshot and everything it handed out.
 * @snap:	a snapshot, or NULL (nothing to do).
 */
void dmabufx_snapshot_free(struct dmabufx_snapshot *snap);

/**
 * dmabufx_snapshot_count() - the number of buffers in a snapshot.
 * @snap:	a snapshot.
 *
 * Return: the number of buffers (for a @pid, those it holds); 0 with errno
 * EINVAL for a NULL @snap.
 */
size_t dmabufx_snapshot_count(const struct dmabufx_snapshot *snap);

/**
 * dmabufx_snapshot_buffer() - one buffer of a snapshot.
 * @snap:	a snapshot.
 * @index:	0 to dmabufx_snapshot_count() - 1; buffers come in the
 *		order of their inode numbers (creation order).
 *
 * Return: the buffer; NULL with errno EINVAL for a NULL @snap, ERANGE for
 * an @index past the end.
 */
const struct dmabufx_buffer *
dmabufx_snapshot_buffer(const struct dmabufx_snapshot *snap, size_t index);

/**
 * dmabufx_snapshot_find() - the buffer of a snapshot with a given inode.
 * @snap:	a snapshot.
 * @inode:	the buffer's inode number (dmabufx_fdinfo()'s inode).
 *
 * Return: the buffer; NULL with errno ENOENT when the snapshot has none with
 * that inode, EINVAL for a NULL @snap.
 */
const struct dmabufx_buffer *
dmabufx_snapshot_find(const struct dmabufx_snapshot *snap, uint64_t inode);

/**
 * dmabufx_snapshot_bufinfo_error() - whether the debugfs list was read.
 * @snap:	a snapshot.
 *
 * Return: 0 when it was (attachments and attached devices are known for
 * every buffer it listed); otherwise why not: ENOENT (debugfs not mounted,
 * or a kernel without it), EACCES or EPERM (not root; kernel lockdown),
 * ENODATA (DMABUFX_SNAPSHOT_NO_DEBUGFS); EINVAL for a NULL @snap.
 */
int dmabufx_snapshot_bufinfo_error(const struct dmabufx_snapshot *snap);

/**
 * dmabufx_snapshot_unreadable_count() - how many processes could not be
 * read.
 * @snap:	a snapshot.
 *
 * Return: the number of processes whose fds or mappings could not be read
 * (the buffers they hold are missing from the snapshot, and the shares of
 * the buffers they hold too may be too large); 0 with errno EINVAL for a
 * NULL @snap.
 */
size_t dmabufx_snapshot_unreadable_count(const struct dmabufx_snapshot *snap);

/**
 * dmabufx_snapshot_unreadable() - one process that could not be read.
 * @snap:	a snapshot.
 * @index:	0 to dmabufx_snapshot_unreadable_count() - 1, in pid order.
 * @err:	if not NULL, receives the errno of the read that failed
 *		(EACCES, EPERM, ...).
 * @comm:	if not NULL, receives the process's name ("" when even that
 *		could not be read), owned by the snapshot.
 *
 * Return: the process id; -1 with errno EINVAL for a NULL @snap, ERANGE for
 * an @index past the end.
 */
int dmabufx_snapshot_unreadable(const struct dmabufx_snapshot *snap,
				size_t index, int *err, const char **comm);

/**
 * dmabufx_snapshot_process_count() - the number of processes holding
 * buffers of a snapshot.
 * @snap:	a snapshot.
 *
 * Return: the number of processes holding at least one buffer (for a @pid,
 * 1 if it holds any, else 0); 0 with errno EINVAL for a NULL @snap.
 */
size_t dmabufx_snapshot_process_count(const struct dmabufx_snapshot *snap);

/**
 * dmabufx_snapshot_process() - one process of a snapshot, with its totals.
 * @snap:	a snapshot.
 * @index:	0 to dmabufx_snapshot_process_count() - 1, in pid order.
 *
 * Return: the process; NULL with errno EINVAL for a NULL @snap, ERANGE for
 * an @index past the end.
 */
const struct dmabufx_process *
dmabufx_snapshot_process(const struct dmabufx_snapshot *snap, size_t index);

/**
 * dmabufx_buffer_inode() - a buffer's identity: its inode number.
 * @buf:	a buffer of a snapshot.
 *
 * Return: the inode number; 0 with errno EINVAL for a NULL @buf.
 */
uint64_t dmabufx_buffer_inode(const struct dmabufx_buffer *buf);

/**
 * dmabufx_buffer_size() - a buffer's size in bytes.
 * @buf:	a buffer of a snapshot.
 *
 * Return: the size; 0 when it is unknown (a buffer only mapped, never held
 * by an fd that could be read, while neither the debugfs list nor the
 * mapping's /proc/PID/map_files entry, root only, could be read); 0 with
 * errno EINVAL for a NULL @buf.
 */
uint64_t dmabufx_buffer_size(const struct dmabufx_buffer *buf);

/**
 * dmabufx_buffer_exporter() - the name of a buffer's exporter.
 * @buf:	a buffer of a snapshot.
 *
 * Return: the exporter's name ("dmabuf_exporter", "system", "udmabuf",
 * "drm", ...); NULL when it is unknown (a buffer only mapped, without the
 * debugfs list); NULL with errno EINVAL for a NULL @buf.
 */
const char *dmabufx_buffer_exporter(const struct dmabufx_buffer *buf);

/**
 * dmabufx_buffer_name() - a buffer's name (DMA_BUF_SET_NAME_B).
 * @buf:	a buffer of a snapshot.
 *
 * The name is the kernel's bytes: any bytes but NUL, not necessarily
 * UTF-8 or printable, at most DMA_BUF_NAME_LEN - 1 of them (up to the first
 * newline).
 *
 * Return: the name, "" when unnamed; NULL with errno EINVAL for a NULL
 * @buf.
 */
const char *dmabufx_buffer_name(const struct dmabufx_buffer *buf);

/**
 * dmabufx_buffer_attachments() - how many devices are attached to a buffer.
 * @buf:	a buffer of a snapshot.
 *
 * Return: the number of attachments (importers' dma_buf_attach()); -1 when
 * unknown (the debugfs list could not be read, or did not list the buffer
 * yet); -1 with errno EINVAL for a NULL @buf.
 */
int dmabufx_buffer_attachments(const struct dmabufx_buffer *buf);

/**
 * dmabufx_buffer_device() - the name of one attached device.
 * @buf:	a buffer of a snapshot.
 * @index:	0 to dmabufx_buffer_attachments() - 1, in the kernel's order.
 *
 * Return: the device's name as the kernel knows it (dev_name(): "vgem",
 * "0000:00:04.0", ...); NULL with errno EINVAL for a NULL @buf, ERANGE for
 * an @index past the end.
 */
const char *dmabufx_buffer_device(const struct dmabufx_buffer *buf,
				  size_t index);

/**
 * dmabufx_buffer_holder_count() - how many processes hold a buffer.
 * @buf:	a buffer of a snapshot.
 *
 * Return: the number of processes holding it by fd, by mapping or both
 * (0: only importers or the kernel hold it); 0 with errno EINVAL for a NULL
 * @buf.
 */
size_t dmabufx_buffer_holder_count(const struct dmabufx_buffer *buf);

/**
 * dmabufx_buffer_holder() - one process holding a buffer.
 * @buf:	a buffer of a snapshot.
 * @index:	0 to dmabufx_buffer_holder_count() - 1, in pid order.
 *
 * Return: the holder; NULL with errno EINVAL for a NULL @buf, ERANGE for an
 * @index past the end.
 */
const struct dmabufx_holder *
dmabufx_buffer_holder(const struct dmabufx_buffer *buf, size_t index);

/**
 * dmabufx_holder_pid() - the process id of a holder.
 * @holder:	a holder of a buffer.
 *
 * Return: the pid; -1 with errno EINVAL for a NULL @holder.
 */
int dmabufx_holder_pid(const struct dmabufx_holder *holder);

/**
 * dmabufx_holder_comm() - the name of a holder's process (/proc/PID/comm).
 * @holder:	a holder of a buffer.
 *
 * Return: the name, any bytes ("" when it could not be read); NULL with
 * errno EINVAL for a NULL @holder.
 */
const char *dmabufx_holder_comm(const struct dmabufx_holder *holder);

/**
 * dmabufx_holder_fd_count() - how many fds of the buffer a holder has.
 * @holder:	a holder of a buffer.
 *
 * Return: the number of fds (0 for a holder by mapping only); 0 with errno
 * EINVAL for a NULL @holder.
 */
size_t dmabufx_holder_fd_count(const struct dmabufx_holder *holder);

/**
 * dmabufx_holder_fd() - one fd number of the buffer in a holder's process.
 * @holder:	a holder of a buffer.
 * @index:	0 to dmabufx_holder_fd_count() - 1, in increasing fd order.
 *
 * Return: the fd number (in that process); -1 with errno EINVAL for a NULL
 * @holder, ERANGE for an @index past the end.
 */
int dmabufx_holder_fd(const struct dmabufx_holder *holder, size_t index);

/**
 * dmabufx_holder_mapped() - bytes of the buffer a holder has mapped.
 * @holder:	a holder of a buffer.
 *
 * Return: the bytes of every mapping of the buffer in that process, added
 * up (a buffer mapped twice counts twice); 0 with errno EINVAL for a NULL
 * @holder.
 */
uint64_t dmabufx_holder_mapped(const struct dmabufx_holder *holder);

/**
 * dmabufx_process_pid() - a process's id.
 * @proc:	a process of a snapshot.
 *
 * Return: the pid; -1 with errno EINVAL for a NULL @proc.
 */
int dmabufx_process_pid(const struct dmabufx_process *proc);

/**
 * dmabufx_process_comm() - a process's name (/proc/PID/comm).
 * @proc:	a process of a snapshot.
 *
 * Return: the name, any bytes ("" when it could not be read); NULL with
 * errno EINVAL for a NULL @proc.
 */
const char *dmabufx_process_comm(const struct dmabufx_process *proc);

/**
 * dmabufx_process_buffer_count() - how many buffers a process holds.
 * @proc:	a process of a snapshot.
 *
 * Return: the number of buffers it holds by fd or mapping; 0 with errno
 * EINVAL for a NULL @proc.
 */
size_t dmabufx_process_buffer_count(const struct dmabufx_process *proc);

/**
 * dmabufx_process_fd_count() - how many dma-buf fds a process has.
 * @proc:	a process of a snapshot.
 *
 * Return: its fds of dma-bufs (two fds of one buffer count twice); 0 with
 * errno EINVAL for a NULL @proc.
 */
size_t dmabufx_process_fd_count(const struct dmabufx_process *proc);

/**
 * dmabufx_process_rss() - the bytes of the buffers a process holds.
 * @proc:	a process of a snapshot.
 *
 * Each buffer it holds (by fd or mapping) counts once, whole, however many
 * other processes hold it too: the dma-buf analogue of a resident set.
 *
 * Return: the bytes; 0 with errno EINVAL for a NULL @proc.
 */
uint64_t dmabufx_process_rss(const struct dmabufx_process *proc);

/**
 * dmabufx_process_pss() - a process's proportional share of its buffers.
 * @proc:	a process of a snapshot.
 *
 * Each buffer it holds counts for its size divided by the number of
 * processes holding it (by fd or mapping; dmabufx_buffer_holder_count()),
 * rounded down, as Android's dmabuf_dump does: the PSS of every process
 * adds up to the bytes of the buffers processes hold (less the rounding).
 * Buffers held by processes that could not be read are not divided among
 * those; a buffer of unknown size (dmabufx_buffer_size() 0) counts 0.
 *
 * Return: the bytes; 0 with errno EINVAL for a NULL @proc.
 */
uint64_t dmabufx_process_pss(const struct dmabufx_process *proc);

/**
 * dmabufx_process_mapped() - bytes of dma-bufs a process has mapped.
 * @proc:	a process of a snapshot.
 *
 * Return: the sum of dmabufx_holder_mapped() over its buffers; 0 with errno
 * EINVAL for a NULL @proc.
 */
uint64_t dmabufx_process_mapped(const struct dmabufx_process *proc);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
#include <cerrno>

namespace dmabufx {

/**
 * class SyncGuard - CPU access through a mapping for the guard's lifetime
 * (header-only C++, like libcamera's DmaSyncer).
 *
 * The constructor begins CPU access (dmabufx_mapping_begin()), the
 * destructor ends it (dmabufx_mapping_end()), keeping errno as it was.
 * Constructors cannot return errors: check ok() (or the bool conversion)
 * and error(), the errno of a begin that failed (EALREADY when the mapping
 * is inside CPU access already, under another guard say). A failed guard
 * ends nothing. end() ends early and returns the end's result; the
 * destructor then does nothing. Guards cannot be copied (a copy would end
 * twice); they can be moved, say out of a function. The mapping must
 * outlive its guard.
 *
 *	dmabufx::SyncGuard sync(mapping);
 *	if (!sync)
 *		return -sync.error();
 *	memcpy(dmabufx_mapping_addr(mapping), src, n);
 *	// CPU access ends here, on every path out of the scope
 */
class SyncGuard {
public:
	explicit SyncGuard(struct dmabufx_mapping *mapping) noexcept
		: mapping_(mapping), error_(0)
	{
		if (dmabufx_mapping_begin(mapping_) < 0) {
			error_ = errno;
			mapping_ = nullptr;
		}
	}

	~SyncGuard()
	{
		int saved = errno;

		end();
		errno = saved;
	}

	SyncGuard(const SyncGuard &) = delete;
	SyncGuard &operator=(const SyncGuard &) = delete;

	SyncGuard(SyncGuard &&other) noexcept
		: mapping_(other.mapping_), error_(other.error_)
	{
		other.mapping_ = nullptr;
	}

	SyncGuard &operator=(SyncGuard &&other) noexcept
	{
		if (this != &other) {
			int saved = errno;

			end();
			errno = saved;
			mapping_ = other.mapping_;
			error_ = other.error_;
			other.mapping_ = nullptr;
		}
		return *this;
	}

	/** ok() - CPU access began and has not been ended by end(). */
	bool ok() const noexcept { return mapping_ != nullptr; }
	explicit operator bool() const noexcept { return ok(); }

	/** error() - errno of the begin that failed; 0 when it succeeded. */
	int error() const noexcept { return error_; }

	/**
	 * end() - end CPU access now.
	 *
	 * Return: 0 (also when there was nothing to end), or -1 with errno
	 * from dmabufx_mapping_end().
	 */
	int end() noexcept
	{
		struct dmabufx_mapping *mapping = mapping_;

		mapping_ = nullptr;
		return mapping ? dmabufx_mapping_end(mapping) : 0;
	}

private:
	struct dmabufx_mapping *mapping_;
	int error_;
};

} /* namespace dmabufx */
#endif /* __cplusplus */

#endif /* DMABUFX_HELPER_H */
