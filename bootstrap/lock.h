/*
 * lock.h - bbroot.lock: which busybox binary each architecture uses.
 *
 * A readable ini file in the working directory, meant to be committed:
 *
 *     [amd64]
 *     url = https://busybox.net/downloads/binaries/1.35.0-x86_64-linux-musl/busybox
 *     sha256 = 6e123e7f...     (of the binary: its name in the cache)
 *     size = 1131168           (bytes; illustrative)
 *     version = 1.35.0
 *     platform = linux/amd64
 *     source_sha256 = ...      (only when the URL is a .deb: the package)
 *
 * Read with inih; written atomically in a fixed order (sections sorted by
 * architecture), so the same facts give the same bytes.
 */
#ifndef BBR_LOCK_H
#define BBR_LOCK_H

#include <stddef.h>

#define LOCK_FILE "bbroot.lock"

struct lock_entry {
	char *arch;          /* section name: amd64, arm64, arm ... */
	char *url;           /* where the bytes came from (before any mirror) */
	char *sha256;        /* of the binary */
	char *source_sha256; /* of the downloaded package, when not the binary */
	long long size;      /* of the binary */
	char *version;       /* busybox version, or NULL */
	char *platform;      /* linux/arm/v7 ... */
};

struct lock {
	struct lock_entry *entry;
	size_t nr, alloc;
};

/* No allocation. */
void lock_init(struct lock *lock);
/* Free everything; safe twice. */
void lock_release(struct lock *lock);

/*
 * Read `path` into lock (initialised here).  A missing file is an empty
 * lock (returns 0).  A malformed file (syntax, missing url/sha256, bad
 * digest) is an error: -1 with a message naming the file.
 */
int lock_read(const char *path, struct lock *lock);
/* Parse lock text; `name` for messages.  Same rules as lock_read. */
int lock_parse(const char *text, const char *name, struct lock *lock);

/* The entry for arch, or NULL. */
const struct lock_entry *lock_find(const struct lock *lock, const char *arch);
/* The entry whose url is `url`, or NULL. */
const struct lock_entry *lock_find_url(const struct lock *lock, const char *url);
/* Add or replace the entry for e->arch (fields copied). */
void lock_set(struct lock *lock, const struct lock_entry *e);

/* The file's text (malloc'd): header comment, sections sorted by arch. */
char *lock_format(const struct lock *lock);
/* Write lock to path atomically. 0 or -1 with a message. */
int lock_write(const char *path, const struct lock *lock);

/*
 * For commands that use the fetched binary (install, pack, inspect): read
 * ./bbroot.lock, choose the section for `arch` (NULL: the host's
 * architecture, else the only section), and return in *path (malloc'd)
 * the cache file of that binary after re-verifying its sha256.  A missing
 * lock, section or cache entry, or a corrupt entry (exit class 3), is -1
 * with a message telling to run 'bbroot fetch'.  The cache directory is
 * $BBROOT_CACHE, $XDG_CACHE_HOME/bbroot or ~/.cache/bbroot.
 */
int lock_locate_binary(const char *arch, char **path);

#endif
