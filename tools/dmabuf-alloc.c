// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-alloc: allocate or import one dma-buf, optionally name it, and run
 * a command that inherits it; or, with no command, describe it and free it.
 * For scripts, and for testing other software against any provider.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "dmabuf-helper.h"

enum source { FROM_KIND, FROM_FILE, FROM_MEMFD, FROM_USER };

static struct tool tool = { .name = "dmabuf-alloc" };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-alloc [OPTION]... [-- COMMAND [ARG]...]\n"
		"Allocate or import one dma-buf, optionally name it, then run COMMAND\n"
		"with the buffer's fd inherited (its number in $DMABUF_FD, its size in\n"
		"$DMABUF_SIZE). Without COMMAND, describe the buffer and free it.\n"
		"\n"
		"Where the buffer comes from (one of):\n"
		"  -k, --kind=NAME|PATH  a kind or dma-heap name, tried at\n"
		"                        /dev/dmabuf-exporter/NAME, /dev/dma_heap/NAME,\n"
		"                        then (\"system\" only) udmabuf; or the path of\n"
		"                        any node speaking DMA_HEAP_IOCTL_ALLOC\n"
		"                        (default: system)\n"
		"  -f, --file=FILE       a copy of FILE's bytes [--offset, +--size) in\n"
		"                        memfd pages, exported by udmabuf\n"
		"  -m, --memfd           fresh memfd pages exported by udmabuf\n"
		"  -u, --user            fresh anonymous memory, pinned and exported by\n"
		"                        DMABUF_EXPORTER_IOCTL_IMPORT_USER\n"
		"\n"
		"  -s, --size=BYTES      buffer size in bytes (decimal), suffixes K, M,\n"
		"                        G (default: 1M; with --file: the rest of the\n"
		"                        file)\n"
		"  -o, --offset=BYTES    with --file: where to start reading\n"
		"  -n, --name=NAME       name the buffer (DMA_BUF_SET_NAME, under 32 chars)\n"
		"  -r, --read-only       open the dma-buf O_RDONLY (kind allocations)\n"
		"  -F, --fd=N            give COMMAND the buffer as fd N\n"
		"  -v, --verbose         with COMMAND: describe the buffer first, on\n"
		"                        stderr (with --json: on stdout, like all JSON)\n"
		TOOL_COMMON_HELP
		"\n"
		"Examples:\n"
		"  dmabuf-alloc --kind system --size 4M --name cam0 -- ./consumer\n"
		"  dmabuf-alloc --kind /dev/dma_heap/system --size 64K --json\n"
		"  dmabuf-alloc --file frame.raw --fd 5 -- ./importer --dmabuf-fd 5\n"
		"\n"
		"Exit status: COMMAND's status; without COMMAND 0 on success; 1 when\n"
		"the buffer cannot be made; 2 on usage errors; 127 when COMMAND cannot\n"
		"be run.\n");
}

static uint64_t page_round(uint64_t n)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) & ~(page - 1);
}

