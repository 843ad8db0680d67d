/* Pane 1: runs. The live run (if any) and the history under the runs root (every
 * directory with a result.json), newest first; Enter opens one in the other panes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/model.h"
#include "views/runs_matrix.h"
#include "views/view.h"

struct rpriv {
	struct listpos pos;
	struct runs_entry *e;
	int n;
	time_t scanned;
	char err[512];
	struct runs_mx mx;         /* a sweep's matrix, when one is open */
};

static void rescan(struct view *v)
{
	struct rpriv *p = v->priv;
	free(p->e);
	p->e = NULL;
	p->n = 0;
	p->err[0] = 0;
	if (v->ctx && v->ctx->runs_root && *v->ctx->runs_root)
		runs_scan(v->ctx->runs_root, &p->e, &p->n, p->err, sizeof(p->err));
	p->scanned = time(NULL);
}

static void init(struct view *v)
{
	v->priv = calloc(1, sizeof(struct rpriv));
}

static void done(struct view *v)
{
	struct rpriv *p = v->priv;
	if (p) {
		free(p->e);
		mx_close(&p->mx);
	}
	free(p);
	v->priv = NULL;
}

static bool has_live(const struct view *v)
{
	return v->ctx && v->ctx->live_line[0];
}

static int result_col(const char *res)
{
	return !strcmp(res, "pass") ? DC_OK : !strcmp(res, "fail") || !strcmp(res, "error") ? DC_FAIL : DC_WARN;
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct rpriv *p = v->priv;
	(void)r;
	if (!p)
		return;
	if (v->ctx && v->ctx->sweep_gen != p->mx.gen) {  /* --open / :open of a sweep dir */
		p->mx.gen = v->ctx->sweep_gen;
		mx_open(&p->mx, v->ctx->sweep_open);
	}
	if (p->mx.on) {
		mx_draw(&p->mx, w, v->ctx);
		return;
	}
	if (!p->scanned || time(NULL) - p->scanned >= 3)
		rescan(v);
	int x = dw_text(w, 0, 0, DC_HEAD, "Next run: ", 0);
	dw_text(w, 0, x, DC_NORMAL, v->ctx ? v->ctx->next_run : "", 0);
	dw_text(w, 1, 0, DC_DIM, "r starts it; :run FILE  :kernel KEY  :topo NxLxCxT  :sched NAME|PATH  "
		"(or Enter on a kernel in pane 8)", 0);
	dw_printf(w, 2, 0, DC_HEAD, "  %-6s %-16s %8s  %-24s %-9s %-12s %s", "RESULT", "STARTED", "TIME",
		  "KERNEL", "TOPO", "SCHED", "RUN");
	int live = has_live(v);
	long n = p->n + live;
	p->pos.height = dw_rows(w) - 3;
	listpos_clamp(&p->pos, n);
	if (!n) {
		dw_printf(w, 4, 2, DC_DIM, "No runs yet under %s%s%s", v->ctx && v->ctx->runs_root ? v->ctx->runs_root : "?",
			  p->err[0] ? ": " : "", p->err);
		return;
	}
	for (int y = 0; y < p->pos.height; y++) {
		long i = p->pos.top + y;
		if (i >= n)
			break;
		bool sel = i == p->pos.cur;
		int yy = 3 + y;
		if (sel)
			dw_row(w, yy, DC_SEL);
		if (live && i == 0) {
			dw_text(w, yy, 0, sel ? DC_SEL : DC_WARN, "  live   ", 0);
			dw_text(w, yy, 9, sel ? DC_SEL : DC_NORMAL, v->ctx->live_line, 0);
			continue;
		}
		const struct runs_entry *e = &p->e[i - live];
		char when[32] = "-", dur[16] = "-";
		struct tm tm;
		time_t t = (time_t)e->started_unix;
		if (t && localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		if (e->duration_ms >= 0)
			snprintf(dur, sizeof(dur), "%.1fs", (double)e->duration_ms / 1000.0);
		bool open = v->ctx && !strcmp(v->ctx->cur_dir, e->dir);
		dw_text(w, yy, 0, sel ? DC_SEL : DC_HEAD, open ? dw_glyph(G_MARK) : " ", 0);
		dw_printf(w, yy, 2, sel ? DC_SEL : result_col(e->result), "%-6s", e->result);
		dw_printf(w, yy, 9, sel ? DC_SEL : DC_NORMAL, "%-16s %8s  %-24.24s %-9.9s %-12.12s %s", when, dur,
			  e->kernel, e->topo, e->sched, e->id);
	}
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct rpriv *p = v->priv;
	(void)r;
	(void)key;
	if (!p)
		return VIEW_IGNORED;
	if (p->mx.on)
		return mx_handle(&p->mx, v, q);
	int live = has_live(v);
	long n = p->n + live;
	if (q == REQ_REFRESH) {
		rescan(v);
		return VIEW_HANDLED;
	}
	if (q == REQ_ENTER) {
		if (p->pos.cur < 0 || p->pos.cur >= n)
			return VIEW_IGNORED;
		if (live && p->pos.cur == 0)
			return VIEW_OPEN_LIVE;
		const struct runs_entry *e = &p->e[p->pos.cur - live];
		if (e->kind != RUNS_RUN) {
			mx_open(&p->mx, e->dir);
			return VIEW_HANDLED;
		}
		snprintf(v->arg, sizeof(v->arg), "%s", e->dir);
		return VIEW_OPEN_RUN;
	}
	return listpos_nav(&p->pos, n, q) ? VIEW_HANDLED : VIEW_IGNORED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct rpriv *p = v->priv;
	(void)r;
	if (p && p->mx.on)
		return mx_search(&p->mx, pat, dir);
	if (!p || !p->n)
		return false;
	int live = has_live(v);
	for (int k = 1; k <= p->n; k++) {
		int i = (int)(((p->pos.cur - live + (dir < 0 ? -k : k)) % p->n + p->n) % p->n);
		const struct runs_entry *e = &p->e[i];
		if (strcasestr(e->id, pat) || strcasestr(e->kernel, pat) || strcasestr(e->sched, pat) ||
		    strcasestr(e->result, pat) || strcasestr(e->topo, pat)) {
			p->pos.cur = i + live;
			listpos_clamp(&p->pos, p->n + live);
			return true;
		}
	}
	return false;
}

const struct view_ops view_runs = {
	.name = "runs", .title = "Runs", .needs_run = false,
	.init = init, .done = done, .draw = draw, .handle = handle, .search = search,
};
