// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress: several processes of several threads allocate (every kind, heap
 * and ctl ioctls), import user memory and memfds, mmap, sync, name, query,
 * read fdinfo, import into vgem, attach to the edu device, pass buffers to
 * each other over a unix socket, close, fork and exit at random, sharing
 * buffers between threads and processes, while another thread keeps trying
 * to unload the module, which must be refused every time. Then fd-table
 * exhaustion during export, allocation up to the module's limits and in a
 * memory cgroup at its memory.max. After each test every counter is back
 * where it started: live buffers and bytes, pinned bytes, the kernel's pin
 * counters, our fds, the module's refcount.
 *
 * Environment: DMX_STRESS_SEED (the PRNG seed, printed), DMX_STRESS_SECONDS
 * (how long the mixed run lasts, default 5), DMX_STRESS_PROCS and
 * DMX_STRESS_THREADS (default 3 and 3).
 */
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <xf86drm.h>

#include <linux/udmabuf.h>

#include "edu_test.h"
#include "kselftest_harness.h"
#include "stress.h"

#define NSLOTS		24
#define MAX_PROCS	16
#define MAX_THREADS	16

enum op {
	OP_ALLOC_HEAP, OP_ALLOC_CTL, OP_IMPORT_USER, OP_UDMABUF, OP_MMAP,
	OP_SYNC, OP_SET_NAME, OP_FDINFO, OP_QUERY, OP_VGEM, OP_CLOSE, OP_FORK,
	OP_SEND, OP_RECV, OP_EDU, OP_EXIT, OP_RMMOD, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"alloc-heap", "alloc-ctl", "import-user", "udmabuf", "mmap", "sync",
	"set-name", "fdinfo", "query", "vgem", "close", "fork", "send-fd",
	"recv-fd", "edu-attach", "exit", "rmmod-refused",
};

/* Shared by every process of a run (MAP_SHARED anonymous memory). */
struct shared {
	atomic_ulong ops[OP_COUNT];
	atomic_ulong failures;
	atomic_int msg_taken;
	char msg[256];
	uint64_t deadline_ns;
	atomic_int stop;
};

static struct shared *sh;

/* Per process. */
/*
 * A datagram socket pair every worker inherits: buffers travel between
 * processes as SCM_RIGHTS, and some are still in flight when their sender
 * exits or when the run ends (the socket then holds the last reference).
 */
static int xfer_sock[2] = { -1, -1 };

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static int slots[NSLOTS];

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Record a failure; the first one's message is kept for the report. */
static void fail(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&sh->failures, 1);
	if (atomic_exchange(&sh->msg_taken, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->msg, sizeof(sh->msg), fmt, ap);
	va_end(ap);
}

static void count(enum op op)
{
	atomic_fetch_add(&sh->ops[op], 1);
}

/* Put a new buffer fd into a random slot, closing the one it replaces. */
static void slot_put(uint64_t *rng, int fd)
{
	int i = (int)(xorshift64(rng) % NSLOTS), old;

	pthread_mutex_lock(&slot_lock);
	old = slots[i];
	slots[i] = fd;
	pthread_mutex_unlock(&slot_lock);
	if (old >= 0)
		close(old);
}

/*
 * A private duplicate of a random slot's buffer, or -1 when the slot is
 * empty: the dup keeps the buffer alive while other threads close or
 * replace the slot, and its number cannot be reused under us.
 */
static int slot_dup(uint64_t *rng)
{
	int i = (int)(xorshift64(rng) % NSLOTS), fd = -1;

	pthread_mutex_lock(&slot_lock);
	if (slots[i] >= 0)
		fd = fcntl(slots[i], F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&slot_lock);
	return fd;
}

static uint64_t rand_len(uint64_t *rng)
{
	/* Mostly a few pages; sometimes enough for 64 KiB and 1 MiB chunks. */
	switch (xorshift64(rng) % 8) {
	case 0:
		return (1 + xorshift64(rng) % 512) * DMX_PAGE;
	case 1:
		return 1 + xorshift64(rng) % (64 << 10);
	default:
		return (1 + xorshift64(rng) % 8) * DMX_PAGE;
	}
}

static const char *const kind_nodes[] = { "system", "system-uncached", "contig" };

static int op_alloc_heap(uint64_t *rng)
{
	int node = dmx_open_node(kind_nodes[xorshift64(rng) % 3]), buf;

	if (node < 0)
		return fail("open kind node: %s", strerror(errno)), -1;
	buf = dmx_alloc(node, rand_len(rng));
	close(node);
	if (buf < 0)
		return fail("DMA_HEAP_IOCTL_ALLOC: %s", strerror(-buf)), -1;
	slot_put(rng, buf);
	return 0;
}

