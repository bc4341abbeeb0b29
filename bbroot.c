/*
 * bbroot.c - entry point: global options, the command table, and the
 * checks every run ends with (stdout flushed and its errors reported).
 *
 * To add a command: write `int cmd_NAME(int argc, char **argv)` in its own
 * file, declare it in bbroot.h and add one row to `commands` below.
 */
#include "bbroot.h"
#include "bootstrap/curlib.h"
#include "lib/diag.h"
#include "lib/fileutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <elfutils/version.h>
#include <jansson.h>
#include <openssl/crypto.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "fetch", cmd_fetch, "download, verify, cache and lock a static busybox" },
	{ "inspect", cmd_inspect, "describe a busybox binary: platform, version, applets" },
	{ "install", cmd_install, "lay out a busybox rootfs in a directory" },
	{ "pack", cmd_pack, "write a rootfs tar or a docker/OCI image archive" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: bbroot [global options] <command> [options] [args]\n"
		"\n"
		"Build minimal container images from a static BusyBox.\n"
		"\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"global options:\n"
		"  -q, --quiet        no progress or chatter (errors still print)\n"
		"  -v, --verbose      more detail\n"
		"  -C DIR             change to DIR first (bbroot.lock lives there)\n"
		"      --progress     always draw progress on stderr\n"
		"      --no-progress  never draw progress\n"
		"  -h, --help         this help; 'bbroot COMMAND -h' for a command\n"
		"      --version      bbroot and library versions\n"
		"\n"
		"exit codes: 0 ok, 1 failed, 2 usage, 3 integrity (checksum or binary check)\n"
		"\n"
		"example:\n"
		"  bbroot fetch && bbroot pack --release KatacodaPrivateBuild\n"
		"  docker import busybox.tar busybox && docker run busybox cat /release\n");
}

static void version(void)
{
	const struct curlib *cl = curlib_try_load();
	curl_version_info_data *cv = cl ? cl->version_info(CURLVERSION_NOW) : NULL;

	printf("bbroot %s\n", BBROOT_VERSION);
	if (cv)
		printf("libcurl %s (%s; loaded by fetch on first use)\n", cv->version,
		       cv->ssl_version ? cv->ssl_version : "no TLS");
	else
		printf("libcurl not loadable: 'bbroot fetch' cannot download\n");
	printf("%s\n", archive_version_details());
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("elfutils libelf 0.%d\n", _ELFUTILS_VERSION);
	printf("jansson %s\n", jansson_version_str());
}

static int finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* Report a write error unless stdout simply went away. */
		if (errno != EPIPE)
			fprintf(stderr, "bbroot: cannot write to standard output: %s\n",
				strerror(errno));
		return code ? code : BBR_EXIT_FAIL;
	}
	return code;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	size_t i;
	int n;

	signal(SIGPIPE, SIG_IGN);
	atomic_file_signals();

	for (n = 1; n < argc && argv[n][0] == '-'; n++) {
		const char *a = argv[n];

		if (!strcmp(a, "--")) {
			n++;
			break;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			bbr_opt.quiet = 1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			bbr_opt.verbose++;
		} else if (!strcmp(a, "--progress")) {
			bbr_opt.progress = 1;
		} else if (!strcmp(a, "--no-progress")) {
			bbr_opt.progress = 0;
		} else if (!strcmp(a, "-C")) {
			if (++n >= argc)
				return bbr_usage(NULL, "option '-C' needs a directory");
			dir = argv[n];
		} else if (!strncmp(a, "-C", 2)) {
			dir = a + 2;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return finish(BBR_EXIT_OK);
		} else if (!strcmp(a, "--version")) {
			version();
			return finish(BBR_EXIT_OK);
		} else {
			return bbr_usage(NULL, "unknown global option '%s'", a);
		}
	}
	if (n >= argc) {
		usage(stderr);
		return BBR_EXIT_USAGE;
	}
	if (dir && chdir(dir) < 0) {
		bbr_error("cannot change to directory '%s': %s", dir, strerror(errno));
		return BBR_EXIT_FAIL;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[n], commands[i].name))
			return finish(commands[i].fn(argc - n, argv + n));
	return bbr_usage(NULL, "unknown command '%s'", argv[n]);
}
