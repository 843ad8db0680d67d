/* Frame-time measurement without a terminal: `ktstr tui --open DIR --bench-frames N`
 * draws every pane N times into a curses screen whose output goes to /dev/null and
 * prints milliseconds per frame per pane (what `make bench` reports). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/app.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int tui_bench(struct app *a, int frames, int cols, int rows)
{
	FILE *out = fopen("/dev/null", "w");
	if (!out)
		return 3;
	const char *term = getenv("TERM");
	SCREEN *s = newterm(term && *term ? NULL : "xterm-256color", out, stdin);
	if (!s) {
		fclose(out);
		fprintf(stderr, "ktstr: cannot set up a curses screen for the bench (TERM=%s)\n", term ? term : "");
		return 3;
	}
	set_term(s);
	resizeterm(rows, cols);
	dw_setup();
	double results[VIEW_MAX];
	for (int i = 0; i < view_count; i++) {
		a->active = i;
		app_draw(a);  /* first frame builds caches (folds, verifier parse) */
		double t0 = now_ms();
		for (int f = 0; f < frames; f++)
			app_draw(a);
		results[i] = (now_ms() - t0) / (frames > 0 ? frames : 1);
	}
	endwin();
	delscreen(s);
	fclose(out);
	for (int i = 0; i < view_count; i++)
		printf("frame %-9s %8.3f ms  (%dx%d, %d frames)\n", a->views[i].ops->name, results[i], cols, rows, frames);
	/* Memory in that state: rings and the slice ring are bounded, so this is a ceiling. */
	FILE *st = fopen("/proc/self/status", "r");
	char line[256];
	while (st && fgets(line, sizeof(line), st))
		if (!strncmp(line, "VmHWM:", 6) || !strncmp(line, "VmRSS:", 6))
			printf("memory %s", line);
	if (st)
		fclose(st);
	return 0;
}
