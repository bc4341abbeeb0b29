/*
 * elf_forge.h - tiny ELF executables built in memory for the unit tests of
 * the binary reader (tests/unit/test_elfinfo.c, test_applets.c): any class,
 * byte order and machine, one PT_LOAD segment holding a payload, no
 * sections.  Test-only: the reader itself uses libelf.
 */
#ifndef BBR_ELF_FORGE_H
#define BBR_ELF_FORGE_H

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define FORGE_PAYLOAD_AT 0x100

static void forge_put(unsigned char *p, int be, unsigned long long v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[be ? bytes - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/*
 * A malloc'd image (size in *len): ELF header, `nr_load` PT_LOAD program
 * headers all covering the whole file with flags `pflags` (PF_R, PF_R|PF_W...),
 * then `payload` at FORGE_PAYLOAD_AT (or after the headers when they are
 * longer).
 */
static unsigned char *forge_elf(int is64, int be, unsigned int machine, unsigned int pflags,
				int nr_load, const void *payload, size_t plen, size_t *len)
{
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
	size_t at = eh + (size_t)nr_load * ph > FORGE_PAYLOAD_AT
		? (eh + (size_t)nr_load * ph + 15) & ~(size_t)15 : FORGE_PAYLOAD_AT;
	size_t total = at + plen;
	unsigned char *b = calloc(1, total);
	int i;

	if (!b)
		abort();
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	b[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	forge_put(b + 16, be, ET_EXEC, 2);
	forge_put(b + 18, be, machine, 2);
	forge_put(b + 20, be, EV_CURRENT, 4);
	if (is64) {
		forge_put(b + 24, be, 0x400000 + at, 8);               /* e_entry */
		forge_put(b + 32, be, eh, 8);                          /* e_phoff */
		forge_put(b + 52, be, eh, 2);                          /* e_ehsize */
		forge_put(b + 54, be, ph, 2);
		forge_put(b + 56, be, (unsigned)nr_load, 2);
		forge_put(b + 58, be, 64, 2);                          /* e_shentsize */
	} else {
		forge_put(b + 24, be, 0x400000 + at, 4);
		forge_put(b + 28, be, eh, 4);
		forge_put(b + 40, be, eh, 2);
		forge_put(b + 42, be, ph, 2);
		forge_put(b + 44, be, (unsigned)nr_load, 2);
		forge_put(b + 46, be, 40, 2);
	}
	for (i = 0; i < nr_load; i++) {
		unsigned char *p = b + eh + (size_t)i * ph;

		forge_put(p, be, PT_LOAD, 4);
		if (is64) {
			forge_put(p + 4, be, pflags, 4);
			forge_put(p + 8, be, 0, 8);             /* p_offset */
			forge_put(p + 16, be, 0x400000, 8);     /* p_vaddr */
			forge_put(p + 24, be, 0x400000, 8);
			forge_put(p + 32, be, total, 8);        /* p_filesz */
			forge_put(p + 40, be, total, 8);
			forge_put(p + 48, be, 0x1000, 8);
		} else {
			forge_put(p + 4, be, 0, 4);
			forge_put(p + 8, be, 0x400000, 4);
			forge_put(p + 12, be, 0x400000, 4);
			forge_put(p + 16, be, total, 4);
			forge_put(p + 20, be, total, 4);
			forge_put(p + 24, be, pflags, 4);
			forge_put(p + 28, be, 0x1000, 4);
		}
	}
	memcpy(b + at, payload, plen);
	*len = total;
	return b;
}

#endif