static int op_alloc_ctl(uint64_t *rng)
{
	char name[DMABUF_EXPORTER_NAME_LEN];
	struct dmabuf_exporter_alloc a = {
		.size = rand_len(rng),
		.kind = (uint32_t)(xorshift64(rng) % DMABUF_EXPORTER_KIND_COUNT),
		.fd_flags = O_RDWR | O_CLOEXEC,
		.name = (uintptr_t)name,
	};
	int ctl = dmx_open_node("ctl");

	if (ctl < 0)
		return fail("open ctl: %s", strerror(errno)), -1;
	snprintf(name, sizeof(name), "stress-%d", getpid());
	if (ioctl(ctl, DMABUF_EXPORTER_IOCTL_ALLOC, &a)) {
		fail("DMABUF_EXPORTER_IOCTL_ALLOC kind %u size %llu: %s", a.kind,
		     (unsigned long long)a.size, strerror(errno));
		close(ctl);
		return -1;
	}
	close(ctl);
	slot_put(rng, (int)a.fd);
	return 0;
}

static int op_import_user(uint64_t *rng)
{
	uint64_t len = (1 + xorshift64(rng) % 16) * DMX_PAGE;
	struct dmabuf_exporter_import_user imp = {
		.len = len,
		.flags = DMABUF_EXPORTER_IMPORT_WRITE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ctl = dmx_open_node("ctl");
	void *p;

	if (ctl < 0)
		return fail("open ctl: %s", strerror(errno)), -1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		close(ctl);
		return fail("mmap anon: %s", strerror(errno)), -1;
	}
	memset(p, 0x5a, len);
	imp.addr = (uintptr_t)p;
	if (ioctl(ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &imp)) {
		fail("IMPORT_USER len %llu: %s", (unsigned long long)len,
		     strerror(errno));
		imp.fd = (uint32_t)-1;
	}
	close(ctl);
	/* The pages stay pinned by the buffer after the range is unmapped. */
	munmap(p, len);
	if ((int)imp.fd < 0)
		return -1;
	slot_put(rng, (int)imp.fd);
	return 0;
}

static int op_udmabuf(uint64_t *rng)
{
	uint64_t len = (1 + xorshift64(rng) % 16) * DMX_PAGE;
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = len };
	int ctl, memfd, buf;

	memfd = memfd_create("dmx-stress", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)len) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		fail("memfd: %s", strerror(errno));
		if (memfd >= 0)
			close(memfd);
		return -1;
	}
	ctl = dmx_open_node("ctl");
	if (ctl < 0) {
		close(memfd);
		return fail("open ctl: %s", strerror(errno)), -1;
	}
	c.memfd = (uint32_t)memfd;
	buf = ioctl(ctl, UDMABUF_CREATE, &c);
	if (buf < 0)
		fail("UDMABUF_CREATE len %llu: %s", (unsigned long long)len,
		     strerror(errno));
	close(ctl);
	close(memfd);
	if (buf < 0)
		return -1;
	slot_put(rng, buf);
	return 0;
}

