/* The Monitor pane: the host-side monitor's series (engine/monitor/monitor.h), live or
 * loaded from monitor.tsv. A header (samples, last sample age, status, verdict), then one
 * scrollable list: a row per CPU with its DSQ-depth sparkline, the event counters, and the
 * scheduler's globals as a tree. The numbers come from views/model_monitor.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/model.h"
#include "views/view.h"

#define SPARK_MAX 256              /* sparkline cells at most, whatever the width */
#define COL_TAGS 45                /* the "breaks" column, after flags */
#define TAG_MAX 48

struct mpriv {
	long top, nrows;
	long mark;                     /* the last search match's row; -1 none */
	int height;
	char hint[64];
};

/* One frame's list: where each part starts (row numbers below the header), every CPU's
 * row computed once, and the columns the width leaves. */
struct layout {
	long cpu0, ev0, gl0, n;        /* cpu0: the column header; ev0, gl0: section headers */
	int nev, ngl;                  /* rows in each section (a message row when 0) */
	int sn;                        /* sparkline samples at this width */
	uint32_t smax;                 /* their scale: the deepest DSQ among them */
	int tag_w;                     /* the "breaks" column: its longest entry */
	struct monm_ev ev[MON_NEV];
	struct monm_cpu cpu[MON_MAX_CPUS];
	char tags[MON_MAX_CPUS][TAG_MAX];
};

static void init(struct view *v)
{
	struct mpriv *p = calloc(1, sizeof(*p));
	if (p)
		p->mark = -1;
	v->priv = p;
}

static void done(struct view *v)
{
	free(v->priv);
	v->priv = NULL;
}

static void reset(struct view *v)
{
	struct mpriv *p = v->priv;
	if (p) {
		p->top = 0;
		p->mark = -1;
	}
}

static void fmt_tags(const struct monm_cpu *c, const struct mon_thresholds *t, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s", "");
	if (c->deep)
		n += snprintf(buf + n, len - (size_t)n, "dsq>%d ", t->max_local_dsq_depth);
	if (c->stall && n < (int)len)
		n += snprintf(buf + n, len - (size_t)n, "stall %d ", c->stalled);
	if (c->stuck && n < (int)len)
		snprintf(buf + n, len - (size_t)n, "stuck");
}

/* cols: the pane's width, for the sparkline (0 when only the rows are wanted). */
static void lay_out(const struct run *r, int cols, struct layout *l)
{
	const struct mon_series *s = r->mon;
	int ncpus = s->ncpus < MON_MAX_CPUS ? s->ncpus : MON_MAX_CPUS;
	l->tag_w = 7;  /* "breaks " */
	for (int c = 0; c < ncpus; c++) {
		monm_cpu(s, c, &r->scn.monitor, r->state == RUN_DONE ? &r->monsum.stuck_cpus : NULL,
			 &l->cpu[c]);
		fmt_tags(&l->cpu[c], &r->scn.monitor, l->tags[c], sizeof(l->tags[c]));
		int tl = (int)strlen(l->tags[c]) + 1;
		l->tag_w = tl > l->tag_w ? tl : l->tag_w;
	}
	int sn = cols - (COL_TAGS + l->tag_w);
	l->sn = sn < 0 ? 0 : sn > SPARK_MAX ? SPARK_MAX : sn;
	l->smax = l->sn ? monm_spark_max(s, l->sn) : 0;
	l->nev = monm_events(s, l->ev);
	l->ngl = s->ntree ? s->ntree : s->nglob;
	l->cpu0 = 0;
	l->ev0 = l->cpu0 + 1 + ncpus + 1;
	l->gl0 = l->ev0 + 1 + (l->nev ? l->nev : 1) + 1;
	l->n = l->gl0 + 1 + (l->ngl ? l->ngl : 1);
}

