// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every dma-buf on the system, of any exporter, and who holds it: a
 * snapshot read from /proc (fds, fdinfo, maps) and, when readable, the
 * kernel's debugfs list (attached devices, buffers no process holds).
 *
 * The debugfs list (drivers/dma-buf/dma-buf.c, dma_buf_debug_show(), the
 * same in 6.1, 6.12 and 7.x) reads:
 *
 *	<blank>
 *	Dma-buf Objects:
 *	size    \tflags   \tmode    \tcount   \texp_name\tino     \tname
 *	%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s		(name or "<none>")
 *	\t<usage> fence:<driver> <timeline> seq N [un]signalled	(0 or more)
 *	\tAttached Devices:
 *	\t<dev_name()>					(one per attachment)
 *	Total %d devices attached
 *	<blank>
 *	... the next buffer ...
 *	Total %d objects, %zu bytes
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabuf-helper.h"
#include "internal.h"

#define PF_KTHREAD_FLAG	0x00200000U	/* include/linux/sched.h */

/* Where a buffer's name came from, best last: fdinfo has it exactly. */
enum { NAME_NONE, NAME_MAPS, NAME_BUFINFO, NAME_FDINFO };

struct dmabufx_process {
	int pid;
	char *comm;
	size_t nbufs, nfds;
	uint64_t rss, pss, mapped;
};

struct dmabufx_holder {
	struct dmabufx_process *proc;
	int *fds;
	size_t nfds, cap_fds;
	uint64_t mapped;
	/* One mapping's range, to stat /proc/PID/map_files/ for the size. */
	unsigned long long map_start, map_end;
};

struct dmabufx_buffer {
	uint64_t inode, size;
	char *exporter;		/* NULL: unknown */
	char *name;		/* NULL until finish(): "" */
	int name_from;
	int attachments;	/* -1: unknown */
	char **devices;
	size_t ndevices, cap_devices;
	struct dmabufx_holder *holders;
	size_t nholders, cap_holders;
};

struct unreadable {
	int pid, err;
	char *comm;
};

struct dmabufx_snapshot {
	struct dmabufx_buffer *bufs;
	size_t nbufs, cap_bufs;
	/* Every process holding something; the shown ones (all, or @pid). */
	struct dmabufx_process **procs;
	size_t nprocs, cap_procs;
	struct dmabufx_process **shown;
	size_t nshown;
	struct unreadable *unr;
	size_t nunr, cap_unr;
	int bufinfo_err;

	/* While taking only. */
	int rootfd;
	size_t *hash;		/* buffer index + 1 by inode; 0: free */
	size_t hash_cap;
	struct dmabufx_process *cur;	/* the process being read */
};