/* Copy [off, off + len) of @path into a new memfd of page-rounded size. */
static int file_memfd(const char *path, uint64_t off, uint64_t *len)
{
	char chunk[65536];
	int in, memfd = -1, err;
	uint64_t done = 0;
	off_t end;

	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	end = lseek(in, 0, SEEK_END);
	if (end < 0 || (uint64_t)end < off) {
		errno = end < 0 ? errno : EINVAL;
		goto out;
	}
	if (!*len)
		*len = (uint64_t)end - off;
	if (!*len || *len > (uint64_t)end - off) {
		errno = EINVAL;
		goto out;
	}
	memfd = dmabufx_memfd_create("dmabuf-alloc", page_round(*len));
	if (memfd < 0)
		goto out;
	while (done < *len) {
		size_t want = sizeof(chunk);
		ssize_t n;

		if (*len - done < want)
			want = (size_t)(*len - done);
		n = pread(in, chunk, want, (off_t)(off + done));
		if (n <= 0 || pwrite(memfd, chunk, (size_t)n,
				     (off_t)done) != n) {
			if (n == 0)
				errno = EIO;
			close(memfd);
			memfd = -1;
			goto out;
		}
		done += (uint64_t)n;
	}
out:
	err = errno;
	close(in);
	errno = err;
	return memfd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "heap", required_argument, NULL, 'k' },
		{ "file", required_argument, NULL, 'f' },
		{ "memfd", no_argument, NULL, 'm' },
		{ "user", no_argument, NULL, 'u' },
		{ "size", required_argument, NULL, 's' },
		{ "offset", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "fd", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		TOOL_COMMON_LONGOPTS,
		{ 0 }
	};
	const char *kind = "system", *file = NULL, *name = NULL;
	uint64_t size = 0, offset = 0;
	enum source src = FROM_KIND;
	int c, nsrc = 0, target_fd = -1, verbose = 0, buf = -1, memfd;
	unsigned int access = O_RDWR;
	char used[DMABUFX_PATH_MAX] = "";
	struct dmabufx_fdinfo fi;
	char env[32], hs[32];
	char *end;
	void *mem;

	tool.usage = usage;
	while ((c = getopt_long(argc, argv, "k:f:mus:o:n:rF:v" TOOL_COMMON_SHORTOPTS,
				opts, NULL)) != -1) {
		switch (c) {
		case 'k': kind = optarg; src = FROM_KIND; nsrc++; break;
		case 'f': file = optarg; src = FROM_FILE; nsrc++; break;
		case 'm': src = FROM_MEMFD; nsrc++; break;
		case 'u': src = FROM_USER; nsrc++; break;
		case 's':
		case 'o':
			if (tool_parse_size(optarg, c == 's' ? &size : &offset) < 0 ||
			    (c == 's' && !size)) {
				tool_err(&tool, "bad %s '%s'",
					 c == 's' ? "size" : "offset", optarg);
				return 2;
			}
			break;
		case 'n': name = optarg; break;
		case 'r': access = O_RDONLY; break;
		case 'F':
			target_fd = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || target_fd < 0) {
				tool_err(&tool, "bad fd '%s'", optarg);
				return 2;
			}
			break;
		case 'v': verbose = 1; break;
		default: tool_common_option(&tool, c);
		}
	}
	if (nsrc > 1) {
		tool_err(&tool, "give only one of --kind, --file, --memfd, --user");
		return 2;
	}
	if (offset && src != FROM_FILE) {
		tool_err(&tool, "--offset goes with --file");
		return 2;
	}
	if (!size && src != FROM_FILE)
		size = 1 << 20;

	switch (src) {
	case FROM_KIND:
		buf = dmabufx_alloc(kind, size, access | O_CLOEXEC, used,
				   sizeof(used));
		break;
	case FROM_FILE:
	case FROM_MEMFD:
		memfd = src == FROM_FILE ? file_memfd(file, offset, &size)
					 : dmabufx_memfd_create("dmabuf-alloc",
							       page_round(size));
		if (memfd < 0) {
			tool_err(&tool, "%s: %s", src == FROM_FILE ? file : "memfd",
				 strerror(errno));
			return 1;
		}
		buf = dmabufx_import_memfd(memfd, 0, page_round(size), O_CLOEXEC,
					  used, sizeof(used));
		close(memfd);
		break;
	case FROM_USER:
		size = page_round(size);
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			tool_err(&tool, "mmap: %s", strerror(errno));
			return 1;
		}
		buf = dmabufx_import_user(mem, size, DMABUF_EXPORTER_IMPORT_WRITE,
					 O_RDWR | O_CLOEXEC, NULL);
		snprintf(used, sizeof(used), "%s", DMABUF_EXPORTER_DEV_CTL);
		break;
	}
	if (buf < 0) {
		tool_err(&tool, "cannot make the buffer (%s): %s",
			 src == FROM_KIND ? kind : src == FROM_USER ?
			 "user memory import" : "udmabuf import", strerror(errno));
		return 1;
	}
	if (name && dmabufx_set_name(buf, name) < 0) {
		tool_err(&tool, "naming the buffer '%s': %s", name, strerror(errno));
		return 1;
	}
	if (dmabufx_fdinfo(buf, &fi, sizeof(fi)) < 0) {
		tool_err(&tool, "fdinfo: %s", strerror(errno));
		return 1;
	}

	if (optind == argc || verbose) {
		/* JSON always goes to stdout; human text with a COMMAND to stderr. */
		FILE *out = optind == argc || tool.json ? stdout : stderr;

		if (tool.json) {
			struct json j;

			json_init(&j, out);
			json_object_begin(&j, NULL);
			json_str(&j, "tool", tool.name);
			json_str(&j, "provider", used);
			json_u64(&j, "size", fi.size);
			json_u64(&j, "inode", fi.inode);
			json_str(&j, "exporter", fi.exp_name);
			json_str(&j, "name", fi.name);
			json_i64(&j, "fd", target_fd >= 0 ? target_fd : buf);
			json_object_end(&j);
		} else {
			fprintf(out, "dma-buf fd %d: %s (%" PRIu64 " bytes) from %s, "
				"exporter %s, inode %" PRIu64 ", name %s\n",
				target_fd >= 0 ? target_fd : buf,
				tool_human_size(fi.size, hs, sizeof(hs)), fi.size,
				used, fi.exp_name, fi.inode, fi.name[0] ? fi.name : "-");
		}
		fflush(out);
	}
	if (optind == argc) {
		close(buf);
		return 0;
	}

	/* Hand the buffer over: without O_CLOEXEC, at the fd asked for. */
	if (target_fd >= 0 && target_fd != buf) {
		if (dup2(buf, target_fd) < 0) {
			tool_err(&tool, "dup2 to fd %d: %s", target_fd, strerror(errno));
			return 1;
		}
		close(buf);
		buf = target_fd;
	} else if (fcntl(buf, F_SETFD, 0) < 0) {
		tool_err(&tool, "fcntl: %s", strerror(errno));
		return 1;
	}
	snprintf(env, sizeof(env), "%d", buf);
	setenv("DMABUF_FD", env, 1);
	snprintf(env, sizeof(env), "%" PRIu64, fi.size);
	setenv("DMABUF_SIZE", env, 1);
	setenv("DMABUF_PROVIDER", used, 1);
	execvp(argv[optind], argv + optind);
	tool_err(&tool, "%s: %s", argv[optind], strerror(errno));
	return 127;
}
