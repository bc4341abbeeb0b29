/*
 * cmd_fetch.c - `bbroot fetch [options] [SOURCE]`: get a static busybox
 * into the content-addressed cache and record it in bbroot.lock.
 *
 * The steps, each in its own module:
 *   choose the URL and the pin      (source.c, pins.c, lock.c)
 *   use the cache when it has it    (cache.c: re-verified, no network)
 *   download into a .part, hashing  (download.c: libcurl)
 *   compare with the pin            (mismatch: exit 3, nothing kept)
 *   take bin/busybox out of a .deb  (deb.c: libarchive)
 *   check the binary                (elfinfo.c: ELF, static, platform)
 *   publish into the cache, lock    (cache.c, lock.c: atomic renames)
 */
#include "cache.h"
#include "deb.h"
#include "download.h"
#include "elfinfo.h"
#include "lock.h"
#include "pins.h"
#include "source.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/fileutil.h"
#include "../lib/sha256.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char fetch_usage[] =
	"usage: bbroot fetch [options] [SOURCE]\n"
	"\n"
	"Get a static busybox into the cache and record it in ./bbroot.lock.\n"
	"\n"
	"SOURCE:\n"
	"  (none)             the binary bbroot.lock names, else the pinned upstream\n"
	"                     binary for --arch (default: this machine's)\n"
	"  URL                https://, http:// or file:// URL of a busybox binary\n"
	"                     or of a Debian package (busybox-static_*.deb)\n"
	"  PATH               a busybox binary or .deb on disk\n"
	"  host               the static busybox on PATH (Debian: busybox-static)\n"
	"\n"
	"options:\n"
	"  -a, --arch ARCH          architecture (amd64, arm64, arm, s390x ...)\n"
	"      --sha256 HEX         the sha256 the download must have\n"
	"      --insecure           allow http:// without a sha256 pin\n"
	"      --cacert FILE        trust this CA too (TLS is always verified)\n"
	"      --cache-dir DIR      cache directory (env BBROOT_CACHE; default\n"
	"                           $XDG_CACHE_HOME/bbroot or ~/.cache/bbroot)\n"
	"      --mirror BASE        replace scheme and host of the upstream URL\n"
	"                           (env BBROOT_MIRROR)\n"
	"      --offline            never use the network\n"
	"      --connect-timeout S  seconds to connect (default 30)\n"
	"      --low-speed-limit B  bytes/s below which ... (default 1024)\n"
	"      --low-speed-time S   ... for S seconds aborts (default 30)\n"
	"      --max-size SIZE      largest download, K/M/G suffixes (default 32M)\n"
	"      --retries N          attempts after transient failures (default 3)\n"
	"      --retry-delay S      first backoff in seconds, doubled (default 1)\n"
	"      --max-redirs N       redirects followed (default 5)\n"
	"  -h, --help               this help\n"
	"\n"
	"Prints '<sha256>  <cached file>' on stdout.\n"
	"exit codes: 0 ok, 1 failed, 2 usage, 3 integrity (checksum or binary check)\n";

struct fetch_request {
	const char *arch;        /* --arch, or NULL */
	const char *sha256;      /* --sha256 (lower-cased), or NULL */
	const char *source;      /* SOURCE, or NULL */
	const char *cache_dir;
	const char *mirror;
	int insecure;
	int offline;
	struct download_options net;
};

/* What one fetch decided and found. */
struct fetch_state {
	char *dir;               /* cache directory */
	char *canonical;         /* URL recorded in the lock (before mirror) */
	char *url;               /* URL downloaded */
	char *pin;               /* sha256 the download must have, or NULL */
	char *binary_pin;        /* sha256 the binary must have (.deb), or NULL */
	const char *pin_origin;  /* where the pin came from, for messages */
	char *part;
	char *cached;            /* final cache path */
	int default_source;
	struct lock lock;
	struct pins pins;
	struct elfinfo info;
};

enum {
	OPT_SHA256 = 256, OPT_INSECURE, OPT_CACERT, OPT_CACHE_DIR, OPT_MIRROR,
	OPT_OFFLINE, OPT_CONNECT_TIMEOUT, OPT_LOW_SPEED_LIMIT, OPT_LOW_SPEED_TIME,
	OPT_MAX_SIZE, OPT_RETRIES, OPT_RETRY_DELAY, OPT_MAX_REDIRS,
};

