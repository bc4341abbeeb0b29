/*
 * progress.c - the download progress line (curl's tool_cb_prg.c, reduced):
 * redrawn with '\r' at most ten times a second, and a one-line summary.
 */
#include "progress.h"
#include "../lib/diag.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *progress_human_size(double bytes, char *buf, size_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f %s", bytes, units[u]);
	else
		snprintf(buf, n, "%.1f %s", bytes, units[u]);
	return buf;
}

void progress_start(struct progress *p, const char *label, long long offset)
{
	char tmp[512];

	p->label = xstrdup(bbr_printable(label, tmp, sizeof(tmp)));
	p->draw = bbr_show_progress();
	p->drawn = 0;
	p->start = now_seconds();
	p->last = 0;
	p->offset = offset;
}

void progress_update(struct progress *p, long long now, long long total)
{
	char done[32], all[32], rate[32], eta[32] = "";
	double t = now_seconds(), elapsed = t - p->start, speed;

	if (!p->draw || t - p->last < 0.1)
		return;
	p->last = t;
	speed = elapsed > 0 ? (double)now / elapsed : 0;
	progress_human_size((double)(p->offset + now), done, sizeof(done));
	progress_human_size(speed, rate, sizeof(rate));
	if (total > 0) {
		progress_human_size((double)(p->offset + total), all, sizeof(all));
		if (speed > 0 && total >= now) {
			long long s = (long long)((double)(total - now) / speed);

			snprintf(eta, sizeof(eta), "  ETA %lld:%02lld", s / 60, s % 60);
		}
	} else {
		snprintf(all, sizeof(all), "?");
	}
	fprintf(stderr, "\r\033[K%s / %s  %s/s%s", done, all, rate, eta);
	fflush(stderr);
	p->drawn = 1;
}

void progress_finish(struct progress *p, long long bytes, int ok)
{
	char size[32], rate[32];
	double elapsed = now_seconds() - p->start;

	if (p->drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->drawn = 0;
	}
	if (!ok || !p->label)
		return;
	progress_human_size((double)bytes, size, sizeof(size));
	progress_human_size(elapsed > 0 ? (double)(bytes - p->offset) / elapsed : 0, rate, sizeof(rate));
	bbr_info("downloaded '%s': %s in %.2fs (%s/s)", p->label, size, elapsed, rate);
}

void progress_release(struct progress *p)
{
	free(p->label);
	p->label = NULL;
}
