/*
 * overlay.h - a user's directory tree added on top of the rootfs model
 * (`--overlay DIR`, repeatable, later overlays win).
 *
 * Kept: directories and regular files with their permission bits
 * (07777), symlinks with their text (never followed), hard links between
 * files of one overlay (the first path in model order holds the data).
 * Normalised: owners become the model's (root), times SOURCE_DATE_EPOCH,
 * so the builder's user and clock never reach the image.  Refused with a
 * message: device nodes, fifos and sockets; names starting ".wh." (a
 * docker layer would read them as whiteouts); unreadable files and
 * directories.  File bytes are not loaded: the entry names the host file
 * and the sink reads it (checking it is still the same size).
 */
#ifndef BBR_OVERLAY_H
#define BBR_OVERLAY_H

#include "../lib/rootfs.h"

/* Add the tree at `dir` to fs, replacing entries at the same paths.
 * 0 or -1 with one message. */
int overlay_add(struct rootfs *fs, const char *dir);

#endif