/* Why there is nothing to show. */
static void why_none(const struct run *r, char *buf, size_t len)
{
	const struct mon_series *s = r->mon;
	if (s && s->status[0])
		snprintf(buf, len, "no monitor samples: %s", s->status);
	else if (s)
		snprintf(buf, len, "no monitor samples yet: the sampler has taken none");
	else if (r->state != RUN_DONE && !r->have_ksyms)
		snprintf(buf, len, "no monitor samples yet: sampling starts when the guest sends its kernel "
			 "addresses, about half a second after sys_rdy");
	else if (r->state != RUN_DONE)
		snprintf(buf, len, "no monitor samples yet: the sampler is starting");
	else if (strstr(r->warning, "monitor.tsv"))
		snprintf(buf, len, "no monitor samples: %s", r->warning);
	else
		snprintf(buf, len, "no monitor samples: the guest sent no kernel addresses, or the run "
			 "predates the monitor (no monitor.tsv in its directory)");
}

static int verdict_col(const struct mon_summary *m)
{
	return m->failed ? DC_FAIL : m->nviol || !m->evaluated ? DC_WARN : DC_OK;
}

/* The header: samples, freshness, the guest's silence while samples come, the verdict.
 * Returns the rows it took (the status line is the second). */
static int draw_header(struct dwin *w, const struct run *r, const struct mon_series *s)
{
	size_t held = mon_series_len(s);
	int x = dw_text(w, 0, 0, DC_HEAD, "Monitor", 0);
	x = dw_printf(w, 0, x + 2, DC_NORMAL, "%zu samples", (size_t)s->n);
	bool live = r->state != RUN_DONE;
	if (live && s->last_ok_ms >= 0) {
		int64_t age = r->elapsed_ms - s->last_ok_ms;
		x = dw_printf(w, 0, x + 2, age > 1000 ? DC_WARN : DC_NORMAL, "last sample %.1f s ago",
			      (double)(age > 0 ? age : 0) / 1000.0);
		int64_t quiet = r->last_guest_line_ms >= 0 ? r->elapsed_ms - r->last_guest_line_ms : -1;
		if (quiet >= 2000)
			x = dw_printf(w, 0, x + 2, DC_WARN, "guest silent %.1f s", (double)quiet / 1000.0);
	} else if (held > 1) {
		x = dw_printf(w, 0, x + 2, DC_NORMAL, "over %.1f s",
			      (double)(mon_t(s, held - 1) - mon_t(s, 0)) / 1000.0);
	}
	if (!live && r->monsum.verdict[0])
		dw_text(w, 0, x + 2, verdict_col(&r->monsum), r->monsum.verdict, 0);
	if (!s->status[0])
		return 1;
	dw_text(w, 1, 0, DC_WARN, s->status, 0);
	return 2;
}

static const char *spark_glyph(unsigned char lv)
{
	static const char *const u[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
					 "\u2587", "\u2588" };
	static const char *const a[] = { " ", ".", ":", "-", "=", "+", "*", "#", "@" };
	return lv > MONM_LEVELS ? "?" : dw_utf8() ? u[lv] : a[lv];
}

static void fmt_age(const struct monm_cpu *c, char *buf, size_t len)
{
	const char *ge = c->age_floor ? ">" : "";
	if (c->clock_age_ms < 10000)
		snprintf(buf, len, "%s%lld ms", ge, (long long)c->clock_age_ms);
	else
		snprintf(buf, len, "%s%.1f s", ge, (double)c->clock_age_ms / 1000.0);
}