static const struct option fetch_options[] = {
	{ "arch", required_argument, NULL, 'a' },
	{ "sha256", required_argument, NULL, OPT_SHA256 },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "mirror", required_argument, NULL, OPT_MIRROR },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "low-speed-limit", required_argument, NULL, OPT_LOW_SPEED_LIMIT },
	{ "low-speed-time", required_argument, NULL, OPT_LOW_SPEED_TIME },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "retry-delay", required_argument, NULL, OPT_RETRY_DELAY },
	{ "max-redirs", required_argument, NULL, OPT_MAX_REDIRS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* OCI architecture name for what users type: Debian and uname names too. */
static const char *canonical_arch(const char *arch)
{
	static const struct {
		const char *alias, *oci;
	} aliases[] = {
		{ "x86_64", "amd64" }, { "x86-64", "amd64" }, { "aarch64", "arm64" },
		{ "armhf", "arm" }, { "armel", "arm" }, { "armv7", "arm" }, { "armv7l", "arm" },
		{ "i386", "386" }, { "i686", "386" }, { "ppc64el", "ppc64le" },
	};
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(arch, aliases[i].alias))
			return aliases[i].oci;
	for (p = arch; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return NULL;
	return *arch ? arch : NULL;
}

/* A non-negative integer with an optional K/M/G (binary) suffix. */
static int parse_size(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0 || *s == '-' || *s == '+')
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' && end[-1] != '\0')
		end++;
	if (*end == 'B')
		end++;
	return *end ? -1 : (*out = v, 0);
}

static int parse_long(const char *s, long max, long *out)
{
	long long v;

	if (parse_size(s, &v) < 0 || v > max || strpbrk(s, "kKmMgGiB"))
		return -1;
	*out = (long)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 3600)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct fetch_request *req)
{
	long n;
	double d;
	int c;

	memset(req, 0, sizeof(*req));
	download_options_init(&req->net);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+a:h", fetch_options, NULL)) != -1) {
		switch (c) {
		case 'a':
			req->arch = canonical_arch(optarg);
			if (!req->arch)
				return bbr_usage("fetch", "invalid --arch '%s': use an OCI name "
						 "such as amd64, arm64, arm, 386, s390x", optarg);
			break;
		case OPT_SHA256:
			if (!sha256_hex_valid(optarg))
				return bbr_usage("fetch", "invalid --sha256 '%s': need 64 hex digits", optarg);
			sha256_hex_lower(optarg);
			req->sha256 = optarg;
			break;
		case OPT_INSECURE:
			req->insecure = 1;
			break;
		case OPT_CACERT:
			req->net.cacert = optarg;
			break;
		case OPT_CACHE_DIR:
			req->cache_dir = optarg;
			break;
		case OPT_MIRROR:
			req->mirror = optarg;
			break;
		case OPT_OFFLINE:
			req->offline = 1;
			break;
		case OPT_CONNECT_TIMEOUT:
		case OPT_LOW_SPEED_TIME:
			if (parse_long(optarg, 3600, &n) < 0 || n < 1)
				return bbr_usage("fetch", "invalid %s '%s': need seconds (1-3600)",
						 c == OPT_CONNECT_TIMEOUT ? "--connect-timeout"
									  : "--low-speed-time", optarg);
			if (c == OPT_CONNECT_TIMEOUT)
				req->net.connect_timeout = n;
			else
				req->net.low_speed_time = n;
			break;
		case OPT_LOW_SPEED_LIMIT:
			if (parse_long(optarg, 1L << 30, &n) < 0 || n < 1)
				return bbr_usage("fetch", "invalid --low-speed-limit '%s': need bytes per second",
						 optarg);
			req->net.low_speed_limit = n;
			break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &req->net.max_size) < 0 || req->net.max_size < 1 ||
			    req->net.max_size > (long long)ELFINFO_MAX_SIZE)
				return bbr_usage("fetch", "invalid --max-size '%s': need a size up to 256M",
						 optarg);
			break;
		case OPT_RETRIES:
			if (parse_long(optarg, 100, &n) < 0)
				return bbr_usage("fetch", "invalid --retries '%s': need 0-100", optarg);
			req->net.retries = (int)n;
			break;
		case OPT_RETRY_DELAY:
			if (parse_seconds(optarg, &d) < 0)
				return bbr_usage("fetch", "invalid --retry-delay '%s': need seconds", optarg);
			req->net.retry_delay = d;
			break;
		case OPT_MAX_REDIRS:
			if (parse_long(optarg, 50, &n) < 0)
				return bbr_usage("fetch", "invalid --max-redirs '%s': need 0-50", optarg);
			req->net.max_redirs = n;
			break;
		case 'h':
			fputs(fetch_usage, stdout);
			return -2;
		default:
			if (optopt)
				return bbr_usage("fetch", "unknown or incomplete option '-%c'", optopt);
			return bbr_usage("fetch", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return bbr_usage("fetch", "too many arguments: one SOURCE at most");
	if (argc - optind == 1)
		req->source = argv[optind];
	if (!req->mirror)
		req->mirror = getenv("BBROOT_MIRROR");
	if (req->mirror && !*req->mirror)
		req->mirror = NULL;
	return 0;
}

