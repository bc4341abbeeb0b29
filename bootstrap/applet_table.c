/*
 * applet_table.c - read BusyBox's own applet tables out of its bytes,
 * without running it, for any architecture and byte order.
 *
 * BusyBox (since 1.9) compiles two tables we can use (applets/applet_tables.c):
 *
 *   applet_names        "[\0[[\0acpid\0...zcip\0\0": NUL-terminated names
 *                       in strict byte order, ending in an empty string;
 *   applet_install_loc  with the installer feature: one 4-bit directory
 *                       per applet, two per byte, applet i in the low
 *                       nibble of byte i/2 when i is even, the high one
 *                       when odd (0 /, 1 /bin, 2 /sbin, 3 /usr/bin,
 *                       4 /usr/sbin); for an odd count the last high
 *                       nibble is 0.
 *
 * Neither holds a pointer, so neither is relocated and byte order does not
 * matter.  There is no symbol table in a stripped binary, so both are found
 * by content:
 *
 *   1. The read-only PT_LOAD segments are merged into disjoint file ranges
 *      and scanned once for the longest run of name-shaped strings in
 *      strictly increasing order closed by an empty string (only every
 *      32nd byte is probed; see find_names_in).  A tie between two
 *      different runs is refused, and so is a run that a damaged name
 *      seems to have cut short.
 *   2. When enough well-known applets are among the names (or, for small
 *      builds, when the binary has the installer: its "--install"
 *      string), the bytes within LOC_WINDOW of the names are scanned
 *      once, right to left, for windows of ceil(N/2) bytes whose nibbles
 *      are all valid; each is scored against the well-known applets (sh
 *      and ls in /bin, ifconfig in /sbin, env in /usr/bin, chroot in
 *      /usr/sbin...), stopping at the first mismatch beyond a tolerance of
 *      one in eight for distribution patches.  The best window must match
 *      enough of them and be the only one with its score, else a binary
 *      with the installer is refused rather than guessed at.
 *
 * Everything is bounds-checked against the image: the input is hostile
 * (see tests/fuzz/fuzz_reader.c).
 */
#include "applets.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/xalloc.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

/* How far from the names blob the location table may start or end (the
 * tables come from one generated header, so the compiler keeps them
 * together: 271 bytes apart in Debian's builds). */
#define LOC_WINDOW (16u << 10)
/* Well-known applets that make a chance match of the location table
 * impossible, so it is looked for even without the "--install" string. */
#define KNOWN_ENOUGH 8
/* Longest applet name we accept (the longest real one has 17 bytes). */
#define NAME_MAX_LEN 64

struct range {
	size_t begin, end; /* file offsets, begin < end <= image size */
};

/* Well-known applets and the directory every BusyBox build installs them
 * in (sorted by name for bsearch). */
static const struct known_applet {
	const char *name;
	enum applet_dir dir;
} known_applets[] = {
	{ "awk", APPLET_DIR_USR_BIN },      { "cat", APPLET_DIR_BIN },
	{ "chmod", APPLET_DIR_BIN },        { "chown", APPLET_DIR_BIN },
	{ "chroot", APPLET_DIR_USR_SBIN },  { "cp", APPLET_DIR_BIN },
	{ "crond", APPLET_DIR_USR_SBIN },   { "date", APPLET_DIR_BIN },
	{ "echo", APPLET_DIR_BIN },         { "env", APPLET_DIR_USR_BIN },
	{ "find", APPLET_DIR_USR_BIN },     { "grep", APPLET_DIR_BIN },
	{ "halt", APPLET_DIR_SBIN },        { "head", APPLET_DIR_USR_BIN },
	{ "httpd", APPLET_DIR_USR_SBIN },   { "ifconfig", APPLET_DIR_SBIN },
	{ "init", APPLET_DIR_SBIN },        { "insmod", APPLET_DIR_SBIN },
	{ "ln", APPLET_DIR_BIN },           { "ls", APPLET_DIR_BIN },
	{ "mkdir", APPLET_DIR_BIN },        { "modprobe", APPLET_DIR_SBIN },
	{ "mount", APPLET_DIR_BIN },        { "mv", APPLET_DIR_BIN },
	{ "poweroff", APPLET_DIR_SBIN },    { "ps", APPLET_DIR_BIN },
	{ "reboot", APPLET_DIR_SBIN },      { "rm", APPLET_DIR_BIN },
	{ "route", APPLET_DIR_SBIN },       { "sed", APPLET_DIR_BIN },
	{ "sh", APPLET_DIR_BIN },           { "sort", APPLET_DIR_USR_BIN },
	{ "syslogd", APPLET_DIR_SBIN },     { "tail", APPLET_DIR_USR_BIN },
	{ "telnetd", APPLET_DIR_USR_SBIN }, { "tr", APPLET_DIR_USR_BIN },
	{ "uniq", APPLET_DIR_USR_BIN },     { "wc", APPLET_DIR_USR_BIN },
	{ "xargs", APPLET_DIR_USR_BIN },
};
#define NR_KNOWN (sizeof(known_applets) / sizeof(known_applets[0]))

