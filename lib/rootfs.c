/*
 * rootfs.c - the rootfs model: entries kept in an array for ordered
 * iteration plus an open-addressing hash table for lookup by path, so
 * building a model of n entries costs O(n log n), not O(n^2).
 */
#include "rootfs.h"
#include "diag.h"
#include "strbuf.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ROOTFS_PATH_MAX 4095

void rootfs_init(struct rootfs *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void rootfs_entry_init(const struct rootfs *fs, struct rootfs_entry *e, const char *path,
		       enum rootfs_type type, unsigned int mode)
{
	memset(e, 0, sizeof(*e));
	e->path = (char *)path;
	e->type = type;
	e->mode = mode;
	e->uid = fs->uid;
	e->gid = fs->gid;
	e->mtime = fs->mtime;
}

static void entry_free(struct rootfs_entry *e)
{
	if (!e)
		return;
	free(e->path);
	free(e->target);
	free(e->source_path);
	if (e->data_owned)
		free((void *)e->data);
	free(e);
}

void rootfs_release(struct rootfs *fs)
{
	size_t i;

	for (i = 0; i < fs->nr; i++)
		entry_free(fs->entries[i]);
	free(fs->entries);
	free(fs->table);
	rootfs_init(fs);
}

/* Canonicalise; on failure return a static reason and leave *out NULL. */
static const char *path_clean(const char *in, int allow_absolute, char **out)
{
	struct strbuf sb;
	const char *p = in;

	*out = NULL;
	if (*p == '/' && !allow_absolute)
		return "absolute paths are not allowed";
	strbuf_init(&sb);
	while (*p) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			strbuf_release(&sb);
			return "'..' is not allowed";
		}
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_add(&sb, p, len);
		p += len;
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return "names the root itself";
	}
	if (sb.len > ROOTFS_PATH_MAX) {
		strbuf_release(&sb);
		return "longer than 4095 bytes";
	}
	*out = strbuf_detach(&sb, NULL);
	return NULL;
}

int rootfs_path_clean(const char *in, int allow_absolute, char **out)
{
	const char *why = path_clean(in, allow_absolute, out);

	if (why)
		return bbr_error("invalid path '%.200s': %s", in, why);
	return 0;
}

int rootfs_path_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	/* '/' sorts before every other byte; the end sorts before '/'. */
	{
		int cx = *x == '/' ? 1 : (*x ? *x + 1 : 0);
		int cy = *y == '/' ? 1 : (*y ? *y + 1 : 0);

		return cx - cy;
	}
}

static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static struct rootfs_entry **table_slot(struct rootfs *fs, const char *path)
{
	size_t mask = fs->table_size - 1;
	size_t i = (size_t)path_hash(path) & mask;

	while (fs->table[i] && strcmp(fs->table[i]->path, path))
		i = (i + 1) & mask;
	return &fs->table[i];
}

static void table_grow(struct rootfs *fs)
{
	struct rootfs_entry **old = fs->table;
	size_t old_size = fs->table_size, i;

	if (fs->table_size && (fs->nr + 1) * 2 < fs->table_size)
		return;
	fs->table_size = old_size ? old_size * 2 : 64;
	fs->table = xcalloc(fs->table_size, sizeof(*fs->table));
	for (i = 0; i < old_size; i++)
		if (old[i])
			*table_slot(fs, old[i]->path) = old[i];
	free(old);
}

static struct rootfs_entry *lookup_clean(struct rootfs *fs, const char *path)
{
	if (!fs->table_size)
		return NULL;
	return *table_slot(fs, path);
}

struct rootfs_entry *rootfs_lookup(struct rootfs *fs, const char *path)
{
	struct rootfs_entry *e;
	char *clean;

	/* Lookups of bad paths simply find nothing: no message. */
	if (path_clean(path, 1, &clean))
		return NULL;
	e = lookup_clean(fs, clean);
	free(clean);
	return e;
}

static int has_children(struct rootfs *fs, const char *dir)
{
	size_t len = strlen(dir), i;

	for (i = 0; i < fs->nr; i++)
		if (!strncmp(fs->entries[i]->path, dir, len) &&
		    fs->entries[i]->path[len] == '/')
			return 1;
	return 0;
}

static struct rootfs_entry *entry_copy(const struct rootfs_entry *e, char *clean)
{
	struct rootfs_entry *n = xcalloc(1, sizeof(*n));

	*n = *e;
	n->path = clean;
	n->target = e->target ? xstrdup(e->target) : NULL;
	n->source_path = e->source_path ? xstrdup(e->source_path) : NULL;
	if (e->content == ROOTFS_CONTENT_MEMORY && e->data_owned) {
		void *copy = xmalloc(e->size ? e->size : 1);

		memcpy(copy, e->data, e->size);
		n->data = copy;
	}
	n->mode &= 07777;
	return n;
}

static int ensure_parents(struct rootfs *fs, const char *path)
{
	char *copy = xstrdup(path);
	char *slash = copy;
	int rc = 0;

	while ((slash = strchr(slash, '/'))) {
		struct rootfs_entry *p;

		*slash = '\0';
		p = lookup_clean(fs, copy);
		if (p && p->type != ROOTFS_DIR) {
			rc = bbr_error("cannot add '%s': '%s' is not a directory", path, copy);
			break;
		}
		if (!p) {
			struct rootfs_entry d;

			rootfs_entry_init(fs, &d, NULL, ROOTFS_DIR, 0755);
			table_grow(fs);
			p = entry_copy(&d, xstrdup(copy));
			xgrow((void **)&fs->entries, &fs->alloc, fs->nr + 1, sizeof(*fs->entries));
			fs->entries[fs->nr++] = p;
			*table_slot(fs, p->path) = p;
			fs->sorted = 0;
		}
		*slash = '/';
		slash++;
	}
	free(copy);
	return rc;
}

