/* Pane 3: fairness spread per cgroup: each worker's CPU share as a bar, the cgroup's
 * min/max/mean off-CPU %, the spread against the threshold, workers and CPUs, and the
 * worker-check figures (wake latency, run delay, migration ratio, work rate). Live runs
 * get their cgroup numbers from checks_stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/worker_figs.h"
#include "views/model.h"
#include "views/view.h"

struct spriv { struct listpos pos; long nrows; };

static void init(struct view *v)
{
	v->priv = calloc(1, sizeof(struct spriv));
}

static void done(struct view *v)
{
	free(v->priv);
	v->priv = NULL;
}

static void reset(struct view *v)
{
	struct spriv *p = v->priv;
	if (p)
		p->pos = (struct listpos){ 0, 0, p->pos.height };
}

static bool in_cgroup(const struct run_worker *w, const char *cg)
{
	return !strcmp(w->cgroup, cg) || (!w->cgroup[0] && !strcmp(cg, "(none)"));
}

/* Display rows: per cgroup one header, one stats line, then its workers. Row i is drawn
 * at screen line i - top; rows off screen are only counted. */
static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct spriv *p = v->priv;
	if (!p || !r)
		return;
	if (r->state != RUN_DONE && r->nworkers)
		checks_stats(r, !strcmp(r->accel, "tcg"));
	double thr = r->spread_threshold_pct;
	int x = dw_text(w, 0, 0, DC_HEAD, "Spread", 0);
	if (thr > 0)
		dw_printf(w, 0, x + 2, DC_DIM, "threshold %.0f%% (max - min off-CPU %% among a cgroup's workers)", thr);
	if (!r->ncgroups) {
		dw_text(w, 2, 2, DC_DIM, "No cgroup numbers yet.", 0);
		return;
	}
	p->pos.height = dw_rows(w) - 1;
	listpos_clamp(&p->pos, p->nrows);
	int barw = dw_cols(w) - 40;
	if (barw < 8)
		barw = 8;
	long row = 0;
	int top = (int)p->pos.top;
#define LINE(y_) ((int)(row - top) + 1)
	for (int c = 0; c < r->ncgroups; c++) {
		const struct run_cgroup *cg = &r->cgroups[c];
		bool over = thr > 0 && cg->workers >= 2 && cg->spread_pct > thr;
		int y = LINE(row);
		if (y >= 1) {
			if (row == p->pos.cur)
				dw_row(w, y, DC_SEL);
			int cx = dw_text(w, y, 0, row == p->pos.cur ? DC_SEL : DC_HEAD, cg->name, 0);
			cx = dw_printf(w, y, cx + 2, over ? DC_FAIL : DC_OK, "spread %.1f%%%s", cg->spread_pct,
				       cg->workers < 2 ? " (1 worker)" : over ? " OVER" : " ok");
			dw_printf(w, y, cx + 2, DC_NORMAL, "%d workers  %d CPUs  max gap %.0fms  %d migrations",
				  cg->workers, cg->cpus, cg->max_gap_ms, cg->migrations);
		}
		row++;
		if (LINE(row) >= 1)
			dw_printf(w, LINE(row), 2, DC_DIM, "off-CPU %%: min %.1f  max %.1f  mean %.1f",
				  cg->min_off_pct, cg->max_off_pct, cg->mean_off_pct);
		row++;
		/* The worker-check figures (wake latency, run delay, migration ratio, work rate)
		 * once the final reports have them. */
		for (int part = WFIGS_WAKE; part <= WFIGS_SCHED; part <<= 1) {
			char figs[512];
			wfigs_cgroup_line(cg, part, figs, sizeof(figs));
			if (!figs[0])
				continue;
			if (LINE(row) >= 1 && LINE(row) <= p->pos.height)
				dw_text(w, LINE(row), 2, DC_DIM, figs, 0);
			row++;
		}
		for (int i = 0; i < r->nworkers; i++) {
			const struct run_worker *wk = &r->workers[i];
			if (!in_cgroup(wk, cg->name))
				continue;
			y = LINE(row);
			if (y >= 1 && y <= p->pos.height) {
				bool sel = row == p->pos.cur;
				if (sel)
					dw_row(w, y, DC_SEL);
				double share = checks_share_pct(wk);
				dw_printf(w, y, 2, sel ? DC_SEL : DC_NORMAL, "%7d %-10.10s", wk->tid, wk->work);
				dw_bar(w, y, 22, barw, share / 100.0, DC_BAR);
				dw_printf(w, y, 23 + barw, sel ? DC_SEL : DC_NORMAL, "%5.1f%% cpu %5.1f%% off", share,
					  100.0 - share);
			}
			row++;
		}
	}
#undef LINE
	p->nrows = row;
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct spriv *p = v->priv;
	(void)r;
	(void)key;
	return p && listpos_nav(&p->pos, p->nrows, q) ? VIEW_HANDLED : VIEW_IGNORED;
}

const struct view_ops view_spread = {
	.name = "spread", .title = "Spread", .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle,
};