/* Map, write a byte per page inside a sync bracket, maybe outlive the fd. */
static int op_mmap(uint64_t *rng, int buf)
{
	int64_t size = dmx_buf_size(buf);
	uint8_t *p;
	int64_t i;

	if (size <= 0)
		return fail("lseek: %s", strerror(errno)), -1;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		return fail("mmap %lld bytes: %s", (long long)size,
			    strerror(errno)), -1;
	if (__dmx_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		fail("SYNC_START: %s", strerror(errno));
	for (i = 0; i < size; i += (int64_t)DMX_PAGE)
		p[i] = (uint8_t)(p[i] + 1);
	if (__dmx_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		fail("SYNC_END: %s", strerror(errno));
	/* Sometimes the mapping alone holds the buffer for a while. */
	if (xorshift64(rng) % 4 == 0) {
		close(buf);
		sched_yield();
		munmap(p, (size_t)size);
		return 1;	/* fd consumed */
	}
	munmap(p, (size_t)size);
	return 0;
}

static void op_sync(uint64_t *rng, int buf)
{
	static const uint64_t dirs[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	uint64_t dir = dirs[xorshift64(rng) % 3];
	int ret;

	ret = __dmx_sync(buf, DMA_BUF_SYNC_START | dir);
	if (!ret)
		ret = __dmx_sync(buf, DMA_BUF_SYNC_END | dir);
	if (ret)
		fail("DMA_BUF_IOCTL_SYNC: %s", strerror(-ret));
}

static void op_set_name(uint64_t *rng, int buf)
{
	char name[DMA_BUF_NAME_LEN];

	snprintf(name, sizeof(name), "s%llx",
		 (unsigned long long)(xorshift64(rng) & 0xffffff));
	/* EBUSY: kernels before 5.x refused renaming attached buffers. */
	if (ioctl(buf, DMA_BUF_SET_NAME, name) && errno != EBUSY)
		fail("DMA_BUF_SET_NAME: %s", strerror(errno));
}

static void op_fdinfo(int buf)
{
	char path[64], text[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", buf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail("open %s: %s", path, strerror(errno));
		return;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0) {
		fail("read %s: %s", path, strerror(errno));
		return;
	}
	text[n] = '\0';
	if (!strstr(text, "exp_name:\t" MODNAME))
		fail("fdinfo of a buffer lacks exp_name " MODNAME);
}

static void op_query(int buf)
{
	struct dmabuf_exporter_query q = { .fd = (uint32_t)buf };
	int ctl = dmx_open_node("ctl");

	if (ctl < 0) {
		fail("open ctl: %s", strerror(errno));
		return;
	}
	if (ioctl(ctl, DMABUF_EXPORTER_IOCTL_QUERY, &q))
		fail("QUERY: %s", strerror(errno));
	else if ((int64_t)q.size != dmx_buf_size(buf))
		fail("QUERY size %llu, lseek %lld", (unsigned long long)q.size,
		     (long long)dmx_buf_size(buf));
	close(ctl);
}

/*
 * The edu device attaches and maps the buffer for DMA (no transfer: a
 * starved guest could time one out); the handle stays until a later detach,
 * the thread's end or the process's exit.
 */
static void op_edu(uint64_t *rng, int edu, int buf)
{
	struct dmabuf_exporter_edu_attach a = { .fd = (uint32_t)buf };
	struct dmabuf_exporter_edu_detach d = { 0 };

	if (ioctl(edu, DMABUF_EXPORTER_EDU_IOCTL_ATTACH, &a)) {
		/* Attached already through this device, or all handles used. */
		if (errno != EEXIST && errno != ENOSPC)
			fail("EDU_IOCTL_ATTACH: %s", strerror(errno));
		return;
	}
	if (xorshift64(rng) % 2) {
		d.handle = a.handle;
		if (ioctl(edu, DMABUF_EXPORTER_EDU_IOCTL_DETACH, &d))
			fail("EDU_IOCTL_DETACH: %s", strerror(errno));
	}
}

static void op_vgem(uint64_t *rng, int vgem, int buf)
{
	uint32_t handle;

	if (drmPrimeFDToHandle(vgem, buf, &handle)) {
		fail("drmPrimeFDToHandle: %s", strerror(errno));
		return;
	}
	/* Sometimes the import stays until the thread or process ends. */
	if (xorshift64(rng) % 4)
		drmCloseBufferHandle(vgem, handle);
}

/*
 * A child inherits every fd (and mapping) and uses one buffer; it exits with
 * its mapping alive or not. Only async-signal-safe calls: the parent is
 * multi-threaded. Exit status 0 is success.
 */
static void op_fork(uint64_t *rng, int buf)
{
	uint64_t r = xorshift64(rng);
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		off_t size = lseek(buf, 0, SEEK_END);
		struct dma_buf_sync s = {
			.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		};
		uint8_t *p;

		if (size <= 0)
			_exit(10);
		p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 buf, 0);
		if (p == MAP_FAILED)
			_exit(11);
		if (ioctl(buf, DMA_BUF_IOCTL_SYNC, &s))
			_exit(12);
		p[0] = 1;
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE;
		if (ioctl(buf, DMA_BUF_IOCTL_SYNC, &s))
			_exit(13);
		if (r & 1)
			munmap(p, (size_t)size);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		fail("waitpid: %s", strerror(errno));
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("forked child failed: status %#x", status);
}

static void op_send(int buf)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &buf, sizeof(int));
	/* A full queue or too many fds in flight: not this time. */
	if (sendmsg(xfer_sock[0], &msg, MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN && errno != ETOOMANYREFS)
		fail("sendmsg SCM_RIGHTS: %s", strerror(errno));
}

/* A buffer another process (or this one) sent, or -1. */
static int op_recv(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(xfer_sock[1], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0) {
		if (errno != EAGAIN)
			fail("recvmsg: %s", strerror(errno));
		return -1;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		fail("recvmsg: no fd");
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (dmx_buf_size(fd) <= 0) {
		fail("received fd %d is not a buffer", fd);
		close(fd);
		return -1;
	}
	return fd;
}

struct worker_thread {
	pthread_t tid;
	uint64_t seed;
};

static void *worker_thread(void *arg)
{
	struct worker_thread *wt = arg;
	uint64_t rng = wt->seed | 1;
	int vgem = vgem_open();
	int edu = open(EDU_NODE, O_RDWR | O_CLOEXEC);

	while (!atomic_load(&sh->stop) && now_ns() < sh->deadline_ns) {
		unsigned int r = (unsigned int)(xorshift64(&rng) % 100);
		enum op op;
		int buf, consumed = 0;

		if (r < 12)
			op = OP_ALLOC_HEAP;
		else if (r < 20)
			op = OP_ALLOC_CTL;
		else if (r < 26)
			op = OP_IMPORT_USER;
		else if (r < 32)
			op = OP_UDMABUF;
		else if (r < 46)
			op = OP_MMAP;
		else if (r < 56)
			op = OP_SYNC;
		else if (r < 62)
			op = OP_SET_NAME;
		else if (r < 68)
			op = OP_FDINFO;
		else if (r < 74)
			op = OP_QUERY;
		else if (r < 81)
			op = OP_VGEM;
		else if (r < 84)
			op = OP_EDU;
		else if (r < 90)
			op = OP_CLOSE;
		else if (r < 93)
			op = OP_SEND;
		else if (r < 96)
			op = OP_RECV;
		else if (r < 99)
			op = OP_FORK;
		else
			op = OP_EXIT;

		switch (op) {
		case OP_ALLOC_HEAP:
			if (!op_alloc_heap(&rng))
				count(op);
			continue;
		case OP_ALLOC_CTL:
			if (!op_alloc_ctl(&rng))
				count(op);
			continue;
		case OP_IMPORT_USER:
			if (!op_import_user(&rng))
				count(op);
			continue;
		case OP_UDMABUF:
			if (!op_udmabuf(&rng))
				count(op);
			continue;
		case OP_CLOSE: {
			int i = (int)(xorshift64(&rng) % NSLOTS), old;

			pthread_mutex_lock(&slot_lock);
			old = slots[i];
			slots[i] = -1;
			pthread_mutex_unlock(&slot_lock);
			if (old >= 0) {
				close(old);
				count(op);
			}
			continue;
		}
		case OP_RECV:
			buf = op_recv();
			if (buf >= 0) {
				slot_put(&rng, buf);
				count(op);
			}
			continue;
		case OP_EXIT:
			/*
			 * The whole process goes, other threads in the middle
			 * of whatever they do; the parent starts another.
			 */
			if (xorshift64(&rng) % 3 == 0) {
				count(op);
				_exit(0);
			}
			continue;
		default:
			break;
		}

		buf = slot_dup(&rng);
		if (buf < 0)
			continue;
		switch (op) {
		case OP_MMAP:
			consumed = op_mmap(&rng, buf) == 1;
			break;
		case OP_SYNC:
			op_sync(&rng, buf);
			break;
		case OP_SET_NAME:
			op_set_name(&rng, buf);
			break;
		case OP_FDINFO:
			op_fdinfo(buf);
			break;
		case OP_QUERY:
			op_query(buf);
			break;
		case OP_VGEM:
			if (vgem < 0)
				goto next;
			op_vgem(&rng, vgem, buf);
			break;
		case OP_EDU:
			if (edu < 0)
				goto next;
			op_edu(&rng, edu, buf);
			break;
		case OP_FORK:
			op_fork(&rng, buf);
			break;
		case OP_SEND:
			op_send(buf);
			break;
		default:
			break;
		}
		count(op);
next:
		if (!consumed)
			close(buf);
	}
	if (vgem >= 0)
		close(vgem);
	if (edu >= 0)
		close(edu);
	return NULL;
}

/* One worker process: threads sharing its slots; inherited fds seed them. */
static void worker_main(uint64_t seed, int nthreads, const int *inherited,
			int ninherited)
{
	struct worker_thread wt[MAX_THREADS];
	int i;

	for (i = 0; i < NSLOTS; i++)
		slots[i] = i < ninherited ? inherited[i] : -1;
	for (i = 0; i < nthreads; i++) {
		wt[i].seed = seed * 1000003ull + (uint64_t)i * 7919 + 1;
		if (pthread_create(&wt[i].tid, NULL, worker_thread, &wt[i])) {
			fail("pthread_create: %s", strerror(errno));
			_exit(1);
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(wt[i].tid, NULL);
	for (i = 0; i < NSLOTS; i++)
		if (slots[i] >= 0)
			close(slots[i]);
	_exit(0);
}

/*
 * Tries to unload the module until the run ends. Every try must be refused
 * (EWOULDBLOCK: in use; EBUSY: being loaded or unloaded): something of the
 * module is always alive, at least the anchor mapping of the main process.
 */
static void *rmmod_thread(void *arg)
{
	int *unprivileged = arg;

	while (!atomic_load(&sh->stop) && now_ns() < sh->deadline_ns) {
		if (!syscall(SYS_delete_module, MODNAME, O_NONBLOCK)) {
			fail("rmmod " MODNAME " succeeded while buffers were alive");
			break;
		}
		if (errno == EPERM) {
			*unprivileged = 1;
			break;
		}
		if (errno != EWOULDBLOCK && errno != EBUSY) {
			fail("rmmod: unexpected %s", strerror(errno));
			break;
		}
		count(OP_RMMOD);
		usleep(1000);
	}
	return NULL;
}

static uint64_t run_seed(void)
{
	static uint64_t seed;

	if (!seed) {
		seed = env_ul("DMX_STRESS_SEED", 0);
		if (!seed)
			seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
		printf("# stress seed %llu (DMX_STRESS_SEED=%llu repeats it)\n",
		       (unsigned long long)seed, (unsigned long long)seed);
		fflush(stdout);
	}
	return seed;
}

static struct shared *shared_map(void)
{
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The harness's timeout must cover a run lengthened by DMX_STRESS_SECONDS:
 * the run is capped below it.
 */
#define MAX_SECONDS	240

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, mixed_processes_threads_and_rmmod_leave_nothing_behind,
	       MAX_SECONDS + 60)
{
	unsigned long secs = env_ul("DMX_STRESS_SECONDS", 5);
	int nprocs = (int)env_ul("DMX_STRESS_PROCS", 3);
	int nthreads = (int)env_ul("DMX_STRESS_THREADS", 3);
	uint64_t seed = run_seed(), gen = 0, total = 0;
	pid_t pids[MAX_PROCS];
	int shared_bufs[4], unprivileged = 0, i, node, respawns = 0;
	struct baseline base;
	pthread_t rmmod_tid;
	char line[512];
	size_t len;
	void *anchor;
	int anchor_fd;

	DMX_REQUIRE_MODULE();
	if (secs > MAX_SECONDS)
		secs = MAX_SECONDS;
	ASSERT_GE(MAX_PROCS, nprocs);
	ASSERT_GE(MAX_THREADS, nthreads);
	ASSERT_NE(NULL, sh = shared_map());
	ASSERT_EQ(0, take_baseline(&base));
	/*
	 * The edu driver's parameters from the kernel command line, once
	 * (it may rebind the device), before workers open its node.
	 */
	i = edu_open();
	if (i >= 0)
		close(i);

	/*
	 * The anchor: a mapping whose fd is closed. It alone must keep the
	 * module loaded when, between respawns, no worker holds anything.
	 */
	node = dmx_open_node("system");
	ASSERT_LE(0, node);
	anchor_fd = dmx_alloc(node, DMX_PAGE);
	ASSERT_LE(0, anchor_fd);
	anchor = mmap(NULL, DMX_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      anchor_fd, 0);
	ASSERT_NE(MAP_FAILED, anchor);
	close(anchor_fd);

	/* Buffers every first-generation worker inherits and shares. */
	for (i = 0; i < 3; i++) {
		int n = dmx_open_node(kind_nodes[i]);

		ASSERT_LE(0, n);
		shared_bufs[i] = dmx_alloc(n, 4 * DMX_PAGE);
		ASSERT_LE(0, shared_bufs[i]);
		close(n);
	}
	{
		struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC,
					    .size = 4 * DMX_PAGE };
		int memfd = memfd_create("dmx-stress", MFD_ALLOW_SEALING | MFD_CLOEXEC);
		int ctl = dmx_open_node("ctl");

		ASSERT_LE(0, memfd);
		ASSERT_LE(0, ctl);
		ASSERT_EQ(0, ftruncate(memfd, (off_t)c.size));
		ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
		c.memfd = (uint32_t)memfd;
		shared_bufs[3] = ioctl(ctl, UDMABUF_CREATE, &c);
		ASSERT_LE(0, shared_bufs[3]);
		close(ctl);
		close(memfd);
	}
	close(node);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, xfer_sock));
	sh->deadline_ns = now_ns() + secs * 1000000000ull;
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			worker_main(seed + gen, nthreads, shared_bufs, 4);
		gen++;
	}
	for (i = 0; i < 4; i++)
		close(shared_bufs[i]);
	ASSERT_EQ(0, pthread_create(&rmmod_tid, NULL, rmmod_thread, &unprivileged));

	/* Replace workers that exit until the time is up. */
	while (now_ns() < sh->deadline_ns) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0) {
			usleep(5000);
			continue;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail("worker %d died: status %#x", pid, status);
		for (i = 0; i < nprocs; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = fork();
			if (pids[i] < 0) {
				fail("fork: %s", strerror(errno));
				break;
			}
			if (!pids[i])
				worker_main(seed + gen, nthreads, NULL, 0);
			gen++;
			respawns++;
		}
	}
	atomic_store(&sh->stop, 1);
	for (i = 0; i < nprocs; i++) {
		int status;

		if (pids[i] <= 0)
			continue;
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail("worker %d died: status %#x", pids[i], status);
	}
	pthread_join(rmmod_tid, NULL);
	munmap(anchor, DMX_PAGE);
	/* Buffers still in flight go with the socket. */
	close(xfer_sock[0]);
	close(xfer_sock[1]);

	len = 0;
	for (i = 0; i < OP_COUNT; i++) {
		unsigned long n = atomic_load(&sh->ops[i]);

		total += n;
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s %lu",
					i ? ", " : "", op_names[i], n);
	}
	printf("# stress: %llu operations in %lus by %d processes x %d threads (%d respawned): %s\n",
	       (unsigned long long)total, secs, nprocs, nthreads, respawns, line);
	fflush(stdout);

	EXPECT_EQ(0, atomic_load(&sh->failures)) TH_LOG("first failure: %s (seed %llu)",
							sh->msg, (unsigned long long)seed);
	EXPECT_BACK_TO_BASELINE(&base);
	/* Proves the run did something and the rmmod loop ran. */
	EXPECT_LT(0, atomic_load(&sh->ops[OP_ALLOC_HEAP]));
	EXPECT_LT(0, atomic_load(&sh->ops[OP_MMAP]));
	if (!unprivileged)
		EXPECT_LT(0, atomic_load(&sh->ops[OP_RMMOD]));
	munmap(sh, sizeof(*sh));
}