/* Room for one more element: @arr itself, a new array, or NULL (ENOMEM). */
static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return arr;
	ncap = *cap ? 2 * *cap : 8;
	if (ncap > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = realloc(arr, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

/* The whole of a small file under @dirfd, NUL-terminated; NULL + errno. */
static char *read_at(int dirfd, const char *path, size_t *len)
{
	size_t n = 0, cap = 4096;
	char *text = malloc(cap), *p;
	ssize_t r;
	int fd, err;

	if (!text)
		return NULL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		goto fail;
	for (;;) {
		if (cap - n < 2) {
			p = cap > SIZE_MAX / 2 ? NULL : realloc(text, 2 * cap);
			if (!p) {
				errno = ENOMEM;
				goto fail_fd;
			}
			text = p;
			cap *= 2;
		}
		r = read(fd, text + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail_fd;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	text[n] = '\0';
	if (len)
		*len = n;
	return text;
fail_fd:
	err = errno;
	close(fd);
	errno = err;
fail:
	err = errno;
	free(text);
	errno = err;
	return NULL;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* ---- buffers by inode ---- */

static size_t hash_slot(const struct dmabufx_snapshot *s, uint64_t inode)
{
	return (size_t)((inode * 0x9E3779B97F4A7C15ULL) >> 17) & (s->hash_cap - 1);
}

static int hash_grow(struct dmabufx_snapshot *s)
{
	size_t cap = s->hash_cap ? 2 * s->hash_cap : 64, i, k;
	size_t *old = s->hash, old_cap = s->hash_cap;

	s->hash = calloc(cap, sizeof(*s->hash));
	if (!s->hash) {
		s->hash = old;
		return -1;
	}
	s->hash_cap = cap;
	for (i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		for (k = hash_slot(s, s->bufs[old[i] - 1].inode); s->hash[k];
		     k = (k + 1) & (cap - 1))
			;
		s->hash[k] = old[i];
	}
	free(old);
	return 0;
}

/* The buffer of @inode, made if new; NULL on ENOMEM. */
static struct dmabufx_buffer *get_buf(struct dmabufx_snapshot *s, uint64_t inode)
{
	struct dmabufx_buffer *b;
	size_t k;
	void *p;

	if (2 * (s->nbufs + 1) > s->hash_cap && hash_grow(s))
		return NULL;
	for (k = hash_slot(s, inode); s->hash[k]; k = (k + 1) & (s->hash_cap - 1))
		if (s->bufs[s->hash[k] - 1].inode == inode)
			return &s->bufs[s->hash[k] - 1];
	p = grow(s->bufs, &s->cap_bufs, s->nbufs, sizeof(*s->bufs));
	if (!p)
		return NULL;
	s->bufs = p;
	b = &s->bufs[s->nbufs++];
	memset(b, 0, sizeof(*b));
	b->inode = inode;
	b->attachments = -1;
	s->hash[k] = s->nbufs;
	return b;
}

static int set_name(struct dmabufx_buffer *b, const char *name, size_t n,
		    int from)
{
	char *d;

	if (b->name_from >= from)
		return 0;
	if (n > DMA_BUF_NAME_LEN - 1)
		n = DMA_BUF_NAME_LEN - 1;
	d = dup_n(name, n);
	if (!d)
		return -1;
	free(b->name);
	b->name = d;
	b->name_from = from;
	return 0;
}

static int set_exporter(struct dmabufx_buffer *b, const char *exp)
{
	if (b->exporter || !*exp)
		return 0;
	b->exporter = strdup(exp);
	return b->exporter ? 0 : -1;
}

/* ---- processes ---- */

static char *read_comm(const struct dmabufx_snapshot *s, int pid)
{
	char path[32], *comm;
	size_t n;

	snprintf(path, sizeof(path), "%d/comm", pid);
	comm = read_at(s->rootfd, path, &n);
	if (!comm)
		return errno == ENOMEM ? NULL : strdup("");
	if (n && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
	return comm;
}

/* The record of the process being read, made at its first buffer. */
static struct dmabufx_process *cur_proc(struct dmabufx_snapshot *s, int pid)
{
	struct dmabufx_process *p;
	void *arr;

	if (s->cur && s->cur->pid == pid)
		return s->cur;
	arr = grow(s->procs, &s->cap_procs, s->nprocs, sizeof(*s->procs));
	if (!arr)
		return NULL;
	s->procs = arr;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->comm = read_comm(s, pid);
	if (!p->comm) {
		free(p);
		return NULL;
	}
	s->procs[s->nprocs++] = p;
	s->cur = p;
	return p;
}

/*
 * The holder of @b by process @pid. Processes are read one after the other,
 * so that process's holder, if any, is the buffer's last.
 */
static struct dmabufx_holder *get_holder(struct dmabufx_snapshot *s,
					 struct dmabufx_buffer *b, int pid)
{
	struct dmabufx_process *p = cur_proc(s, pid);
	struct dmabufx_holder *h;
	void *arr;

	if (!p)
		return NULL;
	if (b->nholders && b->holders[b->nholders - 1].proc == p)
		return &b->holders[b->nholders - 1];
	arr = grow(b->holders, &b->cap_holders, b->nholders, sizeof(*b->holders));
	if (!arr)
		return NULL;
	b->holders = arr;
	h = &b->holders[b->nholders++];
	memset(h, 0, sizeof(*h));
	h->proc = p;
	return h;
}

static int add_unreadable(struct dmabufx_snapshot *s, int pid, int err)
{
	void *arr = grow(s->unr, &s->cap_unr, s->nunr, sizeof(*s->unr));
	char *comm;

	if (!arr)
		return -1;
	s->unr = arr;
	comm = read_comm(s, pid);
	if (!comm)
		return -1;
	s->unr[s->nunr].pid = pid;
	s->unr[s->nunr].err = err;
	s->unr[s->nunr].comm = comm;
	s->nunr++;
	return 0;
}

/* Kernel threads hold no dma-buf: their unreadable fds are no loss. */
static int is_kthread(const struct dmabufx_snapshot *s, int pid)
{
	unsigned int flags = 0;
	char path[32], *stat, *p;
	int ret = 0;

	snprintf(path, sizeof(path), "%d/stat", pid);
	stat = read_at(s->rootfd, path, NULL);
	if (!stat)
		return 0;
	/* "pid (comm) state ppid pgrp session tty_nr tpgid flags ..." */
	p = strrchr(stat, ')');
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %u", &flags) == 1)
		ret = !!(flags & PF_KTHREAD_FLAG);
	free(stat);
	return ret;
}

/* dma-buf files link to "/dmabuf:NAME" (5.x and later) or "anon_inode:dmabuf". */
static int is_dmabuf_path(const char *path)
{
	return !strncmp(path, "/dmabuf:", 8) || !strcmp(path, "anon_inode:dmabuf");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* One fd of process @pid: -1 on ENOMEM; *@err set when it cannot be read. */
static int scan_fd(struct dmabufx_snapshot *s, int pid, int dirfd,
		   const char *fdname, int *err)
{
	struct dmabufx_fdinfo fi;
	struct dmabufx_buffer *b;
	struct dmabufx_holder *h;
	struct stat st;
	char link[64], path[300], *text;
	ssize_t n;
	void *arr;

	n = readlinkat(dirfd, fdname, link, sizeof(link) - 1);
	if (n < 0) {
		/* ENOENT: closed meanwhile; EACCES: the fd table is not ours. */
		if (errno != ENOENT)
			*err = errno;
		return 0;
	}
	link[n] = '\0';
	if (!is_dmabuf_path(link))
		return 0;
	snprintf(path, sizeof(path), "%d/fdinfo/%s", pid, fdname);
	text = read_at(s->rootfd, path, NULL);
	if (!text) {
		if (errno == ENOMEM)
			return -1;
		if (errno != ENOENT)
			*err = errno;
		return 0;
	}
	if (dmabufx_fdinfo_parse(text, &fi, sizeof(fi)) < 0) {
		free(text);
		return 0;	/* not a dma-buf after all */
	}
	free(text);
	/* Older kernels print no "ino:" in fdinfo: the fd's file has it. */
	if (!fi.inode && !fstatat(dirfd, fdname, &st, 0))
		fi.inode = (uint64_t)st.st_ino;
	if (!fi.inode)
		return 0;
	b = get_buf(s, fi.inode);
	if (!b)
		return -1;
	if (fi.size)
		b->size = fi.size;
	if (set_exporter(b, fi.exp_name) ||
	    set_name(b, fi.name, strlen(fi.name), NAME_FDINFO))
		return -1;
	h = get_holder(s, b, pid);
	if (!h)
		return -1;
	arr = grow(h->fds, &h->cap_fds, h->nfds, sizeof(*h->fds));
	if (!arr)
		return -1;
	h->fds = arr;
	h->fds[h->nfds++] = atoi(fdname);
	return 0;
}

/* The fds of process @pid. -1 on ENOMEM; *@err when unreadable; 1 if gone. */
static int scan_fds(struct dmabufx_snapshot *s, int pid, int *err)
{
	char path[32];
	struct dirent *de;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "%d/fd", pid);
	fd = openat(s->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOMEM)
			return -1;
		if (errno == ENOENT)
			return 1;
		*err = errno;
		return 0;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (scan_fd(s, pid, fd, de->d_name, err)) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	return 0;
}

/* Undo the kernel's escaping of '\n' as "\012" in /proc/PID/maps. */
static size_t maps_name(const char *path, char *out, size_t len)
{
	size_t n = 0;

	while (*path && n < len) {
		/* A name stops at its first newline, as in fdinfo. */
		if (!strncmp(path, "\\012", 4))
			break;
		out[n++] = *path++;
	}
	return n;
}

/* The mappings of process @pid: -1 on ENOMEM, *@err when unreadable. */
static int scan_maps(struct dmabufx_snapshot *s, int pid, int *err)
{
	unsigned long long start, end, off, ino;
	unsigned int maj, min;
	char path[32], name[DMA_BUF_NAME_LEN], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int fd, pos, ret = 0;

	snprintf(path, sizeof(path), "%d/maps", pid);
	fd = openat(s->rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOMEM)
			return -1;
		if (errno != ENOENT)
			*err = errno;
		return 0;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		struct dmabufx_buffer *b;
		struct dmabufx_holder *h;
		char *p;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		pos = 0;
		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu %n", &start, &end,
			   &off, &maj, &min, &ino, &pos) != 6 || !pos)
			continue;
		p = line + pos;
		/* dma-bufs live on an anonymous file system: device 0:N. */
		if (maj != 0 || !ino || end <= start || !is_dmabuf_path(p))
			continue;
		b = get_buf(s, ino);
		if (!b)
			goto nomem;
		if (!strncmp(p, "/dmabuf:", 8) &&
		    set_name(b, name, maps_name(p + 8, name, sizeof(name) - 1),
			     NAME_MAPS))
			goto nomem;
		h = get_holder(s, b, pid);
		if (!h)
			goto nomem;
		h->mapped += end - start;
		if (!h->map_end) {
			h->map_start = start;
			h->map_end = end;
		}
	}
	if (ferror(f) && errno != ENOENT && errno != ESRCH)
		*err = errno;
out:
	free(line);
	fclose(f);
	return ret;
nomem:
	ret = -1;
	goto out;
}

/* -1 on ENOMEM; *@err set when the process cannot be read. */
static int scan_process(struct dmabufx_snapshot *s, int pid)
{
	int err = 0, r;

	s->cur = NULL;
	r = scan_fds(s, pid, &err);
	if (r < 0)
		return -1;
	if (r > 0)
		return 0;	/* gone */
	if (scan_maps(s, pid, &err))
		return -1;
	if (err && !is_kthread(s, pid))
		return add_unreadable(s, pid, err);
	return 0;
}

/* ---- the debugfs list ---- */

static int parse_bufinfo_line(struct dmabufx_snapshot *s, char *line,
			      struct dmabufx_buffer **cur, int *in_devices)
{
	char *f[6], *p = line, *end;
	unsigned long long size, ino;
	struct dmabufx_buffer *b;
	void *arr;
	int i, n;

	if (line[0] >= '0' && line[0] <= '9') {
		/* size flags mode count exp_name ino name */
		*cur = NULL;
		*in_devices = 0;
		for (i = 0; i < 6; i++) {
			f[i] = p;
			p = strchr(p, '\t');
			if (!p)
				return 0;
			*p++ = '\0';
		}
		errno = 0;
		size = strtoull(f[0], &end, 10);
		if (errno || *end)
			return 0;
		ino = strtoull(f[5], &end, 10);
		if (errno || *end || !ino)
			return 0;
		b = get_buf(s, ino);
		if (!b)
			return -1;
		if (!b->size)
			b->size = size;
		if (set_exporter(b, f[4]))
			return -1;
		if (strcmp(p, "<none>") && set_name(b, p, strlen(p), NAME_BUFINFO))
			return -1;
		b->attachments = 0;
		*cur = b;
		return 0;
	}
	b = *cur;
	if (!b)
		return 0;
	if (!strcmp(line, "\tAttached Devices:")) {
		*in_devices = 1;
	} else if ((n = 0, sscanf(line, "Total %d devices attached%n", &i, &n)) == 1 &&
		   n && !line[n]) {
		b->attachments = i >= 0 ? i : 0;
		*cur = NULL;
		*in_devices = 0;
	} else if (*in_devices && line[0] == '\t' && line[1]) {
		arr = grow(b->devices, &b->cap_devices, b->ndevices,
			   sizeof(*b->devices));
		if (!arr)
			return -1;
		b->devices = arr;
		b->devices[b->ndevices] = strdup(line + 1);
		if (!b->devices[b->ndevices])
			return -1;
		b->ndevices++;
	}
	return 0;
}

static int scan_bufinfo(struct dmabufx_snapshot *s, const char *path)
{
	struct dmabufx_buffer *cur = NULL;
	int in_devices = 0, ret = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOMEM)
			return -1;
		s->bufinfo_err = errno;
		return 0;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (parse_bufinfo_line(s, line, &cur, &in_devices)) {
			ret = -1;
			break;
		}
	}
	s->bufinfo_err = ferror(f) ? (errno ? errno : EIO) : 0;
	free(line);
	fclose(f);
	return ret;
}

/* ---- putting it together ---- */

static int cmp_holder(const void *a, const void *b)
{
	const struct dmabufx_holder *x = a, *y = b;

	return x->proc->pid < y->proc->pid ? -1 : x->proc->pid > y->proc->pid;
}

static int cmp_buf(const void *a, const void *b)
{
	const struct dmabufx_buffer *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct dmabufx_process *x = *(struct dmabufx_process *const *)a;
	const struct dmabufx_process *y = *(struct dmabufx_process *const *)b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int cmp_unr(const void *a, const void *b)
{
	const struct unreadable *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void free_buf(struct dmabufx_buffer *b)
{
	size_t i;

	free(b->exporter);
	free(b->name);
	for (i = 0; i < b->ndevices; i++)
		free(b->devices[i]);
	free(b->devices);
	for (i = 0; i < b->nholders; i++)
		free(b->holders[i].fds);
	free(b->holders);
}

static int held_by(const struct dmabufx_buffer *b, int pid)
{
	size_t i;

	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].proc->pid == pid)
			return 1;
	return 0;
}

/* A size for buffers only mapped: stat the mapping's file (root only). */
static void size_from_map_files(struct dmabufx_snapshot *s, struct dmabufx_buffer *b)
{
	char path[96];
	struct stat st;
	size_t i;

	for (i = 0; i < b->nholders && !b->size; i++) {
		const struct dmabufx_holder *h = &b->holders[i];

		if (!h->map_end)
			continue;
		snprintf(path, sizeof(path), "%d/map_files/%llx-%llx", h->proc->pid,
			 h->map_start, h->map_end);
		if (!fstatat(s->rootfd, path, &st, 0) && (uint64_t)st.st_ino == b->inode)
			b->size = (uint64_t)st.st_size;
	}
}

static int finish(struct dmabufx_snapshot *s, int pid)
{
	size_t i, k, n;

	for (i = 0; i < s->nbufs; i++) {
		struct dmabufx_buffer *b = &s->bufs[i];

		if (!b->name && !(b->name = strdup("")))
			return -1;
		if (!b->size)
			size_from_map_files(s, b);
		qsort(b->holders, b->nholders, sizeof(*b->holders), cmp_holder);
		for (k = 0; k < b->nholders; k++) {
			struct dmabufx_holder *h = &b->holders[k];
			struct dmabufx_process *p = h->proc;

			qsort(h->fds, h->nfds, sizeof(*h->fds), cmp_int);
			p->nbufs++;
			p->nfds += h->nfds;
			p->rss += b->size;
			p->pss += b->size / b->nholders;
			p->mapped += h->mapped;
		}
	}
	free(s->hash);
	s->hash = NULL;
	s->hash_cap = 0;

	/* For @pid: its buffers only, every holder of them kept. */
	if (pid) {
		for (i = n = 0; i < s->nbufs; i++) {
			if (held_by(&s->bufs[i], pid))
				s->bufs[n++] = s->bufs[i];
			else
				free_buf(&s->bufs[i]);
		}
		s->nbufs = n;
	}
	qsort(s->bufs, s->nbufs, sizeof(*s->bufs), cmp_buf);
	qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_proc);
	qsort(s->unr, s->nunr, sizeof(*s->unr), cmp_unr);

	s->shown = malloc((s->nprocs ? s->nprocs : 1) * sizeof(*s->shown));
	if (!s->shown)
		return -1;
	for (i = 0; i < s->nprocs; i++)
		if (!pid || s->procs[i]->pid == pid)
			s->shown[s->nshown++] = s->procs[i];
	return 0;
}

