/*
 * profile.c - load a layout profile (profile.ini plus skeleton files),
 * built in or from a user's directory, into a list of entries that
 * layout.c adds to the rootfs model.  Parsing is inih's; this file only
 * gives the sections and values their meaning.
 */
#include "profile.h"
#include "dirwrite.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/embed.h"
#include "../lib/rootfs.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const builtin_profiles[] = { "minimal", "standard" };

void profile_init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
}

void profile_release(struct profile *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->entries[i].path);
		free(p->entries[i].value);
		if (p->entries[i].data_owned)
			free((void *)p->entries[i].data);
	}
	free(p->entries);
	free(p->name);
	free(p->description);
	profile_init(p);
}

int profile_spec_is_builtin(const char *spec)
{
	return !strchr(spec, '/');
}

const char *profile_builtin_names(void)
{
	return "minimal, standard";
}

/* Where a profile's files come from while it is parsed. */
struct profile_source {
	struct profile *p;
	int dirfd;           /* directory profile, or -1 for built-in */
	char *why;           /* first error, for the line inih reports */
};

/* "0755", "1777 0 0", "0644 65534 65534" */
static int parse_mode_owner(const char *value, unsigned int *mode,
			    unsigned int *uid, unsigned int *gid, char **why)
{
	char *end;
	unsigned long m, u = 0, g = 0;

	errno = 0;
	m = strtoul(value, &end, 8);
	if (end == value || errno || m > 07777 || (*end && *end != ' ' && *end != '\t')) {
		*why = xasprintf("mode '%s' is not an octal number up to 07777", value);
		return -1;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end) {
		const char *owner = end;

		u = strtoul(owner, &end, 10);
		if (end == owner || (*end != ' ' && *end != '\t') || u > 0x7fffffffUL)
			goto bad_owner;
		while (*end == ' ' || *end == '\t')
			end++;
		owner = end;
		g = strtoul(owner, &end, 10);
		if (end == owner || *end || g > 0x7fffffffUL)
			goto bad_owner;
	}
	*mode = (unsigned int)m;
	*uid = (unsigned int)u;
	*gid = (unsigned int)g;
	return 0;
bad_owner:
	*why = xasprintf("'%s' is not MODE or MODE UID GID", value);
	return -1;
}

static int load_content(struct profile_source *src, struct profile_entry *e)
{
	if (src->dirfd < 0) {
		char *name = xasprintf("profiles/%s/%s", src->p->name, e->path);
		const struct embedded_file *f = embedded_find(name);

		free(name);
		if (!f) {
			src->why = xasprintf("'%s' is listed but not in the profile", e->path);
			return -1;
		}
		e->data = f->data;
		e->size = (size_t)f->size;
		e->data_owned = 0;
		return 0;
	}
	{
		unsigned char *data = NULL;
		size_t size = 0;

		if (dirwrite_read_beneath(src->dirfd, e->path, PROFILE_MAX_FILE, &data, &size) < 0) {
			src->why = xasprintf("cannot read '%s': %s", e->path,
					     errno == ELOOP ? "a symbolic link in the way"
					     : errno == EFBIG ? "larger than 16 MiB"
					     : errno == EINVAL ? "not a regular file"
					     : strerror(errno));
			return -1;
		}
		e->data = data;
		e->size = size;
		e->data_owned = 1;
	}
	return 0;
}

static int valid_applet_name(const char *s)
{
	return *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

/* The checks rootfs_path_clean makes, without its message (the profile
 * reports the line instead). */
static int quiet_path_ok(const char *path)
{
	const char *p = path;
	int components = 0;

	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		if (len && !(len == 1 && p[0] == '.'))
			components++;
		p += len;
		while (*p == '/')
			p++;
	}
	return components > 0;
}

