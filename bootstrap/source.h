/*
 * source.h - turning what the user wrote after `bbroot fetch` into one URL
 * for libcurl: URLs pass through, paths become file:// URLs, `host` is the
 * busybox found on PATH, and a mirror replaces the scheme and host of an
 * upstream URL.
 */
#ifndef BBR_SOURCE_H
#define BBR_SOURCE_H

enum source_scheme {
	SCHEME_OTHER = 0,
	SCHEME_HTTPS,
	SCHEME_HTTP,
	SCHEME_FILE,
};

/* The scheme of url (case-insensitive); SCHEME_OTHER when none/unknown. */
enum source_scheme source_scheme(const char *url);
/* 1 when s looks like "scheme://..." (letters, digits, + - .). */
int source_looks_like_url(const char *s);

/* file:// URL (malloc'd) of path made absolute, bytes outside
 * [A-Za-z0-9/._~-] percent-encoded.  NULL with a message on error. */
char *source_file_url(const char *path);

/* The busybox on PATH, resolved (malloc'd), or -1 with a message. */
int source_find_host(char **path);

/*
 * url with its scheme and host replaced by `mirror` (e.g.
 * "http://127.0.0.1:8080" or "https://mirror.example/busybox"; a trailing
 * slash is ignored): malloc'd.  Only http(s) URLs are rewritten; others are
 * copied.  NULL with a message when mirror is not an http(s) base.
 */
char *source_mirror(const char *url, const char *mirror);

#endif
