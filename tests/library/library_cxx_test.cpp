// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf-helper.h from C++: the header compiles as C++ (extern "C" and the
 * header-only guard dmabufx::SyncGuard after it), and the guard brackets CPU
 * access in begin/end pairs. On a real buffer of ours (guests) the module's
 * begin_cpu_access / end_cpu_access counters prove each pair reached the
 * exporter exactly once; on a memfd (the host too) a begin the kernel
 * refuses gives a failed guard that ends nothing. Prints TAP.
 */
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include "dmabuf-helper.h"

static_assert(!std::is_copy_constructible<dmabufx::SyncGuard>::value,
	      "a copy would end twice");
static_assert(!std::is_copy_assignable<dmabufx::SyncGuard>::value,
	      "a copy would end twice");
static_assert(std::is_nothrow_move_constructible<dmabufx::SyncGuard>::value,
	      "movable, out of a function say");
static_assert(std::is_nothrow_move_assignable<dmabufx::SyncGuard>::value,
	      "movable");

namespace {

int tests_run, tests_failed;
bool case_failed;
const char *skip_reason;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			std::printf("# %s:%d: %s failed (errno %d: %s)\n",	\
				    __FILE__, __LINE__, #cond, errno,	\
				    std::strerror(errno));		\
			case_failed = true;				\
		}							\
	} while (0)

void run(const char *name, void (*fn)())
{
	case_failed = false;
	skip_reason = nullptr;
	fn();
	tests_run++;
	if (skip_reason) {
		std::printf("ok %d %s # SKIP %s\n", tests_run, name, skip_reason);
	} else if (case_failed) {
		tests_failed++;
		std::printf("not ok %d %s\n", tests_run, name);
	} else {
		std::printf("ok %d %s\n", tests_run, name);
	}
	std::fflush(stdout);
}

bool have_module()
{
	return access(DMABUF_EXPORTER_DEV_CTL, F_OK) == 0;
}

/* The begin_cpu_access and end_cpu_access counters of our buffer @buf. */
bool cpu_access(int buf, long long *begins, long long *ends)
{
	struct dmabuf_exporter_counters c = {};

	if (dmabufx_counters(-1, buf, &c, sizeof(c)))
		return false;
	*begins = (long long)c.begin_cpu_access;
	*ends = (long long)c.end_cpu_access;
	return true;
}

/* A mapping object for every case; closed at scope exit. */
struct Mapping {
	struct dmabufx_mapping *m;

	Mapping(int fd, unsigned int access)
		: m(dmabufx_mapping_open(fd, 0, access)) {}
	~Mapping() { dmabufx_mapping_close(m); }
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
};

void guard_of_a_refused_begin_fails_and_ends_nothing()
{
	int memfd = dmabufx_memfd_create("cxx", 4096);

	CHECK(memfd >= 0);
	{
		Mapping map(memfd, DMA_BUF_SYNC_RW);

		CHECK(map.m);
		{
			dmabufx::SyncGuard sync(map.m);

			CHECK(!sync);
			CHECK(!sync.ok());
			CHECK(sync.error() == ENOTTY);	/* a memfd is no dma-buf */
			errno = ERANGE;
		}
		CHECK(errno == ERANGE);		/* the destructor keeps errno */
		/* Nothing began, so nothing is left to end. */
		CHECK(dmabufx_mapping_end(map.m) == -1 && errno == EINVAL);
	}
	close(memfd);
}

void guard_begins_and_ends_one_pair()
{
	long long b0 = -1, e0 = -1, b = -1, e = -1;
	int buf;

	if (!have_module()) {
		skip_reason = "dmabuf_exporter is not loaded";
		return;
	}
	buf = dmabufx_alloc("system", 8192, O_RDWR | O_CLOEXEC, nullptr, 0);
	CHECK(buf >= 0);
	CHECK(cpu_access(buf, &b0, &e0));
	{
		Mapping map(buf, DMA_BUF_SYNC_RW);
		unsigned char *p;

		CHECK(map.m);
		p = static_cast<unsigned char *>(dmabufx_mapping_addr(map.m));
		{
			dmabufx::SyncGuard sync(map.m);

			CHECK(sync.ok() && sync.error() == 0);
			CHECK(cpu_access(buf, &b, &e) && b == b0 + 1 && e == e0);
			/* A second guard on the same mapping is refused. */
			dmabufx::SyncGuard nested(map.m);
			CHECK(!nested && nested.error() == EALREADY);
			std::memset(p, 0xc3, 8192);
		}
		CHECK(cpu_access(buf, &b, &e) && b == b0 + 1 && e == e0 + 1);
		{
			dmabufx::SyncGuard sync(map.m);

			CHECK(sync && p[0] == 0xc3 && p[8191] == 0xc3);
		}
		CHECK(cpu_access(buf, &b, &e) && b == b0 + 2 && e == e0 + 2);
	}
	close(buf);
}

