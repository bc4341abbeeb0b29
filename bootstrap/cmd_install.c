/*
 * cmd_install.c - `bbroot install [options] DIR`: lay out a busybox rootfs
 * in a directory.  The model comes from layout_build() exactly as `pack`
 * builds it; bootstrap/dirwrite.c writes it without following symlinks
 * already in DIR.
 */
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/epoch.h"
#include "../lib/rootfs.h"
#include "dirwrite.h"
#include "input.h"
#include "layout.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char install_usage[] =
	"usage: bbroot install [options] DIR\n"
	"\n"
	"Lay out a busybox root filesystem in DIR (created if missing): bin/busybox,\n"
	"one link per applet in the directory the binary names for it, and the files\n"
	"of the layout profile.  Symlinks already inside DIR are never followed and\n"
	"nothing is written outside it.  Running it twice leaves the same tree.\n"
	"\n"
	"options:\n"
	"      --busybox FILE       the busybox binary (default: the one bbroot.lock names)\n"
	"      --arch ARCH          refuse a binary built for another architecture\n"
	"%s"
	"      --force              replace entries of DIR that conflict with the image\n"
	"                           (a directory where a file goes, a symlink or file\n"
	"                           where a directory goes); without it a conflict\n"
	"                           stops the install before anything is written\n"
	"  -h, --help               show this help\n"
	"\n"
	"Modes and times come from the image (times: SOURCE_DATE_EPOCH, else 0); owners\n"
	"too when run as root, otherwise the files belong to the caller.\n"
	"\n"
	"Profiles, link styles, overlays and the safety rules: docs/install.md.\n"
	"\n"
	"exit codes: 0 ok, 1 failed, 2 usage, 3 integrity (binary check failed)\n";

enum {
	OPT_BUSYBOX = 0x2000,
	OPT_ARCH,
	OPT_FORCE,
};

/* Load the binary, build the model, write it.  0 or -1 (message printed). */
static int install_run(struct layout_options *lo, const char *busybox, const char *arch,
		       const char *dir, unsigned int flags)
{
	struct busybox_input in;
	struct dirwrite_stats stats;
	struct rootfs fs;
	long long mtime;
	int rc = -1;

	busybox_input_init(&in);
	rootfs_init(&fs);
	/* A bad SOURCE_DATE_EPOCH is a usage error before any work. */
	if (bbr_source_date_epoch(&mtime) < 0)
		goto out;
	lo->mtime = mtime;
	if (busybox_input_load(busybox, arch, &in) < 0)
		goto out;
	if (layout_build(lo, in.path, &in.info, &in.applets, &fs) < 0)
		goto out;
	if (dirwrite_rootfs(&fs, dir, flags, &stats) < 0)
		goto out;
	bbr_info("installed busybox %s (%s, %zu applets, links: %s) into '%s': "
		 "%zu entries, %lu written, %lu unchanged%s",
		 in.info.version ? in.info.version : "(unknown version)",
		 in.info.architecture, in.applets.nr, layout_links_name(lo->links), dir,
		 fs.nr, stats.dirs + stats.files + stats.symlinks + stats.hardlinks,
		 stats.unchanged, stats.replaced ? ", conflicts replaced" : "");
	rc = 0;
out:
	rootfs_release(&fs);
	busybox_input_release(&in);
	return rc;
}

int cmd_install(int argc, char **argv)
{
	static const struct option longopts[] = {
		LAYOUT_LONG_OPTIONS,
		{ "busybox", required_argument, NULL, OPT_BUSYBOX },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct layout_options lo;
	const char *busybox = NULL, *arch = NULL, *dir;
	unsigned int flags = 0;
	int opt, code;

	layout_options_init(&lo);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int r = layout_option(&lo, "install", opt, optarg);

		if (r < 0) {
			code = BBR_EXIT_USAGE;
			goto done;
		}
		if (r > 0)
			continue;
		switch (opt) {
		case OPT_BUSYBOX:
			busybox = optarg;
			break;
		case OPT_ARCH:
			arch = optarg;
			break;
		case OPT_FORCE:
			flags |= DIRWRITE_FORCE;
			break;
		case 'h':
			printf(install_usage, LAYOUT_HELP);
			code = BBR_EXIT_OK;
			goto done;
		case ':':
			code = bbr_usage("install", "option '%s' needs a value", argv[optind - 1]);
			goto done;
		default:
			code = bbr_usage("install", "unknown option '%s'", argv[optind - 1]);
			goto done;
		}
	}
	if (argc - optind != 1) {
		code = bbr_usage("install", argc == optind ? "no directory given"
				 : "more than one directory given");
		goto done;
	}
	dir = argv[optind];
	if (!*dir) {
		code = bbr_usage("install", "invalid directory ''");
		goto done;
	}
	code = bbr_exit_code(install_run(&lo, busybox, arch, dir, flags));
done:
	layout_options_release(&lo);
	return code;
}
