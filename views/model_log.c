/* Log view model: display rows over a ring without copying it. Cycle folds (scheduler
 * log) come from collapse_cycles and are recomputed only for the tail that new lines can
 * change; dump sections are recomputed when the ring changes (dumps are small). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/collapse.h"
#include "views/model.h"

void logm_init(struct logm *m, enum logm_kind kind, size_t max_block)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->max_block = max_block ? max_block : 8;
}

void logm_reset(struct logm *m)
{
	enum logm_kind k = m->kind;
	size_t mb = m->max_block;
	logm_done(m);
	logm_init(m, k, mb);
}

void logm_done(struct logm *m)
{
	free(m->g);
	free(m->rows_before);
	m->g = NULL;
	m->rows_before = NULL;
	m->ng = m->capg = m->nrows = 0;
}

static size_t group_rows(const struct logm_group *g)
{
	if (g->head)  /* section: the header is the first line */
		return g->open ? g->len : 1;
	if (g->repeat > 1)
		return 1 + (g->open ? g->len * g->repeat : g->len);
	return g->len;
}

static uint64_t group_end(const struct logm_group *g)
{
	return g->first + (uint64_t)g->len * (g->repeat ? g->repeat : 1);
}

static bool push_group(struct logm *m, struct logm_group g)
{
	/* Merge plain runs so a million unrepeated lines are one group, not a million. */
	if (m->ng && !g.head && g.repeat == 1) {
		struct logm_group *p = &m->g[m->ng - 1];
		if (!p->head && p->repeat == 1 && group_end(p) == g.first) {
			p->len += g.len;
			return true;
		}
	}
	if (m->ng == m->capg) {
		size_t nc = m->capg ? m->capg * 2 : 64;
		struct logm_group *ng = realloc(m->g, nc * sizeof(*ng));
		if (!ng)
			return false;
		m->g = ng;
		m->capg = nc;
	}
	m->g[m->ng++] = g;
	return true;
}

static void rebuild_rows(struct logm *m)
{
	free(m->rows_before);
	m->rows_before = malloc((m->ng + 1) * sizeof(size_t));
	m->nrows = 0;
	if (!m->rows_before) {
		m->ng = 0;
		return;
	}
	for (size_t i = 0; i < m->ng; i++) {
		m->rows_before[i] = m->nrows;
		m->nrows += group_rows(&m->g[i]);
	}
	m->rows_before[m->ng] = m->nrows;
}

bool logm_is_section_head(const char *s)
{
	const char *p = s;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "CPU", 3)) {
		p += 3;
		while (*p == ' ')
			p++;
		return isdigit((unsigned char)*p);
	}
	/* "  R kworker/0:1[12] +0ms" / "*R ...": state letter, spaces, comm[pid]. */
	if (*p == '*')
		p++;
	if (!strchr("RSDTtXZPIW", *p) || !*p || p[1] != ' ')
		return false;
	p += 2;
	while (*p == ' ')
		p++;
	const char *lb = strchr(p, '[');
	const char *sp = strchr(p, ' ');
	if (!lb || lb == p || (sp && sp < lb))
		return false;
	lb++;
	if (!isdigit((unsigned char)*lb))
		return false;
	while (isdigit((unsigned char)*lb))
		lb++;
	return *lb == ']';
}

static void sync_sections(struct logm *m, const struct ring *r, size_t count)
{
	/* Keep which sections were open, by header line number. */
	uint64_t *open = NULL;
	size_t nopen = 0;
	if (m->ng)
		open = malloc(m->ng * sizeof(*open));
	for (size_t i = 0; open && i < m->ng; i++)
		if (m->g[i].head && m->g[i].open)
			open[nopen++] = m->g[i].first;
	m->ng = 0;
	for (size_t i = 0; i < count; i++) {
		const char *s = ring_get(r, i);
		uint64_t L = m->dropped + i;
		if (s && logm_is_section_head(s)) {
			bool o = false;
			for (size_t k = 0; k < nopen; k++)
				o |= open[k] == L;
			if (!push_group(m, (struct logm_group){ L, 1, 1, o, true }))
				break;
		} else if (m->ng && m->g[m->ng - 1].head) {
			m->g[m->ng - 1].len++;
		} else if (!push_group(m, (struct logm_group){ L, 1, 1, true, false })) {
			break;
		}
	}
	free(open);
}

