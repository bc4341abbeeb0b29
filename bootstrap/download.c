/*
 * download.c - the only code that talks to the network: a libcurl easy
 * handle per attempt, every option checked, the body written to the .part
 * file and hashed in the same callback, the outcome classified as done,
 * transient (retry with backoff, resuming) or permanent.
 */
#include "download.h"
#include "curlib.h"
#include "progress.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/fileutil.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#define DEFAULT_MAX_SIZE (32LL << 20)

void download_options_init(struct download_options *opt)
{
	opt->cacert = NULL;
	opt->connect_timeout = 30;
	opt->low_speed_limit = 1024;
	opt->low_speed_time = 30;
	opt->max_size = DEFAULT_MAX_SIZE;
	opt->retries = 3;
	opt->retry_delay = 1;
	opt->max_redirs = 5;
	opt->https_redirects_only = 0;
	opt->keep_partial = 1;
}

/* Set by SIGINT/SIGTERM while a transfer runs. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

struct transfer {
	int fd;
	struct sha256 hash;
	long long have;       /* bytes in the .part */
	long long max_size;
	int too_big;
	int write_errno;
	struct progress progress;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct transfer *t = user;
	size_t n = size * nmemb;

	if (t->have + (long long)n > t->max_size) {
		t->too_big = 1;
		return 0;
	}
	if (write_all(t->fd, ptr, n) < 0) {
		t->write_errno = errno ? errno : EIO;
		return 0;
	}
	sha256_update(&t->hash, ptr, n);
	t->have += (long long)n;
	return n;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = user;

	(void)ultotal;
	(void)ulnow;
	if (interrupted)
		return 1;
	progress_update(&t->progress, (long long)dlnow, (long long)dltotal);
	return 0;
}

/* Hash the bytes already in the .part and leave the offset at its end.
 * Returns the byte count, or -1 with a message. */
