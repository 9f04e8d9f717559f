#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# heap_links_host_test.sh COMMAND RULES DOC: dmabuf-exporter-heap-links on a
# fake /dev and /sys (--root; our nodes are symlinks to /dev/null, a
# character device), and the udev rule RULES and the table of DOC
# (docs/dma-heap-names.md) against the command's --list: all three come from
# packaging/dma-heap/names and must say the same. Prints TAP.
set -u
cmd=$1 rules=$2 doc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

ok() {	# STATUS DESCRIPTION: STATUS 0 is a pass
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
		cat "$tmp/out" "$tmp/diag" 2>/dev/null | sed 's/^/#   /'
	fi
	: >"$tmp/out"
	: >"$tmp/diag"
}

# run [ARGS]: the command on the fake root, output in $tmp/out, status in $rc
run() {
	"$cmd" --root "$R" "$@" >"$tmp/out" 2>&1
	rc=$?
}

# The state of the fake dev/dma_heap: one line per entry, type and target.
state() {
	if [ -d "$R/dev/dma_heap" ]; then
		(cd "$R/dev/dma_heap" && for f in * .[!.]*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
			elif [ -c "$f" ]; then echo "$f char"
			else echo "$f other"; fi
		done) | LC_ALL=C sort
	else
		echo "(no dma_heap)"
	fi
}

"$cmd" --list >"$tmp/names" || { echo "Bail out! $cmd --list failed"; exit 1; }
# Every name linked, as the command says it would.
while read -r name kind; do
	echo "$name -> ../dmabuf-exporter/$kind"
done <"$tmp/names" | LC_ALL=C sort >"$tmp/all-linked"
grep -v '^system ' "$tmp/all-linked" >"$tmp/rest-linked"
count=$(wc -l <"$tmp/names")

# A fresh fake root with our module "loaded".
fresh() {
	rm -rf "$tmp/root"
	R=$tmp/root
	mkdir -p "$R/dev/dmabuf-exporter"
	for k in system system-uncached contig ctl; do
		mkdir -p "$R/sys/class/misc/dmabuf-exporter-$k"
		ln -s /dev/null "$R/dev/dmabuf-exporter/$k"
	done
}

echo "TAP version 13"
echo "1..21"

# --- the table, the rule and the docs ------------------------------------

[ "$count" -ge 6 ] && grep -q '^linux,cma contig$' "$tmp/names"
ok $? "option --list prints the table ($count names, linux,cma among them)"

# NAME KIND from each rule line, which must test NAME's kernel heap and
# keep the comma (string_escape=none before SYMLINK).
sed -n 's/^SUBSYSTEM=="misc", KERNEL=="dmabuf-exporter-\([a-z-]*\)", TEST!="\/sys\/class\/dma_heap\/\([^"]*\)", OPTIONS+="string_escape=none", SYMLINK+="dma_heap\/\([^"]*\)"$/\2 \1 \3/p' \
	"$rules" | awk '$1 == $3 { print $1, $2; next } { print "mismatch:", $0 }' >"$tmp/rule-names"
rule_lines=$(grep -c -v -e '^#' -e '^$' "$rules")
{ diff "$tmp/names" "$tmp/rule-names" && [ "$rule_lines" = "$count" ]; } >"$tmp/diag" 2>&1
ok $? "the udev rule has one line per name, testing /sys/class/dma_heap/NAME, as --list"

# docs/dma-heap-names.md: "| `NAME` | `KIND` |" rows, in the table's order.
# shellcheck disable=SC2016 # backquotes of Markdown
sed -n 's/^| `\([^`]*\)` | `\([^`]*\)` |.*/\1 \2/p' "$doc" >"$tmp/doc-names"
diff "$tmp/names" "$tmp/doc-names" >"$tmp/diag" 2>&1
ok $? "docs/dma-heap-names.md lists the same names and kinds as --list"

"$cmd" --help >"$tmp/out" 2>&1 && grep -q '^Usage: ' "$tmp/out" && grep -q 'linux,cma' "$tmp/out"
ok $? "option --help: exit 0, usage and the names"
"$cmd" --version >"$tmp/out" 2>&1 && grep -q '^dmabuf-exporter-heap-links (dmabuf-exporter) [0-9]' "$tmp/out"
ok $? "option --version: exit 0, name and version"
"$cmd" --bogus >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "unknown argument '--bogus'" "$tmp/out"
ok $? "an unknown option: exit 2 and says which"

# --- without the module ---------------------------------------------------

fresh
rm -rf "$R/sys/class/misc"
run
[ "$rc" = 1 ] && grep -q 'is dmabuf_exporter loaded' "$tmp/out" && [ "$(state)" = "(no dma_heap)" ]
ok $? "without the module: exit 1, says so, creates nothing"

# --- a kernel without heaps (Debian's 6.1) --------------------------------

fresh
run --dry-run
[ "$rc" = 0 ] && [ "$(grep -c '^would create ' "$tmp/out")" = "$count" ] && [ "$(state)" = "(no dma_heap)" ]
ok $? "option --dry-run: exit 0, says what it would create, creates nothing"

