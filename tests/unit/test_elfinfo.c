/*
 * test_elfinfo.c - the ELF facts reader: platform names for every machine
 * and byte order (forged headers), the version banner, refusals (not ELF,
 * UPX, unknown machine, no banner), Debian's real binaries, and a real
 * binary truncated at many prefix lengths (every prefix through the
 * headers and the section header table, every 7th through the applet
 * tables, every 4099th elsewhere): each one a clean refusal, never a
 * crash, with the exit class 3.  Run under ASan/UBSan by `make check-asan`.
 */
#include "bbroot.h"
#include "bootstrap/applets.h"
#include "bootstrap/elfinfo.h"
#include "lib/diag.h"

#include "elf_forge.h"
#include "fixture.h"
#include "tap.h"

#include <sys/utsname.h>
#include <time.h>

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

static const char banner[] = "xx\0BusyBox vX.bad\0BusyBox v1.36.1 (2023-01-01 00:00:00 UTC)";

static void test_platforms(void)
{
	static const struct {
		int is64, be;
		unsigned int machine;
		const char *platform;
	} cases[] = {
		{ 1, 0, EM_X86_64, "linux/amd64" },     { 0, 0, EM_386, "linux/386" },
		{ 1, 0, EM_AARCH64, "linux/arm64/v8" }, { 0, 0, EM_ARM, "linux/arm" },
		{ 1, 0, EM_PPC64, "linux/ppc64le" },    { 1, 1, EM_PPC64, "linux/ppc64" },
		{ 1, 1, EM_S390, "linux/s390x" },       { 1, 0, EM_RISCV, "linux/riscv64" },
		{ 0, 1, EM_MIPS, "linux/mips" },        { 0, 0, EM_MIPS, "linux/mipsle" },
		{ 1, 1, EM_MIPS, "linux/mips64" },      { 1, 0, EM_MIPS, "linux/mips64le" },
		{ 1, 0, EM_LOONGARCH, "linux/loong64" },
	};
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *img = forge_elf(cases[i].is64, cases[i].be, cases[i].machine, PF_R,
					       1, banner, sizeof(banner), &len);
		struct elfinfo info;
		char buf[64];
		int rc = elfinfo_read_memory(img, len, "forged", 0, &info);

		is_int(rc, 0, "forged ELF%d %s machine %u reads", cases[i].is64 ? 64 : 32,
		       cases[i].be ? "BE" : "LE", cases[i].machine);
		is_str(elfinfo_platform(&info, buf, sizeof(buf)), cases[i].platform,
		       "platform %s", cases[i].platform);
		is_int(info.elf_class, cases[i].is64 ? 64 : 32, "class of %s", cases[i].platform);
		is_int(info.big_endian, cases[i].be, "byte order of %s", cases[i].platform);
		if (i == 0) {
			is_str(info.version, "1.36.1", "version from the first well-formed banner");
			is_str(elfinfo_linkage_name(info.linkage), "static", "no PT_INTERP: static");
		}
		elfinfo_release(&info);
		elfinfo_release(&info); /* safe twice */
		free(img);
	}
}

static void expect_refusal(const void *buf, size_t len, unsigned int flags, const char *what)
{
	struct elfinfo info;
	int rc;

	bbr_reset_failure();
	quiet_begin();
	rc = elfinfo_read_memory(buf, len, "bad", flags, &info);
	quiet_end();
	is_int(rc, -1, "%s is refused", what);
	is_int(bbr_exit_code(rc), BBR_EXIT_INTEGRITY, "%s: exit class 3", what);
	elfinfo_release(&info);
	bbr_reset_failure();
}

static void test_refusals(void)
{
	static const char nobanner[] = "just some static program";
	unsigned char *img;
	size_t len;
	struct elfinfo info;

	expect_refusal("", 0, 0, "an empty file");
	expect_refusal("\177EL", 3, 0, "three bytes of magic");
	expect_refusal("#!/bin/sh\necho hi\n", 18, 0, "a shell script");

	img = forge_elf(1, 0, 2 /* EM_SPARC */, PF_R, 1, banner, sizeof(banner), &len);
	expect_refusal(img, len, 0, "an unknown machine");
	free(img);

	img = forge_elf(1, 0, EM_X86_64, PF_R, 1, nobanner, sizeof(nobanner), &len);
	expect_refusal(img, len, 0, "a static ELF without a BusyBox banner");
	is_int(elfinfo_read_memory(img, len, "nb", ELFINFO_ALLOW_NOT_BUSYBOX, &info), 0,
	       "...accepted with ELFINFO_ALLOW_NOT_BUSYBOX");
	ok(info.version == NULL, "...and has no version");
	elfinfo_release(&info);
	free(img);

	img = forge_elf(1, 0, EM_X86_64, PF_R, 1, banner, sizeof(banner), &len);
	memcpy(img + FORGE_PAYLOAD_AT - 8, "UPX!", 4);
	expect_refusal(img, len, 0, "UPX magic in the first page");
	free(img);

	img = forge_elf(1, 0, EM_X86_64, PF_R, 0, banner, sizeof(banner), &len);
	expect_refusal(img, len, 0, "no program headers");
	free(img);
}

