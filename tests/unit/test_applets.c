/*
 * test_applets.c - the applet table reader on forged binaries (every class
 * and byte order, odd and even counts, with and without the installer,
 * ambiguous and missing tables, tables in writable segments, thousands of
 * overlapping segments) and on a real binary cut at every length through
 * its applet tables, the reader running over an image of exactly that
 * size (so ASan sees any read past the end).
 */
#include "bbroot.h"
#include "bootstrap/applets.h"
#include "bootstrap/elfinfo.h"
#include "lib/diag.h"

#include "elf_forge.h"
#include "fixture.h"
#include "tap.h"

#include <time.h>

static const struct {
	const char *name;
	enum applet_dir dir;
} table[] = {
	{ "[", APPLET_DIR_USR_BIN },       { "[[", APPLET_DIR_USR_BIN },
	{ "busybox", APPLET_DIR_BIN },     { "cat", APPLET_DIR_BIN },
	{ "chroot", APPLET_DIR_USR_SBIN }, { "cp", APPLET_DIR_BIN },
	{ "echo", APPLET_DIR_BIN },        { "env", APPLET_DIR_USR_BIN },
	{ "ifconfig", APPLET_DIR_SBIN },   { "init", APPLET_DIR_SBIN },
	{ "linuxrc", APPLET_DIR_ROOT },    { "ls", APPLET_DIR_BIN },
	{ "mkdir", APPLET_DIR_BIN },       { "mount", APPLET_DIR_BIN },
	{ "mv", APPLET_DIR_BIN },          { "rm", APPLET_DIR_BIN },
	{ "route", APPLET_DIR_SBIN },      { "sh", APPLET_DIR_BIN },
	{ "wc", APPLET_DIR_USR_BIN },      { "zcip", APPLET_DIR_USR_BIN },
};
#define NR_TABLE (sizeof(table) / sizeof(table[0]))

/* What goes into the forged payload. */
#define WITH_INSTALL 1    /* the "--install" string */
#define WITH_LOC 2        /* the location table */
#define SECOND_NAMES 4    /* another, different blob of as many names */
#define SECOND_LOC 8      /* another location table, differing for linuxrc */
#define ADJACENT 16       /* the names right after the location table, no NUL */

struct payload {
	unsigned char buf[4096];
	size_t len;
};

static void add(struct payload *p, const void *b, size_t n)
{
	memcpy(p->buf + p->len, b, n);
	p->len += n;
}

static void add_loc(struct payload *p, size_t n, int linuxrc_dir)
{
	size_t i;

	for (i = 0; i < n; i += 2) {
		unsigned v = table[i].dir;

		if (!strcmp(table[i].name, "linuxrc"))
			v = (unsigned)linuxrc_dir;
		if (i + 1 < n)
			v |= (strcmp(table[i + 1].name, "linuxrc") ? table[i + 1].dir
				  : (unsigned)linuxrc_dir) << 4;
		p->buf[p->len++] = (unsigned char)v;
	}
}

static void build(struct payload *p, size_t n, unsigned int what)
{
	static const unsigned char junk[] = { 0xde, 0xad, 0xbe, 0xef, 0x99, 0x77, 0x55, 0x00 };
	size_t i;

	p->len = 0;
	add(p, "BusyBox v1.36.1 (forged)", 25);
	if (what & WITH_INSTALL)
		add(p, "usage: busybox --install [-s] [DIR]", 36);
	add(p, junk, sizeof(junk));
	if (what & SECOND_LOC) {
		add_loc(p, n, APPLET_DIR_BIN);
		add(p, junk, sizeof(junk));
	}
	if (what & WITH_LOC)
		add_loc(p, n, APPLET_DIR_ROOT);
	if (!(what & ADJACENT))
		add(p, junk, sizeof(junk));
	for (i = 0; i < n; i++)
		add(p, table[i].name, strlen(table[i].name) + 1);
	add(p, "", 1);
	add(p, junk, sizeof(junk));
	if (what & SECOND_NAMES) {
		for (i = 0; i < n; i++) {
			char name[16];

			snprintf(name, sizeof(name), "x%02zu", i);
			add(p, name, strlen(name) + 1);
		}
		add(p, "", 1);
	}
	add(p, junk, sizeof(junk));
}

/* Scan a forged binary; returns applets_scan's result, the list in *ap. */
static int scan_forged(int is64, int be, unsigned int pflags, int nr_load, size_t n,
		       unsigned int what, struct applets *ap)
{
	struct payload p;
	struct elfinfo info;
	unsigned char *img;
	size_t len;
	int rc;

	build(&p, n, what);
	img = forge_elf(is64, be, EM_X86_64, pflags, nr_load, p.buf, p.len, &len);
	bbr_reset_failure();
	if (elfinfo_read_memory(img, len, "forged", 0, &info) < 0) {
		free(img);
		return -2;
	}
	quiet_begin();
	rc = applets_scan(&info, APPLETS_NO_RUN, ap);
	quiet_end();
	elfinfo_release(&info);
	free(img);
	return rc;
}

