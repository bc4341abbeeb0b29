/*
 * dirwrite.c - the directory sink of the rootfs model (`bbroot install`).
 *
 * Four passes over the sorted model, all relative to directory fds opened
 * with O_NOFOLLOW from the one fd of the target:
 *   1. check: find every conflict (directory vs non-directory) without
 *      writing anything, and refuse unless --force;
 *   2. write directories, regular files and symlinks in model order, each
 *      file or link under a temporary name renamed into place;
 *   3. hard links, now that their targets exist (bin/ash sorts before
 *      bin/busybox);
 *   4. directory owners, modes and times, last, because writing inside a
 *      directory changes its mtime.
 * A stack of open directory fds follows the depth-first order, so no path
 * is resolved twice in pass 1 and 2.
 */
#include "dirwrite.h"
#include "../lib/diag.h"
#include "../lib/fileutil.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dirwrite_open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	char *copy = xstrdup(path);
	char *p = copy, *slash;
	int fd = dirfd, next, saved;

	while ((slash = strchr(p, '/'))) {
		*slash = '\0';
		next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		if (fd != dirfd)
			close(fd);
		if (next < 0) {
			free(copy);
			errno = saved;
			return -1;
		}
		fd = next;
		p = slash + 1;
	}
	next = openat(fd, p, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	saved = errno;
	if (fd != dirfd)
		close(fd);
	free(copy);
	errno = saved;
	return next;
}

int dirwrite_read_beneath(int dirfd, const char *path, size_t max,
			  unsigned char **data, size_t *size)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t len = 0;
	int fd, saved = 0;

	*data = NULL;
	*size = 0;
	fd = dirwrite_open_beneath(dirfd, path, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		saved = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		saved = EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		saved = EFBIG;
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*data = buf;
	*size = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	errno = saved;
	return saved ? -1 : 0;
}

struct level {
	const char *path; /* model path of the directory ("" for the root) */
	size_t len;
	int fd;
};

struct writer {
	const char *dir;         /* the target as given, for messages */
	int rootfd;
	unsigned int flags;
	int as_root;
	unsigned long tmp_counter;
	long pid;                /* for temporary names */
	sigset_t saved_mask;     /* while a temporary name exists */
	int replaced_files;      /* a file was renamed over an older one */
	struct dirwrite_stats *stats;
	struct level *stack;
	size_t depth, alloc;
	char *path_buf;          /* messages: dir + "/" + entry path */
};

static const char *host_path(struct writer *w, const char *path)
{
	free(w->path_buf);
	w->path_buf = xasprintf("%s/%s", w->dir, path);
	return w->path_buf;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static size_t parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

static void stack_reset(struct writer *w)
{
	while (w->depth > 1)
		close(w->stack[--w->depth].fd);
}

static void stack_push(struct writer *w, const char *path, int fd)
{
	xgrow((void **)&w->stack, &w->alloc, w->depth + 1, sizeof(*w->stack));
	w->stack[w->depth].path = path;
	w->stack[w->depth].len = strlen(path);
	w->stack[w->depth].fd = fd;
	w->depth++;
}

/* The fd of the parent directory of `path`, popping finished directories;
 * -1 when the parent is not open (it does not exist on disk). */
static int stack_parent(struct writer *w, const char *path)
{
	size_t len = parent_len(path);
	struct level *top;

	while (w->depth > 1) {
		top = &w->stack[w->depth - 1];
		if (top->len == len && !memcmp(top->path, path, len))
			break;
		close(top->fd);
		w->depth--;
	}
	top = &w->stack[w->depth - 1];
	if (top->len != len || memcmp(top->path, path, len))
		return -1;
	return top->fd;
}

static const char *type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISREG(mode))
		return "a file";
	return "a special file";
}

