// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-demo: the round trip every dma-buf user does, step by step:
 * allocate from a dmabuf_exporter node, map, write under
 * DMA_BUF_IOCTL_SYNC, read back under sync, verify, release, and check the
 * module freed the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf-helper.h"

struct demo {
	const char *kind;
	uint64_t size;
	int json;
	int nsteps;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-demo [OPTION]...\n"
		"Allocate a dma-buf from /dev/dmabuf-exporter/KIND, map it, write a\n"
		"pattern and read it back under DMA_BUF_IOCTL_SYNC, then free it.\n"
		"\n"
		"  -k, --kind=KIND   memory kind (default: system)\n"
		"  -s, --size=BYTES  buffer size, suffixes K, M, G (default: 1M)\n"
		"  -j, --json        print the steps as JSON\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n"
		"\n"
		"Exit status: 0 when every step succeeded and the data matched.\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* Print @s as a JSON string literal. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* One line per step: human readable, or one JSON object per step. */
static void step(struct demo *d, int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void step(struct demo *d, int ok, const char *name, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);

	if (d->json) {
		printf("%s    {\"step\": \"%s\", \"ok\": %s, \"detail\": ",
		       d->nsteps ? ",\n" : "", name, ok ? "true" : "false");
		json_string(detail);
		putchar('}');
	} else
		printf("[%s] %-10s %s\n", ok ? " ok " : "FAIL", name, detail);
	d->nsteps++;
}

static int fail(struct demo *d, const char *name, const char *what)
{
	step(d, 0, name, "%s: %s", what, strerror(errno));
	return -1;
}

static uint8_t pattern(uint64_t i)
{
	/* Not constant and not periodic at page size: catches misplaced pages. */
	return (uint8_t)(i * 31 + (i >> 12) * 7 + 1);
}

static int run(struct demo *d)
{
	struct dmabuf_exporter_info before, after;
	int node = -1, buf = -1, ret = -1;
	uint64_t i, bad = 0;
	uint8_t *map = NULL;
	int64_t size;

	char path[256];

	snprintf(path, sizeof(path), "%s/%s", DMABUF_EXPORTER_DEV_DIR, d->kind);
	node = dmabuf_node_open(d->kind);
	if (node < 0)
		return fail(d, "open", path);
	if (dmabuf_exporter_info(node, &before) < 0) {
		fail(d, "info", "DMABUF_EXPORTER_IOCTL_INFO");
		goto out;
	}
	step(d, 1, "open", "%s (module API %u, limit %" PRIu64 " MiB)",
	     path, before.api_version,
	     (uint64_t)before.max_buffer_size >> 20);

	buf = dmabuf_heap_alloc(node, d->size, O_RDWR | O_CLOEXEC);
	if (buf < 0) {
		fail(d, "allocate", "DMA_HEAP_IOCTL_ALLOC");
		goto out;
	}
	size = dmabuf_size(buf);
	if (size < 0) {
		fail(d, "allocate", "size");
		goto out;
	}
	step(d, 1, "allocate", "dma-buf fd %d, %" PRId64 " bytes", buf, size);

	map = dmabuf_map(buf, (size_t)size, PROT_READ | PROT_WRITE);
	if (!map) {
		fail(d, "map", "mmap");
		goto out;
	}
	step(d, 1, "map", "%" PRId64 " bytes shared at %p", size, (void *)map);

	if (dmabuf_sync_begin(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "zeroed", "DMA_BUF_SYNC_START|READ");
		goto out;
	}
	for (i = 0; i < (uint64_t)size; i++)
		bad += map[i] != 0;
	if (dmabuf_sync_end(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "zeroed", "DMA_BUF_SYNC_END|READ");
		goto out;
	}
	step(d, !bad, "zeroed", "%" PRIu64 " nonzero bytes in a fresh buffer", bad);
	if (bad)
		goto out;

	if (dmabuf_sync_begin(buf, DMA_BUF_SYNC_WRITE) < 0) {
		fail(d, "write", "DMA_BUF_SYNC_START|WRITE");
		goto out;
	}
	for (i = 0; i < (uint64_t)size; i++)
		map[i] = pattern(i);
	if (dmabuf_sync_end(buf, DMA_BUF_SYNC_WRITE) < 0) {
		fail(d, "write", "DMA_BUF_SYNC_END|WRITE");
		goto out;
	}
	step(d, 1, "write", "pattern written between SYNC_START|WRITE and SYNC_END|WRITE");

	if (dmabuf_sync_begin(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "verify", "DMA_BUF_SYNC_START|READ");
		goto out;
	}
	for (i = 0; i < (uint64_t)size; i++)
		bad += map[i] != pattern(i);
	if (dmabuf_sync_end(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "verify", "DMA_BUF_SYNC_END|READ");
		goto out;
	}
	step(d, !bad, "verify", "%" PRIu64 " of %" PRId64 " bytes differ", bad, size);
	if (bad)
		goto out;

	dmabuf_unmap(map, (size_t)size);
	map = NULL;
	close(buf);
	buf = -1;
	if (dmabuf_exporter_info(node, &after) < 0) {
		fail(d, "free", "DMABUF_EXPORTER_IOCTL_INFO");
		goto out;
	}
	step(d, after.live_buffers == before.live_buffers, "free",
	     "unmapped and closed; module holds %" PRIu64 " buffers (%" PRIu64
	     " before)", (uint64_t)after.live_buffers,
	     (uint64_t)before.live_buffers);
	ret = after.live_buffers == before.live_buffers ? 0 : -1;
out:
	if (map)
		dmabuf_unmap(map, (size_t)size);
	if (buf >= 0)
		close(buf);
	close(node);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "size", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct demo d = { .kind = "system", .size = 1 << 20 };
	int c, ret;

	while ((c = getopt_long(argc, argv, "k:s:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			d.kind = optarg;
			break;
		case 's':
			if (parse_size(optarg, &d.size) < 0 || !d.size) {
				fprintf(stderr, "dmabuf-demo: bad size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'j':
			d.json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("dmabuf-demo %s\n", DMABUF_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (d.json)
	{
		printf("{\n  \"tool\": \"dmabuf-demo\",\n  \"kind\": ");
		json_string(d.kind);
		printf(",\n  \"steps\": [\n");
	}
	ret = run(&d);
	if (d.json)
		printf("\n  ],\n  \"ok\": %s\n}\n", ret ? "false" : "true");
	else
		printf("%s\n", ret ? "round trip FAILED" : "round trip OK");
	return ret ? 1 : 0;
}