dmabufx::SyncGuard begin_in_a_function(struct dmabufx_mapping *m)
{
	dmabufx::SyncGuard sync(m);

	return sync;	/* moved out: still one pair */
}

void guard_moves_and_ends_early_once()
{
	long long b0 = -1, e0 = -1, b = -1, e = -1;
	int buf;

	if (!have_module()) {
		skip_reason = "dmabuf_exporter is not loaded";
		return;
	}
	buf = dmabufx_alloc("contig", 4096, O_RDWR | O_CLOEXEC, nullptr, 0);
	CHECK(buf >= 0);
	CHECK(cpu_access(buf, &b0, &e0));
	{
		Mapping map(buf, DMA_BUF_SYNC_READ);
		dmabufx::SyncGuard sync = begin_in_a_function(map.m);
		dmabufx::SyncGuard other(std::move(sync));

		CHECK(!sync && other);
		CHECK(cpu_access(buf, &b, &e) && b == b0 + 1 && e == e0);
		CHECK(other.end() == 0);
		CHECK(!other);
		CHECK(other.end() == 0);	/* nothing left: no second end */
		CHECK(cpu_access(buf, &b, &e) && b == b0 + 1 && e == e0 + 1);

		/* Move assignment ends what the target held first. */
		Mapping map2(buf, DMA_BUF_SYNC_READ);	/* outlives its guards */
		dmabufx::SyncGuard a(map.m);
		dmabufx::SyncGuard c(map2.m);

		CHECK(a && c);
		a = std::move(c);
		CHECK(cpu_access(buf, &b, &e) && b == b0 + 3 && e == e0 + 2);
		CHECK(dmabufx_mapping_begin(map.m) == 0);	/* map's ended */
		CHECK(dmabufx_mapping_end(map.m) == 0);
	}
	/* a's end (map2's) and nothing else. */
	CHECK(cpu_access(buf, &b, &e) && b == b0 + 4 && e == e0 + 4);
	close(buf);
}

void guard_on_a_buffer_of_the_kernels_heap()
{
	int buf;

	if (access("/dev/dma_heap/system", F_OK)) {
		skip_reason = "no /dev/dma_heap/system in this kernel";
		return;
	}
	buf = dmabufx_alloc("/dev/dma_heap/system", 4096, O_RDWR | O_CLOEXEC,
			    nullptr, 0);
	CHECK(buf >= 0);
	{
		Mapping map(buf, DMA_BUF_SYNC_WRITE);
		dmabufx::SyncGuard sync(map.m);

		CHECK(sync);
		static_cast<char *>(dmabufx_mapping_addr(map.m))[0] = 1;
	}
	close(buf);
}

} /* namespace */

int main()
{
	static const struct {
		const char *name;
		void (*fn)();
	} cases[] = {
		{ "guard_of_a_refused_begin_fails_and_ends_nothing",
		  guard_of_a_refused_begin_fails_and_ends_nothing },
		{ "guard_begins_and_ends_one_pair", guard_begins_and_ends_one_pair },
		{ "guard_moves_and_ends_early_once", guard_moves_and_ends_early_once },
		{ "guard_on_a_buffer_of_the_kernels_heap",
		  guard_on_a_buffer_of_the_kernels_heap },
	};

	std::printf("TAP version 13\n1..%zu\n", sizeof(cases) / sizeof(cases[0]));
	for (const auto &c : cases)
		run(c.name, c.fn);
	std::printf("# %d run, %d failed\n", tests_run, tests_failed);
	return tests_failed ? 1 : 0;
}
