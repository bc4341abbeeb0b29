/*
 * dirwrite.h - write a rootfs model (lib/rootfs.h) into a directory on
 * the host, safely: the directory may have been prepared by someone else.
 *
 * The target is opened once; every later step is openat/mkdirat/
 * symlinkat/linkat/renameat relative to a directory fd obtained with
 * O_NOFOLLOW, so a symlink already inside the target is never followed
 * and nothing is written outside it.  Regular files and links are
 * written under a temporary name and renamed into place.
 *
 * Existing entries: a non-directory where the model has a non-directory
 * is replaced (this is what makes a second run leave the same tree).  A
 * directory where the model has a non-directory, or a non-directory (a
 * symlink included) where the model has a directory, is a conflict: all
 * conflicts are found before anything is written, and the write is
 * refused unless DIRWRITE_FORCE is given, which removes the conflicting
 * entry (a directory with its contents) first.  Entries in the target
 * that the model does not mention are left alone.
 *
 * The system's own root directory is refused unless DIRWRITE_FORCE.
 *
 * Durability: a file that replaces an older one is fsynced before the
 * rename and the directories after it, so a crash leaves the old or the
 * new file, never an empty one.  A fresh tree is not forced to disk (as
 * cp and tar do not): a crash before the kernel writes it back leaves an
 * incomplete tree that running the install again completes.
 *
 * Modes and mtimes come from the model (never from the umask or the
 * clock).  Owners too when running as root; otherwise files belong to
 * the caller and one warning says so.
 */
#ifndef BBR_DIRWRITE_H
#define BBR_DIRWRITE_H

#include <sys/types.h>

#include "../lib/rootfs.h"

#define DIRWRITE_FORCE 1   /* replace conflicting entries */
#define DIRWRITE_NO_SYNC 2 /* never fsync, not even replacements (tests) */

struct dirwrite_stats {
	unsigned long dirs, files, symlinks, hardlinks;
	unsigned long unchanged;  /* links and directories already right */
	unsigned long replaced;   /* conflicting entries removed (--force) */
};

/*
 * Write `fs` into `dir` (created with its parents, mode 0755, when
 * missing).  `fs` is sorted and validated here.  0 or -1 with one
 * message; on a refused conflict nothing has been written.
 */
int dirwrite_rootfs(struct rootfs *fs, const char *dir, unsigned int flags,
		    struct dirwrite_stats *stats);

/*
 * Open `path` (relative, canonical: no "..", no empty component) below
 * `dirfd` without following a symlink at any component.  `flags` as for
 * openat (O_NOFOLLOW and O_CLOEXEC are added).  Returns the fd, or -1
 * with errno set (ELOOP or ENOTDIR where a symlink was met) and no
 * message.
 */
int dirwrite_open_beneath(int dirfd, const char *path, int flags, mode_t mode);

/*
 * Read the regular file `path` below `dirfd` (as above) into a new
 * NUL-terminated buffer of at most `max` bytes.  0 or -1 with errno set
 * (EFBIG when larger, EINVAL when not a regular file), no message.
 */
int dirwrite_read_beneath(int dirfd, const char *path, size_t max,
			  unsigned char **data, size_t *size);

#endif
