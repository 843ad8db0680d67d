/* The Kernels pane's view of a kernel build going on: EV_KERNEL_BUILD's progress steps and
 * status lines kept as the last phase, its numbers and the last line, and the numbers put
 * as text beside the bar. No curses (tests/unit/test_views_kbuild.c). */
#include <stdio.h>
#include <string.h>

#include "views/model.h"

void kbm_start(struct kbm *m, const char *what)
{
	memset(m, 0, sizeof(*m));
	m->running = true;
	snprintf(m->what, sizeof(m->what), "%s", what ? what : "");
}

void kbm_event(struct kbm *m, bool progress, const char *text, uint64_t done, uint64_t total)
{
	if (!text)
		text = "";
	if (!progress) {
		snprintf(m->status, sizeof(m->status), "%s", text);
		return;
	}
	const char *cut = NULL;
	for (const char *p = text; (p = strstr(p, ": ")); p++)
		cut = p;
	size_t n = cut ? (size_t)(cut - text) : strlen(text);
	snprintf(m->label, sizeof(m->label), "%.*s", (int)n, text);
	m->done = done;
	m->total = total;
}

void kbm_end(struct kbm *m)
{
	m->running = false;
}

/* Downloads and extracts count bytes (engine/kernel/download.c's labels); a build, steps. */
static bool in_bytes(const char *label)
{
	return !strncmp(label, "download ", 9) || !strncmp(label, "extract ", 8);
}

void kbm_progress_text(const struct kbm *m, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = 0;
	if (!m->label[0])
		return;
	bool bytes = in_bytes(m->label);
	double mb = 1024.0 * 1024.0;
	char pct[8] = "";
	if (m->total)
		snprintf(pct, sizeof(pct), "%d%%  ", (int)(kbm_frac(m) * 100.0));
	if (bytes && m->total)
		snprintf(buf, len, "%s%.1f/%.1f MB", pct, (double)m->done / mb, (double)m->total / mb);
	else if (bytes)
		snprintf(buf, len, "%.1f MB", (double)m->done / mb);
	else if (m->total)
		snprintf(buf, len, "%s%llu/%llu", pct, (unsigned long long)m->done,
			 (unsigned long long)m->total);
	else
		snprintf(buf, len, "%llu steps", (unsigned long long)m->done);
}

double kbm_frac(const struct kbm *m)
{
	if (!m->total)
		return -1;
	return m->done >= m->total ? 1.0 : (double)m->done / (double)m->total;
}
