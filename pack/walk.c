/*
 * walk.c - the streaming directory walker behind `pack --from DIR`.
 *
 * Each directory is opened relative to its parent with O_NOFOLLOW, its
 * names are read, sorted with strcmp and visited depth first; every entry
 * is examined with fstatat(AT_SYMLINK_NOFOLLOW) and regular files are
 * re-checked with fstat on the descriptor actually read, so a file swapped
 * for a symlink between the two calls is never followed.
 */
#include "walk.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* (dev, inode) -> first member name, for files with st_nlink > 1. */
struct inode_link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct walk {
	const struct walk_options *o;
	struct tarw *w;
	struct walk_stats *stats;
	struct strbuf path;       /* member name of the current entry */
	struct inode_link *links; /* open addressing */
	size_t nr_links, links_size;
};

static size_t link_slot(struct walk *k, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)ino * 0xff51afd7ed558ccdull);
	size_t i = (size_t)(h ^ (h >> 29)) & (k->links_size - 1);

	while (k->links[i].path && !(k->links[i].dev == dev && k->links[i].ino == ino))
		i = (i + 1) & (k->links_size - 1);
	return i;
}

/* The first name of (dev, ino) if seen before; else remember path, NULL. */
static const char *link_seen(struct walk *k, dev_t dev, ino_t ino, const char *path)
{
	size_t i;

	if ((k->nr_links + 1) * 2 > k->links_size) {
		struct inode_link *old = k->links;
		size_t old_size = k->links_size, j;

		k->links_size = old_size ? old_size * 2 : 64;
		k->links = xcalloc(k->links_size, sizeof(*k->links));
		for (j = 0; j < old_size; j++)
			if (old[j].path)
				k->links[link_slot(k, old[j].dev, old[j].ino)] = old[j];
		free(old);
	}
	i = link_slot(k, dev, ino);
	if (k->links[i].path)
		return k->links[i].path;
	k->links[i].dev = dev;
	k->links[i].ino = ino;
	k->links[i].path = xstrdup(path);
	k->nr_links++;
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *special_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a fifo";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "of an unknown type";
}

static int walk_dir(struct walk *k, int dirfd, const char *host_dir);

static int walk_entry(struct walk *k, int dirfd, const char *name, const char *host_dir)
{
	struct rootfs_entry e;
	struct stat st, st2;
	char *target = NULL, *host = NULL;
	const char *first;
	int fd = -1, rc = -1;

	memset(&e, 0, sizeof(e));
	e.path = k->path.buf;
	e.uid = k->o->uid;
	e.gid = k->o->gid;
	e.mtime = k->o->mtime;
	host = xasprintf("%s/%s", host_dir, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		bbr_error("cannot stat '%s': %s", host, strerror(errno));
		goto out;
	}
	if (k->o->skip_ino && st.st_dev == k->o->skip_dev && st.st_ino == k->o->skip_ino) {
		rc = 0;
		goto out;
	}
	e.mode = st.st_mode & 07777;
	if (S_ISDIR(st.st_mode)) {
		e.type = ROOTFS_DIR;
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			bbr_error("cannot open directory '%s': %s", host, strerror(errno));
			goto out;
		}
		if (tarw_add_header(k->w, &e) < 0)
			goto out;
		k->stats->entries++;
		rc = walk_dir(k, fd, host);
		fd = -1; /* walk_dir closed it */
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		size_t size = st.st_size > 0 ? (size_t)st.st_size + 1 : PATH_MAX;
		ssize_t n;

		target = xmalloc(size);
		n = readlinkat(dirfd, name, target, size);
		if (n < 0) {
			bbr_error("cannot read symlink '%s': %s", host, strerror(errno));
			goto out;
		}
		if ((size_t)n >= size) {
			bbr_error("cannot read symlink '%s': it changed while being read", host);
			goto out;
		}
		target[n] = '\0';
		if (!n) {
			bbr_error("cannot pack symlink '%s': empty target", host);
			goto out;
		}
		e.type = ROOTFS_SYMLINK;
		e.mode = 0777;
		e.target = target;
		rc = tarw_add_header(k->w, &e);
		k->stats->entries++;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		bbr_error("cannot pack '%s': it is %s (only directories, regular files and symlinks are packed)",
			  host, special_kind(st.st_mode));
		goto out;
	}
	if (st.st_nlink > 1 && (first = link_seen(k, st.st_dev, st.st_ino, k->path.buf))) {
		e.type = ROOTFS_HARDLINK;
		e.target = (char *)first;
		rc = tarw_add_header(k->w, &e);
		k->stats->entries++;
		goto out;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		bbr_error("cannot open '%s': %s", host, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st2) < 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino ||
	    st2.st_dev != st.st_dev) {
		bbr_error("cannot pack '%s': it changed while being read", host);
		goto out;
	}
	e.type = ROOTFS_FILE;
	e.size = (unsigned long long)st2.st_size;
	if (tarw_add_header(k->w, &e) < 0 || tarw_add_fd(k->w, fd, e.size, host) < 0)
		goto out;
	k->stats->entries++;
	k->stats->files++;
	k->stats->bytes += e.size;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(target);
	free(host);
	return rc;
}

/* Visit the entries of the open directory dirfd (closed here). */
static int walk_dir(struct walk *k, int dirfd, const char *host_dir)
{
	DIR *d = fdopendir(dirfd);
	char **names = NULL;
	size_t nr = 0, alloc = 0, i, base = k->path.len;
	struct dirent *de;
	int rc = -1;

	if (!d) {
		bbr_error("cannot read directory '%s': %s", host_dir, strerror(errno));
		close(dirfd);
		return -1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		xgrow((void **)&names, &alloc, nr + 1, sizeof(*names));
		names[nr++] = xstrdup(de->d_name);
	}
	if (errno) {
		bbr_error("cannot read directory '%s': %s", host_dir, strerror(errno));
		goto out;
	}
	if (nr)
		qsort(names, nr, sizeof(*names), name_cmp);
	for (i = 0; i < nr; i++) {
		k->path.len = base;
		k->path.buf[base] = '\0';
		if (base)
			strbuf_addch(&k->path, '/');
		strbuf_adds(&k->path, names[i]);
		if (walk_entry(k, dirfd, names[i], host_dir) < 0)
			goto out;
	}
	rc = 0;
out:
	k->path.len = base;
	k->path.buf[base] = '\0';
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int walk_tree(const char *dir, const struct walk_options *o, struct tarw *w,
	      struct walk_stats *stats)
{
	struct walk k;
	size_t i;
	int fd, rc;

	memset(&k, 0, sizeof(k));
	memset(stats, 0, sizeof(*stats));
	k.o = o;
	k.w = w;
	k.stats = stats;
	strbuf_init(&k.path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bbr_error("cannot open directory '%s': %s", dir, strerror(errno));
	rc = walk_dir(&k, fd, dir);
	for (i = 0; i < k.links_size; i++)
		free(k.links[i].path);
	free(k.links);
	strbuf_release(&k.path);
	return rc;
}
