/*
 * source.c - name resolution for fetch sources: URL, path, `host`, mirror.
 * Everything ends up as a URL so the download path is the same for all.
 */
#include "source.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum source_scheme source_scheme(const char *url)
{
	if (!strncasecmp(url, "https://", 8))
		return SCHEME_HTTPS;
	if (!strncasecmp(url, "http://", 7))
		return SCHEME_HTTP;
	if (!strncasecmp(url, "file://", 7))
		return SCHEME_FILE;
	return SCHEME_OTHER;
}

int source_looks_like_url(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return !strncmp(p, "://", 3);
}

char *source_file_url(const char *path)
{
	static const char safe[] = "/._~-";
	struct strbuf sb;
	char *abs = NULL;
	const char *p;

	abs = realpath(path, NULL);
	if (abs) {
		/* resolved: no "." or ".." segments in the URL */
	} else if (path[0] == '/') {
		abs = xstrdup(path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd))) {
			bbr_error("cannot resolve path '%s': %s", path, strerror(errno));
			return NULL;
		}
		abs = xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	}
	strbuf_init(&sb);
	strbuf_adds(&sb, "file://");
	for (p = abs; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c) || strchr(safe, c))
			strbuf_addch(&sb, (char)c);
		else
			strbuf_addf(&sb, "%%%02X", c);
	}
	free(abs);
	return strbuf_detach(&sb, NULL);
}

int source_find_host(char **path)
{
	const char *env = getenv("PATH");
	char *dirs, *dir, *save = NULL;
	int rc = -1;

	*path = NULL;
	if (!env || !*env)
		env = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	dirs = xstrdup(env);
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xasprintf("%s/busybox", *dir ? dir : ".");
		struct stat st;

		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
			*path = realpath(candidate, NULL);
			if (!*path)
				*path = candidate;
			else
				free(candidate);
			rc = 0;
			break;
		}
		free(candidate);
	}
	free(dirs);
	if (rc < 0)
		bbr_error("cannot find 'busybox' on PATH: install a static busybox "
			  "(Debian: apt-get install busybox-static) or give a file or URL");
	return rc;
}

char *source_mirror(const char *url, const char *mirror)
{
	enum source_scheme s = source_scheme(url);
	const char *path;
	size_t n;

	if (s != SCHEME_HTTPS && s != SCHEME_HTTP)
		return xstrdup(url);
	if (source_scheme(mirror) != SCHEME_HTTPS && source_scheme(mirror) != SCHEME_HTTP) {
		bbr_fail(BBR_EXIT_USAGE, "invalid mirror '%s': must start with https:// or http://",
			 mirror);
		return NULL;
	}
	path = strchr(url + (s == SCHEME_HTTPS ? 8 : 7), '/');
	if (!path)
		path = "/";
	n = strlen(mirror);
	while (n > 0 && mirror[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, mirror, path);
}