/* inih callback: nonzero on success. */
static int profile_line(void *user, const char *section, const char *key, const char *value)
{
	struct profile_source *src = user;
	struct profile *p = src->p;
	struct profile_entry e;
	char *clean = NULL;
	const char *why;

	if (src->why)
		return 0;
	if (!strcmp(section, "profile")) {
		if (!strcmp(key, "description")) {
			free(p->description);
			p->description = xstrdup(value);
			return 1;
		}
		src->why = xasprintf("unknown key '%s' in [profile]", key);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	if (!strcmp(section, "dirs"))
		e.kind = PROFILE_DIR;
	else if (!strcmp(section, "files"))
		e.kind = PROFILE_FILE;
	else if (!strcmp(section, "templates"))
		e.kind = PROFILE_TEMPLATE;
	else if (!strcmp(section, "symlinks"))
		e.kind = PROFILE_SYMLINK;
	else if (!strcmp(section, "applets"))
		e.kind = PROFILE_APPLET;
	else {
		src->why = xasprintf("unknown section [%s]", section);
		return 0;
	}
	if (!quiet_path_ok(key) || rootfs_path_clean(key, 1, &clean) < 0) {
		src->why = xasprintf("invalid path '%s': empty, the root, or with a '..' component", key);
		return 0;
	}
	e.path = clean;
	why = NULL;
	switch (e.kind) {
	case PROFILE_DIR:
	case PROFILE_FILE:
	case PROFILE_TEMPLATE:
		if (parse_mode_owner(value, &e.mode, &e.uid, &e.gid, &src->why) < 0)
			goto fail;
		if (e.kind != PROFILE_DIR && load_content(src, &e) < 0)
			goto fail;
		break;
	case PROFILE_SYMLINK:
		if (!*value)
			why = "a symlink needs a target";
		e.value = xstrdup(value);
		e.mode = 0777;
		break;
	case PROFILE_APPLET:
		if (!valid_applet_name(value))
			why = "not an applet name";
		e.value = xstrdup(value);
		break;
	}
	if (why) {
		src->why = xasprintf("'%s': %s", e.path, why);
		goto fail;
	}
	xgrow((void **)&p->entries, &p->alloc, p->nr + 1, sizeof(*p->entries));
	p->entries[p->nr++] = e;
	return 1;
fail:
	free(e.path);
	free(e.value);
	if (e.data_owned)
		free((void *)e.data);
	return 0;
}

static int parse_ini(struct profile_source *src, const char *ini_name, const char *text)
{
	int line = ini_parse_string(text, profile_line, src);
	int rc = 0;

	if (line > 0 || src->why)
		rc = bbr_error("invalid profile '%s': line %d: %s", ini_name, line,
			       src->why ? src->why : "not an INI line");
	else if (line < 0)
		rc = bbr_error("cannot read profile '%s': out of memory", ini_name);
	free(src->why);
	src->why = NULL;
	return rc;
}

static int load_builtin(const char *name, struct profile *p)
{
	struct profile_source src = { p, -1, NULL };
	const struct embedded_file *ini;
	char *ini_name = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof(builtin_profiles) / sizeof(*builtin_profiles); i++)
		if (!strcmp(name, builtin_profiles[i]))
			break;
	if (i == sizeof(builtin_profiles) / sizeof(*builtin_profiles)) {
		bbr_fail(BBR_EXIT_USAGE, "unknown profile '%s': built-in profiles are %s "
			 "(a directory is given with a '/', e.g. './%s')",
			 name, profile_builtin_names(), name);
		goto out;
	}
	ini_name = xasprintf("profiles/%s/profile.ini", name);
	ini = embedded_find(ini_name);
	if (!ini) {
		bbr_error("cannot read profile '%s': not compiled in", name);
		goto out;
	}
	p->name = xstrdup(name);
	p->builtin = 1;
	rc = parse_ini(&src, ini_name, (const char *)ini->data);
out:
	free(ini_name);
	return rc;
}

static int load_dir(const char *dir, struct profile *p)
{
	struct profile_source src = { p, -1, NULL };
	unsigned char *text = NULL;
	size_t size = 0;
	char *ini_name = xasprintf("%s/profile.ini", dir);
	int rc = -1;

	p->name = xstrdup(dir);
	src.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src.dirfd < 0) {
		bbr_error("cannot open profile directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (dirwrite_read_beneath(src.dirfd, "profile.ini", 1u << 20, &text, &size) < 0) {
		bbr_error("cannot read profile '%s': %s", ini_name,
			  errno == ELOOP ? "a symbolic link" :
			  errno == EINVAL ? "not a regular file" :
			  errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		goto out;
	}
	if (memchr(text, '\0', size)) {
		bbr_error("invalid profile '%s': contains a NUL byte", ini_name);
		goto out;
	}
	rc = parse_ini(&src, ini_name, (const char *)text);
out:
	if (src.dirfd >= 0)
		close(src.dirfd);
	free(text);
	free(ini_name);
	return rc;
}

int profile_load(const char *spec, struct profile *p)
{
	profile_init(p);
	if (!spec)
		spec = "standard";
	if (!*spec)
		return bbr_fail(BBR_EXIT_USAGE, "invalid profile '': give a name (%s) or a directory",
				profile_builtin_names());
	if (profile_spec_is_builtin(spec))
		return load_builtin(spec, p);
	return load_dir(spec, p);
}
