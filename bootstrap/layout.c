/*
 * layout.c - from binary facts + a layout profile + user options to the
 * rootfs model.  The order of the layers is the whole policy:
 *
 *   1. the profile's directories, skeleton files, templates and symlinks;
 *   2. bin/busybox (mode 0755), which nothing but an overlay replaces;
 *   3. one link per applet in its install directory: never over a profile
 *      entry (ROOTFS_DUP_KEEP) and never over bin/busybox itself;
 *   4. the profile's guaranteed applet paths ([applets], e.g. usr/bin/env);
 *   5. --overlay directories in order, replacing what is there;
 *   6. --release, last: the explicit option wins.
 *
 * Default link style: hard links.  The official busybox image uses them,
 * and unlike absolute symlinks (the classic recipe) they name the right
 * binary whether the tree is run in a container, under chroot, or
 * inspected from the host, where /bin/busybox is the host's binary or
 * nothing.  A tar holds them as one file plus link records.
 */
#include "layout.h"
#include "profile.h"
#include "overlay.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/epoch.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BUSYBOX_PATH "bin/busybox"

const char LAYOUT_HELP[] =
	"      --profile NAME|DIR   layout profile: 'standard' (default: /etc accounts,\n"
	"                           /tmp, /root...), 'minimal' (busybox and links only),\n"
	"                           or a directory of your own (give it with a '/')\n"
	"      --links STYLE        applet links: 'hardlink' (default, as the official\n"
	"                           image), 'symlink' (absolute, to /bin/busybox),\n"
	"                           'relative' (symlinks like ../bin/busybox) or 'none'\n"
	"      --release STRING     write /release holding STRING and a newline\n"
	"      --overlay DIR        copy DIR's files on top (repeatable, in order);\n"
	"                           owners become root, times SOURCE_DATE_EPOCH\n";

void layout_options_init(struct layout_options *o)
{
	memset(o, 0, sizeof(*o));
	o->links = LINKS_HARDLINK;
	o->mtime = LAYOUT_MTIME_FROM_ENV;
}

void layout_options_release(struct layout_options *o)
{
	free(o->overlays);
	o->overlays = NULL;
	o->nr_overlays = 0;
}

int layout_parse_links(const char *s, enum link_style *out)
{
	static const struct {
		const char *name;
		enum link_style style;
	} styles[] = {
		{ "hardlink", LINKS_HARDLINK },
		{ "symlink", LINKS_SYMLINK },
		{ "relative", LINKS_RELATIVE },
		{ "none", LINKS_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(styles) / sizeof(*styles); i++)
		if (!strcmp(s, styles[i].name)) {
			*out = styles[i].style;
			return 0;
		}
	return -1;
}

const char *layout_links_name(enum link_style style)
{
	switch (style) {
	case LINKS_SYMLINK:
		return "symlink";
	case LINKS_RELATIVE:
		return "relative";
	case LINKS_HARDLINK:
		return "hardlink";
	default:
		return "none";
	}
}

int layout_option(struct layout_options *o, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case LAYOUT_OPT_PROFILE:
		if (!*arg) {
			bbr_usage(cmd, "invalid --profile '': give a name (%s) or a directory",
				  profile_builtin_names());
			return -1;
		}
		o->profile = arg;
		return 1;
	case LAYOUT_OPT_LINKS:
		if (layout_parse_links(arg, &o->links) < 0) {
			bbr_usage(cmd, "invalid --links '%s': use hardlink, symlink, relative or none",
				  arg);
			return -1;
		}
		return 1;
	case LAYOUT_OPT_RELEASE:
		o->release = arg;
		return 1;
	case LAYOUT_OPT_OVERLAY:
		if (!*arg) {
			bbr_usage(cmd, "invalid --overlay '': give a directory");
			return -1;
		}
		o->overlays = xrealloc(o->overlays, (o->nr_overlays + 1) * sizeof(*o->overlays));
		o->overlays[o->nr_overlays++] = arg;
		return 1;
	default:
		return 0;
	}
}

/* Keep a version or architecture string to characters safe in
 * os-release values and file contents. */
static void add_safe(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-' || c == '+' || c == '~' || c == '/')
			strbuf_addch(sb, (char)c);
		else
			strbuf_addch(sb, '_');
	}
}

/* Expand @BUSYBOX_VERSION@, @ARCHITECTURE@ and @PLATFORM@; other text,
 * '@' included, is kept. */
