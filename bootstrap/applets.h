/*
 * applets.h - the list of BusyBox applets and the directory each one is
 * installed in, read from the binary itself.
 *
 * Sources, in order of preference (recorded in `origin`):
 *   APPLETS_FROM_TABLE  the applet_names / applet_install_loc tables inside
 *                       the binary (any architecture, never runs it);
 *   APPLETS_FROM_RUN    `BINARY --list-full`, only when the binary can run
 *                       on this host and the tables are absent;
 *   APPLETS_ALL_IN_BIN  names from the table but no location table and the
 *                       binary cannot run here: every applet in /bin
 *                       (a warning says so).
 * The list never contains "busybox" itself, is sorted by name, and has no
 * duplicates.
 */
#ifndef BBR_APPLETS_H
#define BBR_APPLETS_H

#include <stddef.h>

#include "elfinfo.h"

enum applet_dir {
	APPLET_DIR_ROOT = 0,     /* "/" */
	APPLET_DIR_BIN = 1,      /* "/bin" */
	APPLET_DIR_SBIN = 2,     /* "/sbin" */
	APPLET_DIR_USR_BIN = 3,  /* "/usr/bin" */
	APPLET_DIR_USR_SBIN = 4, /* "/usr/sbin" */
};

enum applets_origin {
	APPLETS_FROM_TABLE,
	APPLETS_FROM_RUN,
	APPLETS_ALL_IN_BIN,
};

struct applet {
	char *name;
	enum applet_dir dir;
};

struct applets {
	struct applet *list;
	size_t nr;
	enum applets_origin origin;
	/* Where the tables were found (file offsets), -1 when not read from
	 * them; for `bbroot inspect -v` and tests. */
	long long names_offset;
	long long loc_offset;
	size_t nr_table;          /* names in the table, "busybox" included */
};

#define APPLETS_NO_RUN 1 /* never execute the binary (fuzzing, tests) */

void applets_init(struct applets *a);
void applets_release(struct applets *a);

/*
 * Fill `out` for the binary described by `info` (see elfinfo.h).  0, or -1
 * with a message (exit class 3 when the binary's tables are present but
 * inconsistent, or absent and there is no fallback) and `out` left empty.
 */
int applets_scan(const struct elfinfo *info, unsigned int flags, struct applets *out);

/*
 * The table reader (bootstrap/applet_table.c), used by applets_scan():
 * reads only `info->image` within its read-only PT_LOAD segments, in time
 * linear in their size, never runs anything.  Returns
 *   APPLET_TABLE_FOUND         names and locations: `out` is complete
 *                              (origin APPLETS_FROM_TABLE);
 *   APPLET_TABLE_NO_LOCATIONS  names but no location table: `out` holds
 *                              the names, every one in /bin (origin
 *                              APPLETS_ALL_IN_BIN); *installer is 1 when the
 *                              binary claims the installer feature but the
 *                              table could not be confirmed (too few
 *                              well-known applets to score it);
 *   APPLET_TABLE_NONE          no applet names table at all (`out` empty);
 *   -1                         tables present but inconsistent (a message
 *                              was printed, exit class 3): refused rather
 *                              than guessed.
 */
enum {
	APPLET_TABLE_FOUND = 0,
	APPLET_TABLE_NO_LOCATIONS = 1,
	APPLET_TABLE_NONE = 2,
};
int applets_scan_table(const struct elfinfo *info, struct applets *out, int *installer);

/* "/", "/bin", "/sbin", "/usr/bin", "/usr/sbin" (no trailing slash but
 * for the root). */
const char *applet_dir_path(enum applet_dir dir);
/* "table", "run", "all-in-bin" */
const char *applets_origin_name(enum applets_origin origin);

#endif
