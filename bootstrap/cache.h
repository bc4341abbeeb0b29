/*
 * cache.h - the content-addressed store of downloaded binaries.
 *
 * Layout under the cache directory:
 *     <dir>/<sha256>                 a verified binary, named by its digest
 *     <dir>/partial/<key>.part       an unfinished download (resumable);
 *                                    key = first 32 hex of sha256(URL)
 * The directory is --cache-dir, else $BBROOT_CACHE, else
 * $XDG_CACHE_HOME/bbroot, else $HOME/.cache/bbroot.  An entry is
 * re-verified (sha256) every time it is used.
 */
#ifndef BBR_CACHE_H
#define BBR_CACHE_H

/* The cache directory (malloc'd), or NULL with a message when none can be
 * found (no HOME).  `override` is --cache-dir or NULL.  Not created. */
char *cache_dir(const char *override);

/* "<dir>/<hex>" (malloc'd). */
char *cache_entry_path(const char *dir, const char *hex);
/* "<dir>/partial/<key>.part" for url (malloc'd). */
char *cache_part_path(const char *dir, const char *url);

enum cache_state {
	CACHE_ABSENT = 0,   /* no such entry */
	CACHE_VALID = 1,    /* present and its sha256 matches */
	CACHE_CORRUPT = 2,  /* present with other content */
};

/*
 * Check the entry at `path` against `hex` (one read, hashing).  Returns a
 * cache_state, or -1 with a message on I/O errors other than absence.
 */
int cache_check(const char *path, const char *hex);

/*
 * Move a finished download at `from` (same filesystem) into the cache as
 * `<dir>/<hex>` (mode 0755), fsync the directory.  0 or -1 with a message;
 * on failure `from` is removed.
 */
int cache_publish(const char *dir, const char *from, const char *hex, char **path);

/*
 * Take the cache's writer lock (flock on the directory itself, so no lock
 * file is left behind): one fetch at a time downloads into and publishes
 * to a cache, so two never share a .part.  Waits, saying so, when another
 * bbroot holds it.  Returns the fd to pass to cache_unlock(), or -1 with a
 * message.
 */
int cache_lock(const char *dir);
/* Release a lock from cache_lock(); -1 is ignored. */
void cache_unlock(int fd);

#endif