static int same_as_table(const struct applets *ap, size_t n, int all_in_bin)
{
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(table[i].name, "busybox"))
			continue;
		if (j >= ap->nr || strcmp(ap->list[j].name, table[i].name) ||
		    ap->list[j].dir != (all_in_bin ? APPLET_DIR_BIN : table[i].dir))
			return 0;
		j++;
	}
	return j == ap->nr;
}

static void test_forged(void)
{
	static const int shapes[][2] = { { 1, 0 }, { 1, 1 }, { 0, 0 }, { 0, 1 } };
	size_t s, n;
	struct applets ap;
	int rc;

	for (s = 0; s < 4; s++) {
		for (n = NR_TABLE - 1; n <= NR_TABLE; n++) {
			int is64 = shapes[s][0], be = shapes[s][1];

			rc = scan_forged(is64, be, PF_R | PF_X, 1, n, WITH_INSTALL | WITH_LOC, &ap);
			is_int(rc, 0, "ELF%d %s, %zu applets: read", is64 ? 64 : 32,
			       be ? "BE" : "LE", n);
			ok(ap.origin == APPLETS_FROM_TABLE && same_as_table(&ap, n, 0),
			   "...every name and directory from the table, busybox left out");
			is_int(ap.nr_table, n, "...%zu names in the table", n);
			applets_release(&ap);
		}
	}

	/* As upstream's build lays them out: "...\x33[\0[[\0...": the last
	 * location byte (0x33, both in /usr/bin) reads as the name "3[". */
	for (n = NR_TABLE - 1; n <= NR_TABLE; n++) {
		rc = scan_forged(1, 0, PF_R, 1, n, WITH_INSTALL | WITH_LOC | ADJACENT, &ap);
		ok(rc == 0 && ap.origin == APPLETS_FROM_TABLE && same_as_table(&ap, n, 0),
		   "names right after the location table (%zu applets, last byte %s)", n,
		   n & 1 ? "0x03" : "'3'");
		applets_release(&ap);
	}

	rc = scan_forged(1, 0, PF_R, 1, NR_TABLE, 0, &ap);
	ok(rc == 0 && ap.origin == APPLETS_ALL_IN_BIN && same_as_table(&ap, NR_TABLE, 1),
	   "no installer: names from the table, every applet in /bin");
	applets_release(&ap);

	rc = scan_forged(1, 0, PF_R, 1, NR_TABLE, WITH_LOC, &ap);
	ok(rc == 0 && ap.origin == APPLETS_FROM_TABLE && same_as_table(&ap, NR_TABLE, 0),
	   "no --install string but enough well-known applets: the table is still read");
	applets_release(&ap);

	rc = scan_forged(1, 0, PF_R, 1, NR_TABLE, WITH_INSTALL, &ap);
	ok(rc == -1 && bbr_exit_code(rc) == BBR_EXIT_INTEGRITY,
	   "installer but no location table: refused (exit class 3)");
	applets_release(&ap);

	rc = scan_forged(1, 0, PF_R, 1, NR_TABLE, WITH_INSTALL | WITH_LOC | SECOND_NAMES, &ap);
	ok(rc == -1 && bbr_exit_code(rc) == BBR_EXIT_INTEGRITY,
	   "two different name tables of the same size: refused");
	applets_release(&ap);

	rc = scan_forged(1, 0, PF_R, 1, NR_TABLE, WITH_INSTALL | WITH_LOC | SECOND_LOC, &ap);
	ok(rc == -1 && bbr_exit_code(rc) == BBR_EXIT_INTEGRITY,
	   "two different location tables that fit as well: refused");
	applets_release(&ap);

	rc = scan_forged(1, 0, PF_R | PF_W, 1, NR_TABLE, WITH_INSTALL | WITH_LOC, &ap);
	ok(rc == -1, "tables only in a writable segment are not read");
	applets_release(&ap);

	rc = scan_forged(1, 0, PF_R, 3000, NR_TABLE, WITH_INSTALL | WITH_LOC, &ap);
	ok(rc == 0 && same_as_table(&ap, NR_TABLE, 0),
	   "3000 overlapping read-only segments: merged, read once");
	applets_release(&ap);
}

/*
 * A small build laid out as upstream's 1.35.0 build with the installer
 * and ten applets lays it out: the location table right before the names,
 * its last byte '1' (0x31) reading as the start of "1cat", only three
 * well-known applets to confirm it, and other windows scoring as well.
 */
