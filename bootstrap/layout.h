/*
 * layout.h - from binary facts + a layout profile + user options to the
 * rootfs model (lib/rootfs.h).  install and pack both build their model
 * here, from the same options, so they can never disagree.
 *
 * Option glue shared by `install` and `pack`: put LAYOUT_LONG_OPTIONS in
 * the command's getopt_long table, pass every option value to
 * layout_option(), and print LAYOUT_HELP in the command's -h text.
 */
#ifndef BBR_LAYOUT_H
#define BBR_LAYOUT_H

#include <getopt.h>
#include <stddef.h>

#include "../lib/rootfs.h"
#include "applets.h"
#include "elfinfo.h"

enum link_style {
	LINKS_SYMLINK,  /* absolute symlinks to /bin/busybox */
	LINKS_RELATIVE, /* relative symlinks (../../bin/busybox) */
	LINKS_HARDLINK, /* hard links to bin/busybox */
	LINKS_NONE,     /* only bin/busybox */
};

struct layout_options {
	const char *profile;      /* built-in name or directory; NULL: standard */
	enum link_style links;
	const char *release;      /* NULL: no /release */
	const char **overlays;    /* directories copied on top, in order */
	size_t nr_overlays;
	long long mtime;          /* for every entry; LAYOUT_MTIME_FROM_ENV (the
				     default): SOURCE_DATE_EPOCH, read and
				     validated by layout_build */
};

#define LAYOUT_MTIME_FROM_ENV (-1LL)

enum {
	LAYOUT_OPT_PROFILE = 0x1000,
	LAYOUT_OPT_LINKS,
	LAYOUT_OPT_RELEASE,
	LAYOUT_OPT_OVERLAY,
};

#define LAYOUT_LONG_OPTIONS \
	{ "profile", required_argument, NULL, LAYOUT_OPT_PROFILE }, \
	{ "links", required_argument, NULL, LAYOUT_OPT_LINKS }, \
	{ "release", required_argument, NULL, LAYOUT_OPT_RELEASE }, \
	{ "overlay", required_argument, NULL, LAYOUT_OPT_OVERLAY }

/* Help lines for the options above (each ends in a newline). */
extern const char LAYOUT_HELP[];

/* Defaults (standard profile, hard links, mtime from the environment);
 * no allocation except by layout_option (overlays array). */
void layout_options_init(struct layout_options *o);
void layout_options_release(struct layout_options *o);

/*
 * Handle getopt result `opt` with `arg`: 1 when it was one of ours, 0 when
 * not, -1 on a bad value (message printed; a usage error for `cmd`).
 */
int layout_option(struct layout_options *o, const char *cmd, int opt, const char *arg);

/* "hardlink", "symlink", "relative", "none" <-> the enum; 0 or -1. */
int layout_parse_links(const char *s, enum link_style *out);
const char *layout_links_name(enum link_style style);

/*
 * Build the model for the busybox at `busybox_path` described by `info`
 * and `applets` into `fs` (initialised by the caller).  0 or -1 with a
 * message (usage class for a bad SOURCE_DATE_EPOCH or unknown profile
 * name).  On success fs is validated and sorted; bin/busybox and overlay
 * files are ROOTFS_CONTENT_PATH entries naming host files (busybox by
 * its real path), the rest is in memory.  See layout.c for the order in
 * which profile, binary, applets, overlays and --release are layered.
 */
int layout_build(const struct layout_options *o, const char *busybox_path,
		 const struct elfinfo *info, const struct applets *applets,
		 struct rootfs *fs);

#endif