static void state_init(struct fetch_state *st)
{
	memset(st, 0, sizeof(*st));
	lock_init(&st->lock);
	pins_init(&st->pins);
	elfinfo_init(&st->info);
}

static void state_release(struct fetch_state *st)
{
	free(st->dir);
	free(st->canonical);
	free(st->url);
	free(st->pin);
	free(st->binary_pin);
	free(st->part);
	free(st->cached);
	lock_release(&st->lock);
	pins_release(&st->pins);
	elfinfo_release(&st->info);
}

static void offline_hint(void)
{
	fprintf(stderr, "hint: without network, use 'bbroot fetch host' (this machine's "
			"busybox-static), or give a busybox file or .deb path\n");
}

/* The download's pin and the binary's pin from a lock entry. */
static void pins_from_lock(struct fetch_state *st, const struct lock_entry *e)
{
	st->pin_origin = LOCK_FILE;
	if (e->source_sha256) {
		st->pin = xstrdup(e->source_sha256);
		st->binary_pin = xstrdup(e->sha256);
	} else {
		st->pin = xstrdup(e->sha256);
	}
}

/* Decide the URLs and pins.  Returns 0, or -1 with a message. */
static int choose_source(const struct fetch_request *req, struct fetch_state *st,
			 const char **arch, const struct lock_entry **locked)
{
	const char *mirror = req->mirror;
	const struct lock_entry *e = NULL;

	*locked = NULL;
	if (!req->source) {
		const struct pin *pin;

		st->default_source = 1;
		if (!*arch)
			*arch = elfinfo_host_architecture();
		if (pins_load(&st->pins) < 0)
			return -1;
		if (!mirror)
			mirror = st->pins.mirror;
		e = lock_find(&st->lock, *arch);
		if (e) {
			st->canonical = xstrdup(e->url);
			pins_from_lock(st, e);
		} else {
			pin = pins_find(&st->pins, *arch);
			if (!pin)
				return bbr_error("no pinned upstream busybox for '%s': give a SOURCE "
						 "(URL, file, .deb or 'host'); with --sha256 HEX it is "
						 "checked, without one its sha256 is trusted on first use "
						 "and recorded in %s", *arch, LOCK_FILE);
			st->canonical = xstrdup(pin->url);
			st->pin = xstrdup(pin->sha256);
			st->pin_origin = "pins.ini";
		}
		st->url = mirror ? source_mirror(st->canonical, mirror) : xstrdup(st->canonical);
		if (!st->url)
			return -1;
	} else {
		if (!strcmp(req->source, "host")) {
			char *path;

			if (source_find_host(&path) < 0)
				return -1;
			st->canonical = source_file_url(path);
			free(path);
		} else if (source_looks_like_url(req->source)) {
			if (source_scheme(req->source) == SCHEME_OTHER) {
				/* bbr_usage records exit class 2; the caller wants -1. */
				bbr_usage("fetch", "unsupported URL '%s': use https://, http:// "
					  "or file://", req->source);
				return -1;
			}
			st->canonical = xstrdup(req->source);
		} else {
			struct stat sb;

			if (stat(req->source, &sb) < 0)
				return bbr_error("cannot read '%s': %s", req->source, strerror(errno));
			if (!S_ISREG(sb.st_mode))
				return bbr_error("cannot read '%s': not a regular file", req->source);
			st->canonical = source_file_url(req->source);
		}
		if (!st->canonical)
			return -1;
		st->url = xstrdup(st->canonical);
		e = lock_find_url(&st->lock, st->canonical);
		if (e && *arch && strcmp(e->arch, *arch))
			e = NULL;
		if (e)
			pins_from_lock(st, e);
	}
	if (req->sha256 && (!st->pin || strcmp(req->sha256, st->pin))) {
		/* An explicit pin replaces what the lock or configs said. */
		free(st->pin);
		free(st->binary_pin);
		st->pin = xstrdup(req->sha256);
		st->pin_origin = "--sha256";
		st->binary_pin = NULL;
		e = NULL;
	}
	*locked = e;
	return 0;
}