run
{ [ "$rc" = 0 ] && state | diff "$tmp/all-linked" -; } >"$tmp/diag" 2>&1
ok $? "no kernel heaps: exit 0, every name a symlink to ../dmabuf-exporter/KIND"

[ "$(stat -c %a "$R/dev/dma_heap")" = 755 ]
ok $? "dev/dma_heap is created with mode 755"

run
{ [ "$rc" = 0 ] && [ "$(grep -c '^have ' "$tmp/out")" = "$count" ] && state | diff "$tmp/all-linked" -; } >"$tmp/diag" 2>&1
ok $? "a second run: exit 0, every name already there, nothing changed"

run --quiet
[ "$rc" = 0 ] && [ ! -s "$tmp/out" ]
ok $? "option --quiet prints nothing when all is well"

# --- what exists is never replaced -----------------------------------------

fresh
mkdir -p "$R/dev/dma_heap"
: >"$R/dev/dma_heap/reserved"
ln -s /somewhere/else "$R/dev/dma_heap/contig"
run
{ [ "$rc" = 1 ] && [ -f "$R/dev/dma_heap/reserved" ] && [ ! -L "$R/dev/dma_heap/reserved" ] &&
	[ "$(readlink "$R/dev/dma_heap/contig")" = /somewhere/else ] &&
	grep -q 'reserved exists (not a symlink of ours): not replacing it' "$tmp/out" &&
	grep -q 'contig exists (a symlink to /somewhere/else): not replacing it' "$tmp/out" &&
	[ -L "$R/dev/dma_heap/linux,cma" ]; } >"$tmp/diag" 2>&1
ok $? "a foreign file and a foreign symlink: exit 1, both kept, named, the other names linked"

run --remove
{ [ "$rc" = 0 ] && [ -f "$R/dev/dma_heap/reserved" ] &&
	[ "$(readlink "$R/dev/dma_heap/contig")" = /somewhere/else ] &&
	[ "$(state | wc -l)" = 2 ]; } >"$tmp/diag" 2>&1
ok $? "option --remove: exit 0, removes only our symlinks, keeps the foreign ones"

fresh
: >"$R/dev/dma_heap"
run
[ "$rc" = 1 ] && [ -f "$R/dev/dma_heap" ] && grep -q 'is not a directory' "$tmp/out"
ok $? "dev/dma_heap a file: exit 1, not touched"

# --- a kernel with a system heap (Debian's 6.12) ---------------------------

fresh
mkdir -p "$R/sys/class/dma_heap/system" "$R/dev/dma_heap"
ln -s /dev/null "$R/dev/dma_heap/system"	# stands for the kernel's node
run
{ [ "$rc" = 0 ] && [ "$(readlink "$R/dev/dma_heap/system")" = /dev/null ] &&
	grep -q "keep $R/dev/dma_heap/system: the kernel's own heap" "$tmp/out" &&
	state | grep -v '^system ' | diff "$tmp/rest-linked" -; } >"$tmp/diag" 2>&1
ok $? "kernel heap system: kept as it is, every other name linked, exit 0"

run --remove
{ [ "$rc" = 0 ] && [ "$(state)" = "system -> /dev/null" ]; } >"$tmp/diag" 2>&1
ok $? "option --remove next to a kernel heap: removes ours, keeps the heap and dev/dma_heap"

# Our symlink where the kernel has the heap (made before the heap appeared).
fresh
mkdir -p "$R/sys/class/dma_heap/system" "$R/dev/dma_heap"
ln -s ../dmabuf-exporter/system "$R/dev/dma_heap/system"
run
[ "$rc" = 1 ] && grep -q "hides the kernel's heap system: run '.*--remove'" "$tmp/out"
ok $? "our symlink hiding a kernel heap: exit 1, says to --remove"

# --- our node missing ------------------------------------------------------

fresh
rm "$R/dev/dmabuf-exporter/contig"
run
{ [ "$rc" = 1 ] && grep -q 'dmabuf-exporter/contig is not a character device' "$tmp/out" &&
	[ -L "$R/dev/dma_heap/system" ] && [ ! -e "$R/dev/dma_heap/reserved" ] &&
	[ ! -L "$R/dev/dma_heap/reserved" ]; } >"$tmp/diag" 2>&1
ok $? "our contig node missing in /dev: exit 1, contig names not linked, the others are"

# --- removal ----------------------------------------------------------------

fresh
run
run --remove --dry-run
{ [ "$rc" = 0 ] && [ "$(grep -c '^would remove ' "$tmp/out")" = "$count" ] &&
	state | diff "$tmp/all-linked" -; } >"$tmp/diag" 2>&1
ok $? "option --remove --dry-run: says what it would remove, removes nothing"
run --remove
{ [ "$rc" = 0 ] && [ "$(state)" = "(no dma_heap)" ]; } >"$tmp/diag" 2>&1
ok $? "option --remove: every symlink and the then empty dev/dma_heap gone, exit 0"

[ "$fails" = 0 ]