static int known_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct known_applet *)elem)->name);
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/*
 * The read-only PT_LOAD segments of the image as sorted, disjoint file
 * ranges (overlapping segments merged, so a hostile header table cannot
 * make us scan a byte twice).  Returns the number of ranges in *out.
 */
static size_t readonly_ranges(const struct elfinfo *info, struct range **out)
{
	struct range *r = NULL;
	size_t phnum = 0, i, n = 0, merged = 0, alloc = 0;

	*out = NULL;
	if (!info->elf || elf_getphdrnum(info->elf, &phnum) < 0)
		return 0;
	for (i = 0; i < phnum && i <= 0xffff; i++) {
		GElf_Phdr ph;
		size_t len;

		if (!gelf_getphdr(info->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    (ph.p_flags & PF_W) || ph.p_offset >= info->size || !ph.p_filesz)
			continue;
		len = info->size - (size_t)ph.p_offset;
		if (ph.p_filesz < len)
			len = (size_t)ph.p_filesz;
		xgrow((void **)&r, &alloc, n + 1, sizeof(*r));
		r[n].begin = (size_t)ph.p_offset;
		r[n].end = (size_t)ph.p_offset + len;
		n++;
	}
	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++) {
		if (r[i].begin <= r[merged].end) {
			if (r[i].end > r[merged].end)
				r[merged].end = r[i].end;
		} else {
			r[++merged] = r[i];
		}
	}
	*out = r;
	return merged + 1;
}

/*
 * Bytes that may appear in the names blob: NUL and the characters of
 * BusyBox's applet names, which are lower case ("[", "[[", "run-parts",
 * "ssl_client", "mkfs.ext2").  Upper case is left out on purpose: x86-64
 * code is full of REX prefixes 0x40-0x4f ('@', 'A'..'O').
 */
enum { BYTE_OTHER = 0, BYTE_NAME = 1, BYTE_NUL = 2 };
static unsigned char byte_class[256];
/* 1 for name bytes and NUL, 0 for the others. */
static unsigned char span_ok[256];
/* 1 for bytes whose two nibbles are both valid locations (0..4). */
static unsigned char loc_ok[256];

static void init_byte_class(void)
{
	unsigned int c;

	if (byte_class[0] == BYTE_NUL)
		return;
	for (c = 0; c < 256; c++)
		byte_class[c] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				c == '[' || c == '-' || c == '_' || c == '.'
				? BYTE_NAME : BYTE_OTHER;
	byte_class[0] = BYTE_NUL;
	for (c = 0; c < 256; c++) {
		span_ok[c] = byte_class[c] != BYTE_OTHER;
		loc_ok[c] = (c & 0x0f) <= APPLET_DIR_USR_SBIN && (c >> 4) <= APPLET_DIR_USR_SBIN;
	}
}

struct names_blob {
	size_t begin, end;  /* file offsets: first name .. after the closing NUL */
	size_t count;       /* names, "busybox" included */
	size_t range;       /* index of the read-only range holding it */
	int tie;            /* another, different run has the same count */
	/* The first name follows a non-NUL byte directly (BusyBox's tables
	 * are byte-aligned: the location table may end right where the names
	 * start), so it may carry a tail of whatever precedes it. */
	int partial;
};

static void consider_run(const unsigned char *img, struct names_blob *best, size_t begin,
			 size_t end, size_t count, size_t range, int partial)
{
	if (count < 2)
		return;
	if (count > best->count) {
		best->begin = begin;
		best->end = end;
		best->count = count;
		best->range = range;
		best->tie = 0;
		best->partial = partial;
	} else if (count == best->count &&
		   (end - begin != best->end - best->begin ||
		    memcmp(img + begin, img + best->begin, end - begin))) {
		best->tie = 1;
	}
}

