/*
 * elfinfo.h - facts about a BusyBox binary read from its bytes, never by
 * running it: ELF class and byte order, the image platform (OCI names),
 * static / static-pie / dynamic linkage, the busybox version banner.
 *
 * The file is mapped, not copied (elfinfo_read_memory copies its
 * buffer); libelf parses a private copy-on-write view and `image`/`size`
 * stay available (read-only) for scanners such as the
 * applet table reader (bootstrap/applets.h) until elfinfo_release().
 *
 * Errors: elfinfo_read() prints one line and returns -1.  A file that
 * cannot be opened/read records exit class 1; a file that is not a usable
 * static busybox ELF (not ELF, truncated, UPX-packed, dynamic, unknown
 * machine) records exit class 3 (BBR_EXIT_INTEGRITY).
 */
#ifndef BBR_ELFINFO_H
#define BBR_ELFINFO_H

#include <stddef.h>

enum elf_linkage {
	ELF_LINK_STATIC,
	ELF_LINK_STATIC_PIE,
	ELF_LINK_DYNAMIC,
};

struct elfinfo {
	char *path;               /* for messages */
	unsigned char *image;     /* the file's bytes (owned) */
	size_t size;
	void *elf;                /* Elf * over a private copy (owned) */
	void *elf_copy;           /* the bytes libelf parses (owned) */
	int mapped;               /* image/elf_copy are file mappings */
	int elf_class;            /* 32 or 64 */
	int big_endian;
	unsigned int machine;     /* e_machine */
	char architecture[16];    /* OCI/Go name: amd64, arm64, arm, 386 ... */
	char variant[8];          /* "v8" for arm64, "v5".."v7" for arm, else "" */
	enum elf_linkage linkage;
	char *interp;             /* PT_INTERP path, dynamic only */
	char **needed;            /* DT_NEEDED names, dynamic only */
	size_t nr_needed;
	char *version;            /* "1.35.0" from "BusyBox v1.35.0 (", or NULL */
};

/* No allocation. */
void elfinfo_init(struct elfinfo *info);
/* Free everything; safe twice. */
void elfinfo_release(struct elfinfo *info);

/* Flags for elfinfo_read. */
#define ELFINFO_ALLOW_DYNAMIC 1   /* describe a dynamic binary instead of refusing it */
#define ELFINFO_ALLOW_NOT_BUSYBOX 2 /* no "BusyBox v" banner is not an error */

/* Read and check the file at path. 0 or -1 (see above). */
int elfinfo_read(const char *path, unsigned int flags, struct elfinfo *info);
/* Same, naming the binary `name` (a URL, say) in binary-check messages. */
int elfinfo_read_as(const char *path, const char *name, unsigned int flags,
		    struct elfinfo *info);
/* Same over bytes in memory (copied); `name` is used in messages. */
int elfinfo_read_memory(const void *buf, size_t len, const char *name,
			unsigned int flags, struct elfinfo *info);

/* "linux/arm64/v8", "linux/amd64": into buf (size n); returns buf. */
const char *elfinfo_platform(const struct elfinfo *info, char *buf, size_t n);
/* "static", "static-pie" or "dynamic". */
const char *elfinfo_linkage_name(enum elf_linkage linkage);

/* The OCI architecture of the machine running bbroot (amd64, arm64...). */
const char *elfinfo_host_architecture(void);

/* Largest binary elfinfo_read accepts. */
#define ELFINFO_MAX_SIZE (256u << 20)

#endif
