/* Pane 2: the timeline. A row per worker tid grouped by cgroup, time across: run slices
 * (CPU id shown) and waits when the run has slices, else each worker's lifetime; every
 * worker's longest gap marked. +/- zoom, h/l pan, w fits the whole run (0 is a pane key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/model.h"
#include "views/view.h"

#define LABEL_W 18

struct tpriv {
	struct listpos pos;
	int64_t t0, span;          /* span 0: fit the whole run */
	struct tl_row *rows;
	struct tl_cell *cells;
	size_t cells_cap;
	int nrows;                 /* rows at the last draw */
};

static void init(struct view *v)
{
	v->priv = calloc(1, sizeof(struct tpriv));
}

static void done(struct view *v)
{
	struct tpriv *p = v->priv;
	if (p) {
		free(p->rows);
		free(p->cells);
	}
	free(p);
	v->priv = NULL;
}

static void reset(struct view *v)
{
	struct tpriv *p = v->priv;
	if (p) {
		p->pos = (struct listpos){ 0, 0, p->pos.height };
		p->t0 = p->span = 0;
	}
}

static void window(struct tpriv *p, const struct run *r, int64_t *a, int64_t *b)
{
	int64_t e0, e1;
	tl_extent(r, &e0, &e1);
	if (!p->span || p->span >= e1 - e0) {
		p->span = 0;
		*a = e0;
		*b = e1;
		return;
	}
	if (p->t0 + p->span > e1)
		p->t0 = e1 - p->span;
	if (p->t0 < e0)
		p->t0 = e0;
	*a = p->t0;
	*b = p->t0 + p->span;
}

static char cpu_char(int cpu)
{
	return cpu < 0 ? '?' : "0123456789abcdefghijklmnopqrstuvwxyz"[cpu % 36];
}