static long long hash_existing(struct transfer *t, const char *part)
{
	unsigned char buf[65536];
	long long total = 0;
	ssize_t n;

	while ((n = read(t->fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return bbr_error("cannot read partial download '%s': %s", part, strerror(errno));
		}
		sha256_update(&t->hash, buf, (size_t)n);
		total += n;
	}
	return total;
}

/* Empty the .part and the hash: start over from byte 0. */
static int restart(struct transfer *t, const char *part)
{
	sha256_release(&t->hash);
	if (sha256_init(&t->hash) < 0)
		return -1;
	if (ftruncate(t->fd, 0) < 0 || lseek(t->fd, 0, SEEK_SET) < 0)
		return bbr_error("cannot truncate partial download '%s': %s", part, strerror(errno));
	t->have = 0;
	return 0;
}

/* libcurl, loaded by download_file() before any attempt. */
static const struct curlib *cl;

enum outcome {
	DONE,
	RESTART,    /* the server ignored or refused our Range: start over now */
	TRANSIENT,  /* worth another attempt */
	PERMANENT,
	INTERRUPTED,
};

#define SETOPT(h, opt, val) \
	do { \
		CURLcode c_ = cl->easy_setopt((h), (opt), (val)); \
		if (c_ != CURLE_OK) { \
			bbr_error("cannot download '%s': setting %s: %s", url, #opt, \
				  cl->easy_strerror(c_)); \
			goto out; \
		} \
	} while (0)

static int is_http(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

/* One attempt.  Prints the message for PERMANENT/TRANSIENT outcomes
 * (as a warning when `last` is 0 and the outcome is transient). */
static enum outcome attempt(const char *url, const char *part, struct transfer *t,
			    const struct download_options *opt, int last)
{
	curl_version_info_data *vi = cl->version_info(CURLVERSION_NOW);
	char errbuf[CURL_ERROR_SIZE] = "";
	char maxbuf[32];
	enum outcome result = PERMANENT;
	CURL *h = cl->easy_init();
	const char *effective = NULL;
	long status = 0;
	long long offset = t->have;
	CURLcode code;

	if (!h) {
		bbr_error("cannot download '%s': cannot create a curl handle", url);
		return PERMANENT;
	}
	SETOPT(h, CURLOPT_URL, url);
	SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "https,http,file");
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, opt->https_redirects_only ? "https" : "https,http");
	SETOPT(h, CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(h, CURLOPT_MAXREDIRS, opt->max_redirs);
	SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (opt->cacert) {
		/* Add the CA: the file, plus the system directory. */
		SETOPT(h, CURLOPT_CAINFO, opt->cacert);
		if (vi->age >= CURLVERSION_NINTH && vi->capath)
			SETOPT(h, CURLOPT_CAPATH, vi->capath);
		else
			SETOPT(h, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	SETOPT(h, CURLOPT_FAILONERROR, 1L);
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	SETOPT(h, CURLOPT_USERAGENT, "bbroot/" BBROOT_VERSION);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT, opt->connect_timeout);
	SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, opt->low_speed_limit);
	SETOPT(h, CURLOPT_LOW_SPEED_TIME, opt->low_speed_time);
	SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(opt->max_size - offset));
	SETOPT(h, CURLOPT_BUFFERSIZE, 256L * 1024);
	SETOPT(h, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(h, CURLOPT_WRITEDATA, t);
	SETOPT(h, CURLOPT_NOPROGRESS, 0L);
	SETOPT(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(h, CURLOPT_XFERINFODATA, t);
	if (offset > 0)
		SETOPT(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)offset);

	if (offset > 0)
		bbr_debug("resuming '%s' at byte %lld", url, offset);
	else
		bbr_debug("downloading '%s'", url);
	progress_start(&t->progress, url, offset);
	code = cl->easy_perform(h);
	cl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	cl->easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
	progress_finish(&t->progress, t->have, 0);
	if (!errbuf[0])
		snprintf(errbuf, sizeof(errbuf), "%s", cl->easy_strerror(code));

	if (code == CURLE_OK) {
		if (is_http(effective ? effective : url) && status != 200 && status != 206) {
			bbr_error("cannot download '%s': unexpected HTTP status %ld", url, status);
			goto out;
		}
		progress_finish(&t->progress, t->have, 1);
		result = DONE;
		goto out;
	}
	if (interrupted || code == CURLE_ABORTED_BY_CALLBACK) {
		result = INTERRUPTED;
		goto out;
	}
	if (offset > 0 && (code == CURLE_RANGE_ERROR || code == CURLE_BAD_DOWNLOAD_RESUME ||
			   (code == CURLE_HTTP_RETURNED_ERROR && status == 416))) {
		bbr_info("'%s' cannot resume at byte %lld (%s): starting over", url, offset, errbuf);
		result = RESTART;
		goto out;
	}
	if (t->too_big || code == CURLE_FILESIZE_EXCEEDED) {
		bbr_error("cannot download '%s': larger than the maximum size %s (--max-size)",
			  url, progress_human_size((double)opt->max_size, maxbuf, sizeof(maxbuf)));
		goto out;
	}
	if (t->write_errno) {
		bbr_error("cannot write partial download '%s': %s", part, strerror(t->write_errno));
		goto out;
	}
	switch (code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
		result = TRANSIENT;
		break;
	case CURLE_HTTP_RETURNED_ERROR:
		if (status >= 500 || status == 429 || status == 408)
			result = TRANSIENT;
		break;
	default:
		break;
	}
	if (effective && strcmp(effective, url) && code != CURLE_TOO_MANY_REDIRECTS) {
		char where[512];

		bbr_printable(effective, where, sizeof(where));
		if (code == CURLE_UNSUPPORTED_PROTOCOL)
			snprintf(errbuf, sizeof(errbuf), "%s", opt->https_redirects_only ?
				 "redirects are followed to https only when no sha256 pins the "
				 "download (--sha256 or --insecure allow http)" :
				 "redirects are followed to https and http only");
		if (result == TRANSIENT && !last)
			bbr_warn("cannot download '%s' (redirected to '%s'): %s", url, where, errbuf);
		else
			bbr_error("cannot download '%s' (redirected to '%s'): %s", url, where, errbuf);
	} else if (result == TRANSIENT && !last) {
		bbr_warn("cannot download '%s': %s", url, errbuf);
	} else {
		bbr_error("cannot download '%s': %s", url, errbuf);
	}
out:
	progress_release(&t->progress);
	cl->easy_cleanup(h);
	return result;
}

/* Sleep `seconds` unless interrupted. */
static void backoff(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (!interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int download_file(const char *url, const char *part, const struct download_options *opt,
		  struct download_result *res)
{
	struct sigaction sa, old_int, old_term;
	struct transfer t;
	double delay = opt->retry_delay;
	enum outcome o = PERMANENT;
	int tries = 0, rc = -1, keep = 0, restarts = 0;
	struct stat st;

	memset(&t, 0, sizeof(t));
	memset(res, 0, sizeof(*res));
	t.fd = -1;
	t.max_size = opt->max_size;
	interrupted = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	cl = curlib_load();
	if (!cl)
		goto out;
	if (sha256_init(&t.hash) < 0)
		goto out;
	t.fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (t.fd < 0 || fstat(t.fd, &st) < 0) {
		bbr_error("cannot open partial download '%s': %s", part, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		bbr_error("cannot open partial download '%s': not a regular file", part);
		goto out;
	}
	if (st.st_size > opt->max_size || !strncasecmp(url, "file://", 7) ||
	    !opt->keep_partial) {
		/* Too big to be ours; a local file, which is cheaper to copy
		 * again than to trust a leftover prefix of; or unpinned bytes,
		 * which nothing would check after splicing. */
		if (st.st_size > 0 && !opt->keep_partial)
			bbr_info("'%s' has no sha256 pin: not resuming its partial download", url);
		if (restart(&t, part) < 0)
			goto out;
	} else {
		t.have = hash_existing(&t, part);
		if (t.have < 0)
			goto out;
		res->resumed = t.have > 0;
	}

	for (;;) {
		o = attempt(url, part, &t, opt, tries >= opt->retries);
		if (o == DONE || o == INTERRUPTED || o == PERMANENT)
			break;
		if (o == RESTART) {
			res->resumed = 0;
			if (restart(&t, part) < 0 || ++restarts > 2) {
				o = PERMANENT;
				break;
			}
			continue;
		}
		/* TRANSIENT */
		if (tries >= opt->retries)
			break;
		tries++;
		bbr_info("retrying in %gs (attempt %d of %d)", delay, tries + 1, opt->retries + 1);
		backoff(delay);
		if (interrupted) {
			o = INTERRUPTED;
			break;
		}
		delay = delay * 2 > 30 ? 30 : delay * 2;
		if (t.have > 0)
			res->resumed = 1;
	}

	if (o == INTERRUPTED) {
		keep = opt->keep_partial;
		if (keep)
			bbr_error("download of '%s' interrupted: %lld bytes kept in '%s' for the next run",
				  url, t.have, part);
		else
			bbr_error("download of '%s' interrupted", url);
		goto out;
	}
	if (o != DONE) {
		/* Resumable bytes are kept after transient failures only. */
		keep = o == TRANSIENT && t.have > 0 && opt->keep_partial;
		if (keep)
			bbr_info("partial download kept in '%s': the next run resumes it", part);
		goto out;
	}
	/*
	 * No fsync of the body: cache entries are re-verified (sha256) before
	 * every use, so one torn by a crash is found and fetched again.  The
	 * rename into the cache and bbroot.lock are still made durable.
	 */
	if (sha256_final_hex(&t.hash, res->sha256) < 0)
		goto out;
	res->size = t.have;
	keep = 1;
	rc = 0;
out:
	if (t.fd >= 0 && close(t.fd) < 0 && rc == 0) {
		bbr_error("cannot write partial download '%s': %s", part, strerror(errno));
		rc = -1;
		keep = 0;
	}
	if (!keep)
		unlink(part);
	sha256_release(&t.hash);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (interrupted)
		raise(interrupted);
	return rc;
}
