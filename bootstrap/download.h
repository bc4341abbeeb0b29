/*
 * download.h - one URL to one file, with libcurl: sha256 computed while
 * the bytes stream, TLS always verified, protocols https/http/file
 * (redirects https/http only), size limit, timeouts, retries with backoff
 * on transient failures, and resume of an earlier `.part` file.
 */
#ifndef BBR_DOWNLOAD_H
#define BBR_DOWNLOAD_H

#include "../lib/sha256.h"

struct download_options {
	const char *cacert;      /* extra CA file (--cacert), or NULL */
	long connect_timeout;    /* seconds */
	long low_speed_limit;    /* bytes/s ... */
	long low_speed_time;     /* ... for this many seconds aborts */
	long long max_size;      /* bytes; larger bodies fail */
	int retries;             /* further attempts after a transient failure */
	double retry_delay;      /* first backoff in seconds, doubled each time */
	long max_redirs;         /* redirects followed */
	int https_redirects_only; /* no redirect to http:// (nothing pins the bytes) */
	int keep_partial;        /* resume a .part left by an earlier run, and keep
				  * one for the next run; 0 when nothing pins the
				  * bytes: a file that changed upstream between two
				  * runs would otherwise be spliced and trusted */
};

/* The defaults documented in docs/fetch.md. */
void download_options_init(struct download_options *opt);

struct download_result {
	char sha256[SHA256_HEX_LEN + 1]; /* of the whole file */
	long long size;
	int resumed;                     /* some bytes came from an earlier .part */
};

/*
 * Download `url` into `part`, resuming from the bytes already in it (a
 * Range request; a clean restart when the server ignores it).  The hash
 * covers the existing bytes (read once) and the streamed ones.
 *
 * 0: `part` holds the whole body (not fsync'd: the cache re-verifies
 * entries on use) and res is filled.
 * -1 with one message naming the URL and the cause: `part` is kept only
 * when it holds bytes a later run can resume (a transient failure after
 * the retries, or an interruption), else it is removed.  SIGINT/SIGTERM
 * during the transfer stop it, keep the .part, and re-raise the signal.
 */
int download_file(const char *url, const char *part, const struct download_options *opt,
		  struct download_result *res);

#endif