/* The binary check of a downloaded file, under the URL's name (elfinfo
 * maps the file: no copy of a large download is made). */
static int check_binary_file(struct fetch_state *st, const char *path)
{
	return elfinfo_read_as(path, st->url, 0, &st->info);
}

/* Write an extracted binary into the cache as <dir>/<hex>. */
static int publish_image(struct fetch_state *st, const char *hex,
			 const unsigned char *image, size_t len)
{
	struct atomic_file af;
	char *path = cache_entry_path(st->dir, hex);
	int rc = -1;

	if (atomic_file_open(&af, path, 0755) < 0)
		goto out;
	if (write_all(af.fd, image, len) < 0) {
		bbr_error("cannot write cache entry '%s': %s", path, strerror(errno));
		atomic_file_abort(&af);
		goto out;
	}
	if (atomic_file_commit(&af) < 0)
		goto out;
	st->cached = path;
	path = NULL;
	rc = 0;
out:
	free(path);
	return rc;
}

static int verify_arch(const struct fetch_state *st, const char *arch)
{
	if (arch && strcmp(arch, st->info.architecture))
		return bbr_fail(BBR_EXIT_INTEGRITY, "binary check failed for '%s': built for %s, not %s",
				st->url, st->info.architecture, arch);
	return 0;
}

/*
 * Download, verify, check and publish.  On return the .part is gone unless
 * the download module kept it for resuming.  Fills e (borrowing strings
 * from st) for the lock.
 */
static int fetch_into_cache(const struct download_options *net, struct fetch_state *st,
			    const char *arch, struct download_result *res, char bin_hex[SHA256_HEX_LEN + 1])
{
	unsigned char *image = NULL;
	size_t len = 0;
	char *partdir = xasprintf("%s/partial", st->dir);
	int is_deb, rc = -1, discard = 0;

	if (mkdir_p(partdir, 0755) < 0)
		goto out;
	st->part = cache_part_path(st->dir, st->url);
	if (download_file(st->url, st->part, net, res) < 0)
		goto out; /* download_file decided whether the .part stays */
	/* From here on, a failure leaves nothing behind. */
	discard = 1;
	if (st->pin && strcmp(st->pin, res->sha256) && res->resumed) {
		bbr_info("'%s' resumed download does not match its sha256: downloading it again",
			 st->url);
		unlink(st->part);
		discard = 0;
		if (download_file(st->url, st->part, net, res) < 0)
			goto out;
		discard = 1;
	}
	if (st->pin && strcmp(st->pin, res->sha256)) {
		bbr_fail(BBR_EXIT_INTEGRITY, "checksum mismatch for '%s': expected sha256 %s (%s), got %s",
			 st->url, st->pin, st->pin_origin, res->sha256);
		goto out;
	}
	is_deb = deb_is_package(st->part);
	if (is_deb < 0)
		goto out;
	if (is_deb) {
		if (deb_extract_busybox(st->part, st->url, net->max_size, &image, &len, bin_hex) < 0)
			goto out;
		if (st->binary_pin && strcmp(st->binary_pin, bin_hex)) {
			bbr_fail(BBR_EXIT_INTEGRITY, "checksum mismatch for bin/busybox in '%s': "
				 "expected sha256 %s (%s), got %s", st->url, st->binary_pin,
				 LOCK_FILE, bin_hex);
			goto out;
		}
		if (elfinfo_read_memory(image, len, st->url, 0, &st->info) < 0)
			goto out;
	} else {
		if (check_binary_file(st, st->part) < 0)
			goto out;
		memcpy(bin_hex, res->sha256, SHA256_HEX_LEN + 1);
	}
	if (verify_arch(st, arch) < 0)
		goto out;
	if (is_deb) {
		if (publish_image(st, bin_hex, image, len) < 0)
			goto out;
	} else if (cache_publish(st->dir, st->part, bin_hex, &st->cached) < 0) {
		goto out;
	}
	rc = 0;
out:
	/* The package (or a failed .part) is not kept; a published binary was
	 * renamed away, so this only removes what must go. */
	if (discard)
		unlink(st->part);
	free(image);
	free(partdir);
	return rc;
}

/*
 * When the lock names the binary, use the cache entry if it is valid:
 * print it and return 1.  A corrupt entry is discarded (0: fetch it);
 * 0 also when absent or nothing is locked; -1 on errors.
 */
