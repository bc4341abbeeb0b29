/*
 * rootfs.h - the rootfs model: the in-memory, sorted set of entries that
 * every sink (directory writer, tar, image archives) consumes, so install
 * and pack can never disagree about what an image contains.
 *
 * Paths are canonical: relative to the image root, no leading "/" or
 * "./", no trailing "/", no empty, "." or ".." components.  The root
 * directory itself is never an entry.  Adding an entry creates missing
 * parent directories (mode 0755, the model's uid/gid/mtime); every
 * directory therefore has its own entry.
 *
 * Order (rootfs_sort): a depth-first walk with the names in each
 * directory sorted bytewise, i.e. GNU tar --sort=name.  Entries compare
 * component by component, so "a" < "a/b" < "a-b".
 *
 * Hard links: type ROOTFS_HARDLINK names, in `target`, the canonical path
 * of a regular file entry of the model.  In sorted order a link may come
 * before its target (bin/ash before bin/busybox); a sink that needs the
 * data first (tar) emits the first member of the group in order as the
 * regular file and the others as links to it.
 *
 * Ownership: the model owns every string in it.  File content is either
 * bytes in memory (copied into the model, or borrowed when `static` data
 * such as compiled-in configs outlives the model), or a host path read by
 * the sink when it writes.
 */
#ifndef BBR_ROOTFS_H
#define BBR_ROOTFS_H

#include <stddef.h>

enum rootfs_type {
	ROOTFS_DIR,
	ROOTFS_FILE,
	ROOTFS_SYMLINK,
	ROOTFS_HARDLINK,
};

enum rootfs_content {
	ROOTFS_CONTENT_NONE,   /* not a regular file */
	ROOTFS_CONTENT_MEMORY, /* data/size */
	ROOTFS_CONTENT_PATH,   /* source_path/size, read by the sink */
};

struct rootfs_entry {
	char *path;             /* canonical, see above */
	enum rootfs_type type;
	unsigned int mode;      /* permission bits, 07777 */
	unsigned int uid, gid;
	long long mtime;
	char *target;           /* symlink text; hardlink: canonical path */
	enum rootfs_content content;
	const void *data;       /* MEMORY */
	int data_owned;         /* data is freed with the model */
	char *source_path;      /* PATH */
	unsigned long long size; /* regular files: number of bytes */
};

struct rootfs {
	struct rootfs_entry **entries; /* sorted after rootfs_sort() */
	size_t nr, alloc;
	struct rootfs_entry **table;   /* hash table by path */
	size_t table_size;
	int sorted;
	/* Defaults for entries added by the helpers below. */
	unsigned int uid, gid;
	long long mtime;
};

/* What rootfs_add() does when the path already exists. */
enum rootfs_dup {
	ROOTFS_DUP_ERROR,   /* fail with "duplicate path" */
	ROOTFS_DUP_REPLACE, /* replace the old entry */
	ROOTFS_DUP_KEEP,    /* keep the old entry, return 1 */
};

/* No allocation; uid/gid 0, mtime 0 until the caller sets them. */
void rootfs_init(struct rootfs *fs);
/* Free everything; safe twice. */
void rootfs_release(struct rootfs *fs);

/*
 * Canonicalise `in` into a newly allocated string in *out.  Leading "/"
 * and "./" and repeated or trailing slashes are removed ("./bin//sh/" ->
 * "bin/sh"); a ".." component, an empty result or a NUL-free path longer
 * than 4095 bytes is refused.  0 or -1 with a message naming the path.
 * `allow_absolute` 0 refuses a leading "/".
 */
int rootfs_path_clean(const char *in, int allow_absolute, char **out);

/*
 * Add a copy of *e (path is canonicalised; strings and, when
 * e->data_owned, data are copied).  Missing parents become directories.
 * Returns 0 when added or replaced, 1 when kept (ROOTFS_DUP_KEEP), -1
 * with a message on error (bad path, duplicate, parent not a directory,
 * replacing a directory that has children with a non-directory).
 */
int rootfs_add(struct rootfs *fs, const struct rootfs_entry *e, enum rootfs_dup dup);

/*
 * Fill *e (not owned by the model) for `path` with `type` and `mode` and the
 * model's default uid/gid/mtime, everything else empty: the start of an
 * entry to give rootfs_add().
 */
void rootfs_entry_init(const struct rootfs *fs, struct rootfs_entry *e, const char *path,
		       enum rootfs_type type, unsigned int mode);

/* Helpers using the model's uid/gid/mtime; ROOTFS_DUP_ERROR semantics
 * except rootfs_add_dir, which accepts an existing directory (and sets
 * its mode). 0 or -1. */
int rootfs_add_dir(struct rootfs *fs, const char *path, unsigned int mode);
int rootfs_add_file_mem(struct rootfs *fs, const char *path, unsigned int mode,
			const void *data, size_t size, int copy);
int rootfs_add_file_path(struct rootfs *fs, const char *path, unsigned int mode,
			 const char *source_path, unsigned long long size);
int rootfs_add_symlink(struct rootfs *fs, const char *path, const char *target);
int rootfs_add_hardlink(struct rootfs *fs, const char *path, const char *target);

/* The entry at canonical-or-not `path`, or NULL. */
struct rootfs_entry *rootfs_lookup(struct rootfs *fs, const char *path);

/* Sort into the deterministic order; fs->entries[0..nr) is then ready to
 * iterate. */
void rootfs_sort(struct rootfs *fs);

/*
 * Check the model is complete: every hard link names an existing regular
 * file.  0 or -1 with a message.
 */
int rootfs_validate(struct rootfs *fs);

/* Compare two canonical paths in model order (<0, 0, >0). */
int rootfs_path_cmp(const char *a, const char *b);

#endif
