/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every dmabuf-* tool shares: --help/--version handling, size
 * arguments, and a small JSON writer (strings escaped per RFC 8259).
 */
#ifndef DMABUF_TOOLS_COMMON_H
#define DMABUF_TOOLS_COMMON_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

/* Options every tool takes; append to a tool's own getopt table. */
#define TOOL_COMMON_SHORTOPTS	"jhV"
#define TOOL_COMMON_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

#define TOOL_COMMON_HELP \
	"  -j, --json        machine-readable output (one JSON object)\n" \
	"  -h, --help        show this help and exit\n" \
	"  -V, --version     show the version and exit\n"

struct tool {
	const char *name;
	/* Prints the full --help text (Usage line first) to @out. */
	void (*usage)(FILE *out);
	int json;
};

/*
 * Handle a common option: sets t->json for -j, prints help or version and
 * exits 0 for -h / -V, prints usage to stderr and exits 2 for anything
 * unknown. Returns only for -j.
 */
void tool_common_option(struct tool *t, int c);

/* Print "NAME: message: strerror(errno)"-style errors to stderr. */
void tool_err(const struct tool *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * "4096", "4K", "1M", "2G" (binary units; "KiB", "KB" too): decimal digits
 * ("010" is 10) and an optional suffix; -1 on anything else ("0x10", "-1",
 * " 1", "") or overflow.
 */
int tool_parse_size(const char *s, uint64_t *out);

/* Human size: "4 KiB", "1.5 MiB". Returns @buf. */
const char *tool_human_size(uint64_t bytes, char *buf, size_t len);

/*
 * JSON writer. Values are written in order; commas and indentation are
 * handled here. @key is NULL for array elements and the top-level value.
 */
struct json {
	FILE *f;
	int depth;
	int count[16];	/* members written so far, per nesting level */
};

void json_init(struct json *j, FILE *f);
/*
 * A quoted, escaped literal, valid UTF-8 whatever @s holds: bytes that are
 * not UTF-8 become U+FFFD ("\ufffd"), one per maximal ill-formed subpart
 * (as Python's decode(errors="replace") does); control characters \u00XX.
 */
void json_string(FILE *f, const char *s);
/*
 * The UTF-8 character at @s: its length in bytes (1 to 4), 0 at the NUL;
 * or, for bytes that are no character, minus the length of their maximal
 * ill-formed subpart (Unicode 15, 3.9), each such part standing for one
 * U+FFFD. Never reads past a NUL.
 */
int utf8_char(const char *s);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_double(struct json *j, const char *key, double val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);

#endif
