/*
 * embed.c - lookup in the table of compiled-in config files.
 */
#include "embed.h"

#include <string.h>

const struct embedded_file *embedded_find(const char *name)
{
	unsigned int lo = 0, hi = embedded_count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = strcmp(name, embedded_files[mid].name);

		if (!c)
			return &embedded_files[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
