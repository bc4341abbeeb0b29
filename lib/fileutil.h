/*
 * fileutil.h - safe file publication and small filesystem helpers.
 *
 * An atomic_file is written under a temporary name beside its target and
 * published with rename, so readers see either the old file or the whole
 * new one (git's lockfile.h, redis rdbSave):
 *
 *     struct atomic_file af;
 *     if (atomic_file_open(&af, "busybox.tar", 0666) < 0) return -1;
 *     ... write(af.fd, ...) ...
 *     if (atomic_file_commit(&af) < 0) return -1;   // aborts on failure
 *
 * atomic_file_abort() unlinks the temporary file and is safe twice, and
 * after a commit.  Temporary files still open when SIGINT/SIGTERM/SIGHUP
 * arrives are unlinked before the process dies (atomic_file_signals()).
 */
#ifndef BBR_FILEUTIL_H
#define BBR_FILEUTIL_H

#include <sys/types.h>

struct atomic_file {
	int dirfd;     /* directory of the target, O_DIRECTORY */
	int fd;        /* temp file open for writing, -1 when closed */
	char *path;    /* target path as given (for messages) */
	char *name;    /* target base name within dirfd */
	char *tmpname; /* temp base name within dirfd, NULL when gone */
	mode_t mode;   /* final mode (umask applied) */
	int slot;      /* index in the signal cleanup table, -1 none */
};

/*
 * Create a temp file beside `path` (O_EXCL, mode 0600 while written).
 * `mode` is the final mode before the umask is applied.  0 or -1 with a
 * message naming the path and cause.
 */
int atomic_file_open(struct atomic_file *af, const char *path, mode_t mode);
/* fsync, checked close, chmod, rename over the target, fsync the
 * directory.  On any failure the temp file is removed; 0 or -1. */
int atomic_file_commit(struct atomic_file *af);
/* Remove the temp file (if any) and free everything. Safe twice. */
void atomic_file_abort(struct atomic_file *af);

/* Install SIGINT/SIGTERM/SIGHUP handlers that unlink open temp files
 * and remove registered temp directories. */
void atomic_file_signals(void);

/*
 * Have the fatal-signal handler remove the temporary directory `path` (and
 * what it holds, at most 8 levels deep) if the process dies before
 * tempdir_unregister(slot).  For trees published by rename, such as an OCI
 * layout.  Returns a slot, or -1 when the table is full or the parent
 * cannot be opened (then nothing is removed on a signal; no message).
 */
int tempdir_register(const char *path);
/* Forget slot (from tempdir_register; -1 is ignored). */
void tempdir_unregister(int slot);

/* write() all of buf to fd, retrying on EINTR/short writes. 0 or -1 (errno
 * set, no message). */
int write_all(int fd, const void *buf, size_t len);

/* mkdir -p with `mode` for created directories; 0 or -1 with a message. */
int mkdir_p(const char *path, mode_t mode);

/* The process umask, read without changing it for long. */
mode_t current_umask(void);

#endif
