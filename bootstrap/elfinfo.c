/*
 * elfinfo.c - read the ELF facts of a BusyBox binary with libelf (gelf_*):
 * platform from e_machine/class/data (+ ARM attributes for the arm
 * variant), linkage from PT_INTERP / DT_NEEDED, version from the banner.
 * Nothing here runs the binary, so any architecture can be described.
 */
#include "elfinfo.h"
#include "../bbroot.h"
#include "../lib/diag.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif
#ifndef SHT_ARM_ATTRIBUTES
#define SHT_ARM_ATTRIBUTES 0x70000003
#endif

void elfinfo_init(struct elfinfo *info)
{
	memset(info, 0, sizeof(*info));
}

void elfinfo_release(struct elfinfo *info)
{
	size_t i;

	if (info->elf)
		elf_end(info->elf);
	if (info->mapped) {
		munmap(info->elf_copy, info->size);
		munmap(info->image, info->size);
	} else {
		free(info->elf_copy);
		free(info->image);
	}
	free(info->path);
	free(info->interp);
	for (i = 0; i < info->nr_needed; i++)
		free(info->needed[i]);
	free(info->needed);
	free(info->version);
	elfinfo_init(info);
}

static int bad_binary(const struct elfinfo *info, const char *why)
{
	return bbr_fail(BBR_EXIT_INTEGRITY, "binary check failed for '%s': %s", info->path, why);
}

static unsigned long long uleb(const unsigned char **p, const unsigned char *end)
{
	unsigned long long v = 0;
	int shift = 0;

	while (*p < end) {
		unsigned char b = *(*p)++;

		if (shift < 64)
			v |= (unsigned long long)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

/*
 * Tag_CPU_arch (6) from the "aeabi" subsection of .ARM.attributes, or -1.
 * Layout (ARM IHI 0045): 'A', then subsections [u32 len]["aeabi\0"]
 * [tag uleb][u32 len][attributes...], where attribute tags 4, 5, 67 and
 * odd tags above 32 carry NUL-terminated strings, tag 32 a uleb and a
 * string, the rest a uleb.
 */
static long arm_cpu_arch(const struct elfinfo *info, Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const unsigned char *p, *end;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_ARM_ATTRIBUTES)
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size < 1)
			return -1;
		p = d->d_buf;
		end = p + d->d_size;
		if (*p++ != 'A')
			return -1;
		while (end - p >= 4) {
			unsigned long len = info->big_endian
				? ((unsigned long)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3])
				: ((unsigned long)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0]);
			const unsigned char *sub_end, *q;

			if (len < 4 || len > (unsigned long)(end - p))
				return -1;
			sub_end = p + len;
			q = p + 4;
			if (!memchr(q, 0, (size_t)(sub_end - q)))
				return -1;
			if (strcmp((const char *)q, "aeabi")) {
				p = sub_end;
				continue;
			}
			q += 6;
			while (q < sub_end) {
				unsigned long long tag = uleb(&q, sub_end);
				unsigned long slen;
				const unsigned char *s_end;

				const unsigned char *tag_start = q - 1;

				if (sub_end - q < 4)
					return -1;
				slen = info->big_endian
					? ((unsigned long)q[0] << 24 | q[1] << 16 | q[2] << 8 | q[3])
					: ((unsigned long)q[3] << 24 | q[2] << 16 | q[1] << 8 | q[0]);
				/* The size counts from the tag byte (a one-byte uleb). */
				if (slen < 5 || slen > (unsigned long)(sub_end - tag_start))
					return -1;
				s_end = tag_start + slen;
				q += 4;
				if (tag != 1) { /* only Tag_File attributes */
					q = s_end;
					continue;
				}
				while (q < s_end) {
					unsigned long long at = uleb(&q, s_end);

					if (at == 6)
						return (long)uleb(&q, s_end);
					if (at == 4 || at == 5 || at == 67 || (at > 32 && (at & 1))) {
						const unsigned char *z = memchr(q, 0, (size_t)(s_end - q));

						if (!z)
							return -1;
						q = z + 1;
					} else if (at == 32) {
						const unsigned char *z;

						uleb(&q, s_end);
						z = memchr(q, 0, (size_t)(s_end - q));
						if (!z)
							return -1;
						q = z + 1;
					} else {
						uleb(&q, s_end);
					}
				}
			}
			return -1;
		}
		return -1;
	}
	return -1;
}

/*
 * Every section header and every section's bytes must lie inside the file:
 * a truncated download fails here with one clear message instead of
 * somewhere deeper in libelf.
 */
