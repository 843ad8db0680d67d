/* The progress display behind downloads and builds: a bar on a terminal, quarter lines in
 * logs, and a callback for the TUI. Writes go straight to the fd (no stdio buffering). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/kernel/progress.h"

#define BAR_WIDTH 30
#define REDRAW_NS 100000000LL

struct progress {
	int fd;
	bool tty, mb;
	char label[128];
	uint64_t done, total;
	int quarter;            /* last quarter line printed (plain mode) */
	long long last_ns;      /* last redraw / callback */
	void (*cb)(void *ctx, const char *label, uint64_t done, uint64_t total);
	void *ctx;
};

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void out(const struct progress *p, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(p->fd, s, n);
		if (w <= 0)
			return;   /* a closed or full terminal must not stop the work */
		s += w;
		n -= (size_t)w;
	}
}

static int pct(const struct progress *p)
{
	uint64_t d = p->done > p->total ? p->total : p->done;
	return p->total ? (int)(d * 100 / p->total) : 0;
}

/* "12.3/27.0 MB", "3/7", or "12.3 MB" when the total is unknown. */
static void amount(const struct progress *p, char *buf, size_t len)
{
	if (p->mb && p->total)
		snprintf(buf, len, "%.1f/%.1f MB", p->done / 1e6, p->total / 1e6);
	else if (p->mb)
		snprintf(buf, len, "%.1f MB", p->done / 1e6);
	else if (p->total)
		snprintf(buf, len, "%llu/%llu", (unsigned long long)p->done, (unsigned long long)p->total);
	else
		snprintf(buf, len, "%llu", (unsigned long long)p->done);
}

static void draw(struct progress *p)
{
	char am[64], line[320];
	amount(p, am, sizeof(am));
	if (p->total) {
		char bar[BAR_WIDTH + 1];
		int fill = pct(p) * BAR_WIDTH / 100;
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
		bar[BAR_WIDTH] = '\0';
		snprintf(line, sizeof(line), "\r%s [%s] %3d%%  %s\033[K", p->label, bar, pct(p), am);
	} else {
		snprintf(line, sizeof(line), "\r%s  %s\033[K", p->label, am);
	}
	out(p, line, strlen(line));
}

static void plain(const struct progress *p, const char *what)
{
	char am[64], line[320];
	amount(p, am, sizeof(am));
	snprintf(line, sizeof(line), "ktstr: %s: %s (%s)\n", p->label, what, am);
	if (!strcmp(what, "started"))
		snprintf(line, sizeof(line), "ktstr: %s: started\n", p->label);
	out(p, line, strlen(line));
}

struct progress *progress_begin(int fd, const char *label, uint64_t total, const char *unit)
{
	struct progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->fd = fd;
	p->tty = fd >= 0 && isatty(fd);
	p->mb = !unit || strcmp(unit, "steps");
	snprintf(p->label, sizeof(p->label), "%s", label ? label : "");
	p->total = total;
	p->last_ns = now_ns();
	if (fd >= 0) {
		if (p->tty)
			draw(p);
		else
			plain(p, "started");
	}
	return p;
}

void progress_set_cb(struct progress *p,
		     void (*cb)(void *ctx, const char *label, uint64_t done, uint64_t total), void *ctx)
{
	if (!p)
		return;
	p->cb = cb;
	p->ctx = ctx;
	if (cb)
		cb(ctx, p->label, p->done, p->total);
}

void progress_update(struct progress *p, uint64_t done, uint64_t total)
{
	if (!p)
		return;
	if (total)
		p->total = total;
	bool changed = done != p->done;
	p->done = done;
	if (p->fd >= 0 && !p->tty && p->total) {
		int q = pct(p) / 25;
		if (q > 3)
			q = 3;
		while (p->quarter < q) {
			char w[8];
			snprintf(w, sizeof(w), "%d%%", ++p->quarter * 25);
			plain(p, w);
		}
	}
	long long t = now_ns();
	if (!changed || t - p->last_ns < REDRAW_NS)
		return;
	p->last_ns = t;
	if (p->fd >= 0 && p->tty)
		draw(p);
	if (p->cb)
		p->cb(p->ctx, p->label, p->done, p->total);
}

void progress_end(struct progress *p, bool ok)
{
	if (!p)
		return;
	if (ok && p->total && p->done < p->total)
		p->done = p->total;
	if (p->fd >= 0) {
		if (p->tty) {
			draw(p);
			out(p, ok ? "\n" : "  failed\n", ok ? 1 : 9);
		} else {
			plain(p, ok ? "done" : "failed");
		}
	}
	if (p->cb)
		p->cb(p->ctx, p->label, p->done, p->total);
	free(p);
}