static void draw_cpu(struct dwin *w, int y, const struct run *r, const struct layout *l, int cpu,
		     const char *pat)
{
	const struct monm_cpu *c = &l->cpu[cpu];
	char age[24], row[128];
	fmt_age(c, age, sizeof(age));
	snprintf(row, sizeof(row), "%4d %6u %6u %6u %9s  0x%-5x ", cpu, c->now.nr_running,
		 c->now.scx_nr_running, c->now.dsq_depth, age, c->now.flags);
	dw_text_hl(w, y, 0, monm_hot(c) ? DC_FAIL : DC_NORMAL, row, 0, pat);
	dw_text(w, y, COL_TAGS, DC_FAIL, l->tags[cpu], 0);
	unsigned char lv[SPARK_MAX];
	int k = monm_spark(r->mon, cpu, l->sn, l->smax, lv);
	char buf[SPARK_MAX * 3 + 1];
	size_t o = 0;
	for (int i = 0; i < k; i++) {
		const char *g = spark_glyph(lv[i]);
		size_t gl = strlen(g);
		memcpy(buf + o, g, gl);
		o += gl;
	}
	buf[o] = 0;
	dw_text(w, y, COL_TAGS + l->tag_w, c->deep ? DC_FAIL : DC_BAR, buf, 0);
}

static void draw_ev(struct dwin *w, int y, const struct monm_ev *e, const char *pat)
{
	char row[128];
	snprintf(row, sizeof(row), "  %-26s %14lld %12.1f/s", mon_ev_name[e->ev], (long long)e->total, e->rate);
	dw_text_hl(w, y, 0, DC_NORMAL, row, 0, pat);
}

/* Globals: the rendered tree when there is one, else the numeric ones followed. */
static void glob_text(const struct mon_series *s, int i, char *buf, size_t len)
{
	if (s->ntree) {
		const struct mon_tree_line *l = &s->tree[i];
		snprintf(buf, len, "  %*s%s%s%s", 2 * l->depth, "", l->name, l->value[0] ? " = " : "", l->value);
	} else {
		size_t held = mon_series_len(s);
		snprintf(buf, len, "  %s = %lld", s->glob_name[i], held ? (long long)mon_glob_at(s, held - 1)[i] : 0LL);
	}
}

static void draw_row(struct dwin *w, int y, long row, const struct run *r, const struct layout *l,
		     const char *pat)
{
	const struct mon_series *s = r->mon;
	char buf[256];
	if (row == l->cpu0) {
		size_t held = mon_series_len(s);
		int k = l->sn < (int)held ? l->sn : (int)held;
		dw_printf(w, y, 0, DC_HEAD, "%4s %6s %6s %6s %9s  %-7s %-*s", "cpu", "nr_run", "scx_nr", "dsq",
			  "clock age", "flags", l->tag_w, "breaks");
		if (k)
			dw_printf(w, y, COL_TAGS + l->tag_w, DC_HEAD, "DSQ depth, %d samples, max %u", k, l->smax);
	} else if (row > l->cpu0 && row < l->ev0 - 1) {
		draw_cpu(w, y, r, l, (int)(row - l->cpu0 - 1), pat);
	} else if (row == l->ev0) {
		dw_printf(w, y, 0, DC_HEAD, "  %-26s %14s %14s", "sched_ext events", "total", "last 1 s");
	} else if (row > l->ev0 && row <= l->ev0 + l->nev) {
		draw_ev(w, y, &l->ev[row - l->ev0 - 1], pat);
	} else if (row == l->ev0 + 1) {
		dw_text(w, y, 2, DC_DIM, "no event counters: this kernel's BTF has no known sched_ext event-stats "
			"layout (6.16+)", 0);
	} else if (row == l->gl0) {
		dw_text(w, y, 0, DC_HEAD, "  scheduler globals", 0);
	} else if (row > l->gl0 && row <= l->gl0 + l->ngl) {
		glob_text(s, (int)(row - l->gl0 - 1), buf, sizeof(buf));
		dw_text_hl(w, y, 0, DC_NORMAL, buf, 0, pat);
	} else if (row == l->gl0 + 1) {
		dw_text(w, y, 2, DC_DIM, r->scn.sched.kind == SCHED_EEVDF ? "none: EEVDF has no BPF scheduler" :
			"none yet: the scheduler's BPF globals are read once it attached", 0);
	}
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct mpriv *p = v->priv;
	if (!p || !r)
		return;
	const struct mon_series *s = r->mon;
	char buf[1024];
	if (!s || !mon_series_len(s)) {
		dw_text(w, 0, 0, DC_HEAD, "Monitor", 0);
		why_none(r, buf, sizeof(buf));
		dw_text(w, 2, 2, s && s->status[0] ? DC_WARN : DC_DIM, buf, 0);
		p->nrows = 0;
		p->hint[0] = 0;
		return;
	}
	int y0 = draw_header(w, r, s);
	struct layout l;
	lay_out(r, dw_cols(w), &l);
	p->nrows = l.n;
	p->height = dw_rows(w) - y0;
	if (p->height < 1)
		p->height = 1;
	if (p->top > p->nrows - p->height)
		p->top = p->nrows - p->height;
	if (p->top < 0)
		p->top = 0;
	for (int y = 0; y < p->height && p->top + y < l.n; y++)
		draw_row(w, y0 + y, p->top + y, r, &l, v->search);
	long last = p->top + p->height < l.n ? p->top + p->height : l.n;
	snprintf(p->hint, sizeof(p->hint), "rows %ld-%ld/%ld", p->top + 1, last, l.n);
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct mpriv *p = v->priv;
	(void)r;
	(void)key;
	if (!p)
		return VIEW_IGNORED;
	long page = p->height > 1 ? p->height - 1 : 1, max = p->nrows - p->height;
	switch (q) {
	case REQ_UP: p->top--; break;
	case REQ_DOWN: p->top++; break;
	case REQ_PGUP: p->top -= page; break;
	case REQ_PGDN: p->top += page; break;
	case REQ_TOP: p->top = 0; break;
	case REQ_BOTTOM: p->top = max; break;
	default: return VIEW_IGNORED;
	}
	p->mark = -1;
	if (p->top > max)
		p->top = max;
	if (p->top < 0)
		p->top = 0;
	return VIEW_HANDLED;
}