/* Pass 1: count conflicts, describe the first; no writes. */
static int check_conflicts(struct writer *w, struct rootfs *fs)
{
	unsigned long conflicts = 0;
	char *first = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < fs->nr; i++) {
		struct rootfs_entry *e = fs->entries[i];
		const char *name = base_name(e->path);
		int pfd = stack_parent(w, e->path), want_dir = e->type == ROOTFS_DIR;
		struct stat st;

		if (pfd < 0)
			continue;
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			rc = bbr_error("cannot inspect '%s': %s", host_path(w, e->path),
				       strerror(errno));
			goto out;
		}
		if (want_dir && S_ISDIR(st.st_mode)) {
			int fd = openat(pfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd < 0) {
				rc = bbr_error("cannot open directory '%s': %s",
					       host_path(w, e->path), strerror(errno));
				goto out;
			}
			stack_push(w, e->path, fd);
			continue;
		}
		if (want_dir == !!S_ISDIR(st.st_mode))
			continue;
		if (!conflicts++)
			first = xasprintf("'%s' is %s where the image has %s", e->path,
					  type_name(st.st_mode),
					  want_dir ? "a directory" : "a file or link");
	}
	if (!conflicts)
		goto out;
	if (w->flags & DIRWRITE_FORCE) {
		bbr_info("replacing %lu conflicting entr%s in '%s' (--force)", conflicts,
			 conflicts == 1 ? "y" : "ies", w->dir);
		goto out;
	}
	if (conflicts == 1)
		rc = bbr_error("cannot install into '%s': %s (--force replaces it)", w->dir, first);
	else
		rc = bbr_error("cannot install into '%s': %s, and %lu more conflicts "
			       "(--force replaces them)", w->dir, first, conflicts - 1);
out:
	free(first);
	stack_reset(w);
	return rc;
}

/* Remove `name` below dirfd: a non-directory, or a directory and all it
 * holds.  Never follows a symlink.  0 or -1 with errno. */
static int remove_tree(int pfd, const char *name)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	int fd, rc = -1, saved = 0;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(pfd, name, 0);
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		xgrow((void **)&names, &alloc, nr + 1, sizeof(*names));
		names[nr++] = xstrdup(de->d_name);
	}
	for (i = 0; i < nr; i++)
		if (remove_tree(dirfd(d), names[i]) < 0) {
			saved = errno;
			goto out;
		}
	if (unlinkat(pfd, name, AT_REMOVEDIR) < 0) {
		saved = errno;
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	closedir(d);
	errno = saved;
	return rc;
}

/*
 * While a temporary name exists in the target, SIGINT, SIGTERM and SIGHUP
 * wait: delivered after the rename (or the unlink on failure), they never
 * leave a .bbroot-tmp.* file behind.  A window is one file or link.
 */
static void hold_signals(struct writer *w)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &w->saved_mask);
}

static void release_signals(struct writer *w)
{
	sigprocmask(SIG_SETMASK, &w->saved_mask, NULL);
}

/* A fresh temporary name in w (valid until the next call). */
static char *tmp_name(struct writer *w)
{
	if (!w->pid)
		w->pid = (long)getpid();
	return xasprintf(".bbroot-tmp.%ld.%lu", w->pid, ++w->tmp_counter);
}

/* An existing directory where a non-directory goes: remove it with
 * --force (the check pass already refused otherwise; this is a race). */
static int clear_dir_for(struct writer *w, int pfd, const char *name, const char *path)
{
	struct stat st;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (!(w->flags & DIRWRITE_FORCE))
		return bbr_error("cannot install into '%s': '%s' is a directory where the "
				 "image has a file or link (--force replaces it)", w->dir, path);
	if (remove_tree(pfd, name) < 0)
		return bbr_error("cannot remove '%s': %s", host_path(w, path), strerror(errno));
	w->stats->replaced++;
	return 0;
}

