/*
 * curlib.h - libcurl, loaded when a download first needs it.
 *
 * libcurl and the ~30 libraries it pulls in (TLS, HTTP/2, IDN, LDAP,
 * Kerberos...) cost about 10 ms of dynamic linking at every start, which
 * every command but `fetch` would pay for nothing (measured: 16 ms for
 * `bbroot --help` linked against libcurl, 6 ms without).  So bbroot links
 * against libcurl's headers only and dlopen()s libcurl.so.4 on first use;
 * the calls go through this table of the libcurl functions bbroot uses.
 * git keeps libcurl out of its main binary (git-remote-http) for the
 * same reason.
 */
#ifndef BBR_CURLIB_H
#define BBR_CURLIB_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct curlib {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	curl_version_info_data *(*version_info)(CURLversion age);
};

/* The loaded library, initialised with curl_global_init (once per
 * process); NULL with a message naming the library and dlerror(). */
const struct curlib *curlib_load(void);
/* Same, but silent on failure (for --version). */
const struct curlib *curlib_try_load(void);

#endif
