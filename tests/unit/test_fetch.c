/*
 * test_fetch.c - unit tests for the fetch modules: lock file parse/format
 * round trip and rejection of bad input, lock_locate_binary() against a
 * temporary lock + cache, pins, mirror rewriting and file URLs.
 */
#include "tap.h"
#include "../../bootstrap/cache.h"
#include "../../bootstrap/lock.h"
#include "../../bootstrap/pins.h"
#include "../../bootstrap/source.h"
#include "../../bbroot.h"
#include "../../lib/diag.h"
#include "../../lib/sha256.h"
#include "../../lib/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void test_lock_roundtrip(void)
{
	struct lock lock, again;
	struct lock_entry e;
	char *text, *text2;

	lock_init(&lock);
	memset(&e, 0, sizeof(e));
	e.arch = "s390x";
	e.url = "https://example.invalid/busybox-s390x";
	e.sha256 = HEX_A;
	e.size = 123;
	e.version = "1.31.0";
	e.platform = "linux/s390x";
	lock_set(&lock, &e);
	e.arch = "amd64";
	e.url = "file:///tmp/busybox-static_amd64.deb";
	e.sha256 = HEX_B;
	e.source_sha256 = HEX_A;
	e.platform = "linux/amd64";
	lock_set(&lock, &e);
	text = lock_format(&lock);
	ok(strstr(text, "[amd64]") < strstr(text, "[s390x]"), "sections are sorted by architecture");
	ok(strstr(text, "source_sha256 = " HEX_A "\n") != NULL, "source_sha256 written for packages");
	is_int(lock_parse(text, "t", &again), 0, "formatted lock parses");
	is_int(again.nr, 2, "two entries back");
	is_str(lock_find(&again, "s390x")->url, "https://example.invalid/busybox-s390x", "url kept");
	is_int(lock_find(&again, "s390x")->size, 123, "size kept");
	is_str(lock_find(&again, "amd64")->source_sha256, HEX_A, "source_sha256 kept");
	ok(lock_find(&again, "s390x")->source_sha256 == NULL, "no source_sha256 for a plain binary");
	ok(lock_find_url(&again, "file:///tmp/busybox-static_amd64.deb") != NULL, "found by url");
	text2 = lock_format(&again);
	is_str(text2, text, "format(parse(format)) is byte-identical");
	e.arch = "amd64";
	e.sha256 = HEX_A;
	lock_set(&again, &e);
	is_int(again.nr, 2, "lock_set replaces the entry of an architecture");
	free(text);
	free(text2);
	lock_release(&lock);
	lock_release(&again);
	lock_release(&again);
}

