/*
 * fuzz_reader.c - libFuzzer target for the binary reader: any bytes go
 * through elfinfo_read_memory() (ELF header, program and section headers,
 * ARM attributes, dynamic section, banner) and, when that accepts them,
 * through applets_scan() without ever running anything.  Built with
 * clang -fsanitize=fuzzer,address,undefined by mk/applets.mk
 * (`make fuzz`, `make fuzz-smoke`).
 *
 * The reader may refuse anything; it must never crash, read out of
 * bounds, leak, or return a list that breaks its contract (sorted, unique,
 * no "busybox", directories in range).
 */
#include "bootstrap/applets.h"
#include "bootstrap/elfinfo.h"
#include "lib/diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The reader explains every refusal on stderr: tests/fuzz/run passes
 * -close_fd_mask=2, which silences it but keeps the fuzzer's reports. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfinfo info;
	struct applets ap;
	size_t i;

	applets_init(&ap);
	bbr_reset_failure();
	if (elfinfo_read_memory(data, size, "fuzz", ELFINFO_ALLOW_DYNAMIC, &info) == 0 &&
	    applets_scan(&info, APPLETS_NO_RUN, &ap) == 0) {
		for (i = 0; i < ap.nr; i++) {
			if ((unsigned int)ap.list[i].dir > APPLET_DIR_USR_SBIN ||
			    !strcmp(ap.list[i].name, "busybox") || !ap.list[i].name[0] ||
			    strchr(ap.list[i].name, '/') ||
			    (i && strcmp(ap.list[i - 1].name, ap.list[i].name) >= 0))
				abort();
		}
	}
	/* applets_scan leaves `ap` empty on failure; releasing is safe anyway. */
	applets_release(&ap);
	elfinfo_release(&info);
	return 0;
}