/* A thread's id names its process: /proc/TID/status "Tgid:". */
static int tgid_of(const struct dmabufx_snapshot *s, int pid)
{
	char path[32], *status, *p;
	int tgid = pid;

	snprintf(path, sizeof(path), "%d/status", pid);
	status = read_at(s->rootfd, path, NULL);
	if (!status)
		return pid;
	p = strstr(status, "\nTgid:");
	if (p && sscanf(p + 6, "%d", &tgid) != 1)
		tgid = pid;
	free(status);
	return tgid > 0 ? tgid : pid;
}

DMABUFX_API void dmabufx_snapshot_free(struct dmabufx_snapshot *snap)
{
	size_t i;
	int err = errno;

	if (!snap)
		return;
	for (i = 0; i < snap->nbufs; i++)
		free_buf(&snap->bufs[i]);
	free(snap->bufs);
	for (i = 0; i < snap->nprocs; i++) {
		free(snap->procs[i]->comm);
		free(snap->procs[i]);
	}
	free(snap->procs);
	free(snap->shown);
	for (i = 0; i < snap->nunr; i++)
		free(snap->unr[i].comm);
	free(snap->unr);
	free(snap->hash);
	if (snap->rootfd >= 0)
		close(snap->rootfd);
	free(snap);
	errno = err;
}

