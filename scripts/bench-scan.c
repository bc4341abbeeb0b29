/*
 * bench-scan.c - how long the applet table reader takes on a real binary:
 * the file is read and parsed once (elfinfo_read), then applets_scan()
 * with APPLETS_NO_RUN runs ROUNDS times; prints the best and the median
 * time per scan, and per MiB of file.  Built and run by scripts/bench-scan
 * (`make bench-scan`).
 */
#include "bootstrap/applets.h"
#include "bootstrap/elfinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct elfinfo info;
	struct applets ap;
	int rounds = argc > 2 ? atoi(argv[2]) : 200, i;
	double *t, mib;

	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: bench-scan BUSYBOX [ROUNDS]\n");
		return 2;
	}
	if (elfinfo_read(argv[1], 0, &info) < 0)
		return 1;
	t = calloc((size_t)rounds, sizeof(*t));
	if (!t)
		return 1;
	for (i = 0; i < rounds; i++) {
		double t0 = now();

		if (applets_scan(&info, APPLETS_NO_RUN, &ap) < 0)
			return 1;
		t[i] = now() - t0;
		if (i == rounds - 1)
			printf("applets: %zu (from %s)\n", ap.nr, applets_origin_name(ap.origin));
		applets_release(&ap);
	}
	qsort(t, (size_t)rounds, sizeof(*t), dcmp);
	mib = (double)info.size / (1024.0 * 1024.0);
	printf("file: %.2f MiB, %d scans\n", mib, rounds);
	printf("scan: best %.1f us, median %.1f us; %.1f us per MiB (median)\n",
	       t[0] * 1e6, t[rounds / 2] * 1e6, t[rounds / 2] * 1e6 / mib);
	free(t);
	elfinfo_release(&info);
	return 0;
}