static void test_host(void)
{
	struct utsname u;

	if (uname(&u) == 0 && !strcmp(u.machine, "x86_64"))
		is_str(elfinfo_host_architecture(), "amd64", "host x86_64 is amd64");
	else
		ok(elfinfo_host_architecture()[0] != 0, "host architecture has a name");
}

static void test_debian(void)
{
	static const struct {
		const char *arch, *platform;
	} debian[] = {
		{ "amd64", "linux/amd64" },     { "arm64", "linux/arm64/v8" },
		{ "armhf", "linux/arm/v7" },    { "armel", "linux/arm/v5" },
		{ "i386", "linux/386" },        { "ppc64el", "linux/ppc64le" },
		{ "s390x", "linux/s390x" },     { "mipsel", "linux/mipsle" },
		{ "mips64el", "linux/mips64le" },
	};
	size_t i, len;

	for (i = 0; i < sizeof(debian) / sizeof(debian[0]); i++) {
		unsigned char *img = fixture_read(debian[i].arch, "Debian platform", &len);
		struct elfinfo info;
		char buf[64];

		if (!img)
			continue;
		is_int(elfinfo_read_memory(img, len, debian[i].arch, 0, &info), 0,
		       "Debian %s reads", debian[i].arch);
		is_str(elfinfo_platform(&info, buf, sizeof(buf)), debian[i].platform,
		       "Debian %s is %s", debian[i].arch, debian[i].platform);
		is_str(elfinfo_linkage_name(info.linkage), "static", "Debian %s is static",
		       debian[i].arch);
		elfinfo_release(&info);
		free(img);
	}
}

/* Refused with exit class 3, or (only the whole file) accepted. */
static int prefix_ok(const unsigned char *img, size_t len, size_t full)
{
	struct elfinfo info;
	int rc, good;

	bbr_reset_failure();
	rc = elfinfo_read_memory(img, len, "prefix", 0, &info);
	good = len == full ? rc == 0 : rc == -1 && bbr_exit_code(rc) == BBR_EXIT_INTEGRITY;
	elfinfo_release(&info);
	return good;
}

static void test_truncation(void)
{
	size_t len, n, tried = 0, bad = 0, first_bad = 0;
	unsigned char *img = fixture_read("amd64", "truncated binary", &len);
	struct elfinfo info;
	struct applets ap;
	size_t loc, names, names_end, shoff;
	time_t t0 = time(NULL);

	if (!img)
		return;
	is_int(elfinfo_read_memory(img, len, "full", 0, &info), 0, "the whole binary reads");
	is_int(applets_scan(&info, APPLETS_NO_RUN, &ap), 0, "its applets read");
	names = (size_t)ap.names_offset;
	loc = (size_t)ap.loc_offset;
	names_end = names + 2048; /* the names blob is 1743 bytes */
	shoff = (size_t)((const Elf64_Ehdr *)(const void *)img)->e_shoff;
	applets_release(&ap);
	elfinfo_release(&info);

	quiet_begin();
	for (n = 0; n < len; n++) {
		/*
		 * Every prefix through the ELF header and program headers (the
		 * first 16 KiB) and from 64 bytes before the section header
		 * table to the end; every 7th through the applet tables (each
		 * of their bytes is cut in test_applets.c, where the reader
		 * runs on the cut image); every 4099th elsewhere.  Each large
		 * prefix costs two fresh copies of up to 2 MB, which is what
		 * bounds this under ASan.
		 */
		int dense = n < 16384 || n + 64 >= shoff;
		int tables = n + 64 >= loc && n <= names_end;

		if (!dense && !(tables && n % 7 == 0) && n % 4099)
			continue;
		tried++;
		if (!prefix_ok(img, n, len) && !bad++)
			first_bad = n;
	}
	quiet_end();
	is_int(bad, 0, "%zu prefixes of a %zu-byte binary: each refused with exit class 3 "
	       "(%lds)", tried, len, (long)(time(NULL) - t0));
	if (bad)
		printf("#   first bad prefix: %zu bytes\n", first_bad);
	ok(prefix_ok(img, len, len), "the whole binary is still accepted");
	free(img);
}

int main(void)
{
	test_platforms();
	test_refusals();
	test_host();
	test_debian();
	test_truncation();
	return tap_done();
}