/*
 * The strings of the span [b, end) of name bytes and NULs, in one pass.
 * `whole` says the byte before b ends a string (a NUL, or the range
 * start); else the first string follows another byte directly, and a run
 * that starts with it is marked partial.
 */
static void scan_span(const unsigned char *img, size_t b, size_t end, int whole,
		      size_t ri, struct names_blob *best)
{
	size_t p = b, str = b, run_begin = 0, count = 0;
	const char *prev = NULL;
	int run_partial = 0;

	for (; p < end; p++) {
		unsigned char cls = byte_class[img[p]];
		size_t len = p - str;

		if (cls == BYTE_OTHER)
			break;
		if (cls == BYTE_NAME)
			continue;
		if (!len) {
			if (count)
				consider_run(img, best, run_begin, p + 1, count, ri, run_partial);
			count = 0;
			prev = NULL;
		} else if (len > NAME_MAX_LEN ||
			   (img[str] == '.' && (len == 1 || (len == 2 && img[str + 1] == '.')))) {
			count = 0;
			prev = NULL;
		} else if (prev && strcmp(prev, (const char *)img + str) < 0) {
			count++;
			prev = (const char *)img + str;
		} else {
			run_begin = str;
			run_partial = !whole;
			count = 1;
			prev = (const char *)img + str;
		}
		whole = 1;
		str = p + 1;
	}
}

/*
 * The shortest blob we look for, in bytes (about eight names): a span of
 * name bytes and NULs at least this long holds a byte at a multiple of
 * SPAN_MIN, and from that byte at least SPAN_MIN / 2 more span bytes on one
 * side.  So only every SPAN_MIN-th byte is probed, a probe is kept only
 * when bytes at 4, 8, 12 and 16 on one side are span bytes too (rare in
 * code and binary data), and a kept probe is widened to its whole span,
 * once.  The scan reads a small fraction of the bytes outside the blob.
 */
#define SPAN_MIN 32

static int span_byte(const unsigned char *img, struct range r, size_t at)
{
	return at >= r.begin && at < r.end && byte_class[img[at]] != BYTE_OTHER;
}

static void find_names_in(const unsigned char *img, struct range r, size_t ri,
			  struct names_blob *best)
{
	size_t probe, done = r.begin;

	for (probe = r.begin + SPAN_MIN - 1; probe < r.end; probe += SPAN_MIN) {
		size_t b = probe, e;

		if (probe >= r.begin + 16 && probe + 16 < r.end) {
			/* Branch-free: random bytes would mispredict every test. */
			const unsigned char *q = img + probe;
			unsigned int hit = span_ok[q[0]] &
				((span_ok[q[4]] & span_ok[q[8]] & span_ok[q[12]] & span_ok[q[16]]) |
				 (span_ok[q[-4]] & span_ok[q[-8]] & span_ok[q[-12]] & span_ok[q[-16]]));

			if (!hit || probe < done)
				continue;
		} else if (probe < done || byte_class[img[probe]] == BYTE_OTHER ||
			   (!(span_byte(img, r, probe + 4) && span_byte(img, r, probe + 8) &&
			      span_byte(img, r, probe + 12) && span_byte(img, r, probe + 16)) &&
			    !(probe >= r.begin + 16 && span_byte(img, r, probe - 4) &&
			      span_byte(img, r, probe - 8) && span_byte(img, r, probe - 12) &&
			      span_byte(img, r, probe - 16)))) {
			continue;
		}
		while (b > done && span_ok[img[b - 1]])
			b--;
		for (e = probe + 1; e < r.end && span_ok[img[e]]; e++)
			;
		done = e;
		/* b - 1 is an other byte (never a NUL) unless b is the start. */
		if (e - b >= SPAN_MIN)
			scan_span(img, b, e, b == r.begin, ri, best);
	}
}

/* Whether a read-only range holds `needle` (linear: memmem), looking
 * first in range `first` (the names' one, where BusyBox's strings are). */
static int ranges_contain(const unsigned char *img, const struct range *r, size_t nr,
			  size_t first, const char *needle)
{
	size_t i, len = strlen(needle);

	if (memmem(img + r[first].begin, r[first].end - r[first].begin, needle, len))
		return 1;
	for (i = 0; i < nr; i++)
		if (i != first && memmem(img + r[i].begin, r[i].end - r[i].begin, needle, len))
			return 1;
	return 0;
}

static unsigned int nibble(const unsigned char *table, size_t i)
{
	return i & 1 ? table[i / 2] >> 4 : table[i / 2] & 0x0f;
}

struct known_at {
	size_t index;
	enum applet_dir dir;
};