static int make_dir(struct writer *w, int pfd, struct rootfs_entry *e)
{
	const char *name = base_name(e->path);
	struct stat st;
	int fd;

	if (mkdirat(pfd, name, 0700) == 0) {
		w->stats->dirs++;
	} else if (errno != EEXIST) {
		return bbr_error("cannot create directory '%s': %s", host_path(w, e->path),
				 strerror(errno));
	} else if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
		if (!(w->flags & DIRWRITE_FORCE))
			return bbr_error("cannot install into '%s': '%s' is %s where the image "
					 "has a directory (--force replaces it)", w->dir, e->path,
					 type_name(st.st_mode));
		if (unlinkat(pfd, name, 0) < 0 || mkdirat(pfd, name, 0700) < 0)
			return bbr_error("cannot replace '%s' with a directory: %s",
					 host_path(w, e->path), strerror(errno));
		w->stats->replaced++;
		w->stats->dirs++;
	} else {
		w->stats->unchanged++;
	}
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bbr_error("cannot open directory '%s': %s", host_path(w, e->path),
				 strerror(errno));
	stack_push(w, e->path, fd);
	return 0;
}

/* Copy the host file named by the entry into fd. */
static int copy_source(struct writer *w, struct rootfs_entry *e, int fd)
{
	struct stat st;
	unsigned long long left;
	char buf[1 << 16];
	int src, rc = -1, use_read = 0;

	src = open(e->source_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (src < 0)
		return bbr_error("cannot read '%s': %s", e->source_path, strerror(errno));
	if (fstat(src, &st) < 0) {
		bbr_error("cannot read '%s': %s", e->source_path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size != e->size) {
		bbr_error("cannot read '%s': it changed since the image was described",
			  e->source_path);
		goto out;
	}
	left = e->size;
	while (left) {
		ssize_t n;

		if (!use_read) {
			n = copy_file_range(src, NULL, fd, NULL,
					    left > (1u << 30) ? (1u << 30) : (size_t)left, 0);
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
				      errno == EOPNOTSUPP)) {
				use_read = 1;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				bbr_error("cannot write '%s': %s", host_path(w, e->path),
					  strerror(errno));
				goto out;
			}
		} else {
			n = read(src, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				bbr_error("cannot read '%s': %s", e->source_path, strerror(errno));
				goto out;
			}
			if (n > 0 && write_all(fd, buf, (size_t)n) < 0) {
				bbr_error("cannot write '%s': %s", host_path(w, e->path),
					  strerror(errno));
				goto out;
			}
		}
		if (n == 0) {
			bbr_error("cannot read '%s': it shrank while being copied", e->source_path);
			goto out;
		}
		left -= (unsigned long long)n;
	}
	rc = 0;
out:
	close(src);
	return rc;
}

static void entry_times(const struct rootfs_entry *e, struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)e->mtime;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
}

/* Read up to len bytes; the count read (short only at the end), -1 on error. */
static ssize_t read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Whether the regular file `name` already is exactly the entry: type,
 * size, mode, owner (as root), mtime and bytes.  Then a second run leaves
 * it alone, inode and hard links included.  Any doubt answers no. */
static int file_is_current(struct writer *w, int pfd, const char *name,
			   const struct rootfs_entry *e)
{
	static unsigned char a[1 << 16], b[1 << 16];
	unsigned long long off = 0;
	struct stat st;
	int fd, src = -1, same = 0;

	fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size != e->size || (st.st_mode & 07777) != e->mode ||
	    (w->as_root && (st.st_uid != e->uid || st.st_gid != e->gid)) ||
	    st.st_mtim.tv_sec != (time_t)e->mtime || st.st_mtim.tv_nsec != 0)
		goto out;
	if (e->content == ROOTFS_CONTENT_PATH) {
		src = open(e->source_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (src < 0)
			goto out;
	}
	while (off < e->size) {
		size_t want = e->size - off < sizeof(a) ? (size_t)(e->size - off) : sizeof(a);
		const unsigned char *ref = b;

		if (read_full(fd, a, want) != (ssize_t)want)
			goto out;
		if (src >= 0) {
			if (read_full(src, b, want) != (ssize_t)want)
				goto out;
		} else {
			ref = (const unsigned char *)e->data + off;
		}
		if (memcmp(a, ref, want))
			goto out;
		off += want;
	}
	same = 1;
out:
	if (src >= 0)
		close(src);
	close(fd);
	return same;
}

