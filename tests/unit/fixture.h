/*
 * fixture.h - real busybox binaries for the C unit tests: the path printed
 * by tests/fixtures/debian-busybox (run from the top of the tree, as
 * `make check` does), read into memory.  When a fixture cannot be had the
 * test reports a skip, which is a failure under CI=true (as in
 * tests/e2e/lib.sh).  Also: silencing stderr around loops of expected
 * errors.
 */
#ifndef BBR_FIXTURE_H
#define BBR_FIXTURE_H

#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes of Debian's busybox-static for `arch` (malloc'd), or NULL after
 * reporting a skip for `what`. */
static unsigned char *fixture_read(const char *arch, const char *what, size_t *len)
{
	char cmd[256], path[4096];
	FILE *p, *f;
	unsigned char *buf = NULL;
	long n;

	snprintf(cmd, sizeof(cmd), "sh tests/fixtures/debian-busybox bin %s 2>/dev/null", arch);
	p = popen(cmd, "r");
	if (p && fgets(path, sizeof(path), p)) {
		path[strcspn(path, "\n")] = 0;
		f = fopen(path, "rb");
		if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
		    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
		    fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
		if (f)
			fclose(f);
	}
	if (p)
		pclose(p);
	if (!buf) {
		const char *ci = getenv("CI");

		if (ci && !strcmp(ci, "true"))
			ok(0, "%s # needs Debian busybox-static for %s (CI=true: a skip is a failure)",
			   what, arch);
		else
			ok(1, "%s # SKIP needs Debian busybox-static for %s", what, arch);
	}
	return buf;
}

static int quiet_saved_fd = -1;

static void quiet_begin(void)
{
	int null = open("/dev/null", O_WRONLY);

	fflush(stderr);
	quiet_saved_fd = dup(2);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
}

static void quiet_end(void)
{
	fflush(stderr);
	if (quiet_saved_fd >= 0) {
		dup2(quiet_saved_fd, 2);
		close(quiet_saved_fd);
		quiet_saved_fd = -1;
	}
}

#endif