static void expand_template(const unsigned char *data, size_t size,
			    const struct elfinfo *info, struct strbuf *out)
{
	static const char *const keys[] = { "@BUSYBOX_VERSION@", "@ARCHITECTURE@", "@PLATFORM@" };
	char platform[64];
	size_t i = 0, k;

	elfinfo_platform(info, platform, sizeof(platform));
	while (i < size) {
		for (k = 0; k < 3; k++) {
			size_t len = strlen(keys[k]);

			if (size - i >= len && !memcmp(data + i, keys[k], len))
				break;
		}
		if (k == 3) {
			strbuf_addch(out, (char)data[i++]);
			continue;
		}
		if (k == 0)
			add_safe(out, info->version ? info->version : "unknown");
		else if (k == 1)
			add_safe(out, info->architecture);
		else
			add_safe(out, platform);
		i += strlen(keys[k]);
	}
}

static int add_profile_entry(struct rootfs *fs, const struct profile *p,
			     const struct profile_entry *pe, const struct elfinfo *info)
{
	struct rootfs_entry e;
	struct strbuf sb;
	int rc;

	if (pe->kind != PROFILE_DIR && pe->kind != PROFILE_APPLET && rootfs_lookup(fs, pe->path))
		return bbr_error("invalid profile '%s': '%s' is listed twice", p->name, pe->path);
	memset(&e, 0, sizeof(e));
	e.path = pe->path;
	e.mode = pe->mode;
	e.uid = pe->uid;
	e.gid = pe->gid;
	e.mtime = fs->mtime;
	switch (pe->kind) {
	case PROFILE_DIR: {
		struct rootfs_entry *old = rootfs_lookup(fs, pe->path);

		/* An implicit parent made earlier takes the declared mode. */
		if (old && old->type == ROOTFS_DIR) {
			old->mode = pe->mode;
			old->uid = pe->uid;
			old->gid = pe->gid;
			return 0;
		}
		e.type = ROOTFS_DIR;
		break;
	}
	case PROFILE_FILE:
		e.type = ROOTFS_FILE;
		e.content = ROOTFS_CONTENT_MEMORY;
		e.data = pe->data;
		e.size = pe->size;
		/* Built-in bytes are static; a directory profile's die with it. */
		e.data_owned = !p->builtin;
		break;
	case PROFILE_TEMPLATE:
		strbuf_init(&sb);
		expand_template(pe->data, pe->size, info, &sb);
		e.type = ROOTFS_FILE;
		e.content = ROOTFS_CONTENT_MEMORY;
		e.data = sb.buf;
		e.size = sb.len;
		e.data_owned = 1;
		rc = rootfs_add(fs, &e, ROOTFS_DUP_ERROR);
		strbuf_release(&sb);
		goto done;
	case PROFILE_SYMLINK:
		e.type = ROOTFS_SYMLINK;
		e.target = pe->value;
		break;
	case PROFILE_APPLET:
		return 0; /* after the applets */
	}
	rc = rootfs_add(fs, &e, ROOTFS_DUP_ERROR);
done:
	/* rootfs_add named the path and the cause. */
	return rc < 0 ? -1 : 0;
}

/* One link at `path` to bin/busybox in style `links`; 0 added, 1 kept
 * what was there, -1 error. */
