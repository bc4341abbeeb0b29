/*
 * fuzz_deb.c - libFuzzer target for taking bin/busybox out of a .deb
 * (libarchive ar + tar readers driven by deb.c): the package comes from
 * the network.  Invariant: no crash or sanitizer report; a success returns
 * a buffer of the size announced, hashed.
 */
#include "../../bootstrap/deb.h"
#include "../../lib/diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], hex[SHA256_HEX_LEN + 1];
	unsigned char *image = NULL;
	size_t len = 0;
	int fd = memfd_create("deb", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (deb_extract_busybox(path, "fuzz", 1 << 20, &image, &len, hex) == 0 &&
		    strlen(hex) != SHA256_HEX_LEN)
			abort();
		free(image);
	}
	close(fd);
	bbr_reset_failure();
	return 0;
}