static int check_sections(struct elfinfo *info, Elf *elf, const GElf_Ehdr *eh)
{
	size_t shnum = 0, i;
	Elf_Scn *scn = NULL;
	char why[160];

	/* The header tables themselves first: libelf quietly sees no sections
	 * when their table lies past the end. */
	if (eh->e_phnum && (eh->e_phoff > info->size || eh->e_phentsize == 0 ||
			    eh->e_phnum > (info->size - eh->e_phoff) / eh->e_phentsize)) {
		snprintf(why, sizeof(why), "truncated or corrupt: the program header table "
			 "(%u entries at byte %llu) runs past the end of the file (%zu bytes)",
			 eh->e_phnum, (unsigned long long)eh->e_phoff, info->size);
		return bad_binary(info, why);
	}
	shnum = eh->e_shnum ? eh->e_shnum : eh->e_shoff ? 1 : 0;
	if (shnum && (eh->e_shoff > info->size || eh->e_shentsize == 0 ||
		      shnum > (info->size - eh->e_shoff) / eh->e_shentsize)) {
		snprintf(why, sizeof(why), "truncated or corrupt: the section header table "
			 "(%zu entries at byte %llu) runs past the end of the file (%zu bytes)",
			 shnum, (unsigned long long)eh->e_shoff, info->size);
		return bad_binary(info, why);
	}
	if (elf_getshdrnum(elf, &shnum) < 0)
		return bad_binary(info, elf_errmsg(-1));
	for (i = 1; (scn = elf_nextscn(elf, scn)); i++) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return bad_binary(info, elf_errmsg(-1));
		if (sh.sh_type == SHT_NOBITS)
			continue;
		if (sh.sh_offset > info->size || sh.sh_size > info->size - sh.sh_offset) {
			snprintf(why, sizeof(why), "truncated or corrupt: section %zu ends at byte "
				 "%llu, past the end of the file (%zu bytes)", i,
				 (unsigned long long)sh.sh_offset + sh.sh_size, info->size);
			return bad_binary(info, why);
		}
	}
	return 0;
}

static int set_platform(struct elfinfo *info, Elf *elf, const GElf_Ehdr *eh)
{
	const char *arch = NULL, *variant = "";
	int is64 = info->elf_class == 64;
	int be = info->big_endian;

	switch (eh->e_machine) {
	case EM_X86_64:
		arch = "amd64";
		break;
	case EM_386:
		arch = "386";
		break;
	case EM_AARCH64:
		arch = be ? "arm64be" : "arm64";
		variant = "v8";
		break;
	case EM_ARM: {
		long cpu = arm_cpu_arch(info, elf);

		arch = be ? "armbe" : "arm";
		/* Tag_CPU_arch: 1..5 v4..v5TEJ, 6..9/11/12 v6 family,
		 * 10/13 v7, 14+ v8 (32-bit) which runs v7 code. */
		if (cpu < 0)
			variant = "";
		else if (cpu <= 5)
			variant = "v5";
		else if (cpu == 10 || cpu == 13 || cpu >= 14)
			variant = "v7";
		else
			variant = "v6";
		break;
	}
	case EM_PPC64:
		arch = be ? "ppc64" : "ppc64le";
		break;
	case EM_S390:
		arch = is64 ? "s390x" : "s390";
		break;
	case EM_RISCV:
		arch = is64 ? "riscv64" : "riscv32";
		break;
	case EM_MIPS:
		if (is64)
			arch = be ? "mips64" : "mips64le";
		else
			arch = be ? "mips" : "mipsle";
		break;
	case EM_LOONGARCH:
		arch = "loong64";
		break;
	default:
		break;
	}
	if (!arch) {
		char why[64];

		snprintf(why, sizeof(why), "unsupported ELF machine %u", eh->e_machine);
		return bad_binary(info, why);
	}
	snprintf(info->architecture, sizeof(info->architecture), "%s", arch);
	snprintf(info->variant, sizeof(info->variant), "%s", variant);
	return 0;
}