static void draw_axis(struct dwin *w, int y, int64_t a, int64_t b, int ncols)
{
	char lab[32];
	int last = -100;
	for (int c = 0; c < ncols; c += 10) {
		if (c < last + 8)
			continue;
		int64_t t = a + (b - a) * c / ncols;
		snprintf(lab, sizeof(lab), "|%.*fs", (b - a) < 10000 ? 2 : 1, (double)t / 1000.0);
		dw_text(w, y, LABEL_W + c, DC_DIM, lab, 0);
		last = c + (int)strlen(lab);
	}
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct tpriv *p = v->priv;
	if (!p || !r)
		return;
	int maxrows = r->nworkers + SCN_MAX_CGROUPS + 1;
	struct tl_row *nr = realloc(p->rows, (size_t)maxrows * sizeof(*nr));
	if (!nr)
		return;
	p->rows = nr;
	int n = tl_rows(r, p->rows, maxrows);
	p->nrows = n;
	int64_t a, b;
	window(p, r, &a, &b);
	int ncols = dw_cols(w) - LABEL_W;
	int x = dw_printf(w, 0, 0, DC_HEAD, "Timeline  %.2fs .. %.2fs", (double)a / 1000, (double)b / 1000);
	x = dw_printf(w, 0, x + 2, DC_DIM, "%s  %d workers", r->nslices ? "run/wait slices" : "per-worker (no slices)",
		      r->nworkers);
	if (p->span)
		dw_text(w, 0, x + 2, DC_DIM, "[zoomed]", 0);
	if (!n || ncols < 4) {
		dw_text(w, 2, 2, DC_DIM, "No workers reported yet.", 0);
		return;
	}
	draw_axis(w, 1, a, b, ncols);
	int top = 2, bottom = 2;      /* detail line + legend */
	p->pos.height = dw_rows(w) - top - bottom;
	if (p->pos.height < 1)
		p->pos.height = 1;
	listpos_clamp(&p->pos, n);
	int vis = n - (int)p->pos.top < p->pos.height ? n - (int)p->pos.top : p->pos.height;
	size_t need = (size_t)vis * ncols;
	if (need > p->cells_cap) {
		struct tl_cell *nc = realloc(p->cells, need * sizeof(*nc));
		if (!nc)
			return;
		p->cells = nc;
		p->cells_cap = need;
	}
	tl_cells(r, p->rows + p->pos.top, vis, a, b, ncols, p->cells);
	for (int y = 0; y < vis; y++) {
		const struct tl_row *row = &p->rows[p->pos.top + y];
		bool sel = p->pos.top + y == p->pos.cur;
		if (row->cg_head) {
			int cx = dw_text(w, top + y, 0, sel ? DC_SEL : DC_HEAD, row->cgroup, 0);
			dw_fill(w, top + y, cx + 1, dw_cols(w) - cx - 1, DC_DIM, dw_glyph(G_HLINE));
			continue;
		}
		const struct run_worker *wk = &r->workers[row->widx];
		char lab[LABEL_W + 1];
		snprintf(lab, sizeof(lab), " %6d %-10.10s", row->tid, wk->work);
		dw_text(w, top + y, 0, sel ? DC_SEL : DC_NORMAL, lab, 0);
		for (int c = 0; c < ncols; c++) {
			const struct tl_cell *cell = &p->cells[(size_t)y * ncols + c];
			char g[2] = { 0, 0 };
			switch (cell->st) {
			case TL_RUN:
				g[0] = cpu_char(cell->cpu);
				dw_text(w, top + y, LABEL_W + c, cell->cpu >= 0 ? DC_CPU0 + cell->cpu % 6 : DC_BAR, g, 0);
				break;
			case TL_WAIT:
				dw_text(w, top + y, LABEL_W + c, DC_WAIT, dw_glyph(G_DOT), 0);
				break;
			case TL_ALIVE:
				dw_text(w, top + y, LABEL_W + c, DC_DIM, dw_glyph(G_LIGHT), 0);
				break;
			case TL_GAP:
				dw_text(w, top + y, LABEL_W + c, DC_GAP, "!", 0);
				break;
			default:
				break;
			}
		}
	}
	/* The selected worker's longest gap, in the seed's terms. */
	int dy = dw_rows(w) - 2;
	const struct tl_row *cur = p->pos.cur < n ? &p->rows[p->pos.cur] : NULL;
	if (cur && !cur->cg_head) {
		const struct run_worker *wk = &r->workers[cur->widx];
		dw_printf(w, dy, 0, DC_NORMAL, "tid %d (%s, %s): longest gap %.0fms on cpu%d at +%lldms; cpu %.0fms "
			  "of %.0fms; %d migrations%s", wk->tid, wk->cgroup[0] ? wk->cgroup : "(none)", wk->work,
			  wk->max_gap_ms, wk->max_gap_cpu, (long long)wk->max_gap_at_ms, (double)wk->cpu_ns / 1e6,
			  (double)wk->wall_ns / 1e6, wk->migrations,
			  r->gap_threshold_ms > 0 && wk->max_gap_ms > r->gap_threshold_ms ? "  OVER THRESHOLD" : "");
	}
	char leg[160];
	snprintf(leg, sizeof(leg), "0-9a-z running on CPU   %s waiting   %s alive   ! longest gap   "
		 "+/- zoom  h/l pan  0 fit", dw_glyph(G_DOT), dw_glyph(G_LIGHT));
	dw_text(w, dy + 1, 0, DC_DIM, leg, 0);
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct tpriv *p = v->priv;
	(void)key;
	if (!p || !r)
		return VIEW_IGNORED;
	int64_t a, b;
	window(p, r, &a, &b);
	int64_t span = b - a;
	switch (q) {
	case REQ_ZOOM_IN:
		if (span <= 20)
			return VIEW_HANDLED;
		p->t0 = a + span / 4;
		p->span = span / 2;
		return VIEW_HANDLED;
	case REQ_ZOOM_OUT:
		p->t0 = a - span / 2;
		p->span = p->span ? span * 2 : 0;
		window(p, r, &a, &b);
		return VIEW_HANDLED;
	case REQ_ZOOM_FIT:
		p->span = 0;
		return VIEW_HANDLED;
	case REQ_LEFT:
	case REQ_RIGHT:
		if (!p->span)
			return VIEW_HANDLED;
		p->t0 = a + (q == REQ_LEFT ? -span / 4 : span / 4);
		window(p, r, &a, &b);
		return VIEW_HANDLED;
	default:
		break;
	}
	if (!listpos_nav(&p->pos, p->nrows, q))
		return VIEW_IGNORED;
	return VIEW_HANDLED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct tpriv *p = v->priv;
	if (!p || !r || !p->rows)
		return false;
	int maxrows = r->nworkers + SCN_MAX_CGROUPS + 1;
	int n = tl_rows(r, p->rows, maxrows);
	for (int k = 1; k <= n; k++) {
		int i = (int)(((p->pos.cur + (dir < 0 ? -k : k)) % n + n) % n);
		char tid[16];
		snprintf(tid, sizeof(tid), "%d", p->rows[i].tid);
		const char *work = p->rows[i].widx >= 0 ? r->workers[p->rows[i].widx].work : "";
		if (strcasestr(p->rows[i].cgroup, pat) || (!p->rows[i].cg_head && (!strcmp(tid, pat) || strcasestr(work, pat)))) {
			p->pos.cur = i;
			listpos_clamp(&p->pos, n);
			return true;
		}
	}
	return false;
}

/* Any run: who ran where and when. */
static enum view_fit explains(const struct run *r)
{
	(void)r;
	return FIT_ANY;
}

const struct view_ops view_timeline = {
	.name = "timeline", .title = "Timeline", .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle, .search = search,
	.explains = explains,
};