DMABUFX_API struct dmabufx_snapshot *
dmabufx_snapshot_take_at(const char *proc_dir, const char *bufinfo, int pid,
			 unsigned int flags)
{
	struct dmabufx_snapshot *s;
	struct dirent *de;
	struct stat st;
	char path[32];
	DIR *dir;
	int fd, err;

	if (pid < 0 || (flags & ~DMABUFX_SNAPSHOT_NO_DEBUGFS)) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->rootfd = open(proc_dir ? proc_dir : "/proc",
			 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0)
		goto fail;
	if (pid) {
		snprintf(path, sizeof(path), "%d", pid);
		if (fstatat(s->rootfd, path, &st, 0)) {
			if (errno == ENOENT)
				errno = ESRCH;
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			errno = ESRCH;
			goto fail;
		}
		pid = tgid_of(s, pid);
	}

	/*
	 * The debugfs list first: a buffer made while /proc is read then
	 * shows with its holders (its attachments unknown) rather than as one
	 * no process holds.
	 */
	if (flags & DMABUFX_SNAPSHOT_NO_DEBUGFS)
		s->bufinfo_err = ENODATA;
	else if (scan_bufinfo(s, bufinfo ? bufinfo : DMABUFX_BUFINFO_PATH))
		goto fail;

	fd = openat(s->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		goto fail;
	}
	while ((de = readdir(dir))) {
		char *end;
		long p;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		p = strtol(de->d_name, &end, 10);
		if (*end || p <= 0 || p > INT32_MAX)
			continue;
		if (scan_process(s, (int)p)) {
			closedir(dir);
			goto fail;
		}
	}
	closedir(dir);
	if (finish(s, pid))
		goto fail;
	close(s->rootfd);
	s->rootfd = -1;
	return s;
fail:
	err = errno ? errno : ENOMEM;
	dmabufx_snapshot_free(s);
	errno = err;
	return NULL;
}