static int write_file(struct writer *w, int pfd, struct rootfs_entry *e)
{
	const char *name = base_name(e->path);
	struct timespec ts[2];
	char *tmp = NULL;
	int fd = -1, rc = -1;

	struct stat old;
	int replacing;

	if (file_is_current(w, pfd, name, e)) {
		w->stats->unchanged++;
		return 0;
	}
	if (clear_dir_for(w, pfd, name, e->path) < 0)
		return -1;
	replacing = fstatat(pfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode);
	hold_signals(w);
	for (;;) {
		free(tmp);
		tmp = tmp_name(w);
		fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		bbr_error("cannot create '%s': %s", host_path(w, e->path), strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (e->content == ROOTFS_CONTENT_PATH) {
		if (copy_source(w, e, fd) < 0)
			goto out;
	} else if (e->size && write_all(fd, e->data, (size_t)e->size) < 0) {
		bbr_error("cannot write '%s': %s", host_path(w, e->path), strerror(errno));
		goto out;
	}
	entry_times(e, ts);
	if ((w->as_root && fchown(fd, e->uid, e->gid) < 0) ||
	    fchmod(fd, e->mode) < 0 || futimens(fd, ts) < 0 ||
	    (replacing && !(w->flags & DIRWRITE_NO_SYNC) && fsync(fd) < 0)) {
		bbr_error("cannot write '%s': %s", host_path(w, e->path), strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		bbr_error("cannot write '%s': %s", host_path(w, e->path), strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(pfd, tmp, pfd, name) < 0) {
		bbr_error("cannot write '%s': %s", host_path(w, e->path), strerror(errno));
		goto out;
	}
	w->stats->files++;
	w->replaced_files |= replacing;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlinkat(pfd, tmp, 0);
	release_signals(w);
	free(tmp);
	return rc;
}

static int same_symlink(int pfd, const char *name, const char *target)
{
	size_t len = strlen(target);
	char *buf = xmalloc(len + 2);
	ssize_t n = readlinkat(pfd, name, buf, len + 1);
	int same = n >= 0 && (size_t)n == len && !memcmp(buf, target, len);

	free(buf);
	return same;
}

static int set_link_attrs(struct writer *w, int pfd, const char *name,
			  const struct rootfs_entry *e)
{
	struct timespec ts[2];

	entry_times(e, ts);
	if (w->as_root && fchownat(pfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int make_symlink(struct writer *w, int pfd, struct rootfs_entry *e)
{
	const char *name = base_name(e->path);
	struct stat st;
	char *tmp = NULL;
	int rc = -1;

	/* The common case, a fresh tree: nothing to replace atomically. */
	if (symlinkat(e->target, pfd, name) == 0) {
		if (set_link_attrs(w, pfd, name, e) < 0)
			return bbr_error("cannot create symbolic link '%s': %s",
					 host_path(w, e->path), strerror(errno));
		w->stats->symlinks++;
		return 0;
	}
	if (errno != EEXIST)
		return bbr_error("cannot create symbolic link '%s': %s", host_path(w, e->path),
				 strerror(errno));
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
	    same_symlink(pfd, name, e->target) &&
	    (!w->as_root || (st.st_uid == e->uid && st.st_gid == e->gid)) &&
	    st.st_mtim.tv_sec == (time_t)e->mtime && st.st_mtim.tv_nsec == 0) {
		w->stats->unchanged++;
		return 0;
	}
	if (clear_dir_for(w, pfd, name, e->path) < 0)
		return -1;
	hold_signals(w);
	for (;;) {
		free(tmp);
		tmp = tmp_name(w);
		if (symlinkat(e->target, pfd, tmp) == 0)
			break;
		if (errno != EEXIST) {
			bbr_error("cannot create symbolic link '%s': %s", host_path(w, e->path),
				  strerror(errno));
			free(tmp);
			tmp = NULL;
			goto out;
		}
	}
	if (set_link_attrs(w, pfd, tmp, e) < 0 || renameat(pfd, tmp, pfd, name) < 0) {
		bbr_error("cannot create symbolic link '%s': %s", host_path(w, e->path),
			  strerror(errno));
		goto out;
	}
	w->stats->symlinks++;
	rc = 0;
out:
	if (rc < 0 && tmp)
		unlinkat(pfd, tmp, 0);
	release_signals(w);
	free(tmp);
	return rc;
}

/* Pass 2: directories, files, symlinks in model order. */
static int write_tree(struct writer *w, struct rootfs *fs)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < fs->nr && !rc; i++) {
		struct rootfs_entry *e = fs->entries[i];
		int pfd;

		if (e->type == ROOTFS_HARDLINK)
			continue;
		pfd = stack_parent(w, e->path);
		if (pfd < 0) {
			rc = bbr_error("cannot write '%s': its directory was not created",
				       host_path(w, e->path));
			break;
		}
		switch (e->type) {
		case ROOTFS_DIR:
			rc = make_dir(w, pfd, e);
			break;
		case ROOTFS_FILE:
			rc = write_file(w, pfd, e);
			break;
		case ROOTFS_SYMLINK:
			rc = make_symlink(w, pfd, e);
			break;
		case ROOTFS_HARDLINK:
			break;
		}
	}
	stack_reset(w);
	return rc;
}

/* An fd for directory `path` (its first `len` bytes) below the root,
 * cached in cache_path and cache_fd for runs of entries in one directory. */
static int cached_dir(struct writer *w, const char *path, size_t len,
		      char **cache_path, int *cache_fd)
{
	char *dir;

	if (*cache_path && strlen(*cache_path) == len && !memcmp(*cache_path, path, len))
		return *cache_fd;
	if (*cache_fd >= 0 && *cache_fd != w->rootfd)
		close(*cache_fd);
	free(*cache_path);
	*cache_path = xstrndup(path, len);
	*cache_fd = len ? dirwrite_open_beneath(w->rootfd, *cache_path, O_PATH | O_DIRECTORY, 0)
			: w->rootfd;
	if (*cache_fd < 0) {
		dir = *cache_path;
		*cache_path = NULL;
		bbr_error("cannot open directory '%s': %s", host_path(w, dir), strerror(errno));
		free(dir);
	}
	return *cache_fd;
}

/* Pass 3: hard links to files written in pass 2. */
static int write_hardlinks(struct writer *w, struct rootfs *fs)
{
	char *lpath = NULL, *tpath = NULL, *tmp = NULL;
	int lfd = -1, tfd = -1, rc = 0;
	size_t i;

	for (i = 0; i < fs->nr && !rc; i++) {
		struct rootfs_entry *e = fs->entries[i];
		const char *name, *tname;
		struct stat st, tst;
		int pfd, tdir, linked;

		if (e->type != ROOTFS_HARDLINK)
			continue;
		name = base_name(e->path);
		tname = base_name(e->target);
		rc = -1;
		pfd = cached_dir(w, e->path, parent_len(e->path), &lpath, &lfd);
		if (pfd < 0)
			break;
		tdir = cached_dir(w, e->target, parent_len(e->target), &tpath, &tfd);
		if (tdir < 0)
			break;
		if (fstatat(tdir, tname, &tst, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(tst.st_mode)) {
			bbr_error("cannot link '%s' to '%s': the target is not a written file",
				  host_path(w, e->path), e->target);
			break;
		}
		/* A fresh tree: link in place, nothing to replace. */
		if (linkat(tdir, tname, pfd, name, 0) == 0) {
			w->stats->hardlinks++;
			rc = 0;
			continue;
		}
		if (errno != EEXIST) {
			bbr_error("cannot link '%s' to '%s': %s", host_path(w, e->path), e->target,
				  strerror(errno));
			break;
		}
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_dev == tst.st_dev && st.st_ino == tst.st_ino) {
			w->stats->unchanged++;
			rc = 0;
			continue;
		}
		if (clear_dir_for(w, pfd, name, e->path) < 0)
			break;
		hold_signals(w);
		for (;;) {
			free(tmp);
			tmp = tmp_name(w);
			linked = linkat(tdir, tname, pfd, tmp, 0);
			if (linked == 0 || errno != EEXIST)
				break;
		}
		if (linked < 0 || renameat(pfd, tmp, pfd, name) < 0) {
			bbr_error("cannot link '%s' to '%s': %s", host_path(w, e->path), e->target,
				  strerror(errno));
			if (linked == 0)
				unlinkat(pfd, tmp, 0);
			release_signals(w);
			break;
		}
		release_signals(w);
		w->stats->hardlinks++;
		rc = 0;
	}
	if (lfd >= 0 && lfd != w->rootfd)
		close(lfd);
	if (tfd >= 0 && tfd != w->rootfd)
		close(tfd);
	free(lpath);
	free(tpath);
	free(tmp);
	return rc;
}

/* Pass 4: directory owners, modes and times, deepest first; the renames
 * over older files made durable. */
static int finish_dirs(struct writer *w, struct rootfs *fs)
{
	int sync = w->replaced_files && !(w->flags & DIRWRITE_NO_SYNC);
	struct timespec ts[2];
	size_t i = fs->nr;

	while (i--) {
		struct rootfs_entry *e = fs->entries[i];
		int fd, bad;

		if (e->type != ROOTFS_DIR)
			continue;
		fd = dirwrite_open_beneath(w->rootfd, e->path, O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0)
			return bbr_error("cannot open directory '%s': %s", host_path(w, e->path),
					 strerror(errno));
		entry_times(e, ts);
		bad = (w->as_root && fchown(fd, e->uid, e->gid) < 0) ||
		      fchmod(fd, e->mode) < 0 || futimens(fd, ts) < 0 ||
		      (sync && fsync(fd) < 0);
		if (bad) {
			bbr_error("cannot set owner, mode or time of '%s': %s",
				  host_path(w, e->path), strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	if (sync && fsync(w->rootfd) < 0)
		return bbr_error("cannot sync '%s': %s", w->dir, strerror(errno));
	return 0;
}

static int open_target(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		if (mkdir_p(dir, 0755) < 0)
			return -1;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		bbr_error("cannot install into '%s': %s", dir, strerror(errno));
	return fd;
}

/* Whether fd is the directory "/" of this process. */
static int is_system_root(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int dirwrite_rootfs(struct rootfs *fs, const char *dir, unsigned int flags,
		    struct dirwrite_stats *stats)
{
	struct dirwrite_stats local;
	struct writer w;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	w.dir = dir;
	w.flags = flags;
	w.stats = stats;
	w.as_root = geteuid() == 0;
	w.rootfd = -1;

	rootfs_sort(fs);
	if (rootfs_validate(fs) < 0)
		goto out;
	w.rootfd = open_target(dir);
	if (w.rootfd < 0)
		goto out;
	if (!(flags & DIRWRITE_FORCE) && is_system_root(w.rootfd)) {
		bbr_error("cannot install into '%s': it is this system's root directory "
			  "(--force if you mean it)", dir);
		goto out;
	}
	stack_push(&w, "", w.rootfd);
	if (check_conflicts(&w, fs) < 0)
		goto out;
	if (!w.as_root)
		bbr_warn("not running as root: the files in '%s' belong to uid %ld, not to the "
			 "owners in the image ('bbroot pack' records those without root)",
			 dir, (long)geteuid());
	if (write_tree(&w, fs) < 0 || write_hardlinks(&w, fs) < 0 || finish_dirs(&w, fs) < 0)
		goto out;
	rc = 0;
out:
	stack_reset(&w);
	if (w.rootfd >= 0)
		close(w.rootfd);
	free(w.stack);
	free(w.path_buf);
	return rc;
}
