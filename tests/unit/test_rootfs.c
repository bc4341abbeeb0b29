/*
 * test_rootfs.c - the rootfs model: path cleaning, duplicate handling,
 * implicit parents, deterministic order.
 */
#include "tap.h"

#include "lib/diag.h"
#include "lib/epoch.h"
#include "lib/rootfs.h"

#include <stdlib.h>

static void test_clean(void)
{
	char *p = NULL;

	ok(rootfs_path_clean("./bin//sh/", 0, &p) == 0, "clean accepts ./bin//sh/");
	is_str(p, "bin/sh", "clean gives bin/sh");
	free(p);
	ok(rootfs_path_clean("/etc/passwd", 0, &p) < 0, "clean refuses absolute when not allowed");
	ok(rootfs_path_clean("/etc/passwd", 1, &p) == 0 && !strcmp(p, "etc/passwd"),
	   "clean strips / when allowed");
	free(p);
	ok(rootfs_path_clean("a/../b", 1, &p) < 0 && !p, "clean refuses ..");
	ok(rootfs_path_clean("./.", 1, &p) < 0, "clean refuses the root itself");
	ok(rootfs_path_clean("a..b/..c", 0, &p) == 0, "clean keeps names that merely contain dots");
	free(p);
}

static void test_order_and_dups(void)
{
	static const char *want[] = { "a", "a/b", "a-b", "bin", "bin/ash", "bin/busybox", "etc", "etc/passwd" };
	struct rootfs fs;
	size_t i;
	int same = 1;

	rootfs_init(&fs);
	ok(rootfs_add_file_mem(&fs, "etc/passwd", 0644, "root", 4, 1) == 0, "add file creates parent");
	ok(rootfs_add_dir(&fs, "a-b", 0755) == 0, "add dir a-b");
	ok(rootfs_add_dir(&fs, "a/b", 0700) == 0, "add dir a/b");
	ok(rootfs_add_file_path(&fs, "bin/busybox", 0755, "/bin/busybox", 1) == 0, "add path file");
	ok(rootfs_add_hardlink(&fs, "bin/ash", "/bin/busybox") == 0, "add hardlink");
	ok(rootfs_add_symlink(&fs, "bin/busybox", "x") < 0, "duplicate path refused");
	ok(rootfs_add_symlink(&fs, "etc/passwd/x", "y") < 0, "file as parent refused");
	is_int(fs.nr, 8, "eight entries");
	rootfs_sort(&fs);
	for (i = 0; i < fs.nr && i < 8; i++)
		if (strcmp(fs.entries[i]->path, want[i]))
			same = 0;
	ok(same, "sorted in tar --sort=name order");
	ok(rootfs_lookup(&fs, "/etc/passwd") && rootfs_lookup(&fs, "/etc/passwd")->size == 4,
	   "lookup by absolute path");
	ok(rootfs_lookup(&fs, "etc")->type == ROOTFS_DIR, "implicit parent is a directory");
	is_int(rootfs_lookup(&fs, "etc")->mode, 0755, "implicit parent mode 0755");
	ok(rootfs_validate(&fs) == 0, "hard link target exists");
	ok(rootfs_add_hardlink(&fs, "bin/sh", "etc") == 0 && rootfs_validate(&fs) < 0,
	   "hard link to a directory is refused by validate");
	{
		struct rootfs_entry e = *rootfs_lookup(&fs, "etc/passwd");

		e.path = "etc/passwd";
		e.mode = 0600;
		e.data_owned = 0;
		e.data = "x";
		e.size = 1;
		ok(rootfs_add(&fs, &e, ROOTFS_DUP_KEEP) == 1, "DUP_KEEP keeps");
		ok(rootfs_add(&fs, &e, ROOTFS_DUP_REPLACE) == 0 &&
		   rootfs_lookup(&fs, "etc/passwd")->mode == 0600, "DUP_REPLACE replaces");
		e.path = "etc";
		e.type = ROOTFS_FILE;
		ok(rootfs_add(&fs, &e, ROOTFS_DUP_REPLACE) < 0, "non-empty dir not replaced by a file");
	}
	rootfs_release(&fs);
	rootfs_release(&fs);
	ok(1, "release twice is safe");
}

static void test_many(void)
{
	struct rootfs fs;
	char name[64];
	int i, good = 1;

	rootfs_init(&fs);
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "d%d/f%d", i % 97, i);
		if (rootfs_add_file_mem(&fs, name, 0644, "", 0, 0) < 0)
			good = 0;
	}
	ok(good, "20000 files added");
	is_int(fs.nr, 20000 + 97, "plus 97 implicit directories");
	rootfs_sort(&fs);
	for (i = 1; i < (int)fs.nr; i++)
		if (rootfs_path_cmp(fs.entries[i - 1]->path, fs.entries[i]->path) >= 0)
			good = 0;
	ok(good, "strictly increasing after sort");
	rootfs_release(&fs);
}

static void test_epoch(void)
{
	long long v = -1;

	ok(bbr_parse_epoch("1700000000", &v) == 0 && v == 1700000000, "epoch parses");
	ok(bbr_parse_epoch("", &v) < 0, "empty epoch refused");
	ok(bbr_parse_epoch("-1", &v) < 0, "negative epoch refused");
	ok(bbr_parse_epoch("12a", &v) < 0, "trailing junk refused");
	ok(bbr_parse_epoch("99999999999999999999", &v) < 0, "overflow refused");
	bbr_reset_failure();
	setenv("SOURCE_DATE_EPOCH", "1e9", 1);
	ok(bbr_source_date_epoch(&v) < 0 && bbr_exit_code(-1) == 2,
	   "bad SOURCE_DATE_EPOCH is a usage error");
	unsetenv("SOURCE_DATE_EPOCH");
	ok(bbr_source_date_epoch(&v) == 0 && v == BBR_DEFAULT_EPOCH, "unset gives the default");
}

int main(void)
{
	test_clean();
	test_order_and_dups();
	test_many();
	test_epoch();
	return tap_done();
}
