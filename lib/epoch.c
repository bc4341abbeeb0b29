/*
 * epoch.c - SOURCE_DATE_EPOCH: validated strictly, because a silently
 * ignored typo would make a "reproducible" build depend on the clock.
 */
#include "epoch.h"
#include "diag.h"
#include "../bbroot.h"

#include <limits.h>
#include <stdlib.h>

int bbr_parse_epoch(const char *s, long long *out)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (LLONG_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

int bbr_source_date_epoch(long long *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");

	if (!s) {
		*out = BBR_DEFAULT_EPOCH;
		return 0;
	}
	if (bbr_parse_epoch(s, out) < 0)
		return bbr_fail(BBR_EXIT_USAGE,
				"invalid SOURCE_DATE_EPOCH '%s': not a non-negative integer of seconds", s);
	return 0;
}