/* Drops groups whose lines left the ring; a group cut in two keeps its tail as plain
 * lines. */
static void trim_front(struct logm *m)
{
	size_t k = 0;
	while (k < m->ng && group_end(&m->g[k]) <= m->dropped)
		k++;
	if (k) {
		memmove(m->g, m->g + k, (m->ng - k) * sizeof(*m->g));
		m->ng -= k;
	}
	if (m->ng && m->g[0].first < m->dropped) {
		struct logm_group *g = &m->g[0];
		uint64_t end = group_end(g);
		g->first = m->dropped;
		g->len = (size_t)(end - m->dropped);
		g->repeat = 1;
		g->head = false;
	}
}

static void sync_cycles(struct logm *m, const struct ring *r, uint64_t old_end, uint64_t new_end)
{
	/* Folds ending within 2*max_block of the old end may change with new lines. */
	uint64_t stable = old_end > 2 * m->max_block ? old_end - 2 * m->max_block : 0;
	if (stable < m->dropped)
		stable = m->dropped;
	while (m->ng) {
		struct logm_group *g = &m->g[m->ng - 1];
		if (group_end(g) <= stable)
			break;
		if (g->repeat == 1 && g->first < stable) {
			g->len = (size_t)(stable - g->first);
			break;
		}
		m->ng--;
	}
	uint64_t from = m->ng ? group_end(&m->g[m->ng - 1]) : m->dropped;
	if (from >= new_end)
		return;
	size_t n = (size_t)(new_end - from);
	const char **lines = malloc(n * sizeof(*lines));
	struct fold *f = malloc(n * sizeof(*f));
	if (!lines || !f)
		goto out;
	for (size_t i = 0; i < n; i++) {
		lines[i] = ring_get(r, (size_t)(from - m->dropped) + i);
		if (!lines[i])
			lines[i] = "";
	}
	size_t nf = collapse_cycles(lines, n, m->max_block, f, n);
	for (size_t i = 0; i < nf; i++)
		if (!push_group(m, (struct logm_group){ from + f[i].first, f[i].len, f[i].repeat, false, false }))
			break;
out:
	free(lines);
	free(f);
}

size_t logm_sync(struct logm *m, const struct ring *r)
{
	if (!r) {
		if (m->ng)
			logm_reset(m);
		return 0;
	}
	uint64_t total = ring_total(r);
	size_t count = ring_count(r);
	if (total == m->seen_total && count == m->seen_count && m->rows_before)
		return 0;
	if (total < m->seen_total) /* ring cleared and refilled: start over */
		logm_reset(m);
	size_t old_rows = m->nrows;
	uint64_t old_end = m->seen_total;
	uint64_t dropped = total - count;
	size_t rows_lost = 0;
	if (dropped > m->dropped && m->rows_before) {
		/* Rows that scroll off the top, so a view can keep its place. */
		size_t before = m->nrows;
		m->dropped = dropped;
		trim_front(m);
		rebuild_rows(m);
		rows_lost = before > m->nrows ? before - m->nrows : 0;
		old_rows = m->nrows;
	}
	m->dropped = dropped;
	switch (m->kind) {
	case LOGM_PLAIN:
		m->ng = 0;
		if (count)
			push_group(m, (struct logm_group){ dropped, count, 1, true, false });
		break;
	case LOGM_SECTIONS:
		sync_sections(m, r, count);
		break;
	case LOGM_CYCLES:
		trim_front(m);
		sync_cycles(m, r, old_end, total);
		break;
	}
	(void)old_rows;
	rebuild_rows(m);
	m->seen_total = total;
	m->seen_count = count;
	return rows_lost;
}

