/*
 * fileutil.c - publish files atomically (temp file, fsync, rename, fsync
 * the directory) and clean temp files up on failure or fatal signals, so
 * that no command ever leaves a half-written result at its target.
 */
#include "fileutil.h"
#include "diag.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PENDING 16

/* Temp files to unlink from a signal handler: dirfd + name. */
static volatile sig_atomic_t pending_used[MAX_PENDING];
static int pending_dirfd[MAX_PENDING];
static char pending_name[MAX_PENDING][256];

/* Temp directories to remove from a signal handler: parent fd + name. */
static volatile sig_atomic_t tempdir_used[MAX_PENDING];
static int tempdir_parent[MAX_PENDING];
static char tempdir_name[MAX_PENDING][256];

/*
 * Remove dirfd/name and everything below it using only system calls that
 * are safe in a signal handler (openat, getdents64, unlinkat, close).
 * Entries removed while reading may shift the directory stream, so each
 * directory is read again from the start until a pass removes nothing.
 */
static void remove_tree_signal_safe(int dirfd, const char *name, int depth)
{
	char buf[4096];
	int fd, removed;
	long n;

	if (unlinkat(dirfd, name, 0) == 0 || depth <= 0)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	do {
		removed = 0;
		lseek(fd, 0, SEEK_SET);
		while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
			long off = 0;

			while (off < n) {
				struct dirent64 *de = (struct dirent64 *)(buf + off);

				off += de->d_reclen;
				if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
					continue;
				if (de->d_type == DT_DIR)
					remove_tree_signal_safe(fd, de->d_name, depth - 1);
				else
					unlinkat(fd, de->d_name, 0);
				removed = 1;
			}
		}
	} while (removed);
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void on_fatal_signal(int sig)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending_used[i])
			unlinkat(pending_dirfd[i], pending_name[i], 0);
	for (i = 0; i < MAX_PENDING; i++)
		if (tempdir_used[i])
			remove_tree_signal_safe(tempdir_parent[i], tempdir_name[i], 8);
	signal(sig, SIG_DFL);
	raise(sig);
}

int tempdir_register(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *parent;
	int i, fd;

	if (!*base || strlen(base) >= sizeof(tempdir_name[0]))
		return -1;
	for (i = 0; i < MAX_PENDING; i++)
		if (!tempdir_used[i])
			break;
	if (i == MAX_PENDING)
		return -1;
	parent = !slash ? xstrdup(".") : slash == path ? xstrdup("/")
		: xstrndup(path, (size_t)(slash - path));
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(parent);
	if (fd < 0)
		return -1;
	tempdir_parent[i] = fd;
	memcpy(tempdir_name[i], base, strlen(base) + 1);
	tempdir_used[i] = 1;
	return i;
}

void tempdir_unregister(int slot)
{
	if (slot < 0 || slot >= MAX_PENDING || !tempdir_used[slot])
		return;
	tempdir_used[slot] = 0;
	close(tempdir_parent[slot]);
}

void atomic_file_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int pending_add(int dirfd, const char *name)
{
	int i;

	if (strlen(name) >= sizeof(pending_name[0]))
		return -1;
	for (i = 0; i < MAX_PENDING; i++) {
		if (!pending_used[i]) {
			pending_dirfd[i] = dirfd;
			memcpy(pending_name[i], name, strlen(name) + 1);
			pending_used[i] = 1;
			return i;
		}
	}
	return -1;
}

static void pending_drop(int slot)
{
	if (slot >= 0)
		pending_used[slot] = 0;
}

mode_t current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

static void split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
	} else if (slash == path) {
		*dir = xstrdup("/");
		*base = xstrdup(slash + 1);
	} else {
		*dir = xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
}

int atomic_file_open(struct atomic_file *af, const char *path, mode_t mode)
{
	char *dir = NULL;
	int tries;

	af->dirfd = -1;
	af->fd = -1;
	af->path = xstrdup(path);
	af->name = NULL;
	af->tmpname = NULL;
	af->slot = -1;
	af->mode = mode & ~current_umask();

	split_path(path, &dir, &af->name);
	if (!*af->name) {
		bbr_error("cannot write '%s': is a directory name", path);
		goto fail;
	}
	af->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (af->dirfd < 0) {
		bbr_error("cannot open directory '%s': %s", dir, strerror(errno));
		goto fail;
	}
	for (tries = 0; tries < 100; tries++) {
		unsigned int r = 0;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned int)getpid() * 2654435761u + (unsigned int)tries;
		free(af->tmpname);
		af->tmpname = xasprintf(".%s.%08x.tmp", af->name, r);
		af->fd = openat(af->dirfd, af->tmpname,
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (af->fd >= 0)
			break;
		if (errno != EEXIST) {
			bbr_error("cannot create '%s': %s", path, strerror(errno));
			free(af->tmpname);
			af->tmpname = NULL;
			goto fail;
		}
	}
	if (af->fd < 0) {
		bbr_error("cannot create '%s': no free temporary name", path);
		free(af->tmpname);
		af->tmpname = NULL;
		goto fail;
	}
	af->slot = pending_add(af->dirfd, af->tmpname);
	free(dir);
	return 0;
fail:
	free(dir);
	atomic_file_abort(af);
	return -1;
}

int atomic_file_commit(struct atomic_file *af)
{
	int fd = af->fd;

	af->fd = -1;
	if (fsync(fd) < 0 && errno != EINVAL) {
		bbr_error("cannot write '%s': %s", af->path, strerror(errno));
		close(fd);
		goto fail;
	}
	if (fchmod(fd, af->mode) < 0) {
		bbr_error("cannot set mode of '%s': %s", af->path, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		bbr_error("cannot write '%s': %s", af->path, strerror(errno));
		goto fail;
	}
	if (renameat(af->dirfd, af->tmpname, af->dirfd, af->name) < 0) {
		bbr_error("cannot create '%s': %s", af->path, strerror(errno));
		goto fail;
	}
	pending_drop(af->slot);
	af->slot = -1;
	free(af->tmpname);
	af->tmpname = NULL;
	if (fsync(af->dirfd) < 0 && errno != EINVAL) {
		bbr_error("cannot sync directory of '%s': %s", af->path, strerror(errno));
		goto fail;
	}
	atomic_file_abort(af);
	return 0;
fail:
	atomic_file_abort(af);
	return -1;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmpname && af->dirfd >= 0)
		unlinkat(af->dirfd, af->tmpname, 0);
	pending_drop(af->slot);
	af->slot = -1;
	if (af->dirfd >= 0)
		close(af->dirfd);
	af->dirfd = -1;
	free(af->tmpname);
	af->tmpname = NULL;
	free(af->name);
	af->name = NULL;
	free(af->path);
	af->path = NULL;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	char *copy = xstrdup(path);
	char *p = copy;
	struct stat st;
	int rc = -1;

	while (*p == '/')
		p++;
	for (;;) {
		char *slash = strchr(p, '/');

		if (slash)
			*slash = '\0';
		if (*copy && mkdir(copy, mode) < 0 && errno != EEXIST) {
			bbr_error("cannot create directory '%s': %s", copy, strerror(errno));
			goto out;
		}
		if (!slash)
			break;
		*slash = '/';
		p = slash + 1;
	}
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		bbr_error("cannot create directory '%s': %s", path,
			  errno ? strerror(errno) : "not a directory");
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}