static int use_cached(struct fetch_state *st, const struct lock_entry *locked)
{
	char *path;
	int state;

	if (!locked)
		return 0;
	path = cache_entry_path(st->dir, locked->sha256);
	state = cache_check(path, locked->sha256);
	if (state == CACHE_VALID) {
		bbr_info("busybox %s for %s is up to date (%s)",
			 locked->version ? locked->version : "(unknown version)",
			 locked->platform ? locked->platform : locked->arch, LOCK_FILE);
		printf("%s  %s\n", locked->sha256, path);
		free(path);
		return 1;
	}
	if (state == CACHE_CORRUPT) {
		bbr_warn("cache entry '%s' does not match its sha256: discarding it", path);
		if (unlink(path) < 0 && errno != ENOENT)
			state = bbr_error("cannot remove corrupt cache entry '%s': %s", path,
					  strerror(errno));
		else
			state = 0;
	}
	free(path);
	return state < 0 ? -1 : 0;
}

static int run_fetch(const struct fetch_request *req)
{
	struct fetch_state st;
	const struct lock_entry *locked = NULL;
	struct download_options net;
	struct download_result res;
	struct lock_entry entry;
	const char *arch = req->arch;
	char bin_hex[SHA256_HEX_LEN + 1];
	char platform[64], printable[512];
	int cache_fd = -1, rc = -1;

	state_init(&st);
	if (lock_read(LOCK_FILE, &st.lock) < 0)
		goto out;
	if (choose_source(req, &st, &arch, &locked) < 0)
		goto out;
	st.dir = cache_dir(req->cache_dir);
	if (!st.dir)
		goto out;

	rc = use_cached(&st, locked);
	if (rc != 0) {
		rc = rc > 0 ? 0 : -1;
		goto out;
	}
	rc = -1;

	if (req->offline && source_scheme(st.url) != SCHEME_FILE) {
		bbr_error("cannot fetch '%s': --offline and the cache does not have it",
			  bbr_printable(st.url, printable, sizeof(printable)));
		if (st.default_source)
			offline_hint();
		goto out;
	}
	if (source_scheme(st.url) == SCHEME_HTTP && !st.pin && !req->insecure) {
		bbr_error("refusing plain http without a sha256 pin '%s': give --sha256 HEX, "
			  "use https, or accept the risk with --insecure",
			  bbr_printable(st.url, printable, sizeof(printable)));
		goto out;
	}
	/* Unpinned bytes must not be downgraded to http by a redirect either. */
	net = req->net;
	net.https_redirects_only = !st.pin && !req->insecure;
	/* Only pinned bytes are resumed across runs: a splice is then caught. */
	net.keep_partial = st.pin != NULL;
	if (mkdir_p(st.dir, 0755) < 0)
		goto out;
	cache_fd = cache_lock(st.dir);
	if (cache_fd < 0)
		goto out;
	/* Another bbroot may have fetched it while we waited for the lock. */
	rc = use_cached(&st, locked);
	if (rc != 0) {
		rc = rc > 0 ? 0 : -1;
		goto out;
	}
	rc = -1;
	if (fetch_into_cache(&net, &st, arch, &res, bin_hex) < 0) {
		if (st.default_source && bbr_exit_code(-1) == BBR_EXIT_FAIL)
			offline_hint();
		goto out;
	}
	cache_unlock(cache_fd);
	cache_fd = -1;

	elfinfo_platform(&st.info, platform, sizeof(platform));
	memset(&entry, 0, sizeof(entry));
	entry.arch = st.info.architecture;
	entry.url = st.canonical;
	entry.sha256 = bin_hex;
	entry.source_sha256 = strcmp(bin_hex, res.sha256) ? res.sha256 : NULL;
	entry.size = (long long)st.info.size;
	entry.version = st.info.version;
	entry.platform = platform;
	lock_set(&st.lock, &entry);
	if (lock_write(LOCK_FILE, &st.lock) < 0)
		goto out;
	if (!st.pin)
		bbr_info("no pin for '%s': trusting it on first use; its sha256 %s is now in %s",
			 st.canonical, res.sha256, LOCK_FILE);
	bbr_info("busybox %s for %s (%s), sha256 %s, recorded in %s",
		 st.info.version ? st.info.version : "(unknown version)", platform,
		 elfinfo_linkage_name(st.info.linkage), bin_hex, LOCK_FILE);
	printf("%s  %s\n", bin_hex, st.cached);
	rc = 0;
out:
	cache_unlock(cache_fd);
	state_release(&st);
	return rc;
}

int cmd_fetch(int argc, char **argv)
{
	struct fetch_request req;
	int rc = parse_args(argc, argv, &req);

	if (rc == -2)
		return BBR_EXIT_OK;
	if (rc)
		return rc;
	return bbr_exit_code(run_fetch(&req));
}