static int read_linkage(struct elfinfo *info, Elf *elf, const GElf_Ehdr *eh)
{
	size_t phnum = 0, i;
	int has_dynamic = 0;
	Elf_Scn *scn = NULL;

	if (elf_getphdrnum(elf, &phnum) < 0)
		return bad_binary(info, elf_errmsg(-1));
	if (!phnum)
		return bad_binary(info, "no program headers (not an executable)");
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return bad_binary(info, elf_errmsg(-1));
		if (ph.p_offset > info->size || ph.p_filesz > info->size - ph.p_offset) {
			char why[160];

			snprintf(why, sizeof(why), "truncated or corrupt: segment %zu ends at "
				 "byte %llu, past the end of the file (%zu bytes)", i,
				 (unsigned long long)ph.p_offset + ph.p_filesz, info->size);
			return bad_binary(info, why);
		}
		if (ph.p_type == PT_DYNAMIC)
			has_dynamic = 1;
		if (ph.p_type == PT_INTERP) {
			size_t len;

			if (ph.p_offset > info->size || ph.p_filesz > info->size - ph.p_offset)
				return bad_binary(info, "PT_INTERP lies outside the file");
			len = strnlen((const char *)info->image + ph.p_offset, ph.p_filesz);
			free(info->interp);
			info->interp = xstrndup((const char *)info->image + ph.p_offset, len);
		}
	}
	/* DT_NEEDED from the .dynamic section, names from its string table. */
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t n, k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !sh.sh_entsize)
			continue;
		n = d->d_size / sh.sh_entsize;
		for (k = 0; k < n; k++) {
			GElf_Dyn dyn;
			const char *name;

			if (!gelf_getdyn(d, (int)k, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED)
				continue;
			name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			info->needed = xrealloc(info->needed, (info->nr_needed + 1) * sizeof(char *));
			info->needed[info->nr_needed++] = xstrdup(name ? name : "?");
		}
	}
	if (info->interp || info->nr_needed)
		info->linkage = ELF_LINK_DYNAMIC;
	else if (eh->e_type == ET_DYN || has_dynamic)
		info->linkage = ELF_LINK_STATIC_PIE;
	else
		info->linkage = ELF_LINK_STATIC;
	return 0;
}

static void read_version(struct elfinfo *info)
{
	static const char banner[] = "BusyBox v";
	const unsigned char *p = info->image, *end = info->image + info->size;

	while ((p = memmem(p, (size_t)(end - p), banner, sizeof(banner) - 1))) {
		const unsigned char *v = p + sizeof(banner) - 1, *q = v;

		while (q < end && (( *q >= '0' && *q <= '9') || *q == '.' ||
				   (*q >= 'a' && *q <= 'z') || *q == '-' || *q == '_' || *q == '+'))
			q++;
		/* A version starts with a digit and is followed by " (". */
		if (q > v && *v >= '0' && *v <= '9' && q < end && *q == ' ' && q - v < 32) {
			info->version = xstrndup((const char *)v, (size_t)(q - v));
			return;
		}
		p = v;
	}
}

