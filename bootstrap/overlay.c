/*
 * overlay.c - walk a user's overlay directory with openat/O_NOFOLLOW and
 * describe it in the rootfs model; see overlay.h for what is kept and
 * what is refused.  Names are sorted per directory so the first error
 * reported, like the model itself, never depends on readdir order.
 */
#include "overlay.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OVERLAY_MAX_DEPTH 128

struct inode_ref {
	dev_t dev;
	ino_t ino;
	char *path;  /* model path */
};

struct overlay_walk {
	struct rootfs *fs;
	const char *root;         /* the overlay directory as given */
	struct inode_ref *links;  /* regular files with st_nlink > 1 */
	size_t nr_links, alloc_links;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *special_kind(mode_t mode)
{
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a fifo";
	if (S_ISSOCK(mode))
		return "a socket";
	return "of an unknown type";
}

/* Whether the model holds entries below directory `dir`. */
static int dir_has_entries(struct rootfs *fs, const char *dir)
{
	size_t len = strlen(dir), i;

	for (i = 0; i < fs->nr; i++)
		if (!strncmp(fs->entries[i]->path, dir, len) && fs->entries[i]->path[len] == '/')
			return 1;
	return 0;
}

static int add_entry(struct overlay_walk *ow, struct rootfs_entry *e)
{
	struct rootfs_entry *old = rootfs_lookup(ow->fs, e->path);

	if (old && old->type == ROOTFS_DIR && e->type != ROOTFS_DIR &&
	    dir_has_entries(ow->fs, old->path))
		return bbr_error("cannot use overlay entry '%s/%s': the image has a directory "
				 "there with entries in it", ow->root, e->path);
	e->uid = ow->fs->uid;
	e->gid = ow->fs->gid;
	e->mtime = ow->fs->mtime;
	return rootfs_add(ow->fs, e, ROOTFS_DUP_REPLACE) < 0 ? -1 : 0;
}

static int walk(struct overlay_walk *ow, int fd, const char *rel, int depth);

static int add_name(struct overlay_walk *ow, int fd, const char *rel, const char *name,
		    int depth)
{
	char *path = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	char *host = xasprintf("%s/%s", ow->root, path);
	struct rootfs_entry e, *old;
	struct stat st;
	char *target = NULL;
	int rc = -1, sub = -1;

	memset(&e, 0, sizeof(e));
	e.path = path;
	if (!strncmp(name, ".wh.", 4)) {
		bbr_error("cannot use overlay file '%s': names starting '.wh.' are "
			  "whiteouts in image layers", host);
		goto out;
	}
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		bbr_error("cannot read overlay file '%s': %s", host, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth >= OVERLAY_MAX_DEPTH) {
			bbr_error("cannot read overlay directory '%s': deeper than %d levels",
				  host, OVERLAY_MAX_DEPTH);
			goto out;
		}
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			bbr_error("cannot read overlay directory '%s': %s", host, strerror(errno));
			goto out;
		}
		/* A directory the image already has keeps its mode (/tmp stays
		 * 1777); the overlay only adds what is inside. */
		old = rootfs_lookup(ow->fs, path);
		if (!old || old->type != ROOTFS_DIR) {
			e.type = ROOTFS_DIR;
			e.mode = st.st_mode & 07777;
			if (add_entry(ow, &e) < 0)
				goto out;
		}
		rc = walk(ow, sub, path, depth + 1);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		int f = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (f < 0) {
			bbr_error("cannot read overlay file '%s': %s", host, strerror(errno));
			goto out;
		}
		if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
			bbr_error("cannot read overlay file '%s': it changed while being read", host);
			close(f);
			goto out;
		}
		close(f);
		e.type = ROOTFS_FILE;
		e.mode = st.st_mode & 07777;
		e.content = ROOTFS_CONTENT_PATH;
		e.source_path = host;
		e.size = (unsigned long long)st.st_size;
		if (add_entry(ow, &e) < 0)
			goto out;
		if (st.st_nlink > 1) {
			xgrow((void **)&ow->links, &ow->alloc_links, ow->nr_links + 1,
			      sizeof(*ow->links));
			ow->links[ow->nr_links].dev = st.st_dev;
			ow->links[ow->nr_links].ino = st.st_ino;
			ow->links[ow->nr_links].path = path;
			ow->nr_links++;
			path = NULL;
		}
		rc = 0;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		size_t size = (size_t)st.st_size + 1;
		ssize_t n;

		if (size < 256)
			size = 256;
		for (;;) {
			target = xrealloc(target, size);
			n = readlinkat(fd, name, target, size);
			if (n < 0) {
				bbr_error("cannot read overlay symlink '%s': %s", host, strerror(errno));
				goto out;
			}
			if ((size_t)n < size)
				break;
			size *= 2;
		}
		target[n] = '\0';
		e.type = ROOTFS_SYMLINK;
		e.mode = 0777;
		e.target = target;
		rc = add_entry(ow, &e);
		goto out;
	}
	bbr_error("cannot use overlay file '%s': it is %s (images hold only files, "
		  "directories and links)", host, special_kind(st.st_mode));
