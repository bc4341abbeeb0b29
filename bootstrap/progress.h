/*
 * progress.h - how a download shows itself on stderr: a redrawn line
 * (bytes, total, rate, ETA; at most 10 redraws a second) when progress is
 * on (stderr is a terminal, or --progress), else one plain line when the
 * download ends; nothing with -q.
 */
#ifndef BBR_PROGRESS_H
#define BBR_PROGRESS_H

#include <stddef.h>

struct progress {
	char *label;      /* what is downloaded (printable copy) */
	int draw;         /* redraw a line while running */
	int drawn;        /* a line is on screen */
	double start;     /* monotonic seconds */
	double last;      /* last redraw */
	long long offset; /* bytes already there when this transfer started */
};

/* Start showing the download of `label` (a URL); offset = resumed bytes. */
void progress_start(struct progress *p, const char *label, long long offset);
/* `now` bytes of this transfer done, of `total` (0 unknown). */
void progress_update(struct progress *p, long long now, long long total);
/* End: clear the line; when ok, print the summary line (not with -q). */
void progress_finish(struct progress *p, long long bytes, int ok);
/* Free; safe twice. */
void progress_release(struct progress *p);

/* "1.5 MiB" style size into buf. */
const char *progress_human_size(double bytes, char *buf, size_t n);

#endif