static void test_small_upstream_layout(void)
{
	static const char payload[] =
		"BusyBox v1.35.0 (small)\0--install\0/usr/sbin/\0/usr/bin/\0"
		"\x11\x11\x13\x11\x31"
		"cat\0false\0ls\0pwd\0seq\0sh\0sleep\0true\0uname\0yes\0\0"
		"\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\xff";
	static const char *const want[] = {
		"/bin/cat", "/bin/false", "/bin/ls", "/bin/pwd", "/usr/bin/seq", "/bin/sh",
		"/bin/sleep", "/bin/true", "/bin/uname", "/usr/bin/yes",
	};
	struct elfinfo info;
	struct applets ap;
	unsigned char *img;
	size_t len, i;
	int same = 1;

	img = forge_elf(1, 0, EM_X86_64, PF_R, 1, payload, sizeof(payload), &len);
	is_int(elfinfo_read_memory(img, len, "small", 0, &info), 0, "small build reads");
	quiet_begin();
	is_int(applets_scan(&info, APPLETS_NO_RUN, &ap), 0, "small build: applets read");
	quiet_end();
	is_int(ap.nr, 10, "small build: ten applets, the first one 'cat' not '1cat'");
	for (i = 0; i < ap.nr && i < 10; i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%s", applet_dir_path(ap.list[i].dir),
			 ap.list[i].name);
		same &= !strcmp(path, want[i]);
	}
	ok(same && ap.origin == APPLETS_FROM_TABLE,
	   "small build: the table that ends where the names start wins the tie");
	applets_release(&ap);
	elfinfo_release(&info);
	free(img);
}

/* Found by the fuzzer: "\xff0unix\0dpkg\0...": without its digit, the first
 * name would sort after the second. */
static void test_digit_first_name(void)
{
	static const char payload[] =
		"BusyBox v1.35.0 (x)\0\xff" "0unix\0dpkg\0du\0echo\0env\0false\0fold\0\0\xff";
	struct elfinfo info;
	struct applets ap;
	unsigned char *img;
	size_t len;
	int rc;

	img = forge_elf(1, 0, EM_X86_64, PF_R, 1, payload, sizeof(payload), &len);
	is_int(elfinfo_read_memory(img, len, "digit", 0, &info), 0, "digit-first build reads");
	bbr_reset_failure();
	quiet_begin();
	rc = applets_scan(&info, APPLETS_NO_RUN, &ap);
	quiet_end();
	ok(rc == -1 && bbr_exit_code(rc) == BBR_EXIT_INTEGRITY && ap.nr == 0,
	   "a first name out of order without its leading digit is refused");
	applets_release(&ap);
	elfinfo_release(&info);
	free(img);
}

/*
 * A real binary cut at every length from 64 bytes before its location
 * table to 64 bytes after its names (and every 65521 bytes elsewhere): the
 * reader alone, over an image of exactly that many bytes.  Only an image holding both whole tables may give a table
 * result, and then the full one.
 */
static void test_cut_tables(void)
{
	size_t len, n, from, to, tried = 0, bad = 0, first_bad = 0;
	unsigned char *img = fixture_read("amd64", "cut applet tables", &len);
	struct elfinfo info, cut;
	struct applets full, ap;
	time_t t0 = time(NULL);
	int installer;

	if (!img)
		return;
	is_int(elfinfo_read_memory(img, len, "full", 0, &info), 0, "the real binary reads");
	is_int(applets_scan(&info, APPLETS_NO_RUN, &full), 0, "its applets read");
	/* The names blob: every name, busybox, and the closing empty string. */
	to = (size_t)full.names_offset + (full.nr_table > full.nr ? 8 : 0) + 1;
	for (n = 0; n < full.nr; n++)
		to += strlen(full.list[n].name) + 1;
	to += 64;
	from = (size_t)full.loc_offset - 64;
	quiet_begin();
	for (n = 0; n <= len; n++) {
		int rc;

		/* Every cut through the tables, a prime stride elsewhere. */
		if ((n < from || n > to) && n % 65521)
			continue;

		cut = info;
		cut.image = malloc(n);
		memcpy(cut.image, img, n);
		cut.size = n;
		applets_init(&ap);
		rc = applets_scan_table(&cut, &ap, &installer);
		tried++;
		if ((rc == APPLET_TABLE_FOUND &&
		     (ap.nr != full.nr || ap.names_offset != full.names_offset ||
		      ap.loc_offset != full.loc_offset)) &&
		    !bad++)
			first_bad = n;
		applets_release(&ap);
		free(cut.image);
	}
	quiet_end();
	is_int(bad, 0, "%zu cuts through the applet tables: no crash, never a wrong table (%lds)",
	       tried, (long)(time(NULL) - t0));
	if (bad)
		printf("#   first bad cut: %zu bytes\n", first_bad);
	applets_release(&full);
	elfinfo_release(&info);
	free(img);
}

int main(void)
{
	test_forged();
	test_small_upstream_layout();
	test_digit_first_name();
	test_cut_tables();
	return tap_done();
}
