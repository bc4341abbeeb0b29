/*
 * curlib.c - dlopen libcurl.so.4 once and resolve the functions bbroot
 * calls (see curlib.h for why it is not linked at build time).
 */
#include "curlib.h"
#include "../lib/diag.h"

#include <dlfcn.h>
#include <stddef.h>

#define CURLIB_SONAME "libcurl.so.4"

static struct curlib lib;
static int state; /* 0 not tried, 1 loaded, -1 failed */
static char why[512];

static int resolve(void *h, void *slot, const char *name)
{
	void *sym = dlsym(h, name);

	if (!sym) {
		snprintf(why, sizeof(why), "missing symbol %s", name);
		return -1;
	}
	/* POSIX guarantees a function pointer round-trips through void *. */
	*(void **)slot = sym;
	return 0;
}

static void load(void)
{
	void *h = dlopen(CURLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	state = -1;
	if (!h) {
		e = dlerror();
		snprintf(why, sizeof(why), "%s", e ? e : "cannot load");
		return;
	}
	if (resolve(h, &lib.global_init, "curl_global_init") < 0 ||
	    resolve(h, &lib.easy_init, "curl_easy_init") < 0 ||
	    resolve(h, &lib.easy_setopt, "curl_easy_setopt") < 0 ||
	    resolve(h, &lib.easy_perform, "curl_easy_perform") < 0 ||
	    resolve(h, &lib.easy_getinfo, "curl_easy_getinfo") < 0 ||
	    resolve(h, &lib.easy_cleanup, "curl_easy_cleanup") < 0 ||
	    resolve(h, &lib.easy_strerror, "curl_easy_strerror") < 0 ||
	    resolve(h, &lib.version_info, "curl_version_info") < 0)
		return; /* the handle stays open: harmless, process-lifetime */
	if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, sizeof(why), "curl_global_init failed");
		return;
	}
	state = 1;
}

const struct curlib *curlib_try_load(void)
{
	if (!state)
		load();
	return state > 0 ? &lib : NULL;
}

const struct curlib *curlib_load(void)
{
	const struct curlib *l = curlib_try_load();

	if (!l)
		bbr_error("cannot load libcurl '%s': %s (install Debian's libcurl4)",
			  CURLIB_SONAME, why);
	return l;
}