DMABUFX_API struct dmabufx_snapshot *dmabufx_snapshot_take(int pid,
							   unsigned int flags)
{
	return dmabufx_snapshot_take_at(NULL, NULL, pid, flags);
}

/* ---- accessors ---- */

#define CHECK(obj, ret) do { if (!(obj)) { errno = EINVAL; return ret; } } while (0)
#define CHECK_INDEX(i, n, ret) do { if ((i) >= (n)) { errno = ERANGE; return ret; } } while (0)

DMABUFX_API size_t dmabufx_snapshot_count(const struct dmabufx_snapshot *snap)
{
	CHECK(snap, 0);
	return snap->nbufs;
}

DMABUFX_API const struct dmabufx_buffer *
dmabufx_snapshot_buffer(const struct dmabufx_snapshot *snap, size_t index)
{
	CHECK(snap, NULL);
	CHECK_INDEX(index, snap->nbufs, NULL);
	return &snap->bufs[index];
}

DMABUFX_API const struct dmabufx_buffer *
dmabufx_snapshot_find(const struct dmabufx_snapshot *snap, uint64_t inode)
{
	size_t lo = 0, hi, mid;

	CHECK(snap, NULL);
	hi = snap->nbufs;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (snap->bufs[mid].inode == inode)
			return &snap->bufs[mid];
		if (snap->bufs[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	errno = ENOENT;
	return NULL;
}

DMABUFX_API int dmabufx_snapshot_bufinfo_error(const struct dmabufx_snapshot *snap)
{
	CHECK(snap, EINVAL);
	return snap->bufinfo_err;
}

DMABUFX_API size_t
dmabufx_snapshot_unreadable_count(const struct dmabufx_snapshot *snap)
{
	CHECK(snap, 0);
	return snap->nunr;
}

DMABUFX_API int dmabufx_snapshot_unreadable(const struct dmabufx_snapshot *snap,
					    size_t index, int *err,
					    const char **comm)
{
	CHECK(snap, -1);
	CHECK_INDEX(index, snap->nunr, -1);
	if (err)
		*err = snap->unr[index].err;
	if (comm)
		*comm = snap->unr[index].comm;
	return snap->unr[index].pid;
}

DMABUFX_API size_t
dmabufx_snapshot_process_count(const struct dmabufx_snapshot *snap)
{
	CHECK(snap, 0);
	return snap->nshown;
}

DMABUFX_API const struct dmabufx_process *
dmabufx_snapshot_process(const struct dmabufx_snapshot *snap, size_t index)
{
	CHECK(snap, NULL);
	CHECK_INDEX(index, snap->nshown, NULL);
	return snap->shown[index];
}

DMABUFX_API uint64_t dmabufx_buffer_inode(const struct dmabufx_buffer *buf)
{
	CHECK(buf, 0);
	return buf->inode;
}

DMABUFX_API uint64_t dmabufx_buffer_size(const struct dmabufx_buffer *buf)
{
	CHECK(buf, 0);
	return buf->size;
}

DMABUFX_API const char *dmabufx_buffer_exporter(const struct dmabufx_buffer *buf)
{
	CHECK(buf, NULL);
	return buf->exporter;
}

DMABUFX_API const char *dmabufx_buffer_name(const struct dmabufx_buffer *buf)
{
	CHECK(buf, NULL);
	return buf->name;
}

DMABUFX_API int dmabufx_buffer_attachments(const struct dmabufx_buffer *buf)
{
	CHECK(buf, -1);
	return buf->attachments;
}

DMABUFX_API const char *dmabufx_buffer_device(const struct dmabufx_buffer *buf,
					      size_t index)
{
	CHECK(buf, NULL);
	CHECK_INDEX(index, buf->ndevices, NULL);
	return buf->devices[index];
}

DMABUFX_API size_t dmabufx_buffer_holder_count(const struct dmabufx_buffer *buf)
{
	CHECK(buf, 0);
	return buf->nholders;
}

DMABUFX_API const struct dmabufx_holder *
dmabufx_buffer_holder(const struct dmabufx_buffer *buf, size_t index)
{
	CHECK(buf, NULL);
	CHECK_INDEX(index, buf->nholders, NULL);
	return &buf->holders[index];
}

DMABUFX_API int dmabufx_holder_pid(const struct dmabufx_holder *holder)
{
	CHECK(holder, -1);
	return holder->proc->pid;
}

DMABUFX_API const char *dmabufx_holder_comm(const struct dmabufx_holder *holder)
{
	CHECK(holder, NULL);
	return holder->proc->comm;
}

DMABUFX_API size_t dmabufx_holder_fd_count(const struct dmabufx_holder *holder)
{
	CHECK(holder, 0);
	return holder->nfds;
}

DMABUFX_API int dmabufx_holder_fd(const struct dmabufx_holder *holder,
				  size_t index)
{
	CHECK(holder, -1);
	CHECK_INDEX(index, holder->nfds, -1);
	return holder->fds[index];
}

DMABUFX_API uint64_t dmabufx_holder_mapped(const struct dmabufx_holder *holder)
{
	CHECK(holder, 0);
	return holder->mapped;
}

DMABUFX_API int dmabufx_process_pid(const struct dmabufx_process *proc)
{
	CHECK(proc, -1);
	return proc->pid;
}

DMABUFX_API const char *dmabufx_process_comm(const struct dmabufx_process *proc)
{
	CHECK(proc, NULL);
	return proc->comm;
}

DMABUFX_API size_t
dmabufx_process_buffer_count(const struct dmabufx_process *proc)
{
	CHECK(proc, 0);
	return proc->nbufs;
}

DMABUFX_API size_t dmabufx_process_fd_count(const struct dmabufx_process *proc)
{
	CHECK(proc, 0);
	return proc->nfds;
}

DMABUFX_API uint64_t dmabufx_process_rss(const struct dmabufx_process *proc)
{
	CHECK(proc, 0);
	return proc->rss;
}

DMABUFX_API uint64_t dmabufx_process_pss(const struct dmabufx_process *proc)
{
	CHECK(proc, 0);
	return proc->pss;
}

DMABUFX_API uint64_t dmabufx_process_mapped(const struct dmabufx_process *proc)
{
	CHECK(proc, 0);
	return proc->mapped;
}
