// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/dmabuf_exporter/buffers: every live buffer (inode, kind,
 * size, attachments, mappings, name) and the totals per kind. The kernel's
 * own /sys/kernel/debug/dma_buf/bufinfo lists ours among all dma-bufs.
 * /sys/kernel/debug/dmabuf_exporter/pool: the zeroed page pools (pool.c).
 */

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "buffer.h"
#include "debugfs.h"
#include "kinds.h"
#include "pool.h"

static const struct dmx_kind *const dmx_listed_kinds[] = {
	&dmx_system_kind, &dmx_system_uncached_kind, &dmx_contig_kind,
	&dmx_user_kind, &dmx_memfd_kind,
};

struct dmx_listing {
	struct seq_file *m;
	u64 count[ARRAY_SIZE(dmx_listed_kinds)];
	u64 bytes[ARRAY_SIZE(dmx_listed_kinds)];
};

/*
 * Called under the buffer list's lock: a buffer being released may still be
 * listed, but its inode may be gone already, so only our own copy is read.
 */
static void dmx_list_buffer(struct dmx_buffer *buf, void *data)
{
	struct dmx_listing *l = data;
	struct dma_buf *dmabuf = buf->dmabuf;
	int i;

	mutex_lock(&buf->lock);
	seq_printf(l->m, "%llu %s %zu %u %u %d %u ", buf->ino, buf->kind->name,
		   buf->size, buf->nr_attachments, buf->nr_mapped,
		   atomic_read(&buf->mmap_count), buf->vmap_count);
	mutex_unlock(&buf->lock);
	spin_lock(&dmabuf->name_lock);
	seq_printf(l->m, "%s\n", dmabuf->name ?: "-");
	spin_unlock(&dmabuf->name_lock);

	for (i = 0; i < ARRAY_SIZE(dmx_listed_kinds); i++) {
		if (buf->kind == dmx_listed_kinds[i]) {
			l->count[i]++;
			l->bytes[i] += buf->size;
		}
	}
}

static int dmx_buffers_show(struct seq_file *m, void *unused)
{
	struct dmx_listing *l;
	int i;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	l->m = m;
	seq_puts(m, "inode kind size attachments mapped mmaps vmaps name\n");
	dmx_buffers_for_each(dmx_list_buffer, l);

	seq_puts(m, "\nkind buffers bytes\n");
	for (i = 0; i < ARRAY_SIZE(dmx_listed_kinds); i++)
		seq_printf(m, "%s %llu %llu\n", dmx_listed_kinds[i]->name,
			   l->count[i], l->bytes[i]);
	kfree(l);
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(dmx_buffers);
DEFINE_SHOW_ATTRIBUTE(dmx_pool);

static struct dentry *dmx_debugfs_dir;

void dmx_debugfs_init(void)
{
	/* debugfs is optional: failures only cost the listing. */
	dmx_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("buffers", 0400, dmx_debugfs_dir, NULL,
			    &dmx_buffers_fops);
	debugfs_create_file("pool", 0400, dmx_debugfs_dir, NULL,
			    &dmx_pool_fops);
}

void dmx_debugfs_exit(void)
{
	debugfs_remove_recursive(dmx_debugfs_dir);
}
