/*
 * epoch.h - the one timestamp every reproducible output uses.
 *
 * SOURCE_DATE_EPOCH (reproducible-builds.org) when set: a strict decimal
 * integer of seconds since 1970, 0 <= value < 2^63, nothing else (no sign,
 * no spaces, no empty string).  Unset: BBR_DEFAULT_EPOCH.
 */
#ifndef BBR_EPOCH_H
#define BBR_EPOCH_H

#define BBR_DEFAULT_EPOCH 0LL

/* 0 and *out set, or -1 with a usage-class message (exit code 2). */
int bbr_source_date_epoch(long long *out);
/* Parse a strict non-negative decimal integer; 0 or -1 (no message). */
int bbr_parse_epoch(const char *s, long long *out);

#endif