static int dynamic_message(struct elfinfo *info)
{
	char libs[512] = "";
	size_t i, used = 0;

	for (i = 0; i < info->nr_needed && used < sizeof(libs); i++) {
		int n = snprintf(libs + used, sizeof(libs) - used, "%s%s", i ? ", " : "",
				 info->needed[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return bbr_fail(BBR_EXIT_INTEGRITY,
			"binary check failed for '%s': dynamically linked (interpreter %s; "
			"libraries %s); a container image needs a static busybox",
			info->path, info->interp ? info->interp : "none",
			info->nr_needed ? libs : "none");
}

static int parse(struct elfinfo *info, unsigned int flags)
{
	GElf_Ehdr eh;
	Elf *elf;

	if (info->size < SELFMAG || memcmp(info->image, ELFMAG, SELFMAG))
		return bad_binary(info, "not an ELF file");
	if (info->size < EI_NIDENT ||
	    info->size < (info->image[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr)
							       : sizeof(Elf32_Ehdr)))
		return bad_binary(info, "truncated: shorter than an ELF header");
	if (memmem(info->image, info->size < 4096 ? info->size : 4096, "UPX!", 4))
		return bad_binary(info, "packed with UPX; its applet table is compressed "
				  "(unpack it with 'upx -d' first)");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bbr_error("libelf: %s", elf_errmsg(-1));
	if (!info->elf_copy) {
		info->elf_copy = xmalloc(info->size);
		memcpy(info->elf_copy, info->image, info->size);
	}
	elf = elf_memory(info->elf_copy, info->size);
	if (!elf)
		return bad_binary(info, elf_errmsg(-1));
	info->elf = elf;
	if (elf_kind(elf) != ELF_K_ELF)
		return bad_binary(info, "not an ELF file");
	if (!gelf_getehdr(elf, &eh))
		return bad_binary(info, elf_errmsg(-1));
	info->elf_class = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	info->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	info->machine = eh.e_machine;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return bad_binary(info, "not an executable (ELF type is not EXEC or DYN)");
	if (check_sections(info, elf, &eh) < 0)
		return -1;
	if (set_platform(info, elf, &eh) < 0)
		return -1;
	if (read_linkage(info, elf, &eh) < 0)
		return -1;
	if (info->linkage == ELF_LINK_DYNAMIC && !(flags & ELFINFO_ALLOW_DYNAMIC))
		return dynamic_message(info);
	read_version(info);
	if (!info->version && !(flags & ELFINFO_ALLOW_NOT_BUSYBOX))
		return bad_binary(info, "not a BusyBox binary (no 'BusyBox v' banner)");
	return 0;
}

int elfinfo_read_memory(const void *buf, size_t len, const char *name,
			unsigned int flags, struct elfinfo *info)
{
	elfinfo_init(info);
	info->path = xstrdup(name);
	info->image = xmalloc(len ? len : 1);
	memcpy(info->image, buf, len);
	info->size = len;
	return parse(info, flags);
}

int elfinfo_read(const char *path, unsigned int flags, struct elfinfo *info)
{
	return elfinfo_read_as(path, path, flags, info);
}

int elfinfo_read_as(const char *path, const char *name, unsigned int flags,
		    struct elfinfo *info)
{
	struct stat st;
	int fd;

	elfinfo_init(info);
	info->path = xstrdup(name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bbr_error("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return bbr_error("cannot stat '%s': %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return bbr_error("cannot read '%s': not a regular file", path);
	}
	if ((unsigned long long)st.st_size > ELFINFO_MAX_SIZE) {
		close(fd);
		return bad_binary(info, "larger than 256 MiB");
	}
	info->size = (size_t)st.st_size;
	if (!info->size) {
		close(fd);
		return bad_binary(info, "not an ELF file (empty)");
	}
	/*
	 * Map the file twice instead of reading it: a read-only view for the
	 * scanners, and a private writable one for libelf, which may convert
	 * headers in place (copy-on-write keeps that from the file and from
	 * `image`).  No copy of the bytes is made.
	 */
	info->image = mmap(NULL, info->size, PROT_READ, MAP_PRIVATE, fd, 0);
	info->elf_copy = info->image == MAP_FAILED ? MAP_FAILED
		: mmap(NULL, info->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (info->image == MAP_FAILED || info->elf_copy == MAP_FAILED) {
		int err = errno;

		if (info->image != MAP_FAILED)
			munmap(info->image, info->size);
		info->image = NULL;
		info->elf_copy = NULL;
		close(fd);
		return bbr_error("cannot read '%s': %s", path, strerror(err));
	}
	info->mapped = 1;
	close(fd);
	return parse(info, flags);
}

const char *elfinfo_platform(const struct elfinfo *info, char *buf, size_t n)
{
	snprintf(buf, n, "linux/%s%s%s", info->architecture, info->variant[0] ? "/" : "",
		 info->variant);
	return buf;
}

const char *elfinfo_linkage_name(enum elf_linkage linkage)
{
	switch (linkage) {
	case ELF_LINK_STATIC:
		return "static";
	case ELF_LINK_STATIC_PIE:
		return "static-pie";
	default:
		return "dynamic";
	}
}

const char *elfinfo_host_architecture(void)
{
	static const struct {
		const char *uname, *oci;
	} map[] = {
		{ "x86_64", "amd64" }, { "i686", "386" }, { "i586", "386" }, { "i386", "386" },
		{ "aarch64", "arm64" }, { "armv7l", "arm" }, { "armv6l", "arm" },
		{ "armv5tel", "arm" }, { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
		{ "armv8l", "arm" }, { "ppc64", "ppc64" }, { "riscv64", "riscv64" },
		{ "loongarch64", "loong64" },
	};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	static const char *const mips32 = "mipsle", *const mips64 = "mips64le";
#else
	static const char *const mips32 = "mips", *const mips64 = "mips64";
#endif
	static char arch[sizeof(((struct utsname *)0)->machine)];
	struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		return "amd64";
	/* uname says "mips"/"mips64" for both byte orders: ours decides. */
	if (!strcmp(u.machine, "mips"))
		return mips32;
	if (!strcmp(u.machine, "mips64"))
		return mips64;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(u.machine, map[i].uname))
			return map[i].oci;
	snprintf(arch, sizeof(arch), "%s", u.machine);
	return arch;
}