static void test_lock_rejects(void)
{
	static const char *bad[] = {
		"url = x\n",                                         /* outside a section */
		"[amd64]\nurl = file:///x\n",                        /* no sha256 */
		"[amd64]\nsha256 = " HEX_A "\n",                     /* no url */
		"[amd64]\nurl = file:///x\nsha256 = abc\n",          /* short digest */
		"[amd64]\nurl = file:///x\nsha256 = " HEX_A "\nsize = -1\n",
		"[AMD 64]\nurl = file:///x\nsha256 = " HEX_A "\n",   /* not an arch name */
		"[amd64\nurl = file:///x\n",                         /* syntax */
	};
	struct lock lock;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(lock_parse(bad[i], "bad", &lock), -1, "malformed lock %zu refused", i);
	is_int(lock_parse("[amd64]\nurl = file:///x\nsha256 = " HEX_A "\nfuture = 1\n", "ok", &lock),
	       0, "unknown keys are ignored");
	is_str(lock_find(&lock, "amd64")->sha256, HEX_A, "digest read");
	lock_release(&lock);
	is_int(lock_parse("[amd64]\nurl = file:///x\nsha256 = " "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "\n",
			  "ok", &lock), 0, "upper-case digest accepted");
	is_str(lock_find(&lock, "amd64")->sha256, HEX_A, "... and lower-cased");
	lock_release(&lock);
	bbr_reset_failure();
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_locate_binary(void)
{
	char dir[] = "/tmp/test_fetch.XXXXXX";
	char hex[SHA256_HEX_LEN + 1], lockbuf[512], cwd[4096];
	char *path = NULL, *cache, *entry;

	if (!mkdtemp(dir) || !getcwd(cwd, sizeof(cwd)) || chdir(dir) < 0) {
		ok(0, "temp dir");
		return;
	}
	cache = xasprintf("%s/cache", dir);
	setenv("BBROOT_CACHE", cache, 1);
	mkdir(cache, 0755);

	is_int(lock_locate_binary(NULL, &path), -1, "no lock: error");
	write_file("payload", "pretend busybox\n");
	sha256_file("payload", hex, NULL);
	entry = cache_entry_path(cache, hex);
	snprintf(lockbuf, sizeof(lockbuf), "[s390x]\nurl = file:///x\nsha256 = %s\n", hex);
	write_file(LOCK_FILE, lockbuf);
	is_int(lock_locate_binary(NULL, &path), -1, "entry missing from the cache: error");
	rename("payload", entry);
	is_int(lock_locate_binary(NULL, &path), 0, "the only section is used when arch is NULL");
	is_str(path, entry, "the cache path is returned");
	free(path);
	path = NULL;
	is_int(lock_locate_binary("s390x", &path), 0, "explicit arch");
	free(path);
	path = NULL;
	bbr_reset_failure();
	is_int(lock_locate_binary("arm64", &path), -1, "arch not in the lock: error");
	ok(path == NULL, "no path on error");
	write_file(entry, "tampered\n");
	bbr_reset_failure();
	is_int(lock_locate_binary(NULL, &path), -1, "corrupt cache entry: error");
	is_int(bbr_exit_code(-1), BBR_EXIT_INTEGRITY, "... of the integrity class");
	bbr_reset_failure();
	unlink(entry);
	unlink(LOCK_FILE);
	rmdir(cache);
	chdir(cwd);
	rmdir(dir);
	free(entry);
	free(cache);
	unsetenv("BBROOT_CACHE");
}

static void test_pins(void)
{
	struct pins pins;
	const struct pin *p;

	is_int(pins_load(&pins), 0, "embedded pins.ini parses");
	p = pins_find(&pins, "amd64");
	ok(p && !strcmp(p->sha256, "6e123e7f3202a8c1e9b1f94d8941580a25135382b99e8d3e34fb858bba311348"),
	   "amd64 pin is busybox.net 1.35.0 x86_64-linux-musl");
	ok(p && strstr(p->url, "/1.35.0-x86_64-linux-musl/busybox"), "amd64 url");
	p = pins_find(&pins, "arm");
	ok(p && strstr(p->url, "busybox-armv7l"), "arm is the armv7l build");
	ok(pins_find(&pins, "arm64") == NULL, "no arm64 pin (armv8l is 32-bit)");
	ok(pins_find(&pins, "s390x") != NULL, "s390x pin");
	pins_release(&pins);
	pins_release(&pins);
	pins_init(&pins);
	is_int(pins_parse("[x]\nurl = u\nsha256 = nothex\n", "t", &pins), -1, "bad pin digest refused");
	pins_release(&pins);
	pins_init(&pins);
	is_int(pins_parse("mirror = http://m\n[x]\nurl = u\nsha256 = " HEX_A "\n", "t", &pins), 0,
	       "global mirror setting");
	is_str(pins.mirror, "http://m", "mirror read");
	pins_release(&pins);
	bbr_reset_failure();
}

static void test_source(void)
{
	char *s;

	s = source_mirror("https://busybox.net/downloads/binaries/x/busybox", "http://127.0.0.1:8080/");
	is_str(s, "http://127.0.0.1:8080/downloads/binaries/x/busybox", "mirror replaces scheme and host");
	free(s);
	s = source_mirror("https://busybox.net/a/b", "https://m.example/base");
	is_str(s, "https://m.example/base/a/b", "mirror with a base path");
	free(s);
	s = source_mirror("file:///a/b", "http://m");
	is_str(s, "file:///a/b", "file URLs are not mirrored");
	free(s);
	ok(source_mirror("https://busybox.net/a", "ftp://m") == NULL, "non-http mirror refused");
	bbr_reset_failure();
	s = source_file_url("/nonexistent dir/a%b");
	is_str(s, "file:///nonexistent%20dir/a%25b", "file URL is percent-encoded");
	free(s);
	is_int(source_scheme("HTTPS://x"), SCHEME_HTTPS, "scheme is case-insensitive");
	is_int(source_scheme("ftp://x"), SCHEME_OTHER, "ftp is not a scheme we use");
	ok(source_looks_like_url("file:///x"), "file:// looks like a URL");
	ok(!source_looks_like_url("./busybox"), "a path does not");
	ok(!source_looks_like_url("host"), "'host' does not");
}

static void test_cache_paths(void)
{
	char *a = cache_part_path("/c", "https://x/busybox");
	char *b = cache_part_path("/c", "https://x/busybox?other");

	ok(!strncmp(a, "/c/partial/", 11) && strlen(a) == 11 + 32 + 5, "part path shape");
	ok(strcmp(a, b) != 0, "one .part per URL");
	free(a);
	free(b);
	setenv("BBROOT_CACHE", "/from/env", 1);
	a = cache_dir(NULL);
	is_str(a, "/from/env", "BBROOT_CACHE");
	free(a);
	a = cache_dir("/opt");
	is_str(a, "/opt", "--cache-dir wins");
	free(a);
	unsetenv("BBROOT_CACHE");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	a = cache_dir(NULL);
	is_str(a, "/xdg/bbroot", "XDG_CACHE_HOME/bbroot");
	free(a);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	a = cache_dir(NULL);
	is_str(a, "/home/u/.cache/bbroot", "~/.cache/bbroot");
	free(a);
}

int main(void)
{
	test_lock_roundtrip();
	test_lock_rejects();
	test_locate_binary();
	test_pins();
	test_source();
	test_cache_paths();
	return tap_done();
}