/* A row's searchable text: a CPU by "cpuN" and what it breaks, an event's name, a global. */
static bool row_matches(const struct run *r, const struct layout *l, long row, const char *pat)
{
	const struct mon_series *s = r->mon;
	char buf[256];
	if (row > l->cpu0 && row < l->ev0 - 1) {
		int cpu = (int)(row - l->cpu0 - 1);
		snprintf(buf, sizeof(buf), "cpu%d %s", cpu, l->tags[cpu]);
	} else if (row > l->ev0 && row <= l->ev0 + l->nev) {
		snprintf(buf, sizeof(buf), "%s", mon_ev_name[l->ev[row - l->ev0 - 1].ev]);
	} else if (row > l->gl0 && row <= l->gl0 + l->ngl) {
		glob_text(s, (int)(row - l->gl0 - 1), buf, sizeof(buf));
	} else {
		return false;
	}
	return strcasestr(buf, pat) != NULL;
}

/* Scrolls the next matching row to the top of the list (as far as the list goes). */
static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct mpriv *p = v->priv;
	if (!p || !r || !r->mon || !mon_series_len(r->mon))
		return false;
	struct layout l;
	lay_out(r, 0, &l);
	long from = p->mark >= 0 ? p->mark : p->top;
	for (long k = 1; k <= l.n; k++) {
		long row = ((from + (dir < 0 ? -k : k)) % l.n + l.n) % l.n;
		if (row_matches(r, &l, row, pat)) {
			p->top = p->mark = row;
			return true;
		}
	}
	return false;
}

static const char *hint(struct view *v)
{
	struct mpriv *p = v->priv;
	return p && p->hint[0] ? p->hint : NULL;
}

/* A run the monitor failed points here, after the scheduler log when that has the story. */
static enum view_fit explains(const struct run *r)
{
	return r->mon && r->monsum.failed ? FIT_FAILURE : FIT_NONE;
}

const struct view_ops view_monitor = {
	.name = "monitor", .title = "Monitor", .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle,
	.search = search, .hint = hint, .explains = explains,
};
