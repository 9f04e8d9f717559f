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

#include "common.h"
#include "dmabuf-helper.h"

struct demo {
	const char *kind;
	uint64_t size;
	struct tool tool;
	struct json j;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-demo [OPTION]...\n"
		"Allocate a dma-buf from /dev/dmabuf-exporter/KIND, map it, write a\n"
		"pattern and read it back under DMA_BUF_IOCTL_SYNC, then free it.\n"
		"\n"
		"  -k, --kind=KIND   memory kind (default: system)\n"
		"  -s, --size=BYTES  buffer size in bytes (decimal), suffixes K, M, G\n"
		"                    (default: 1M)\n"
		TOOL_COMMON_HELP
		"\n"
		"Exit status: 0 when every step succeeded and the data matched.\n");
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

	if (d->tool.json) {
		json_object_begin(&d->j, NULL);
		json_str(&d->j, "step", name);
		json_bool(&d->j, "ok", ok);
		json_str(&d->j, "detail", detail);
		json_object_end(&d->j);
	} else
		printf("[%s] %-10s %s\n", ok ? " ok " : "FAIL", name, detail);
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
	node = dmabufx_node_open(d->kind);
	if (node < 0)
		return fail(d, "open", path);
	if (dmabufx_exporter_info(node, &before, sizeof(before)) < 0) {
		fail(d, "info", "DMABUF_EXPORTER_IOCTL_INFO");
		goto out;
	}
	step(d, 1, "open", "%s (module API %u, limit %" PRIu64 " MiB)",
	     path, before.api_version,
	     (uint64_t)before.max_buffer_size >> 20);

	buf = dmabufx_heap_alloc(node, d->size, O_RDWR | O_CLOEXEC);
	if (buf < 0) {
		fail(d, "allocate", "DMA_HEAP_IOCTL_ALLOC");
		goto out;
	}
	size = dmabufx_size(buf);
	if (size < 0) {
		fail(d, "allocate", "size");
		goto out;
	}
	step(d, 1, "allocate", "dma-buf fd %d, %" PRId64 " bytes", buf, size);

	map = dmabufx_map(buf, (size_t)size, PROT_READ | PROT_WRITE);
	if (!map) {
		fail(d, "map", "mmap");
		goto out;
	}
	step(d, 1, "map", "%" PRId64 " bytes shared at %p", size, (void *)map);

	if (dmabufx_sync_begin(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "zeroed", "DMA_BUF_SYNC_START|READ");
		goto out;
	}
	for (i = 0; i < (uint64_t)size; i++)
		bad += map[i] != 0;
	if (dmabufx_sync_end(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "zeroed", "DMA_BUF_SYNC_END|READ");
		goto out;
	}
	step(d, !bad, "zeroed", "%" PRIu64 " nonzero bytes in a fresh buffer", bad);
	if (bad)
		goto out;

	if (dmabufx_sync_begin(buf, DMA_BUF_SYNC_WRITE) < 0) {
		fail(d, "write", "DMA_BUF_SYNC_START|WRITE");
		goto out;
	}
	for (i = 0; i < (uint64_t)size; i++)
		map[i] = pattern(i);
	if (dmabufx_sync_end(buf, DMA_BUF_SYNC_WRITE) < 0) {
		fail(d, "write", "DMA_BUF_SYNC_END|WRITE");
		goto out;
	}
	step(d, 1, "write", "pattern written between SYNC_START|WRITE and SYNC_END|WRITE");

	if (dmabufx_sync_begin(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "verify", "DMA_BUF_SYNC_START|READ");
		goto out;
	}
	for (i = 0; i < (uint64_t)size; i++)
		bad += map[i] != pattern(i);
	if (dmabufx_sync_end(buf, DMA_BUF_SYNC_READ) < 0) {
		fail(d, "verify", "DMA_BUF_SYNC_END|READ");
		goto out;
	}
	step(d, !bad, "verify", "%" PRIu64 " of %" PRId64 " bytes differ", bad, size);
	if (bad)
		goto out;

	dmabufx_unmap(map, (size_t)size);
	map = NULL;
	close(buf);
	buf = -1;
	if (dmabufx_exporter_info(node, &after, sizeof(after)) < 0) {
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
		dmabufx_unmap(map, (size_t)size);
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
		TOOL_COMMON_LONGOPTS,
		{ 0 }
	};
	struct demo d = {
		.kind = "system",
		.size = 1 << 20,
		.tool = { .name = "dmabuf-demo", .usage = usage },
	};
	int c, ret;

	while ((c = getopt_long(argc, argv, "k:s:" TOOL_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			d.kind = optarg;
			break;
		case 's':
			if (tool_parse_size(optarg, &d.size) < 0 || !d.size) {
				tool_err(&d.tool, "bad size '%s'", optarg);
				return 2;
			}
			break;
		default:
			tool_common_option(&d.tool, c);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	json_init(&d.j, stdout);
	if (d.tool.json) {
		json_object_begin(&d.j, NULL);
		json_str(&d.j, "tool", "dmabuf-demo");
		json_str(&d.j, "kind", d.kind);
		json_array_begin(&d.j, "steps");
	}
	ret = run(&d);
	if (d.tool.json) {
		json_array_end(&d.j);
		json_bool(&d.j, "ok", !ret);
		json_object_end(&d.j);
	} else
		printf("%s\n", ret ? "round trip FAILED" : "round trip OK");
	return ret ? 1 : 0;
}
