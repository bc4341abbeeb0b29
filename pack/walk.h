/*
 * walk.h - `bbroot pack --from DIR`: stream an existing tree into a tar
 * sink in the model's order (depth first, names sorted bytewise in each
 * directory: GNU tar --sort=name) without building a model of it.
 *
 * Memory: the sorted names of the directories on the current path, a
 * fixed read buffer, and one (dev, inode) record per multiply-linked file
 * seen; never a whole file, never the whole tree.
 *
 * What is kept and what is normalised: owner (uid/gid from the options),
 * mtime (from the options) are normalised; mode bits, symlink text and
 * content are kept as found.  Symlinks are stored, never followed, whatever
 * they point at.  Files with several links inside the tree become one
 * regular member and hard links to it (the first in walk order).  Device
 * nodes, fifos and sockets are refused with a message.  The root directory
 * itself is not a member.
 */
#ifndef BBR_WALK_H
#define BBR_WALK_H

#include <sys/types.h>

#include "tarw.h"

struct walk_options {
	unsigned int uid, gid;
	long long mtime;
	/* A file or directory to leave out (the output being written inside
	 * the tree); skip_ino 0 means none. */
	dev_t skip_dev;
	ino_t skip_ino;
};

struct walk_stats {
	unsigned long long entries, files, bytes;
};

/*
 * Write every entry under `dir` to w.  0, or -1 with one message naming
 * the offending path (relative to the image root) and the cause.
 */
int walk_tree(const char *dir, const struct walk_options *o, struct tarw *w,
	      struct walk_stats *stats);

#endif
