/*
 * lock.c - read and write bbroot.lock (inih for reading; a fixed, sorted
 * text form for writing) and find the verified cached binary it names.
 */
#include "lock.h"
#include "cache.h"
#include "elfinfo.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/fileutil.h"
#include "../lib/sha256.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

/* inih reads lines of at most INI_MAX_LINE (200) bytes. */
#define LOCK_MAX_LINE 199

void lock_init(struct lock *lock)
{
	lock->entry = NULL;
	lock->nr = lock->alloc = 0;
}

static void entry_release(struct lock_entry *e)
{
	free(e->arch);
	free(e->url);
	free(e->sha256);
	free(e->source_sha256);
	free(e->version);
	free(e->platform);
	memset(e, 0, sizeof(*e));
}

void lock_release(struct lock *lock)
{
	size_t i;

	for (i = 0; i < lock->nr; i++)
		entry_release(&lock->entry[i]);
	free(lock->entry);
	lock_init(lock);
}

const struct lock_entry *lock_find(const struct lock *lock, const char *arch)
{
	size_t i;

	for (i = 0; i < lock->nr; i++)
		if (!strcmp(lock->entry[i].arch, arch))
			return &lock->entry[i];
	return NULL;
}

const struct lock_entry *lock_find_url(const struct lock *lock, const char *url)
{
	size_t i;

	for (i = 0; i < lock->nr; i++)
		if (lock->entry[i].url && !strcmp(lock->entry[i].url, url))
			return &lock->entry[i];
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void lock_set(struct lock *lock, const struct lock_entry *e)
{
	struct lock_entry *slot = (struct lock_entry *)lock_find(lock, e->arch);

	if (slot) {
		entry_release(slot);
	} else {
		xgrow((void **)&lock->entry, &lock->alloc, lock->nr + 1, sizeof(*lock->entry));
		slot = &lock->entry[lock->nr++];
	}
	slot->arch = xstrdup(e->arch);
	slot->url = dup_or_null(e->url);
	slot->sha256 = dup_or_null(e->sha256);
	slot->source_sha256 = dup_or_null(e->source_sha256);
	slot->size = e->size;
	slot->version = dup_or_null(e->version);
	slot->platform = dup_or_null(e->platform);
}

struct parse_state {
	struct lock *lock;
	const char *name;
	int bad;
};

static int parse_fail(struct parse_state *st, const char *section, const char *why)
{
	bbr_error("invalid lock file '%s': [%s] %s", st->name, section, why);
	st->bad = 1;
	return 0;
}

static int valid_arch(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int on_lock_value(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	struct lock *lock = st->lock;
	struct lock_entry *e;
	char **field = NULL;

	if (st->bad)
		return 0;
	if (!*section)
		return parse_fail(st, "", "values must be inside an [architecture] section");
	if (!valid_arch(section))
		return parse_fail(st, section, "is not an architecture name");
	e = (struct lock_entry *)lock_find(lock, section);
	if (!e) {
		xgrow((void **)&lock->entry, &lock->alloc, lock->nr + 1, sizeof(*lock->entry));
		e = &lock->entry[lock->nr++];
		memset(e, 0, sizeof(*e));
		e->arch = xstrdup(section);
		e->size = -1;
	}
	if (!strcmp(key, "url")) {
		field = &e->url;
	} else if (!strcmp(key, "sha256") || !strcmp(key, "source_sha256")) {
		if (!sha256_hex_valid(value))
			return parse_fail(st, section, "has a sha256 that is not 64 hex digits");
		field = !strcmp(key, "sha256") ? &e->sha256 : &e->source_sha256;
	} else if (!strcmp(key, "size")) {
		char *end;

		errno = 0;
		e->size = strtoll(value, &end, 10);
		if (errno || end == value || *end || e->size < 0)
			return parse_fail(st, section, "has a size that is not a number");
		return 1;
	} else if (!strcmp(key, "version")) {
		field = &e->version;
	} else if (!strcmp(key, "platform")) {
		field = &e->platform;
	} else {
		/* Unknown keys come from newer versions: ignore them. */
		return 1;
	}
	free(*field);
	*field = xstrdup(value);
	if (field == &e->sha256 || field == &e->source_sha256)
		sha256_hex_lower(*field);
	return 1;
}

int lock_parse(const char *text, const char *name, struct lock *lock)
{
	struct parse_state st = { lock, name, 0 };
	size_t i;
	int line;

	lock_init(lock);
	line = ini_parse_string(text, on_lock_value, &st);
	if (st.bad)
		goto fail;
	if (line != 0) {
		bbr_error("invalid lock file '%s': syntax error on line %d", name, line);
		goto fail;
	}
	for (i = 0; i < lock->nr; i++) {
		if (!lock->entry[i].url || !lock->entry[i].sha256) {
			bbr_error("invalid lock file '%s': [%s] needs url and sha256",
				  name, lock->entry[i].arch);
			goto fail;
		}
	}
	return 0;
fail:
	lock_release(lock);
	return -1;
}

int lock_read(const char *path, struct lock *lock)
{
	struct strbuf sb;
	char buf[8192];
	FILE *f = NULL;
	size_t n;
	int rc = -1;

	lock_init(lock);
	strbuf_init(&sb);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			rc = 0;
		else
			bbr_error("cannot read lock file '%s': %s", path, strerror(errno));
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > (1u << 20)) {
			bbr_error("cannot read lock file '%s': larger than 1 MiB", path);
			goto out;
		}
	}
	if (ferror(f)) {
		bbr_error("cannot read lock file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		bbr_error("invalid lock file '%s': contains NUL bytes", path);
		goto out;
	}
	rc = lock_parse(sb.buf, path, lock);
out:
	if (f)
		fclose(f);
	strbuf_release(&sb);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct lock_entry *)a)->arch, ((const struct lock_entry *)b)->arch);
}