int rootfs_add(struct rootfs *fs, const struct rootfs_entry *e, enum rootfs_dup dup)
{
	struct rootfs_entry *old, *n, **slot;
	char *clean;
	size_t i;

	if (rootfs_path_clean(e->path, 0, &clean) < 0)
		return -1;
	if ((e->type == ROOTFS_SYMLINK || e->type == ROOTFS_HARDLINK) &&
	    (!e->target || !*e->target)) {
		bbr_error("cannot add '%s': link without a target", clean);
		free(clean);
		return -1;
	}
	if (e->type == ROOTFS_FILE && e->content == ROOTFS_CONTENT_PATH && !e->source_path) {
		bbr_error("cannot add '%s': file without a source", clean);
		free(clean);
		return -1;
	}
	old = lookup_clean(fs, clean);
	if (old) {
		if (dup == ROOTFS_DUP_KEEP) {
			free(clean);
			return 1;
		}
		if (dup == ROOTFS_DUP_ERROR) {
			bbr_error("cannot add '%s': duplicate path", clean);
			free(clean);
			return -1;
		}
		if (old->type == ROOTFS_DIR && e->type != ROOTFS_DIR &&
		    has_children(fs, clean)) {
			bbr_error("cannot replace directory '%s': it is not empty", clean);
			free(clean);
			return -1;
		}
	}
	if (!old && ensure_parents(fs, clean) < 0) {
		free(clean);
		return -1;
	}
	n = entry_copy(e, clean);
	if (n->type == ROOTFS_HARDLINK) {
		char *t;

		if (rootfs_path_clean(e->target, 1, &t) < 0) {
			entry_free(n);
			return -1;
		}
		free(n->target);
		n->target = t;
	}
	if (old) {
		for (i = 0; i < fs->nr; i++)
			if (fs->entries[i] == old)
				fs->entries[i] = n;
		*table_slot(fs, clean) = n;
		entry_free(old);
		return 0;
	}
	table_grow(fs);
	xgrow((void **)&fs->entries, &fs->alloc, fs->nr + 1, sizeof(*fs->entries));
	fs->entries[fs->nr++] = n;
	slot = table_slot(fs, n->path);
	*slot = n;
	fs->sorted = 0;
	return 0;
}

static int add_simple(struct rootfs *fs, const char *path, enum rootfs_type type,
		      unsigned int mode, const char *target)
{
	struct rootfs_entry e;

	rootfs_entry_init(fs, &e, path, type, mode);
	e.target = (char *)target;
	return rootfs_add(fs, &e, ROOTFS_DUP_ERROR);
}

int rootfs_add_dir(struct rootfs *fs, const char *path, unsigned int mode)
{
	struct rootfs_entry *old = rootfs_lookup(fs, path);

	if (old && old->type == ROOTFS_DIR) {
		old->mode = mode & 07777;
		return 0;
	}
	return add_simple(fs, path, ROOTFS_DIR, mode, NULL);
}

int rootfs_add_file_mem(struct rootfs *fs, const char *path, unsigned int mode,
			const void *data, size_t size, int copy)
{
	struct rootfs_entry e;

	rootfs_entry_init(fs, &e, path, ROOTFS_FILE, mode);
	e.content = ROOTFS_CONTENT_MEMORY;
	e.data = data;
	e.data_owned = copy;
	e.size = size;
	return rootfs_add(fs, &e, ROOTFS_DUP_ERROR);
}

int rootfs_add_file_path(struct rootfs *fs, const char *path, unsigned int mode,
			 const char *source_path, unsigned long long size)
{
	struct rootfs_entry e;

	rootfs_entry_init(fs, &e, path, ROOTFS_FILE, mode);
	e.content = ROOTFS_CONTENT_PATH;
	e.source_path = (char *)source_path;
	e.size = size;
	return rootfs_add(fs, &e, ROOTFS_DUP_ERROR);
}

int rootfs_add_symlink(struct rootfs *fs, const char *path, const char *target)
{
	return add_simple(fs, path, ROOTFS_SYMLINK, 0777, target);
}

int rootfs_add_hardlink(struct rootfs *fs, const char *path, const char *target)
{
	return add_simple(fs, path, ROOTFS_HARDLINK, 0755, target);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct rootfs_entry *x = *(const struct rootfs_entry *const *)a;
	const struct rootfs_entry *y = *(const struct rootfs_entry *const *)b;

	return rootfs_path_cmp(x->path, y->path);
}

void rootfs_sort(struct rootfs *fs)
{
	if (fs->sorted)
		return;
	if (fs->nr)
		qsort(fs->entries, fs->nr, sizeof(*fs->entries), entry_cmp);
	fs->sorted = 1;
}

int rootfs_validate(struct rootfs *fs)
{
	size_t i;

	for (i = 0; i < fs->nr; i++) {
		struct rootfs_entry *e = fs->entries[i], *t;

		if (e->type != ROOTFS_HARDLINK)
			continue;
		t = lookup_clean(fs, e->target);
		if (!t)
			return bbr_error("hard link '%s': target '%s' is not in the image",
					 e->path, e->target);
		if (t->type != ROOTFS_FILE)
			return bbr_error("hard link '%s': target '%s' is not a regular file",
					 e->path, e->target);
	}
	return 0;
}