size_t logm_rows(const struct logm *m)
{
	return m->nrows;
}

static size_t find_group(const struct logm *m, size_t row)
{
	size_t lo = 0, hi = m->ng; /* last group with rows_before <= row */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (m->rows_before[mid] <= row)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

bool logm_row(const struct logm *m, const struct ring *r, size_t row, struct logm_row *out)
{
	if (!r || row >= m->nrows || !m->ng)
		return false;
	size_t gi = find_group(m, row);
	const struct logm_group *g = &m->g[gi];
	size_t off = row - m->rows_before[gi];
	*out = (struct logm_row){ .kind = LR_LINE, .group = gi, .len = g->len, .repeat = g->repeat,
				  .open = g->open };
	if (g->head) {
		out->kind = off ? LR_LINE : LR_SECTION_HEAD;
		out->line = g->first + off;
	} else if (g->repeat > 1) {
		if (!off) {
			out->kind = LR_CYCLE_HEAD;
			out->line = g->first;
			return true;
		}
		off--;
		out->line = g->first + (g->open ? off : off % g->len);
	} else {
		out->line = g->first + off;
	}
	out->text = ring_get(r, (size_t)(out->line - m->dropped));
	if (!out->text)
		out->text = "";
	return true;
}

bool logm_toggle(struct logm *m, size_t *row)
{
	if (*row >= m->nrows || !m->ng)
		return false;
	size_t gi = find_group(m, *row);
	struct logm_group *g = &m->g[gi];
	if (!g->head && g->repeat <= 1)
		return false;
	if (g->head && g->len <= 1)
		return false;
	g->open = !g->open;
	rebuild_rows(m);
	*row = m->rows_before[gi];
	return true;
}

void logm_set_all(struct logm *m, bool open)
{
	for (size_t i = 0; i < m->ng; i++)
		if (m->g[i].head || m->g[i].repeat > 1)
			m->g[i].open = open;
	rebuild_rows(m);
}

/* Sections: hidden lines count too; the section holding the match is opened. */
static long search_sections(struct logm *m, const struct ring *r, size_t from, const char *pat, int dir)
{
	struct logm_row cur;
	if (!logm_row(m, r, from < m->nrows ? from : 0, &cur))
		return -1;
	size_t count = ring_count(r);
	size_t at = (size_t)(cur.line - m->dropped);
	for (size_t k = 0; k < count; k++) {
		at = dir < 0 ? (at + count - 1) % count : (at + 1) % count;
		const char *s = ring_get(r, at);
		if (!s || !strcasestr(s, pat))
			continue;
		uint64_t L = m->dropped + at;
		for (size_t gi = 0; gi < m->ng; gi++) {
			struct logm_group *g = &m->g[gi];
			if (L < g->first || L >= g->first + g->len)
				continue;
			if (!g->open && L != g->first) {
				g->open = true;
				rebuild_rows(m);
			}
			return (long)(m->rows_before[gi] + (L - g->first));
		}
	}
	return -1;
}

long logm_search(struct logm *m, const struct ring *r, size_t from, const char *pat, int dir)
{
	if (!pat || !*pat || !m->nrows)
		return -1;
	if (m->kind == LOGM_SECTIONS)
		return search_sections(m, r, from, pat, dir);
	size_t n = m->nrows;
	size_t row = from < n ? from : n - 1;
	for (size_t k = 0; k < n; k++) {
		row = dir < 0 ? (row + n - 1) % n : (row + 1) % n;
		struct logm_row lr;
		if (logm_row(m, r, row, &lr) && lr.text && strcasestr(lr.text, pat))
			return (long)row;
	}
	return -1;
}