static void add_line(struct strbuf *sb, const char *key, const char *value)
{
	if (value)
		strbuf_addf(sb, "%s = %s\n", key, value);
}

char *lock_format(const struct lock *lock)
{
	struct lock_entry *sorted = xcalloc(lock->nr ? lock->nr : 1, sizeof(*sorted));
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	memcpy(sorted, lock->entry, lock->nr * sizeof(*sorted));
	qsort(sorted, lock->nr, sizeof(*sorted), cmp_entry);
	strbuf_adds(&sb,
		    "# bbroot.lock - the busybox binary for each architecture, written by\n"
		    "# 'bbroot fetch'.  Commit it: anyone holding it gets the same binary\n"
		    "# (sha256 checked) or an error.\n");
	for (i = 0; i < lock->nr; i++) {
		const struct lock_entry *e = &sorted[i];

		strbuf_addf(&sb, "\n[%s]\n", e->arch);
		add_line(&sb, "url", e->url);
		add_line(&sb, "sha256", e->sha256);
		if (e->size >= 0)
			strbuf_addf(&sb, "size = %lld\n", e->size);
		add_line(&sb, "version", e->version);
		add_line(&sb, "platform", e->platform);
		add_line(&sb, "source_sha256", e->source_sha256);
	}
	free(sorted);
	return strbuf_detach(&sb, NULL);
}

/* A value inih could not read back as written: too long, a newline, an
 * inline comment (" ;"), or surrounding white space. */
static int unwritable(const char *key, const char *value)
{
	size_t n;

	if (!value)
		return 0;
	n = strlen(value);
	return strlen(key) + 3 + n > LOCK_MAX_LINE || strpbrk(value, "\r\n") ||
	       strstr(value, " ;") || strstr(value, "\t;") ||
	       (n && (value[0] == ' ' || value[n - 1] == ' '));
}

int lock_write(const char *path, const struct lock *lock)
{
	struct atomic_file af;
	char *text = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < lock->nr; i++) {
		const struct lock_entry *e = &lock->entry[i];

		if (unwritable("url", e->url) || unwritable("version", e->version) ||
		    unwritable("platform", e->platform))
			return bbr_error("cannot write lock file '%s': [%s] has a value that "
					 "does not fit on one line (URL longer than %d bytes?)",
					 path, e->arch, LOCK_MAX_LINE - 6);
	}
	text = lock_format(lock);
	if (atomic_file_open(&af, path, 0666) < 0)
		goto out;
	if (write_all(af.fd, text, strlen(text)) < 0) {
		bbr_error("cannot write lock file '%s': %s", path, strerror(errno));
		atomic_file_abort(&af);
		goto out;
	}
	rc = atomic_file_commit(&af);
out:
	free(text);
	return rc;
}

int lock_locate_binary(const char *arch, char **path)
{
	const struct lock_entry *e = NULL;
	struct lock lock;
	char *dir = NULL, *file = NULL;
	struct stat st;
	int state, rc = -1;

	*path = NULL;
	if (stat(LOCK_FILE, &st) < 0 && errno == ENOENT)
		return bbr_error("no busybox given: use --busybox FILE, or run 'bbroot fetch' first");
	if (lock_read(LOCK_FILE, &lock) < 0)
		return -1;
	if (arch) {
		e = lock_find(&lock, arch);
		if (!e) {
			bbr_error("no busybox for '%s' in '%s': run 'bbroot fetch --arch %s'",
				  arch, LOCK_FILE, arch);
			goto out;
		}
	} else {
		e = lock_find(&lock, elfinfo_host_architecture());
		if (!e && lock.nr == 1)
			e = &lock.entry[0];
		if (!e) {
			bbr_error("no busybox for this machine ('%s') in '%s': choose one with --arch, "
				  "or run 'bbroot fetch'", elfinfo_host_architecture(), LOCK_FILE);
			goto out;
		}
	}
	dir = cache_dir(NULL);
	if (!dir)
		goto out;
	file = cache_entry_path(dir, e->sha256);
	state = cache_check(file, e->sha256);
	if (state < 0)
		goto out;
	if (state == CACHE_ABSENT) {
		bbr_error("cached busybox for '%s' missing '%s': run 'bbroot fetch' to download it again",
			  e->arch, file);
		goto out;
	}
	if (state == CACHE_CORRUPT) {
		bbr_fail(BBR_EXIT_INTEGRITY,
			 "cached busybox for '%s' corrupt '%s': sha256 differs from %s; "
			 "run 'bbroot fetch' to replace it", e->arch, file, LOCK_FILE);
		goto out;
	}
	*path = file;
	file = NULL;
	rc = 0;
out:
	free(file);
	free(dir);
	lock_release(&lock);
	return rc;
}
