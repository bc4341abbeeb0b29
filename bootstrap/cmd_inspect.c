/*
 * cmd_inspect.c - `bbroot inspect [FILE]`: what bbroot reads from a busybox
 * binary (platform, linkage, version, applets and their directories),
 * without running it, as text for people or JSON for scripts.  The same
 * facts drive install and pack, so this is also how a user checks them.
 */
#include "../bbroot.h"
#include "../lib/diag.h"
#include "applets.h"
#include "elfinfo.h"
#include "input.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char inspect_usage[] =
	"usage: bbroot inspect [options] [FILE]\n"
	"\n"
	"Describe a busybox binary without running it: FILE, or the binary\n"
	"bbroot.lock names (see 'bbroot fetch').\n"
	"\n"
	"  -v, --verbose      also list every applet with its install path\n"
	"      --json         print JSON (with the applet list) for scripts\n"
	"      --arch ARCH    refuse a binary for another architecture\n"
	"                     (OCI names: amd64, arm64, arm, 386, ppc64le ...)\n"
	"  -h, --help         this help\n"
	"\n"
	"Exit codes: 0 ok, 1 failed (cannot read FILE), 2 usage,\n"
	"3 binary check failed (not a static busybox ELF, applet tables\n"
	"inconsistent).\n";

/* "/usr/bin/[": the install path of an applet, into buf. */
static const char *applet_path(const struct applet *a, char *buf, size_t n)
{
	const char *dir = applet_dir_path(a->dir);

	snprintf(buf, n, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", a->name);
	return buf;
}

static void print_text(const struct busybox_input *in, int verbose)
{
	const struct elfinfo *info = &in->info;
	const struct applets *ap = &in->applets;
	char platform[64], path[4096], line[128];
	size_t i;

	printf("file:      %s\n", bbr_printable(in->path, path, sizeof(path)));
	printf("platform:  %s\n", elfinfo_platform(info, platform, sizeof(platform)));
	printf("class:     ELF%d %s-endian\n", info->elf_class,
	       info->big_endian ? "big" : "little");
	printf("linkage:   %s\n", elfinfo_linkage_name(info->linkage));
	printf("version:   %s\n", info->version ? info->version : "unknown");
	printf("applets:   %zu (from %s)\n", ap->nr, applets_origin_name(ap->origin));
	if (!verbose)
		return;
	if (ap->names_offset >= 0)
		printf("names:     at file offset 0x%llx (%zu names)\n", ap->names_offset,
		       ap->nr_table);
	if (ap->loc_offset >= 0)
		printf("locations: at file offset 0x%llx\n", ap->loc_offset);
	for (i = 0; i < ap->nr; i++)
		printf("%s\n", applet_path(&ap->list[i], line, sizeof(line)));
}

/* A JSON string, or null for bytes that are not UTF-8 (a user's path). */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);

	return j ? j : json_null();
}

/* JSON with a fixed key order (jansson keeps insertion order). */
static int print_json(const struct busybox_input *in)
{
	const struct elfinfo *info = &in->info;
	const struct applets *ap = &in->applets;
	json_t *root = json_object(), *list = json_array();
	char platform[64], line[128];
	size_t i;

	json_object_set_new(root, "file", json_text(in->path));
	json_object_set_new(root, "platform",
			    json_string(elfinfo_platform(info, platform, sizeof(platform))));
	json_object_set_new(root, "os", json_string("linux"));
	json_object_set_new(root, "architecture", json_string(info->architecture));
	json_object_set_new(root, "variant", json_string(info->variant));
	json_object_set_new(root, "elf_class", json_integer(info->elf_class));
	json_object_set_new(root, "byte_order",
			    json_string(info->big_endian ? "big" : "little"));
	json_object_set_new(root, "linkage", json_string(elfinfo_linkage_name(info->linkage)));
	json_object_set_new(root, "version",
			    info->version ? json_string(info->version) : json_null());
	json_object_set_new(root, "applets_origin", json_string(applets_origin_name(ap->origin)));
	json_object_set_new(root, "applet_count", json_integer((json_int_t)ap->nr));
	for (i = 0; i < ap->nr; i++) {
		json_t *a = json_object();

		json_object_set_new(a, "name", json_string(ap->list[i].name));
		json_object_set_new(a, "path", json_string(applet_path(&ap->list[i], line,
									sizeof(line))));
		json_array_append_new(list, a);
	}
	json_object_set_new(root, "applets", list);
	/* A write error is reported once, at exit, from ferror(stdout). */
	json_dumpf(root, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(root);
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "arch", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct busybox_input in;
	const char *arch = NULL, *file = NULL;
	int verbose = bbr_opt.verbose, json = 0, c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose++;
			break;
		case 'j':
			json = 1;
			break;
		case 'a':
			arch = optarg;
			break;
		case 'h':
			fputs(inspect_usage, stdout);
			return BBR_EXIT_OK;
		case ':':
			return bbr_usage("inspect", "option '%s' needs a value", argv[optind - 1]);
		default:
			return bbr_usage("inspect", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return bbr_usage("inspect", "too many arguments (one FILE at most)");
	if (optind < argc)
		file = argv[optind];

	busybox_input_init(&in);
	rc = busybox_input_load(file, arch, &in);
	if (rc == 0)
		rc = json ? print_json(&in) : (print_text(&in, verbose), 0);
	busybox_input_release(&in);
	return bbr_exit_code(rc);
}