/* Same decoded table: the unused high nibble of an odd count is ignored. */
static int same_table(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t bytes = (n + 1) / 2;

	if (memcmp(a, b, n / 2))
		return 0;
	return !(n & 1) || (a[bytes - 1] & 0x0f) == (b[bytes - 1] & 0x0f);
}

/*
 * Find the location table for `n` names in [wb, we) (never overlapping the
 * names themselves).  Returns the offset, -1 when no window scores enough,
 * -2 when two different windows share the best score.
 */
static long long find_locations(const unsigned char *img, size_t wb, size_t we,
				const struct names_blob *names, const struct known_at *known,
				size_t nr_known)
{
	size_t n = names->count, bytes = (n + 1) / 2, run = 0, o;
	size_t tolerance = nr_known / 8, need = nr_known - tolerance;
	long long best = -1, adjacent = -1;
	long best_score = -1;
	int tie = 0, adjacent_tie = 0;

	if (we - wb < bytes)
		return -1;
	/* Right to left, so `run` counts the valid bytes starting at o. */
	for (o = we; o-- > wb;) {
		const unsigned char *t = img + o;
		size_t k, match = 0, miss = 0;
		long score;

		run = (run + 1) * loc_ok[t[0]]; /* branch-free */
		if (run < bytes)
			continue;
		if (o < names->end && o + bytes > names->begin)
			continue;
		if ((n & 1) && (t[bytes - 1] >> 4) != 0)
			continue;
		for (k = 0; k < nr_known && miss <= tolerance; k++) {
			if (nibble(t, known[k].index) == known[k].dir)
				match++;
			else
				miss++;
		}
		if (miss > tolerance || match < need)
			continue;
		score = (long)match - (long)miss;
		if (score > best_score) {
			best_score = score;
			best = (long long)o;
			tie = 0;
			adjacent = -1;
			adjacent_tie = 0;
		} else if (score == best_score && !same_table(t, img + best, n)) {
			tie = 1;
		}
		/* Ending exactly where the names start. */
		if (score == best_score && o + bytes == names->begin) {
			if (adjacent >= 0 && !same_table(t, img + adjacent, n))
				adjacent_tie = 1;
			adjacent = (long long)o;
		}
	}
	/*
	 * Few well-known applets (a small build) leave several windows with
	 * the best score; BusyBox's generated tables sit together, so one that
	 * ends exactly where the names start breaks the tie, if it is the
	 * only such table.
	 */
	if (tie && adjacent >= 0 && !adjacent_tie)
		return adjacent;
	return tie ? -2 : best;
}

/*
 * A names table whose first names were corrupted (or are out of order)
 * still leaves a sorted tail, and the location table shifted by whole
 * bytes still fits that tail.  Refuse when the string right before the
 * names looks like a damaged name (printable, no space, short) and the
 * location table seems to continue before the window found too (both
 * nibbles of the byte before it valid): Debian's builds have neither.
 */
static int names_cut_short(const unsigned char *img, struct range r, size_t begin, size_t loc)
{
	size_t s = begin - 1, len = 0;

	if (begin <= r.begin + 1 || loc <= r.begin)
		return 0;
	if ((img[loc - 1] & 0x0f) > 4 || (img[loc - 1] >> 4) > 4)
		return 0;
	while (s > r.begin && img[s - 1] != 0 && len <= NAME_MAX_LEN) {
		if (img[s - 1] <= 0x20 || img[s - 1] >= 0x7f)
			return 0;
		s--;
		len++;
	}
	return len >= 1 && len <= NAME_MAX_LEN;
}