/*
 * A full fd table at export time (CVE-2024-56712 was a dma-buf leaked on
 * this path): every way of exporting fails with EMFILE, and no buffer, byte
 * or pin is left behind, however often it is tried.
 */
TEST(full_fd_table_fails_every_export_with_emfile_and_leaks_nothing)
{
	int nodes[3], ctl, memfd, fillers[64], nfill = 0, i, round;
	const int rounds = 50;
	struct dmabuf_exporter_info info;
	struct rlimit old, low;
	struct baseline base;
	uint64_t len = 4 * DMX_PAGE;
	void *user;

	DMX_REQUIRE_MODULE();
	ASSERT_EQ(0, take_baseline(&base));
	for (i = 0; i < 3; i++)
		ASSERT_LE(0, nodes[i] = dmx_open_node(kind_nodes[i]));
	ASSERT_LE(0, ctl = dmx_open_node("ctl"));
	memfd = memfd_create("dmx-stress", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, (off_t)len));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	user = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, user);
	memset(user, 1, len);

	/* Fill the table up to a low limit. */
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	low = old;
	low.rlim_cur = (rlim_t)dmx_count_fds() + 8;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &low));
	while (nfill < 64) {
		int fd = fcntl(ctl, F_DUPFD_CLOEXEC, 0);

		if (fd < 0) {
			ASSERT_EQ(EMFILE, errno);
			break;
		}
		fillers[nfill++] = fd;
	}
	ASSERT_GT(64, nfill);

	for (round = 0; round < rounds; round++) {
		struct dmabuf_exporter_alloc a = {
			.size = len, .kind = (uint32_t)(round % 3),
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
		struct dmabuf_exporter_import_user imp = {
			.addr = (uintptr_t)user, .len = len,
			.flags = DMABUF_EXPORTER_IMPORT_WRITE,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
		struct udmabuf_create c = {
			.memfd = (uint32_t)memfd,
			.flags = UDMABUF_FLAGS_CLOEXEC, .size = len,
		};
		int fd;

		for (i = 0; i < 3; i++)
			ASSERT_EQ(-EMFILE, __dmx_alloc(nodes[i], len, O_RDWR | O_CLOEXEC,
						       0, 0, &fd));
		ASSERT_EQ(-1, ioctl(ctl, DMABUF_EXPORTER_IOCTL_ALLOC, &a));
		ASSERT_EQ(EMFILE, errno);
		ASSERT_EQ(-1, ioctl(ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &imp));
		ASSERT_EQ(EMFILE, errno);
		ASSERT_EQ(-1, ioctl(ctl, UDMABUF_CREATE, &c));
		ASSERT_EQ(EMFILE, errno);
	}
	/* Checked before anything is closed: nothing was left to free later. */
	ASSERT_EQ(0, __dmx_info(ctl, &info));
	EXPECT_EQ(base.info.live_buffers, info.live_buffers);
	EXPECT_EQ(base.info.live_bytes, info.live_bytes);
	EXPECT_EQ(base.info.pinned_bytes, info.pinned_bytes);

	/* With one fd free again, exporting works. */
	close(fillers[--nfill]);
	i = dmx_alloc(nodes[0], len);
	EXPECT_LE(0, i);
	if (i >= 0)
		close(i);

	while (nfill)
		close(fillers[--nfill]);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	munmap(user, len);
	close(memfd);
	close(ctl);
	for (i = 0; i < 3; i++)
		close(nodes[i]);
	EXPECT_BACK_TO_BASELINE(&base);
}

/* The value of @key in a flat-keyed cgroup file (memory.events). */
static int64_t cg_key(const char *path, const char *key)
{
	unsigned long long v;
	char name[64];
	int64_t ret = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu", name, &v) == 2)
		if (!strcmp(name, key))
			ret = (int64_t)v;
	fclose(f);
	return ret;
}

#define CG_MAX_MB	32
#define CG_CHUNK	(4ull << 20)

/* Results of the child in the memory cgroup, per kind node. */
struct cg_result {
	int made[3], err[3], made_again[3], err_again[3], big_err[3];
};

/* 4 MiB buffers until the first refusal; closes them; how many, which errno. */
static int cg_fill(int node, int *err)
{
	int fds[2 * CG_MAX_MB / 4], n, i;

	*err = 0;
	for (n = 0; n < (int)(sizeof(fds) / sizeof(fds[0])); n++) {
		fds[n] = dmx_alloc(node, CG_CHUNK);
		if (fds[n] < 0) {
			*err = -fds[n];
			break;
		}
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

/*
 * Allocation in a memory cgroup at its memory.max: the pages are charged to
 * it, so an allocation that does not fit fails with ENOMEM. It must not
 * invoke the OOM killer on the group (the caller or its neighbours killed
 * for asking for a buffer), and once the buffers are gone the same amount
 * fits again.
 */
TEST(memory_cgroup_limit_gives_enomem_without_oom_kill_and_recovers)
{
	struct dmx_memcg memcg;
	struct cg_result *res;
	struct baseline base;
	int status, i;
	char path[192];
	int64_t oom_kills;
	pid_t child;

	DMX_REQUIRE_MODULE();
	ASSERT_EQ(0, take_baseline(&base));
	ASSERT_EQ(0, dmx_memcg_mount(&memcg, "/tmp/dmx-stress-cgroup-XXXXXX"));
	if (dmx_memcg_enable(&memcg))
		SKIP(goto out_umount, "no memory controller");
	ASSERT_EQ(0, dmx_memcg_mkdir(&memcg, "dmx-stress"));
	ASSERT_EQ(0, dmx_memcg_write(&memcg, "memory.max", "32M"));
	/* No swap in the guests; set it anyway so the limit is the limit. */
	dmx_memcg_write(&memcg, "memory.swap.max", "0");
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (dmx_memcg_enter(&memcg))
			_exit(2);
		for (i = 0; i < 3; i++) {
			int node = dmx_open_node(kind_nodes[i]), fd;

			if (node < 0)
				_exit(3);
			res->made[i] = cg_fill(node, &res->err[i]);
			/* More than the group may hold, in one buffer. */
			fd = dmx_alloc(node, 2 * CG_MAX_MB * (1ull << 20));
			res->big_err[i] = fd < 0 ? -fd : 0;
			if (fd >= 0)
				close(fd);
			res->made_again[i] = cg_fill(node, &res->err_again[i]);
			close(node);
		}
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	snprintf(path, sizeof(path), "%s/memory.events", memcg.cg);
	oom_kills = cg_key(path, "oom_kill");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x (SIGKILL: OOM-killed)", status);
	EXPECT_EQ(0, oom_kills);
	printf("# memory cgroup of %d MiB: 4 MiB buffers before ENOMEM: system %d, system-uncached %d, contig %d\n",
	       CG_MAX_MB, res->made[0], res->made[1], res->made[2]);
	fflush(stdout);
	for (i = 0; i < 3; i++) {
		/*
		 * contig from a CMA area (arm64) is not charged to the group
		 * (docs/architectures.md): no limit to reach, but the same
		 * count again once the buffers are gone.
		 */
		bool charged = strcmp(kind_nodes[i], "contig") ||
			       dmx_meminfo("CmaTotal") <= 0;

		/* contig: 4 MiB is one page-allocator block, fits too. */
		EXPECT_LT(0, res->made[i]) TH_LOG("%s", kind_nodes[i]);
		EXPECT_EQ(res->made[i], res->made_again[i]) TH_LOG("%s", kind_nodes[i]);
		if (!charged)
			continue;
		EXPECT_GE(CG_MAX_MB / 4, res->made[i]) TH_LOG("%s: limit not applied",
							    kind_nodes[i]);
		EXPECT_EQ(ENOMEM, res->err[i]) TH_LOG("%s", kind_nodes[i]);
		EXPECT_EQ(ENOMEM, res->big_err[i]) TH_LOG("%s", kind_nodes[i]);
		EXPECT_EQ(ENOMEM, res->err_again[i]) TH_LOG("%s", kind_nodes[i]);
	}
	munmap(res, sizeof(*res));
	EXPECT_EQ(0, dmx_memcg_rmdir(&memcg));
	EXPECT_BACK_TO_BASELINE(&base);
out_umount:
	dmx_memcg_umount(&memcg);
}

FIXTURE(limits) {
	unsigned long max_total_mb, max_pinned_mb;
	struct baseline base;
	int ctl;
};

FIXTURE_SETUP(limits)
{
	DMX_REQUIRE_MODULE();
	ASSERT_EQ(0, read_param("max_total_mb", &self->max_total_mb));
	ASSERT_EQ(0, read_param("max_pinned_mb", &self->max_pinned_mb));
	ASSERT_EQ(0, take_baseline(&self->base));
	self->ctl = dmx_open_node("ctl");
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(limits)
{
	/* The limits go back even when the test failed half-way. */
	EXPECT_EQ(0, dmx_write_param("max_total_mb", self->max_total_mb));
	EXPECT_EQ(0, dmx_write_param("max_pinned_mb", self->max_pinned_mb));
	if (self->ctl >= 0)
		close(self->ctl);
}

#define PRESSURE_MB	24
#define MB		(1ull << 20)

/*
 * One 1 MiB buffer from each export path in turn, until the first refusal;
 * returns how many were made (their fds in @fds) and the refusal's errno.
 */
static int fill_to_limit(int ctl, const int nodes[3], void *user, int memfd,
			 int *fds, int max, int *err)
{
	int n;

	*err = 0;
	for (n = 0; n < max; n++) {
		struct dmabuf_exporter_import_user imp = {
			.addr = (uintptr_t)user + (uint64_t)n * MB, .len = MB,
			.flags = DMABUF_EXPORTER_IMPORT_WRITE,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
		struct udmabuf_create c = {
			.memfd = (uint32_t)memfd, .offset = (uint64_t)n * MB,
			.flags = UDMABUF_FLAGS_CLOEXEC, .size = MB,
		};
		struct dmabuf_exporter_alloc a = {
			.size = MB, .kind = DMABUF_EXPORTER_KIND_CONTIG,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
		int fd = -1, ret = 0;

		switch (n % 6) {
		case 0: case 1: case 2:
			ret = __dmx_alloc(nodes[n % 3], MB, O_RDWR | O_CLOEXEC, 0, 0, &fd);
			break;
		case 3:
			ret = ioctl(ctl, DMABUF_EXPORTER_IOCTL_ALLOC, &a) ? -errno : 0;
			fd = (int)a.fd;
			break;
		case 4:
			ret = ioctl(ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &imp) ? -errno : 0;
			fd = (int)imp.fd;
			break;
		case 5:
			fd = ioctl(ctl, UDMABUF_CREATE, &c);
			ret = fd < 0 ? -errno : 0;
			break;
		}
		if (ret) {
			*err = -ret;
			break;
		}
		fds[n] = fd;
	}
	return n;
}

/*
 * Under max_total_mb, exporting (every path) fails cleanly with ENOMEM when
 * the module holds the limit, a buffer still works then, and once all are
 * freed the same amount can be allocated again.
 */
TEST_F(limits, max_total_mb_gives_enomem_and_recovers_fully)
{
	const int max = 2 * PRESSURE_MB;
	uint64_t room = PRESSURE_MB * MB - self->base.info.live_bytes;
	int nodes[3], fds[2 * PRESSURE_MB], memfd, n, n2, err, i, fd;
	size_t area = (size_t)max * MB;
	struct dmabuf_exporter_info info;
	void *user;

	ASSERT_GT(PRESSURE_MB * MB, self->base.info.live_bytes + 8 * MB)
		TH_LOG("other buffers hold most of the test's limit");
	for (i = 0; i < 3; i++)
		ASSERT_LE(0, nodes[i] = dmx_open_node(kind_nodes[i]));
	memfd = memfd_create("dmx-stress", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, (off_t)area));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	user = mmap(NULL, area, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, user);
	ASSERT_EQ(0, dmx_write_param("max_total_mb", PRESSURE_MB));

	n = fill_to_limit(self->ctl, nodes, user, memfd, fds, max, &err);
	EXPECT_EQ(ENOMEM, err);
	EXPECT_EQ((int)(room / MB), n);
	ASSERT_EQ(0, __dmx_info(self->ctl, &info));
	EXPECT_GE(PRESSURE_MB * MB, info.live_bytes);

	/* Full: each path refuses, even one page. */
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-ENOMEM, __dmx_alloc(nodes[i], room - (uint64_t)n * MB + DMX_PAGE,
					       O_RDWR | O_CLOEXEC, 0, 0, &fd));
	/* Buffers made at the limit work. */
	if (n > 0) {
		uint8_t *p = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_SHARED,
				  fds[0], 0);

		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(0, __dmx_sync(fds[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		p[MB - 1] = 7;
		EXPECT_EQ(0, __dmx_sync(fds[0], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		munmap(p, MB);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	ASSERT_EQ(0, __dmx_info(self->ctl, &info));
	EXPECT_EQ(self->base.info.live_bytes, info.live_bytes);
	EXPECT_EQ(self->base.info.pinned_bytes, info.pinned_bytes);

	/* Recovery: the same amount fits again. */
	n2 = fill_to_limit(self->ctl, nodes, user, memfd, fds, max, &err);
	EXPECT_EQ(n, n2);
	EXPECT_EQ(ENOMEM, err);
	for (i = 0; i < n2; i++)
		close(fds[i]);

	munmap(user, area);
	close(memfd);
	for (i = 0; i < 3; i++)
		close(nodes[i]);
	close(self->ctl);
	self->ctl = -1;
	EXPECT_BACK_TO_BASELINE(&self->base);
}

/* The same for user memory under max_pinned_mb. */
TEST_F(limits, max_pinned_mb_gives_enomem_and_recovers_fully)
{
	const int limit = 8;
	size_t area = (size_t)(2 * limit) * MB;
	int fds[16], n, round, i;
	uint64_t room;
	void *user;

	room = limit * MB - self->base.info.pinned_bytes;
	ASSERT_GT(limit * MB, self->base.info.pinned_bytes);
	user = mmap(NULL, area, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, user);
	memset(user, 3, area);
	ASSERT_EQ(0, dmx_write_param("max_pinned_mb", limit));

	for (round = 0; round < 2; round++) {
		for (n = 0; n < 16; n++) {
			struct dmabuf_exporter_import_user imp = {
				.addr = (uintptr_t)user + (uint64_t)n * MB,
				.len = MB,
				.flags = DMABUF_EXPORTER_IMPORT_WRITE,
				.fd_flags = O_RDWR | O_CLOEXEC,
			};

			if (ioctl(self->ctl, DMABUF_EXPORTER_IOCTL_IMPORT_USER, &imp)) {
				EXPECT_EQ(ENOMEM, errno);
				break;
			}
			fds[n] = (int)imp.fd;
		}
		EXPECT_EQ((int)(room / MB), n) TH_LOG("round %d", round);
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
	munmap(user, area);
	close(self->ctl);
	self->ctl = -1;
	EXPECT_BACK_TO_BASELINE(&self->base);
}

TEST_HARNESS_MAIN