static int add_applet_link(struct rootfs *fs, enum link_style links, const char *path)
{
	struct rootfs_entry e;
	struct strbuf rel;
	const char *p;
	int rc;

	rootfs_entry_init(fs, &e, path, ROOTFS_HARDLINK, 0755);
	strbuf_init(&rel);
	switch (links) {
	case LINKS_HARDLINK:
		e.type = ROOTFS_HARDLINK;
		e.mode = 0755;
		e.target = (char *)BUSYBOX_PATH;
		break;
	case LINKS_SYMLINK:
		e.type = ROOTFS_SYMLINK;
		e.mode = 0777;
		e.target = (char *)"/" BUSYBOX_PATH;
		break;
	case LINKS_RELATIVE:
		e.type = ROOTFS_SYMLINK;
		e.mode = 0777;
		/* bin/x -> busybox; sbin/x -> ../bin/busybox; x -> bin/busybox */
		if (!strncmp(path, "bin/", 4) && !strchr(path + 4, '/')) {
			strbuf_adds(&rel, "busybox");
		} else {
			for (p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
				strbuf_adds(&rel, "../");
			strbuf_adds(&rel, BUSYBOX_PATH);
		}
		e.target = rel.buf;
		break;
	case LINKS_NONE:
		return 1;
	}
	rc = rootfs_add(fs, &e, ROOTFS_DUP_KEEP);
	strbuf_release(&rel);
	return rc;
}

static int valid_applet(const char *name)
{
	return *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

static int add_applets(struct rootfs *fs, enum link_style links, const struct applets *applets,
		       const char *binary, unsigned long *nr_links)
{
	size_t i;

	for (i = 0; i < applets->nr; i++) {
		const struct applet *a = &applets->list[i];
		const char *dir = applet_dir_path(a->dir);
		char *path;
		int rc;

		if (!valid_applet(a->name))
			return bbr_fail(BBR_EXIT_INTEGRITY, "cannot use applets of '%s': "
					"invalid applet name '%s'", binary, a->name);
		if (!strcmp(a->name, "busybox"))
			continue;
		path = strcmp(dir, "/") ? xasprintf("%s/%s", dir + 1, a->name) : xstrdup(a->name);
		if (!strcmp(path, BUSYBOX_PATH)) {
			free(path);
			continue;
		}
		rc = add_applet_link(fs, links, path);
		free(path);
		if (rc < 0)
			return -1;
		if (rc == 0)
			(*nr_links)++;
	}
	return 0;
}

static int has_applet(const struct applets *applets, const char *name)
{
	size_t lo = 0, hi = applets->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(applets->list[mid].name, name);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int add_busybox(struct rootfs *fs, const char *busybox_path)
{
	struct rootfs_entry e;
	struct stat st;
	char *real = realpath(busybox_path, NULL);
	int rc;

	if (!real)
		return bbr_error("cannot read '%s': %s", busybox_path, strerror(errno));
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = bbr_error("cannot read '%s': %s", busybox_path,
			       errno ? strerror(errno) : "not a regular file");
		free(real);
		return rc;
	}
	rootfs_entry_init(fs, &e, BUSYBOX_PATH, ROOTFS_FILE, 0755);
	e.content = ROOTFS_CONTENT_PATH;
	e.source_path = real;
	e.size = (unsigned long long)st.st_size;
	rc = rootfs_add(fs, &e, ROOTFS_DUP_REPLACE);
	free(real);
	return rc < 0 ? -1 : 0;
}

int layout_build(const struct layout_options *o, const char *busybox_path,
		 const struct elfinfo *info, const struct applets *applets,
		 struct rootfs *fs)
{
	struct profile profile;
	unsigned long nr_links = 0;
	long long mtime = o->mtime;
	size_t i;
	int rc = -1;

	profile_init(&profile);
	if (mtime == LAYOUT_MTIME_FROM_ENV && bbr_source_date_epoch(&mtime) < 0)
		goto out;
	fs->mtime = mtime;
	if (profile_load(o->profile, &profile) < 0)
		goto out;
	for (i = 0; i < profile.nr; i++)
		if (add_profile_entry(fs, &profile, &profile.entries[i], info) < 0)
			goto out;
	if (add_busybox(fs, busybox_path) < 0)
		goto out;
	if (add_applets(fs, o->links, applets, busybox_path, &nr_links) < 0)
		goto out;
	for (i = 0; i < profile.nr && o->links != LINKS_NONE; i++) {
		const struct profile_entry *pe = &profile.entries[i];

		if (pe->kind != PROFILE_APPLET)
			continue;
		if (!has_applet(applets, pe->value)) {
			bbr_warn("profile '%s' wants '%s' but '%s' has no applet '%s'",
				 profile.name, pe->path, busybox_path, pe->value);
			continue;
		}
		if (add_applet_link(fs, o->links, pe->path) < 0)
			goto out;
	}
	for (i = 0; i < o->nr_overlays; i++)
		if (overlay_add(fs, o->overlays[i]) < 0)
			goto out;
	if (o->release) {
		struct rootfs_entry e;
		char *text = xasprintf("%s\n", o->release);

		rootfs_entry_init(fs, &e, "release", ROOTFS_FILE, 0644);
		e.content = ROOTFS_CONTENT_MEMORY;
		e.data = text;
		e.size = strlen(text);
		e.data_owned = 1;
		rc = rootfs_add(fs, &e, ROOTFS_DUP_REPLACE);
		free(text);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (rootfs_validate(fs) < 0)
		goto out;
	rootfs_sort(fs);
	bbr_debug("layout: profile %s, %lu applet links (%s), %zu entries", profile.name,
		  nr_links, layout_links_name(o->links), fs->nr);
	rc = 0;
out:
	profile_release(&profile);
	return rc;
}