out:
	if (sub >= 0)
		close(sub);
	free(path);
	free(host);
	free(target);
	return rc;
}

static int walk(struct overlay_walk *ow, int fd, const char *rel, int depth)
{
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	struct dirent *de;
	DIR *d;
	int dfd, rc = 0;

	/* fdopendir takes the fd; keep ours for openat. */
	dfd = dup(fd);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return bbr_error("cannot read overlay directory '%s/%s': %s", ow->root, rel,
				 strerror(errno));
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		xgrow((void **)&names, &alloc, nr + 1, sizeof(*names));
		names[nr++] = xstrdup(de->d_name);
	}
	if (errno) {
		rc = bbr_error("cannot read overlay directory '%s/%s': %s", ow->root, rel,
			       strerror(errno));
		goto out;
	}
	if (nr)
		qsort(names, nr, sizeof(*names), name_cmp);
	for (i = 0; i < nr && !rc; i++)
		rc = add_name(ow, fd, rel, names[i], depth);
out:
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_ref *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return rootfs_path_cmp(x->path, y->path);
}

/* Files sharing an inode: the first in model order keeps the data, the
 * others become hard links to it. */
static int link_groups(struct overlay_walk *ow)
{
	size_t i, first = 0;

	if (ow->nr_links)
		qsort(ow->links, ow->nr_links, sizeof(*ow->links), inode_cmp);
	for (i = 0; i < ow->nr_links; i++) {
		struct inode_ref *r = &ow->links[i];
		struct rootfs_entry e, *f;

		if (i == 0 || r->dev != ow->links[first].dev || r->ino != ow->links[first].ino) {
			first = i;
			continue;
		}
		f = rootfs_lookup(ow->fs, ow->links[first].path);
		memset(&e, 0, sizeof(e));
		e.path = r->path;
		e.type = ROOTFS_HARDLINK;
		e.mode = f ? f->mode : 0644;
		e.target = ow->links[first].path;
		if (add_entry(ow, &e) < 0)
			return -1;
	}
	return 0;
}

int overlay_add(struct rootfs *fs, const char *dir)
{
	struct overlay_walk ow;
	size_t i;
	int fd, rc = -1;

	memset(&ow, 0, sizeof(ow));
	ow.fs = fs;
	ow.root = dir;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bbr_error("cannot read overlay '%s': %s", dir, strerror(errno));
	if (walk(&ow, fd, "", 0) < 0 || link_groups(&ow) < 0)
		goto out;
	rc = 0;
out:
	close(fd);
	for (i = 0; i < ow.nr_links; i++)
		free(ow.links[i].path);
	free(ow.links);
	return rc;
}
