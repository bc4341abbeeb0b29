/*
 * cache.c - where verified binaries live between runs: a flat directory of
 * files named by their sha256, filled only by rename so a reader never
 * sees a half-written entry, and checked again on every use.
 */
#include "cache.h"
#include "../lib/diag.h"
#include "../lib/sha256.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *cache_dir(const char *override)
{
	const char *env;

	if (override && *override)
		return xstrdup(override);
	env = getenv("BBROOT_CACHE");
	if (env && *env)
		return xstrdup(env);
	env = getenv("XDG_CACHE_HOME");
	if (env && *env == '/')
		return xasprintf("%s/bbroot", env);
	env = getenv("HOME");
	if (env && *env)
		return xasprintf("%s/.cache/bbroot", env);
	bbr_error("cannot find a cache directory: set HOME, XDG_CACHE_HOME or BBROOT_CACHE, or use --cache-dir");
	return NULL;
}

char *cache_entry_path(const char *dir, const char *hex)
{
	return xasprintf("%s/%s", dir, hex);
}

char *cache_part_path(const char *dir, const char *url)
{
	struct sha256 h = { NULL };
	char hex[SHA256_HEX_LEN + 1] = "";

	if (sha256_init(&h) == 0) {
		sha256_update(&h, url, strlen(url));
		sha256_final_hex(&h, hex);
	}
	sha256_release(&h);
	hex[32] = '\0';
	return xasprintf("%s/partial/%s.part", dir, hex);
}

int cache_check(const char *path, const char *hex)
{
	char got[SHA256_HEX_LEN + 1];
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return CACHE_ABSENT;
		return bbr_error("cannot read cache entry '%s': %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return CACHE_CORRUPT;
	if (sha256_file(path, got, NULL) < 0)
		return -1;
	return strcmp(got, hex) ? CACHE_CORRUPT : CACHE_VALID;
}

int cache_publish(const char *dir, const char *from, const char *hex, char **path)
{
	char *to = cache_entry_path(dir, hex);
	int dfd = -1, rc = -1;

	*path = NULL;
	if (chmod(from, 0755 & ~0022) < 0) {
		bbr_error("cannot set mode of '%s': %s", from, strerror(errno));
		goto out;
	}
	if (rename(from, to) < 0) {
		bbr_error("cannot add '%s' to the cache: %s", to, strerror(errno));
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fsync(dfd) < 0 && errno != EINVAL)) {
		bbr_error("cannot sync cache directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	*path = to;
	to = NULL;
	rc = 0;
out:
	if (rc < 0)
		unlink(from);
	if (dfd >= 0)
		close(dfd);
	free(to);
	return rc;
}

int cache_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return bbr_error("cannot open cache directory '%s': %s", dir, strerror(errno));
	r = flock(fd, LOCK_EX | LOCK_NB);
	if (r < 0 && errno == EWOULDBLOCK) {
		bbr_info("waiting for another bbroot using the cache '%s'", dir);
		while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
			;
	}
	if (r == 0)
		return fd;
	bbr_error("cannot lock cache directory '%s': %s", dir, strerror(errno));
	close(fd);
	return -1;
}

void cache_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
