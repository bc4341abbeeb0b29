/*
 * fuzz_lock.c - libFuzzer target for bbroot.lock parsing (a lock file comes
 * from a repository: treat it as untrusted).  Invariants: no crash or
 * sanitizer report; a lock that parses formats to text that parses again
 * and formats to the same bytes.
 */
#include "../../bootstrap/lock.h"
#include "../../lib/diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lock lock, again;
	char *text = malloc(size + 1), *once, *twice;

	memcpy(text, data, size);
	text[size] = '\0';
	if (lock_parse(text, "fuzz", &lock) == 0) {
		once = lock_format(&lock);
		if (lock_parse(once, "fuzz-again", &again) != 0)
			abort();
		twice = lock_format(&again);
		if (strcmp(once, twice))
			abort();
		free(once);
		free(twice);
		lock_release(&again);
		lock_release(&lock);
	}
	bbr_reset_failure();
	free(text);
	return 0;
}