int applets_scan_table(const struct elfinfo *info, struct applets *out, int *installer)
{
	const unsigned char *img = info->image;
	struct range *ranges = NULL;
	struct known_at known[NR_KNOWN];
	struct names_blob names = { 0 };
	size_t nr_ranges, nr_known = 0, i, p, index, alloc = 0, wb, we;
	long long loc = -1;
	int rc = APPLET_TABLE_NONE;

	*installer = 0;
	out->names_offset = out->loc_offset = -1;
	init_byte_class();
	nr_ranges = readonly_ranges(info, &ranges);
	for (i = 0; i < nr_ranges; i++)
		find_names_in(img, ranges[i], i, &names);
	if (!names.count)
		goto out;
	if (names.tie) {
		rc = bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': two different "
			      "applet name tables of %zu names; refusing to guess",
			      info->path, names.count);
		goto out;
	}

	/*
	 * A first name that follows another byte directly may begin with the
	 * tail of the location table, which ends right there in upstream's
	 * builds: its bytes are 0x00-0x44, and the only name characters among
	 * them are the digits 0-4.  No applet name starts with a digit, so
	 * those are not part of it.
	 */
	if (names.partial) {
		const char *first = (const char *)img + names.begin;
		size_t digits = strspn(first, "01234");

		if (!first[digits]) {
			names.begin += digits + 1;
			names.count--;
			names.partial = 0;
			if (!img[names.begin])
				goto out;
		} else if (digits) {
			const char *rest = first + digits;
			const char *second = first + strlen(first) + 1;

			if ((*second && strcmp(rest, second) >= 0) || !strcmp(rest, ".") ||
			    !strcmp(rest, "..")) {
				rc = bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': "
					      "the first applet name at file offset 0x%zx is out "
					      "of order without its leading digits; refusing to "
					      "guess", info->path, names.begin);
				goto out;
			}
			names.begin += digits;
		}
	}

	/* Where the well-known names sit in the table. */
	for (p = names.begin, index = 0; img[p]; index++) {
		const char *name = (const char *)img + p;
		const struct known_applet *k = bsearch(name, known_applets, NR_KNOWN,
						       sizeof(*known_applets), known_cmp);

		if (k) {
			known[nr_known].index = index;
			known[nr_known].dir = k->dir;
			nr_known++;
		}
		p += strlen(name) + 1;
	}
	out->nr_table = names.count;

	/*
	 * Look for the location table when enough well-known applets can
	 * confirm it by chance-proof agreement, or, for small builds, when the
	 * binary has the installer ("--install") so the table must exist.
	 */
	if (nr_known >= 2 && nr_known < KNOWN_ENOUGH)
		*installer = ranges_contain(img, ranges, nr_ranges, names.range, "--install");
	if (nr_known >= KNOWN_ENOUGH || *installer) {
		wb = names.begin - ranges[names.range].begin > LOC_WINDOW
			? names.begin - LOC_WINDOW : ranges[names.range].begin;
		we = ranges[names.range].end - names.end > LOC_WINDOW
			? names.end + LOC_WINDOW : ranges[names.range].end;
		loc = find_locations(img, wb, we, &names, known, nr_known);
	}
	if (loc == -2) {
		rc = bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': two "
			      "different applet location tables fit its %zu applets; "
			      "refusing to guess", info->path, names.count);
		goto out;
	}
	if (loc >= 0 && !names.partial &&
	    names_cut_short(img, ranges[names.range], names.begin, (size_t)loc)) {
		rc = bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': its applet "
			      "names seem to start before file offset 0x%zx, where a string "
			      "that is not a sorted applet name breaks them; refusing to guess",
			      info->path, names.begin);
		goto out;
	}
	if (loc >= 0)
		*installer = 1;
	else if (nr_known >= KNOWN_ENOUGH || !*installer)
		*installer = ranges_contain(img, ranges, nr_ranges, names.range, "--install");
	if (loc < 0 && *installer && nr_known >= 2) {
		rc = bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': it has "
			      "the installer, but no applet location table near its %zu "
			      "applet names places the well-known applets (sh, ls, "
			      "ifconfig...) where BusyBox does; refusing to guess",
			      info->path, names.count);
		goto out;
	}
	/* The list, busybox left out; directories from the table if any. */
	for (p = names.begin, index = 0; img[p]; index++) {
		const char *name = (const char *)img + p;
		size_t len = strlen(name);

		if (strcmp(name, "busybox")) {
			xgrow((void **)&out->list, &alloc, out->nr + 1, sizeof(*out->list));
			out->list[out->nr].name = xstrndup(name, len);
			out->list[out->nr].dir = loc >= 0 ? (enum applet_dir)nibble(img + loc, index)
							  : APPLET_DIR_BIN;
			out->nr++;
		}
		p += len + 1;
	}
	out->names_offset = (long long)names.begin;
	if (!out->nr) {
		rc = bbr_fail(BBR_EXIT_INTEGRITY, "cannot read applets of '%s': the applet "
			      "table names no applet but busybox", info->path);
		goto out;
	}
	out->origin = APPLETS_ALL_IN_BIN;
	rc = APPLET_TABLE_NO_LOCATIONS;
	if (loc >= 0) {
		out->loc_offset = loc;
		out->origin = APPLETS_FROM_TABLE;
		rc = APPLET_TABLE_FOUND;
	}
out:
	free(ranges);
	return rc;
}
